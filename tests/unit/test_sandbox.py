"""Chart SQL is untrusted: the sandbox reads mock tables and nothing else, and stops runaway queries."""

import sqlite3
import time

import pytest

from katalog import db as database
from katalog.members import add_member
from katalog.sandbox import QueryError, run_query


def test_a_normal_grouped_query_works(built_db):
    rows = run_query(built_db, "SELECT region, SUM(befolkning) AS n FROM befolkning WHERE aar = :aar "
                               "GROUP BY region", {"aar": 2024})
    assert len(rows) == 5 and rows["n"].sum() > 5_000_000


def test_a_bounded_recursive_cte_is_allowed(built_db):
    rows = run_query(built_db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
                               "SELECT count(*) AS c FROM n")
    assert rows["c"][0] == 10


@pytest.mark.parametrize("sql", [
    "DROP TABLE befolkning",
    "DELETE FROM befolkning",
    "INSERT INTO befolkning (aar) VALUES (1)",
    "UPDATE befolkning SET befolkning = 0",
    "CREATE TEMP TABLE t AS SELECT 1",
    "PRAGMA user_version = 5",
    "SELECT 1; DROP TABLE befolkning",
])
def test_statements_that_are_not_one_select_are_refused(writable_db, sql):
    with pytest.raises(QueryError):
        run_query(writable_db, sql)
    assert sqlite3.connect(writable_db).execute("SELECT count(*) FROM befolkning").fetchone()[0] > 0


@pytest.mark.parametrize("sql", [
    "SELECT * FROM members",
    "SELECT * FROM ballots",
    "SELECT token_hash FROM members",
    "SELECT (SELECT count(*) FROM ballots) AS n FROM befolkning",
    "WITH x AS (SELECT * FROM members) SELECT * FROM x",
    "SELECT * FROM sqlite_master",
    "SELECT * FROM pragma_table_info('members')",
    "SELECT load_extension('x')",
])
def test_reading_anything_but_mock_tables_is_refused(writable_db, sql):
    db = database.connect(writable_db)
    add_member(db, "Anna", "Region Nordjylland", "Region")
    db.conn.close()
    with pytest.raises(QueryError):
        run_query(writable_db, sql)


def test_attach_and_vacuum_into_cannot_write_files(writable_db, tmp_path):
    target = tmp_path / "stolen.db"
    for sql in (f"ATTACH DATABASE 'file:{target}' AS x", f"VACUUM INTO '{target}'"):
        with pytest.raises(QueryError):
            run_query(writable_db, sql)
    assert not target.exists()


def test_runaway_recursive_query_is_stopped_within_the_time_limit(built_db):
    started = time.monotonic()
    with pytest.raises(QueryError, match="stoppet"):
        run_query(built_db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                            "SELECT max(i) FROM n", max_seconds=0.5)
    assert time.monotonic() - started < 3


def test_too_many_rows_is_refused(built_db):
    with pytest.raises(QueryError, match="rækker"):
        run_query(built_db, "SELECT * FROM befolkning", max_rows=100)


def test_missing_database_says_how_to_build_it(tmp_path):
    with pytest.raises(QueryError, match="katalog build"):
        run_query(tmp_path / "nope.db", "SELECT 1")


@pytest.mark.parametrize("sql", [
    "SELECT count(*) AS n FROM ballots",
    "SELECT count(*) AS n FROM members",
    "SELECT count(*) AS n FROM sqlite_schema",
    "SELECT count(*) AS n FROM usecases",
])
def test_even_row_counts_of_other_tables_are_refused(writable_db, sql):
    with pytest.raises(QueryError):
        run_query(writable_db, sql)


@pytest.mark.parametrize("sql", [
    "WITH x AS (SELECT 1) DELETE FROM befolkning",
    "WITH x AS (SELECT 1) INSERT INTO befolkning (aar) VALUES (1)",
    "WITH x AS (SELECT 1) UPDATE befolkning SET befolkning = 0",
])
def test_writes_hidden_behind_a_cte_are_refused_by_the_authorizer(writable_db, sql):
    with pytest.raises(QueryError, match="tilladt"):
        run_query(writable_db, sql)
    assert sqlite3.connect(writable_db).execute("SELECT min(befolkning) FROM befolkning").fetchone()[0] >= 0


@pytest.mark.parametrize("sql", [
    "SELECT length(randomblob(900000000)) AS n",
    "SELECT length(printf('%.*c', 900000000, 'x')) AS n",
    "SELECT length(zeroblob(900000000)) AS n",
])
def test_huge_values_are_refused_or_empty_at_once(built_db, sql):
    started = time.monotonic()
    try:
        rows = run_query(built_db, sql)
        assert rows["n"].isna().all()  # SQLite gives NULL where the value would exceed the limit
    except QueryError:
        pass
    assert time.monotonic() - started < 1.5


def test_a_column_refusal_is_explained_in_danish(writable_db):
    with pytest.raises(QueryError, match="tilladt"):
        run_query(writable_db, "SELECT name FROM members")


@pytest.fixture(scope="module")
def cohort_db(tmp_path_factory):
    from katalog.build import build
    from tests.conftest import MOCKDATA, USECASES

    path = tmp_path_factory.mktemp("cohort") / "catalogue.db"
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.01, cohort=True)
    return path


@pytest.mark.parametrize("sql", [
    "SELECT * FROM kohorte_person",
    "SELECT hba1c FROM kohorte_aar WHERE person_id = 1",
    "SELECT count(*) AS n FROM kohorte_diagnose",
    "WITH p AS (SELECT * FROM kohorte_forloeb) SELECT * FROM p",
    "SELECT (SELECT max(alder) FROM kohorte_aar) AS n FROM befolkning",
])
def test_the_person_level_cohort_is_never_readable_by_chart_sql(cohort_db, sql):
    assert sqlite3.connect(cohort_db).execute("SELECT count(*) FROM kohorte_person").fetchone()[0] > 0
    with pytest.raises(QueryError, match="tilladt"):
        run_query(cohort_db, sql)
    assert len(run_query(cohort_db, "SELECT * FROM ap_patienter LIMIT 3")) == 3


def test_every_aggregate_table_names_its_count_columns(built_db):
    from katalog.mockdata import COUNT_COLUMNS

    conn = sqlite3.connect(built_db)
    for name, columns in conn.execute("SELECT name, count_columns FROM mock_tables WHERE level = 'aggregat'"):
        assert columns, f"{name} has no count columns"
        existing = {row[1] for row in conn.execute(f"PRAGMA table_info([{name}])")}
        assert set(columns.split(",")) == set(COUNT_COLUMNS[name]) and set(COUNT_COLUMNS[name]) <= existing
