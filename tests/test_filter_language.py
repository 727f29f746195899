"""The one filter language: SQL-like operators, quoted text is always text, property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hygis.core.errors import HygisError
from hygis.layers.expressions import (evaluate_filter, filter_fields, is_expression_for, like_escape, parse_filter,
                                      quote_field, quote_text)

SHOPS = pd.DataFrame({
    "name": ["AND", "a=b", "NULL shop", "it's", "科创飞地", None, "OR 1=1", "x"],
    "year": [2010, 2015, None, 2018, 2020, 2021, 2024, 2030],
    "code": ["330102", "330103", "1", "2", None, "7", "8", "9"],
    "year opened": [1, 2, 3, 4, 5, 6, 7, 8],
})


def rows(expr, frame=SHOPS):
    return np.flatnonzero(evaluate_filter(frame, expr)).tolist()


@pytest.mark.parametrize("expr,expected", [
    # quoted text is always text: keywords, operators and NULL inside quotes are not rewritten
    ("name = 'AND'", [0]),
    ("name = 'a=b'", [1]),
    ("name == 'NULL shop'", [2]),
    ("name = 'it''s'", [3]),
    ("name = 'OR 1=1'", [6]),
    ("name = '科创飞地'", [4]),
    # every operator
    ("year <> 2018", [0, 1, 4, 5, 6, 7]),
    ("year != 2018", [0, 1, 4, 5, 6, 7]),
    ("year < 2015", [0]),
    ("year > 2024", [7]),
    ("year <= 2015", [0, 1]),
    ("year >= 2024", [6, 7]),
    ("year BETWEEN 2015 AND 2020", [1, 3, 4]),
    ("year NOT BETWEEN 2015 AND 2020", [0, 2, 5, 6, 7]),
    ("name IN ('AND', 'x')", [0, 7]),
    ("name NOT IN ('AND', 'x')", [1, 2, 3, 4, 5, 6]),
    ("year IS NULL", [2]),
    ("year IS NOT NULL", [0, 1, 3, 4, 5, 6, 7]),
    ("name LIKE '%shop'", [2]),
    ("name LIKE 'a_b'", [1]),
    ("name NOT LIKE '%a%'", [0, 2, 3, 4, 5, 6, 7]),  # NOT of a missing value's test is true
    ("name ILIKE 'null%'", [2]),
    ("name LIKE 'null%'", []),
    ("year > 2015 AND (name = 'x' OR name = 'it''s')", [3, 7]),
    ("NOT (year > 2015)", [0, 1, 2]),
    ("year > 2020 and not name = 'x' or name = 'AND'", [0, 5, 6]),
    ("lower(name) = 'and'", [0]),
    ("upper(name) = 'X'", [7]),
    ("length(name) = 4", [3, 4]),  # it's, 科创飞地
    ("trim(' x ') = name", [7]),
    ("abs(year - 2020) <= 2", [3, 4, 5]),
    ("round(year / 7, 0) = 288", [1, 3]),  # 287.9, 288.3
    ("coalesce(year, 0) = 0", [2]),
    ("name || '-' || year = 'x-2030'", [7]),
    ('"year opened" >= 7', [6, 7]),
    # a code stored as text against a number: compared as written
    ("code = 330102", [0]),
    ("code IN (1, 2)", [2, 3]),
    # spellings of the earlier Python-like filters (saved projects)
    ("year is None", [2]),
    ("year is not None and name in ['x']", [7]),
    ("2012 < year < 2020", [1, 3]),
    ("True", list(range(8))),
])
def test_operators(expr, expected):
    assert rows(expr) == expected


@pytest.mark.parametrize("expr,message", [
    ("name = \"x\"", "unknown field 'x'"),
    ("year > '2010'", "remove the quotes"),
    ("name = 'open", "never closed"),
    ("year >", "at the end"),
    ("year BETWEEN 1", "AND in BETWEEN"),
    ("name IN 'x'", "list in parentheses"),
    ("shout(name) = 'X'", "unknown function shout()"),
    ("round()", "round() takes 1–2"),
    ("name.upper() == 'A'", "unexpected '.'"),
    ("__import__('os').system('x')", "unexpected '.'"),
    ("__import__('os')", "unknown function __import__()"),
    ("year IS 5", "expected NULL after IS"),
    ("(" * 200 + "1" + ")" * 200, "nested too deeply"),
])
def test_errors_say_what_is_wrong(expr, message):
    with pytest.raises(HygisError, match=None) as err:
        evaluate_filter(SHOPS, expr)
    assert message in str(err.value)


def test_parse_checks_without_a_frame_and_names_fields():
    assert parse_filter("year > 1 AND name = 'x'").op == "and"
    assert filter_fields("year > 1 AND \"year opened\" < 3 OR lower(name) = 'year'") == {"year", "year opened", "name"}
    with pytest.raises(HygisError, match="Cannot understand filter"):
        parse_filter("year >> 3")


def test_attribute_table_auto_mode_decides_expression_or_search():
    fields = list(SHOPS.columns)
    assert is_expression_for("year >= 2020", fields)
    assert is_expression_for("name = 'x'", fields)
    assert not is_expression_for("杭州", fields)          # a word: text search
    assert not is_expression_for("year", fields)          # a bare field name: text search
    assert not is_expression_for("status = 'x'", fields)  # not a field of this layer
    assert not is_expression_for("a = b = ", fields)


# -- properties -----------------------------------------------------------------------------
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
VALUES = st.lists(TEXT, min_size=1, max_size=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES, st.integers(0, 7))
def test_any_text_quoted_back_matches_itself(values, pick):
    frame = pd.DataFrame({"name": values})
    target = values[pick % len(values)]
    expected = [i for i, v in enumerate(values) if v == target]
    assert rows(f"name = {quote_text(target)}", frame) == expected
    assert rows(f"name == {quote_text(target)}", frame) == expected
    assert rows(f"{quote_text(target)} = name", frame) == expected
    assert rows(f"name IN ({quote_text(target)}, {quote_text(target + 'x')})", frame) == \
        [i for i, v in enumerate(values) if v in (target, target + "x")]
    assert rows(f"name <> {quote_text(target)}", frame) == [i for i, v in enumerate(values) if v != target]
    assert rows(f"name LIKE {quote_text(like_escape(target))}", frame) == expected
    assert rows(f"NOT name = {quote_text(target)}", frame) == [i for i, v in enumerate(values) if v != target]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**9, 10**9), st.floats(-1e9, 1e9, allow_nan=False)), min_size=1,
                max_size=8), st.integers(0, 7))
def test_any_number_written_back_matches_itself(values, pick):
    frame = pd.DataFrame({"v": [float(v) for v in values]})
    target = float(values[pick % len(values)])
    literal = repr(target) if target >= 0 else f"({target!r})"
    assert rows(f"v = {literal}", frame) == [i for i, v in enumerate(frame["v"]) if v == target]
    assert rows(f"v BETWEEN {literal} AND {literal}", frame) == [i for i, v in enumerate(frame["v"]) if v == target]
    assert rows(f"v < {literal} OR v >= {literal}", frame) == list(range(len(values)))


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=12).filter(lambda s: s.strip() == s and s != ""), TEXT)
def test_any_field_name_quoted_back_is_that_field(field, value):
    assume(field != "other")
    frame = pd.DataFrame({field: [value, value + "!"], "other": ["a", "b"]})
    assert rows(f"{quote_field(field)} = {quote_text(value)}", frame) == [0]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab ()'\"=<>!,%_-+*/|.0123456789ANDORNTISULLIKEBW", max_size=40))
def test_garbage_is_refused_with_one_message_never_a_crash(text):
    try:
        mask = evaluate_filter(SHOPS, text)
    except HygisError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert mask.dtype == bool and len(mask) == len(SHOPS)
