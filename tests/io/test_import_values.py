"""Value mapping (工业 → industry) and constant values on import: load_layers, the CLI and distinct_values."""

import pyogrio
import pytest

from hygis.cli import main
from hygis.core.errors import HygisError
from hygis.io import load_layers
from hygis.io.values import distinct_values
from hygis.project.fileformat import open_project

HEADER = "名称,所在城市,来源地,类型,lon,lat\n"
ROWS = ("西湖科创飞地,杭州市,衢州市,研发飞地,120.13,30.26\n"
        "鄞州产业飞地,宁波市,丽水市,工业,121.55,29.82\n"
        "余杭产业飞地,杭州市,丽水市,工业,120.30,30.42\n")
VALUES = {"enclave_type": {"工业": "industry", "研发飞地": "science"}}


@pytest.fixture
def enclave_csv(tmp_path):
    path = tmp_path / "飞地.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def test_values_and_constants_make_a_valid_enclave_layer(enclave_csv):
    with pytest.raises(HygisError, match="enclave_type"):       # 工业 is not a schema value
        load_layers(enclave_csv, as_kind="enclave", field_map={"类型": "enclave_type"}, constants={"status": "planned", "source": "市发改委"})
    (layer,) = load_layers(enclave_csv, as_kind="enclave", field_map={"类型": "enclave_type"}, values=VALUES,
                           constants={"status": "planned", "year_opened": "2024", "source": "市发改委"})
    assert layer.data["enclave_type"].tolist() == ["science", "industry", "industry"]
    assert layer.data["status"].tolist() == ["planned"] * 3
    assert layer.data["year_opened"].tolist() == [2024] * 3
    assert layer.data["name"].tolist()[1] == "鄞州产业飞地"            # other fields untouched
    assert set(layer.data["source"]) == {"市发改委"}


def test_constant_of_the_wrong_type_is_refused(enclave_csv):
    with pytest.raises(HygisError, match="'soon' for year_opened is not a int"):
        load_layers(enclave_csv, as_kind="enclave", field_map={"类型": "enclave_type"}, values=VALUES,
                    constants={"year_opened": "soon", "source": "s"})


def test_distinct_values_most_frequent_first(enclave_csv, tmp_path):
    assert distinct_values(enclave_csv, "类型") == ["工业", "研发飞地"]
    (layer,) = load_layers(enclave_csv)
    gpkg = tmp_path / "e.gpkg"
    pyogrio.write_dataframe(layer.data, gpkg)
    assert distinct_values(gpkg, "所在城市") == ["杭州市", "宁波市"]
    with pytest.raises(HygisError, match="no field"):
        distinct_values(enclave_csv, "nope")


def test_cli_value_and_set_on_import_and_append(enclave_csv, tmp_path, capsys):
    project = tmp_path / "p.hygis"
    args = ["--as", "enclave", "--map", "类型=enclave_type", "--value", "enclave_type:工业=industry",
            "--value", "enclave_type:研发飞地=science", "--set", "status=operating", "--set", "source=市发改委"]
    assert main(["import", str(project), str(enclave_csv), "--create", "--name", "飞地", *args]) == 0
    layer = open_project(project).layers["飞地"]
    assert layer.data["enclave_type"].tolist() == ["science", "industry", "industry"]
    assert set(layer.data["status"]) == {"operating"}
    more = tmp_path / "more.csv"
    more.write_text(HEADER + "北仑产业飞地,宁波市,衢州市,工业,121.85,29.90\n", encoding="utf-8")
    assert main(["import", str(project), str(more), "--append", "飞地", *args[2:], "--set", "status=planned"]) == 0
    layer = open_project(project).layers["飞地"]
    assert layer.feature_count == 4
    assert layer.data["enclave_type"].tolist()[-1] == "industry" and layer.data["status"].tolist()[-1] == "planned"
    capsys.readouterr()
    assert main(["import", str(project), str(more), "--append", "飞地", "--value", "oops"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--value expects FIELD:VALUE_IN_FILE=VALUE" in err[0]
