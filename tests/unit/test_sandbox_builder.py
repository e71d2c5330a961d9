"""The sandbox's widget builder: every view of every table shows exactly the protected cells of the table, hidden
where the table hides them, marked as the charts mark them; values are bound, names checked, nothing is written."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from katalog import charts
from katalog.charts import bind
from katalog.charts import sandbox_builder as sb
from katalog.charts.sandbox import MAX_ROWS
from katalog.disclosure import HIDDEN, danish_number


@pytest.fixture(scope="module")
def tables(built_db) -> dict[str, sb.Table]:
    return {t.name: t for t in sb.tables(built_db)}


_FRAMES: dict[tuple[str, str], pd.DataFrame] = {}


def _frame(db_path: Path, table: str) -> pd.DataFrame:
    """The whole table, read directly (not through the sandbox): the cells the builder must reproduce."""
    key = (str(db_path), table)
    if key not in _FRAMES:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            _FRAMES[key] = pd.read_sql(f"SELECT * FROM {table}", conn)
    return _FRAMES[key]


def _nullsafe_sum(values: pd.Series) -> float:
    return float(values.sum()) if values.notna().all() else math.nan


def _reference(frame: pd.DataFrame, table: sb.Table, view: sb.View, query: sb.Query) -> pd.DataFrame:
    """What the view must show, worked out from the table's own cells with pandas."""
    cube = table.cube
    keep = pd.Series(True, index=frame.index)
    for key in view.breakdown:
        if key == sb.GEOGRAPHY:
            level = cube.geography.level(view.level)
            if cube.geography.level_column:
                keep &= frame[cube.geography.level_column] == level.name
            if view.regions and level.columns:
                keep &= frame["region"].isin(view.regions)
            continue
        dimension = cube.dimension(key)
        if dimension.total is not None:
            keep &= frame[key] != dimension.total
        if view.only.get(key):
            keep &= frame[key].isin(view.only[key])
    for dimension in cube.dimensions:
        if dimension.column in view.breakdown:
            continue
        value = view.held.get(dimension.column, dimension.total)
        if value is not sb.SUM:
            keep &= frame[dimension.column] == value
    if cube.geography is not None and sb.GEOGRAPHY not in view.breakdown:
        if cube.geography.level_column:
            keep &= frame[cube.geography.level_column].isin([sb.COUNTRY, "Region"]) & (frame["region"] == view.area)
        elif view.area != sb.COUNTRY:
            keep &= frame["region"] == view.area
    rows = frame[keep]
    keys = [c for c in query.columns if c not in query.kinds]
    counts = [c for c in query.columns if c in query.kinds and c not in query.derived]
    if query.merges:
        if keys:
            groups = rows.groupby(keys, dropna=False)[counts]
            complete = groups.count().eq(groups.size(), axis=0)  # a group with a hidden value: hidden sum
            rows = groups.sum().where(complete).reset_index()
        else:
            rows = pd.DataFrame([{c: _nullsafe_sum(rows[c]) for c in counts}])
    else:
        assert len(rows) <= 1 if not keys else not rows.duplicated(keys).any(), \
            f"{table.name}: a view without merging has two rows per cell"
        rows = rows[keys + counts]
    return rows.reset_index(drop=True)



def _views(table: sb.Table, db_path: Path):
    """Every choice of dimensions to break down by (all subsets), with the geography held or broken down at each
    of its levels; everything else held at its default (the total where the table has one)."""
    cube = table.cube
    plain = [d.column for d in cube.dimensions]
    levels = [None] + ([lv.name for lv in cube.geography.levels] if cube.geography else [])
    base = sb.default_view(table, db_path)
    for size in range(len(plain) + 1):
        for chosen in itertools.combinations(plain, size):
            for level in levels:
                breakdown = (sb.GEOGRAPHY, *chosen) if level else chosen
                held = {k: v for k, v in base.held.items() if k not in chosen}
                yield replace(base, breakdown=breakdown, held=held, level=level)


# The cells, not the clock: a busy test machine must not turn a slow query into a failure (the limit itself is
# tested in test_sandbox.py).
GENEROUS_SECONDS = 60


def _check(view: sb.View, table: sb.Table, db_path: Path) -> None:
    query = sb.build_query(table, view)
    expected = _reference(_frame(db_path, table.name), table, view, query)
    if len(expected) > MAX_ROWS:
        with pytest.raises(sb.BuilderError, match="20.000 rækker"):
            sb.explore(db_path, query, max_seconds=GENEROUS_SECONDS)
        return
    result = sb.explore(db_path, query, max_seconds=GENEROUS_SECONDS)
    rows = result.bound.rows
    data, status = rows.data, rows.status
    # As a member reads them (the table, the CSV): formatting is the same for every row, so the first ones suffice.
    shown = replace(rows, data=data.head(300), status=status.head(300)).for_display()
    keys = [c for c in query.columns if c not in query.kinds]
    assert len(data) == len(expected), (table.name, view.breakdown, view.level)
    if keys:
        merged = data.merge(expected, on=keys, how="outer", suffixes=("", "_table"), indicator=True)
    else:  # the one total row
        merged = data.join(expected.add_suffix("_table")).assign(_merge="both")
    assert (merged["_merge"] == "both").all(), (table.name, view.breakdown, view.level)
    for column in [c for c in query.columns if c in query.kinds and c not in query.derived]:
        got = merged[column].astype("Float64")
        want = merged[f"{column}_table"].astype("Float64")
        assert (got.isna() == want.isna()).all(), f"{table.name}.{column}: hidden cells differ ({view.breakdown})"
        assert np.allclose(got.dropna().to_numpy(float), want.dropna().to_numpy(float)), f"{table.name}.{column}"
    # Marked as every chart marks them: «skjult» exactly where the table's cell is hidden, the rest shown as it is.
    for column in query.counts:
        hidden = data[column].isna()
        assert (status[column] == HIDDEN).tolist() == hidden.tolist()
        first = hidden.head(300)
        assert (shown[column] == HIDDEN).tolist() == first.tolist()
        numbers = [danish_number(v, True) for v in data[column].head(300)[~first]]
        assert shown.loc[~first, column].tolist() == numbers
    for column, bases in query.derived.items():
        hidden = status[bases].eq(HIDDEN).any(axis=1)
        assert (status[column] == HIDDEN).tolist() == hidden.tolist()
        assert data.loc[hidden, column].isna().all()


@pytest.mark.parametrize("name", ["befolkning", "ap_patienter", "ap_forekomst", "kvalitetsindikatorer",
                                  "praksis_indikatorer", "ap_aktivitet", "sygehus_aktivitet", "forloeb",
                                  "plejehjemsbeboere", "praksis"])
def test_every_dimension_choice_shows_the_tables_own_protected_cells(tables, built_db, name, monkeypatch):
    # Each view is bound by the charts' own binding; its Vega-Lite schema check walks every inlined row, which is
    # most of the time here and checks the chart's shape, not its cells (shapes: test_charts_fit_the_shape...).
    monkeypatch.setattr(charts, "_validate", lambda spec: None)
    table = tables[name]
    assert table.cube.declared, f"{name}: the declared cube does not match the table's columns"
    checked = 0
    for view in _views(table, built_db):
        _check(view, table, built_db)
        checked += 1
    assert checked >= 2


def test_every_aggregate_mock_table_is_declared_and_nothing_else_is_offered(tables, built_db):
    with sqlite3.connect(f"file:{built_db}?mode=ro", uri=True) as conn:
        aggregate = {n for (n,) in conn.execute("SELECT name FROM mock_tables WHERE level = 'aggregat'")}
        columns = {n: {c for (c,) in conn.execute("SELECT name FROM pragma_table_info(?)", (n,))} for n in aggregate}
    assert set(tables) == aggregate
    for name, table in tables.items():
        assert table.cube.declared and table.cube.columns == columns[name], name
        assert sb.GEOGRAPHY not in columns[name]
        for ratio in table.cube.ratios:
            assert ratio.key not in columns[name]


def test_held_values_subsets_and_regions_are_the_tables_cells_too(tables, built_db):
    patients = tables["ap_patienter"]
    view = replace(sb.default_view(patients, built_db, [sb.GEOGRAPHY, "aldersgruppe"], level="Kommune"),
                   held={"aar": 2024, "diagnose": "hjertesvigt", "koen": "Kvinder"},
                   only={"aldersgruppe": ["18-39", "80+"]}, regions=("Region Nordjylland", "Region Sjælland"))
    _check(view, patients, built_db)
    assert sb.build_query(patients, view).values["regioner"] == '["Region Nordjylland", "Region Sjælland"]'
    # A region held: its own row, not a sum of its kommuner.
    view = replace(sb.default_view(patients, built_db, ["koen"]), area="Region Syddanmark",
                   held={"aar": 2019, "diagnose": "KOL", "aldersgruppe": "80+"})
    _check(view, patients, built_db)
    # Practices summed to kommuner, klynger held at one region; population of one sex, summed over ages.
    _check(replace(sb.default_view(tables["praksis"], built_db, ["kommune"]), area="Region Hovedstaden"),
           tables["praksis"], built_db)
    _check(replace(sb.default_view(tables["befolkning"], built_db, [sb.GEOGRAPHY], level="Region"),
                   held={"aar": 2024, "koen": "Kvinder"}), tables["befolkning"], built_db)
    for aggregate in sb.AGGREGATES:
        view = replace(sb.default_view(tables["befolkning"], built_db, [sb.GEOGRAPHY], level="Region"),
                       aggregate=aggregate)
        assert sb.explore(built_db, sb.build_query(tables["befolkning"], view)).bound.rows.data.notna().all().all()


def test_a_hidden_value_hides_the_aggregate_instead_of_being_left_out(built_db, tmp_path):
    """Where rows are added up, one hidden (NULL) value makes the sum hidden, never the sum of the shown ones."""
    path = tmp_path / "catalogue.db"
    path.write_bytes(built_db.read_bytes())
    with sqlite3.connect(path) as conn:
        ydernummer, klynge = conn.execute("SELECT ydernummer, klynge FROM praksis LIMIT 1").fetchone()
        conn.execute("UPDATE praksis SET patienter_med_diagnoserne = NULL WHERE ydernummer = ?", (ydernummer,))
    practices = {t.name: t for t in sb.tables(path)}["praksis"]
    view = replace(sb.default_view(practices, path, [sb.GEOGRAPHY], level="Klynge"),
                   measures=("patienter_med_diagnoserne", "tilmeldte", "andel_med_diagnoserne_pct"))
    result = sb.explore(path, sb.build_query(practices, view))
    rows = result.bound.table.set_index("klynge")
    assert rows.loc[klynge, "patienter_med_diagnoserne"] == HIDDEN
    assert rows.loc[klynge, "andel_med_diagnoserne_pct"] == HIDDEN
    assert rows.loc[klynge, "tilmeldte"] != HIDDEN
    assert (rows.drop(index=klynge)["patienter_med_diagnoserne"] != HIDDEN).all()
    assert (result.bound.rows.hidden, result.bound.rows.cells) == (1, 2 * len(rows))
    assert result.bound.suppression_note.startswith("Diskretionering:")


def test_values_are_bound_and_names_are_checked_against_the_columns(tables, built_db):
    patients = tables["ap_patienter"]
    base = sb.default_view(patients, built_db, ["koen"])
    hostile = "diabetes' OR '1'='1"
    query = sb.build_query(patients, replace(base, held={**base.held, "diagnose": hostile}))
    assert hostile not in query.sql and query.values["diagnose"] == hostile
    assert sb.explore(built_db, query).bound.rows.data.empty  # a value that is no diagnosis matches no row
    only = sb.build_query(patients, replace(base, only={"koen": ["Kvinder') OR 1=1 --"]}))
    assert "OR 1=1" not in only.sql and "json_each(:koen_valg)" in only.sql
    for bad in ["patienter; DROP TABLE members", "koen --", "members", "Koen", "sqlite_master"]:
        with pytest.raises(sb.BuilderError, match="findes ikke|er ikke"):
            sb.build_query(patients, replace(base, breakdown=(bad,)))
        with pytest.raises(sb.BuilderError):
            sb.build_query(patients, replace(base, measures=(bad,)))
    for name in ("members", "ballots", "proposals", "mock_tables", "kohorte_person"):
        with pytest.raises(sb.BuilderError, match="ikke en af mock-tabellerne"):
            sb.table(built_db, name)
    # Even a table forged past that check is refused by the sandbox underneath.
    forged = replace(sb.build_query(patients, base), sql="SELECT name FROM members", values={})
    with pytest.raises(sb.BuilderError, match="ikke er tilladt"):
        sb.explore(built_db, forged)
    with pytest.raises(sb.BuilderError, match="tekst eller et tal"):
        sb.build_query(patients, replace(base, held={**base.held, "aar": {"x": 1}}))
    with pytest.raises(sb.BuilderError, match="kan ikke lægges sammen"):
        sb.build_query(patients, replace(base, held={**base.held, "diagnose": sb.SUM}))
    with pytest.raises(sb.BuilderError, match="Niveauet"):
        sb.build_query(patients, replace(base, breakdown=(sb.GEOGRAPHY,), level="Hele verden"))
    rate = tables["ap_forekomst"]
    assert "SUM" not in sb.build_query(rate, sb.default_view(rate, built_db, [sb.GEOGRAPHY])).sql


def test_every_generated_query_is_valid_use_case_sql(tables, built_db):
    """A view's chart is a use-case chart: the same model, each held value a widget with its choices."""
    for table in tables.values():
        breakdown = [d.column for d in table.cube.dimensions[-1:]]
        result = sb.explore(built_db, sb.build_query(table, sb.default_view(table, built_db, breakdown)))
        chart = sb.usecase_chart(result, title="Prøve")
        bound = bind(chart, {}, built_db)
        assert bound.rows.data.equals(result.bound.rows.data), table.name
        assert json.dumps(chart.spec).count('"data"') == 0


def test_the_builder_never_writes(tables, built_db):
    before = hashlib.sha256(built_db.read_bytes()).hexdigest()
    for table in tables.values():
        sb.explore(built_db, sb.build_query(table, sb.default_view(table, built_db)))
    assert hashlib.sha256(built_db.read_bytes()).hexdigest() == before


# --- the SQL box -------------------------------------------------------------------------------------------


def _with_forbidden_tables(built_db: Path, tmp_path: Path) -> Path:
    """A copy with the person-level cohort and the unprotected aggregates, as `katalog build --kohorte` writes them,
    and a proposal, a review, a member and a ballot."""
    path = tmp_path / "catalogue.db"
    path.write_bytes(built_db.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE kohorte_person (person_id INTEGER, koen TEXT, foedselsaar INTEGER)")
        conn.execute("INSERT INTO kohorte_person VALUES (1, 'Kvinder', 1950)")
        conn.execute("CREATE TABLE ubeskyttet_ap_patienter AS SELECT * FROM ap_patienter LIMIT 10")
        conn.execute("INSERT INTO mock_tables (name, title, declaration, rows, level, count_columns) "
                     "VALUES ('kohorte_person', 'Kohorte', 'Personer', 1, 'person', '')")
        conn.execute("INSERT INTO members (name, organisation, sector, token_hash) VALUES ('A', 'B', 'Region', 'x')")
        conn.execute("INSERT INTO ballots (member_id, round_id, scores, updated_at) SELECT 1, id, '{}', '' FROM rounds "
                     "LIMIT 1")
        conn.execute("INSERT INTO proposals (member_id, usecase_id, title, markdown) VALUES (1, 'UC-99', 'T', 'M')")
        conn.execute("INSERT INTO reviews (member_id, usecase_id, chart_id, params) VALUES (1, 'UC-01', 'c', '{}')")
    return path


FORBIDDEN = ["members", "ballots", "reviews", "proposals", "sign_ins", "drafts", "secrets", "kohorte_person",
             "ubeskyttet_ap_patienter", "sqlite_master"]


@pytest.mark.parametrize("table", FORBIDDEN)
def test_the_sql_box_refuses_forbidden_tables_in_danish(built_db, tmp_path, table):
    path = _with_forbidden_tables(built_db, tmp_path)
    for sql in (f"SELECT * FROM {table}", f"SELECT count(*) AS n FROM {table}",
                f"WITH x AS (SELECT * FROM {table}) SELECT * FROM x",
                f"SELECT aar FROM ap_patienter WHERE EXISTS (SELECT 1 FROM {table}) LIMIT 1"):
        with pytest.raises(sb.BuilderError, match="ikke er tilladt|kan ikke læses|findes ikke"):
            sb.explore_sql(path, sql)
    assert sb.explore_sql(path, "SELECT aar FROM ap_patienter LIMIT 1").bound.rows.data["aar"].tolist()


@pytest.mark.parametrize("sql", [
    "DELETE FROM ap_patienter",
    "UPDATE ap_patienter SET patienter = 1",
    "INSERT INTO members (name) VALUES ('x')",
    "DROP TABLE ap_patienter",
    "CREATE TEMP TABLE x AS SELECT 1",
    "ATTACH 'file:/tmp/x.db' AS x",
    "VACUUM INTO '/tmp/kopi.db'",
    "PRAGMA user_version = 9",
    "SELECT 1; DELETE FROM ap_patienter",
    "WITH x AS (SELECT 1) DELETE FROM ap_patienter",
    "SELECT load_extension('x')",
])
def test_the_sql_box_refuses_writes_in_danish(built_db, tmp_path, sql):
    path = _with_forbidden_tables(built_db, tmp_path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(sb.BuilderError) as refused:
        sb.explore_sql(path, sql)
    message = str(refused.value)
    assert any(word in message for word in ("SELECT", "ikke er tilladt", "ikke tilladt", "SQL-fejl")), message
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not Path("/tmp/kopi.db").exists()


def test_the_sql_box_marks_hidden_values_as_the_charts_do(tables, built_db):
    sql = ("SELECT kommune, aar, patienter, befolkning, ROUND(1000.0 * patienter / befolkning, 1) AS rate "
           "FROM ap_patienter WHERE niveau = 'Kommune' AND diagnose = :diagnose AND koen = 'Kvinder' "
           "AND aldersgruppe = '18-39' ORDER BY kommune, aar")
    result = sb.explore_sql(built_db, sql, {"diagnose": "hjertesvigt"})
    data, shown = result.bound.rows.data, result.bound.table
    table = _frame(built_db, "ap_patienter")
    cells = table[(table["niveau"] == "Kommune") & (table["diagnose"] == "hjertesvigt") & (table["koen"] == "Kvinder")
                  & (table["aldersgruppe"] == "18-39")].sort_values(["kommune", "aar"])
    assert data["patienter"].isna().tolist() == cells["patienter"].isna().tolist()
    assert cells["patienter"].isna().any()
    assert (shown["patienter"] == HIDDEN).tolist() == cells["patienter"].isna().tolist()
    assert (shown["rate"] == HIDDEN).tolist() == cells["patienter"].isna().tolist()  # NULL with its count
    assert shown["aar"].iloc[0] == str(cells["aar"].iloc[0])  # a year is no count: no separator, never hidden
    assert result.bound.suppression_note.startswith("Diskretionering:")


def test_the_sql_box_explains_what_it_cannot_show(built_db):
    with pytest.raises(sb.BuilderError, match=":diagnose"):
        sb.explore_sql(built_db, "SELECT patienter FROM ap_patienter WHERE diagnose = :diagnose")
    with pytest.raises(sb.BuilderError, match="tal skrevet som tekst"):
        sb.explore_sql(built_db, "SELECT kommune, CAST(patienter AS TEXT) AS p FROM ap_patienter LIMIT 5")
    with pytest.raises(sb.BuilderError, match="navn med AS"):
        sb.explore_sql(built_db, "SELECT sum(befolkning) FROM befolkning")
    with pytest.raises(sb.BuilderError, match="forskellige navne"):
        sb.explore_sql(built_db, "SELECT aar, aar FROM befolkning LIMIT 1")
    with pytest.raises(sb.BuilderError, match="viser ingen af dem"):
        sb.explore_sql(built_db, "SELECT kommune FROM ap_patienter WHERE patienter > 1000 LIMIT 3")
    with pytest.raises(sb.BuilderError, match="20.000 rækker"):
        sb.explore_sql(built_db, "SELECT * FROM ap_patienter")
    assert sb.typed_value("2024") == 2024 and sb.typed_value("1,5") == 1.5 and sb.typed_value(" KOL") == " KOL"


def test_the_widget_sql_runs_unchanged_in_the_sql_box(tables, built_db):
    table = tables["kvalitetsindikatorer"]
    view = sb.default_view(table, built_db, [sb.GEOGRAPHY], level="Region")
    view = replace(view, measures=("andel_opfyldt_pct",))
    built = sb.explore(built_db, sb.build_query(table, view))
    typed = sb.explore_sql(built_db, built.sql, built.values)
    assert typed.bound.rows.data.equals(built.bound.rows.data)
    assert typed.bound.rows.status.equals(built.bound.rows.status)


def test_charts_fit_the_shape_of_the_result(tables, built_db):
    patients = tables["ap_patienter"]

    def mark(breakdown, level=None):
        view = sb.default_view(patients, built_db, breakdown, level=level)
        spec = sb.explore(built_db, sb.build_query(patients, view)).chart.spec
        layer = spec.get("layer", [spec])[0]
        return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"], spec

    assert mark(["aar"])[0] == "line"
    kind, spec = mark([sb.GEOGRAPHY], level="Kommune")
    assert kind == "bar" and spec["encoding"]["y"]["field"] == "kommune"
    assert mark([sb.GEOGRAPHY, "aar"], level="Region")[0] == "line"
    kind, spec = mark(["aldersgruppe", "koen"])
    assert kind == "bar" and spec["encoding"]["yOffset"]["field"] == "koen"
    assert mark([sb.GEOGRAPHY, "diagnose", "koen"], level="Region")[1]["transform"][0]["calculate"]
