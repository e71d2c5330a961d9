"""What the Mock-data page reads: tables, declarations, columns, the build and the national figures."""

import math
import shutil
import sqlite3
import subprocess
import sys

import pytest

from katalog import db as database
from katalog.build import build
from katalog.mock import mockinfo
from katalog.mock.mockinfo import (
    AGGREGATE,
    PERSON,
    MockInfoError,
    NationalFigure,
    format_deviation,
    format_scale,
    format_value,
)
from tests.conftest import MOCKDATA, ROOT, USECASES

MAIN_TABLES = ("befolkning", "ap_patienter", "kvalitetsindikatorer", "ap_aktivitet", "sygehus_aktivitet")


@pytest.fixture(scope="module")
def info(built_db) -> mockinfo.MockInfo:
    return mockinfo.read(built_db)


def test_every_aggregate_table_is_listed_with_a_declaration_that_says_it_is_synthetic(info, built_db):
    aggregates = [t for t in info.tables if t.level == AGGREGATE]
    assert {t.name for t in aggregates} >= set(MAIN_TABLES)
    for table in aggregates:
        assert table.title and table.rows > 0
        assert "syntetisk" in table.declaration.lower(), table.name
    assert [t.name for t in info.tables] == [t.name for t in mockinfo.tables(built_db)]


def test_columns_are_the_tables_own(info, built_db):
    with sqlite3.connect(built_db) as conn:
        for table in info.tables:
            expected = [(name, kind) for _, name, kind, *_ in conn.execute(f"PRAGMA table_info([{table.name}])")]
            assert [(c.name, c.type) for c in table.columns] == expected
    assert [c.name for c in info.table("ap_patienter").columns][:3] == ["aar", "diagnose", "niveau"]


def test_the_build_without_cohort_has_no_person_tables(info):
    assert info.build.scale == database.mock_scale()
    assert info.build.cohort is False and info.build.seed > 0
    assert all(t.is_aggregate for t in info.tables)


def test_comparisons_exist_for_the_main_tables_with_float_deviations(info, built_db):
    for name in MAIN_TABLES:
        figures = info.figures_for(name)
        assert figures, name
        assert figures == mockinfo.comparisons(built_db, name)
    for figure in info.figures:
        assert isinstance(figure.deviation, float)
        assert figure.table in {t.name for t in info.tables}
        assert figure.unit in {"personer", "andel", "pr. patient", "praksis", "indeks"}
        if figure.anchor:
            assert math.isclose(figure.deviation, figure.generated / figure.anchor - 1, rel_tol=1e-9, abs_tol=1e-12)
    assert len(mockinfo.comparisons(built_db)) == len(info.figures)
    assert set(info.outside_tolerance) == {f for f in info.figures if abs(f.deviation) > mockinfo.TOLERANCE}


def test_the_person_level_cohort_is_listed_as_person_data(tmp_path):
    path = tmp_path / "kohorte.db"
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.01, cohort=True)
    info = mockinfo.read(path)
    assert info.build.cohort is True and info.build.scale_text == "1/100 af landet"
    persons = [t for t in info.tables if t.level == PERSON]
    assert persons and all(t.name.startswith(("kohorte_", "ubeskyttet_")) for t in persons)
    assert all(t.columns and t.rows > 0 for t in persons)
    assert not any(f.table in {t.name for t in persons} for f in info.figures)


@pytest.mark.parametrize("statement", [
    "DROP TABLE mock_comparisons",
    "DROP TABLE mock_build",
    "ALTER TABLE mock_tables DROP COLUMN level",
    "DELETE FROM mock_build WHERE key = 'seed'",
    "DELETE FROM mock_tables",
])
def test_an_older_database_gives_a_clear_error(built_db, tmp_path, statement):
    path = tmp_path / "old.db"
    shutil.copy(built_db, path)
    with sqlite3.connect(path) as conn:
        conn.execute(statement)
    with pytest.raises(MockInfoError, match="mangler oplysninger om mock-data"):
        mockinfo.read(path)


def test_a_database_without_mock_tables_or_no_file_gives_a_clear_error(tmp_path):
    with database.opened(tmp_path / "empty.db"):
        pass  # members, rounds and ballots only
    with pytest.raises(MockInfoError, match="mock_tables"):
        mockinfo.read(tmp_path / "empty.db")
    with pytest.raises(MockInfoError, match="findes ikke"):
        mockinfo.build_info(tmp_path / "none.db")
    assert not (tmp_path / "none.db").exists()


def test_reading_does_not_write(built_db):
    before = built_db.stat().st_mtime_ns, built_db.stat().st_size
    mockinfo.read(built_db)
    assert (built_db.stat().st_mtime_ns, built_db.stat().st_size) == before


@pytest.mark.parametrize(("value", "unit", "like", "text"), [
    (356_120, "personer", None, "356.120"),
    (5_961_235.0, "personer", None, "5.961.235"),
    (0.5617, "andel", None, "56,2 %"),
    (0.0733, "andel", None, "7,3 %"),
    (11.3, "pr. patient", None, "11,3"),
    (10.9976, "pr. patient", 11.0, "11,0"),
    (0.1500, "pr. patient", 0.15, "0,15"),
    (0.0245, "pr. patient", 0.02, "0,025"),
    (1703, "praksis", None, "1.703"),
    (1.0382, "indeks", None, "+3,8 %"),
    (0.985, "indeks", None, "-1,5 %"),
])
def test_values_are_formatted_the_danish_way(value, unit, like, text):
    assert format_value(value, unit, like=like) == text


@pytest.mark.parametrize(("deviation", "text"), [
    (0.0218, "+2,2 %"), (-0.0636, "-6,4 %"), (0.2266, "+22,7 %"), (-0.0000023, "0,0 %"), (float("nan"), "–"),
])
def test_deviations_are_signed_percents(deviation, text):
    assert format_deviation(deviation) == text


@pytest.mark.parametrize(("scale", "text"), [
    (1.0, "hele landet"), (0.1, "1/10 af landet"), (0.2, "1/5 af landet"), (0.3, "3/10 af landet"),
    (0.001, "1/1000 af landet"),
])
def test_the_scale_reads_as_a_share_of_the_country(scale, text):
    assert format_scale(scale) == text


def test_a_count_of_one_to_four_is_never_shown_nor_its_deviation():
    small = NationalFigure("praksis", "Praksis", "Lægepraksis", 3.0, 1.7, "praksis", 3 / 1.7 - 1, "skøn")
    assert small.generated_text == "<5" and small.deviation_text == "–" and small.within_tolerance is None
    share = NationalFigure("befolkning", "Befolkning", "Andel kvinder", 0.03, 0.03, "andel", 0.0, "DST")
    assert share.generated_text == "3,0 %" and share.within_tolerance is True


def test_mockinfo_is_ui_free():
    code = "import sys, katalog.mock.mockinfo; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
