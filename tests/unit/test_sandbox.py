"""Chart SQL is untrusted: the sandbox reads mock tables and nothing else, and stops runaway queries."""

import re
import sqlite3

import pandas as pd
import pytest

from katalog import db as database
from katalog.charts.sandbox import QueryError, run_query
from katalog.voting.members import add_member


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
    "SELECT key_hash FROM sign_ins",
    "SELECT value FROM secrets",
    "SELECT data FROM drafts",
    "SELECT * FROM decisions",
    "SELECT snapshot FROM rounds",
    "SELECT comment FROM reviews",
    "SELECT text FROM adopted_caveats",
    "SELECT markdown FROM proposals",
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


def _stopped_by_the_limit(db, sql: str) -> None:
    """The query is stopped by the time limit (how promptly is measured in `make bench`, against a trivial
    query in the same run: a test must not hold wall-clock time to a bound)."""
    with pytest.raises(QueryError, match="stoppet"):
        run_query(db, sql, max_seconds=0.3)


def test_runaway_recursive_query_is_stopped_by_the_time_limit(built_db):
    _stopped_by_the_limit(built_db,
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n")


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


# Strings near the value limit, built with allowed functions: `big` is 99.000 x 'a', `half` 49.000 x 'a'
# and a 'b' (found nowhere in `big`, so a naive search compares almost all of it at every position),
# `rep` as many rows as the time limit lets through.
_BIG = ("WITH RECURSIVE s(x) AS (SELECT 'a' UNION ALL SELECT x || x FROM s WHERE length(x) < 40000), "
        "big(a) AS (SELECT substr(max(x), 1, 49500) || substr(max(x), 1, 49500) FROM s), "
        "half(h) AS (SELECT substr(a, 1, 49000) || 'b' FROM big), "
        "rep(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM rep WHERE i < :rows) ")


@pytest.mark.parametrize(("sql", "message"), [
    # One call of printf/format loops once per unit of precision, whatever the value limit (three took a minute).
    ("SELECT length(printf('%.*c', 900000000, 'x')) + length(printf('%.*c', 900000000, 'x')) "
     "+ length(printf('%.*c', 900000000, 'x')) AS n", r"printf\(\) er ikke tilladt.*round\("),
    ("SELECT length(format('%.*c', 900000000, 'x')) AS n", r"format\(\) er ikke tilladt.*round\("),
    ("SELECT length(PrintF('%900000000d', 1)) AS n", r"printf\(\) er ikke tilladt"),
    ("SELECT json_patch('{}', '{\"a\": 1}') AS n", r"json_patch\(\) er ikke tilladt.*json_object"),
    ("SELECT length(randomblob(900000000)) AS n", r"randomblob\(\) er ikke tilladt"),
    ("SELECT length(zeroblob(900000000)) AS n", r"zeroblob\(\) er ikke tilladt"),
    ("SELECT sqlite_version() AS n", r"sqlite_version\(\) er ikke tilladt"),
    ("SELECT length(" + "hex(" * 16 + "'ab'" + ")" * 16 + ") AS n", "større end 100.000 bytes"),
    (_BIG + "SELECT a LIKE (substr(a, 1, 5000) || 'b') AS n FROM big", "LIKE- eller GLOB-mønster"),
    (_BIG + "SELECT a GLOB (substr(a, 1, 5000) || '*b') AS n FROM big", "LIKE- eller GLOB-mønster"),
    (_BIG + "SELECT length(replace(a, 'a', a)) AS n FROM big", r"replace\(\) giver en tekst"),
    ("SELECT char(" + ", ".join(["65"] * 100) + ") AS n", "for mange argumenter"),
    (" UNION ALL ".join(["SELECT 1 AS n"] * 600), "for mange SELECT"),
    ("SELECT " + "(" * 1000 + "1" + ")" * 1000 + " AS n", "for dybt indlejret"),
    # CTEs that name each other twice: SQLite copies them out while preparing (22 levels: minutes).
    ("WITH a0 AS (SELECT 1 AS x), " + ", ".join(f"a{i} AS (SELECT p.x AS x FROM a{i - 1} p, a{i - 1} q)"
                                              for i in range(1, 22)) + " SELECT count(*) AS n FROM a21",
     "CTE'er"),
    ("WITH a0 AS (SELECT 1 AS x), " + ", ".join(f"a{i} AS NOT MATERIALIZED (SELECT x FROM a{i - 1} UNION ALL "
                                              f"SELECT x FROM a{i - 1})" for i in range(1, 22))
     + " SELECT count(*) AS n FROM a21", "CTE'er"),
])
def test_queries_that_one_step_could_not_stop_are_refused_at_once(built_db, sql, message):
    with pytest.raises(QueryError, match=message):
        run_query(built_db, sql, {"rows": 1} if ":rows" in sql else None)


@pytest.mark.parametrize("expression", [
    "instr(a, h)",
    "instr(CAST(a AS BLOB), CAST(h AS BLOB))",
    "length(replace(a, h, 'x'))",
    "length(trim(a, substr(replace(a, 'a', 'b'), 1, 8000) || 'a'))",
    "length(ltrim(a, substr(replace(substr(a, 1, 40000), 'a', 'ø'), 1, 8000) || 'a'))",
    "length(trim(a, (WITH RECURSIVE k(i) AS (SELECT 256 UNION ALL SELECT i + 1 FROM k WHERE i < 8256) "
    "SELECT group_concat(char(i), '') FROM k) || 'a'))",
    "length(rtrim(a, substr(replace(a, 'a', 'b'), 1, 8000) || 'a'))",
])
def test_search_functions_run_as_the_linear_rewrites(built_db, expression):
    """SQLite's own instr, replace and trim(x, y) compare each position of one string with the whole other
    one (ten calls on these strings took from 0.7 s to 20 s). The sandbox answers them with its Python
    rewrites, which give SQLite's result (tested below); `make bench` times them against a linear query."""
    from katalog.charts.sandbox import Sandbox

    sql = _BIG + "SELECT sum({}) AS n FROM big, half, rep"
    with Sandbox(built_db, max_seconds=30) as sandbox:
        rewritten = {name for name, _narg, _function in sandbox.rewritten_functions}
        rows = sandbox.run(sql.format(expression), {"rows": 10})
    assert any(re.search(rf"\b{name}\(", expression) for name in rewritten)
    assert pd.notna(rows["n"][0])


@pytest.mark.parametrize("expression", [
    "sum(instr(a, h))",
    "sum(length(replace(a, h, 'x')))",
    "sum(length(trim(a, substr(replace(a, 'a', 'b'), 1, 8000) || 'a')))",
    "sum(a LIKE '%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%a%b')",
    "sum(a GLOB '*[bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbba]*[b]')",
    "sum(length(upper(a)))",
    "sum(length(quote(a)))",
    "sum(length(substr(replace(substr(a, 1, 45000), 'a', 'é'), 39000, 5)))",
    "sum(length(strftime(replace(substr(a, 1, 20000), 'a', '%Y'), 'now')))",
    "sum(length(json_remove('[' || replace(substr(a, 1, 40000), 'a', '1,') || '1]', "
    + ", ".join(["'$[#-1]'"] * 31) + ")))",
    "length(group_concat(a))",
])
def test_many_calls_of_the_costliest_functions_are_stopped_by_the_limit(built_db, expression):
    sql = _BIG + f"SELECT {expression} AS n FROM big, half, rep"
    _stopped_by_the_limit(built_db, sql.replace(":rows", "100000"))


def test_a_sort_of_a_huge_join_is_stopped_by_the_limit(built_db):
    _stopped_by_the_limit(built_db, "SELECT a.aar AS x FROM befolkning a, befolkning b "
                               "ORDER BY a.befolkning * b.befolkning LIMIT 1")


def test_rows_that_fill_too_many_bytes_are_refused(built_db):
    with pytest.raises(QueryError, match="fylder mere end"):
        run_query(built_db, _BIG + "SELECT a FROM big, rep", {"rows": 1000}, max_seconds=30)


@pytest.mark.parametrize("expression", [
    f"{name}({a}, {b})"
    for name in ("instr", "trim", "ltrim", "rtrim")
    for a in ("NULL", "''", "'abcabc'", "'æøå æ'", "12345", "1.5", "1e20", "x'616263'", "' xx '")
    for b in ("NULL", "''", "'bc'", "'æ'", "3", "0.5", "x'62'", "' '", "'x '")
] + [
    f"replace({a}, {b}, {c})"
    for a in ("NULL", "''", "'abcabc'", "'æøå æ'", "12345", "1.5", "1e20", "x'616263'")
    for b in ("NULL", "''", "'bc'", "'æ'", "3", "5", "x'62'")
    for c in ("NULL", "''", "'Z'", "7", "2.5")
])
def test_the_linear_functions_give_what_sqlite_gives(built_db, expression):
    expected = sqlite3.connect(":memory:").execute(f"SELECT {expression}, typeof({expression})").fetchone()
    rows = run_query(built_db, f"SELECT {expression} AS v, typeof({expression}) AS t")
    value = rows["v"][0]
    assert (None if pd.isna(value) else value, rows["t"][0]) == expected


def test_the_json_table_functions_are_allowed(built_db):
    assert run_query(built_db, "SELECT value FROM json_each('[1,2]')")["value"].tolist() == [1, 2]
    rows = run_query(built_db, "SELECT count(*) AS n FROM json_tree('{\"a\": [1, 2]}')")
    assert rows["n"][0] == 4
    rows = run_query(built_db, "SELECT b.region, j.value AS aar FROM befolkning b, json_each('[2024]') j "
                               "WHERE b.aar = j.value GROUP BY b.region")
    assert len(rows) == 5
    if sqlite3.sqlite_version_info >= (3, 45):
        assert run_query(built_db, "SELECT count(*) AS n FROM jsonb_each('[1,2]')")["n"][0] == 2


@pytest.mark.parametrize(("sql", "message"), [
    ("SELECT * FROM pragma_table_info('members')", "ikke er tilladt"),
    ("SELECT count(*) AS n FROM pragma_module_list", "ikke er tilladt"),
    ("SELECT count(*) AS n FROM dbstat", "kun læse mock-tabellerne"),
    ("SELECT * FROM fts3tokenize", "kun læse mock-tabellerne"),
    ("SELECT 1 AS n; SELECT 2 AS n", "kun være én SELECT"),
    ("SELECT nosuchfunction(1) AS n", r"nosuchfunction\(\) findes ikke"),
    ("SELECT nosuchcolumn AS n FROM befolkning", "«nosuchcolumn» findes ikke"),
    ("SELECT * FROM nosuchtable", "«nosuchtable» findes ikke"),
])
def test_refusals_stay_danish(writable_db, sql, message):
    with pytest.raises(QueryError, match=message) as refused:
        run_query(writable_db, sql)
    text = str(refused.value)
    assert not re.search(r"not authorized|vtable|constructor|interrupted|too (big|many|large)|statement", text)


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
    from katalog.mock.mockdata import COUNT_COLUMNS

    conn = sqlite3.connect(built_db)
    for name, columns in conn.execute("SELECT name, count_columns FROM mock_tables WHERE level = 'aggregat'"):
        assert columns, f"{name} has no count columns"
        existing = {row[1] for row in conn.execute(f"PRAGMA table_info([{name}])")}
        assert set(columns.split(",")) == set(COUNT_COLUMNS[name]) and set(COUNT_COLUMNS[name]) <= existing
