import pandas as pd
import pytest

from hygis.core.errors import HygisError
from hygis.layers.expressions import evaluate_filter

DF = pd.DataFrame({"year_opened": [2012, 2019, 2024, None], "status": ["operating", "operating", "planned", "planned"],
                   "name": ["a", "b", "c", "d"]})


@pytest.mark.parametrize("expr,expected", [
    ("year_opened <= 2020", [True, True, False, False]),
    ("status in ('operating',)", [True, True, False, False]),
    ("status in ('operating')", [True, True, False, False]),
    ("status not in ['planned']", [True, True, False, False]),
    ("year_opened <= 2025 and status == 'planned'", [False, False, True, False]),
    ("year_opened > 2015 or name == 'a'", [True, True, True, False]),
    ("not (year_opened < 2020)", [False, False, True, True]),
    ("year_opened is None", [False, False, False, True]),
    ("year_opened IS NULL", [False, False, False, True]),
    ("status = 'planned' AND year_opened >= 2024", [False, False, True, False]),
    ("2015 < year_opened < 2025", [False, True, True, False]),
    ("", [True, True, True, True]),
])
def test_filters(expr, expected):
    assert evaluate_filter(DF, expr).tolist() == expected


@pytest.mark.parametrize("expr", ["__import__('os').system('x')", "name.upper() == 'A'", "[x for x in name]",
                                  "lambda: 1", "open('f')", "year_opened <= ", "nofield == 1", "x" * 3000])
def test_dangerous_or_bad_filters_are_refused(expr):
    with pytest.raises(HygisError):
        evaluate_filter(DF, expr)
