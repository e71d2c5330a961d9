"""Every real use-case: it validates, its SQL runs on the protected tables, its spec compiles, and no count of
1-4 reaches a chart."""

import itertools
import random

import pytest

from katalog.charts import bind, param_options, to_svg
from katalog.content import load_catalogue, load_usecase
from katalog.disclosure import HIDDEN
from tests.conftest import USECASES

FILES = sorted(USECASES.glob("*.md"))
MAX_COMBINATIONS = 40


def test_the_catalogue_has_no_problems_and_covers_the_brief():
    catalogue = load_catalogue(USECASES)
    assert catalogue.problems == []
    assert len(catalogue.items) >= 4
    assert {i.subtask for i in catalogue.items} >= {"1", "2a", "2b", "2c"}
    assert len({d for i in catalogue.items for d in i.diagnoses}) >= 3


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_usecase_validates_runs_renders_and_hides_small_counts(path, built_db):
    item, problems = load_usecase(path)
    assert problems == [] and item is not None
    assert item.charts, "every use-case needs a mockup"
    for chart in item.charts:
        bound = bind(chart, {}, built_db)
        assert bound.spec["data"]["values"], f"{chart.id} has no rows with default parameters"
        assert "<svg" in to_svg(bound)
        options = [param_options(p, built_db) for p in chart.params]
        combinations = list(itertools.product(*options))
        random.Random(path.name).shuffle(combinations)
        for combination in combinations[:MAX_COMBINATIONS]:
            values = dict(zip((p.name for p in chart.params), combination, strict=True))
            bound = bind(chart, values, built_db)
            for row in bound.spec["data"]["values"]:
                for column in chart.counts:
                    assert row[column] is None or not 1 <= row[column] <= 4, (chart.id, values, row)
            for column, bases in chart.derived.items():
                base_hidden = bound.rows.status[bases].eq(HIDDEN).any(axis=1)
                assert bound.rows.status[column][base_hidden].eq(HIDDEN).all(), (chart.id, values, column)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_switching_a_total_parameter_shows_the_same_pattern(path, built_db):
    """A cell hidden under one choice of a parameter with a total (Alle) is hidden under every choice that
    shows it: suppression is decided on the table, not the view, so switching reveals nothing."""
    item, _ = load_usecase(path)
    for chart in item.charts:
        totals = [p for p in chart.params if any(str(o) in ("Alle", "Hele landet") for o in param_options(p, built_db))]
        others = [p for p in chart.params if p not in totals]
        rng = random.Random(path.name + chart.id)
        for _ in range(2):
            fixed = {p.name: rng.choice(param_options(p, built_db)) for p in others}
            for param in totals:
                for option in param_options(param, built_db):
                    first = bind(chart, {**fixed, param.name: option}, built_db).rows
                    again = bind(chart, {**fixed, param.name: option}, built_db).rows
                    assert first.status.equals(again.status)


def _chart(sql, counts=(), options_sql=None):
    from katalog.content.models import Chart

    params = [{"name": "valg", "label": "Valg", "options_sql": options_sql, "default": "x"}] if options_sql else []
    return Chart.model_validate({"id": "c", "title": "T", "alt": "A", "sql": sql, "params": params,
                                 "counts": list(counts), "derived": {}, "dimensions": [],
                                 "spec": {"mark": "bar", "encoding": {}}})


@pytest.mark.parametrize("sql", [
    "SELECT kommune, patienter FROM ap_patienter WHERE aar = 2024 AND diagnose = 'KOL' LIMIT 50",
    "SELECT kommune, 'antal ' || patienter AS tekst FROM ap_patienter WHERE aar = 2024 LIMIT 50",
    "SELECT omraade, 1000.0 * patienter / befolkning AS rate FROM ap_forekomst WHERE niveau = 'Kommune'",
])
def test_a_chart_that_reads_counts_must_declare_them(built_db, sql):
    from katalog.charts import ChartError

    with pytest.raises(ChartError, match="counts"):
        bind(_chart(sql), {}, built_db)


def test_choices_built_on_counts_are_refused(built_db):
    from katalog.charts import ChartError

    chart = _chart("SELECT :valg AS n", options_sql="SELECT kommune || ': ' || patienter FROM ap_patienter "
                                                "WHERE patienter < 5")
    with pytest.raises(ChartError, match="antal"):
        param_options(chart.params[0], built_db)


def test_the_other_practices_of_a_klynge_carry_no_identifier_across_choices(built_db):
    """UC-05: choosing each practice of a klynge in turn shows the same klynge (the same values, in an order
    that depends on the values only), and nothing in the rows names or numbers the other practices."""
    import sqlite3

    item, _ = load_usecase(next(USECASES.glob("UC-05-*.md")))
    chart = next(c for c in item.charts if c.id == "kol_indikatorer_klynge")
    conn = sqlite3.connect(built_db)
    (klynge,) = conn.execute("SELECT klynge FROM praksis ORDER BY klynge LIMIT 1").fetchone()
    practices = [y for (y,) in conn.execute("SELECT ydernummer FROM praksis WHERE klynge = ? ORDER BY 1", (klynge,))]
    assert len(practices) >= 3
    seen = set()
    for ydernummer in practices:
        rows = bind(chart, {"ydernummer": ydernummer, "aar": 2024}, built_db).rows
        table = rows.for_display()
        assert not any(str(y) in " ".join(table.astype(str).to_numpy().ravel()) for y in practices)
        assert list(table.columns) == ["indikator", "praksis", "opfyldt", "patienter", "andel"]
        seen.add(tuple(sorted(zip(table["indikator"], table["andel"], table["opfyldt"], table["patienter"],
                                  strict=True))))
    assert len(seen) == 1, "the klynge must look the same whichever practice is egen praksis"


def test_no_protected_table_holds_a_count_of_one_to_four(built_db):
    """Every aggregate table chart SQL can read is protected: no count column holds 1-4, and values built on a
    hidden group of persons (contacts, fees, rates) are hidden with it."""
    import sqlite3

    conn = sqlite3.connect(built_db)
    tables = conn.execute("SELECT name, count_columns FROM mock_tables WHERE level = 'aggregat'").fetchall()
    assert {name for name, _ in tables} >= {"ap_patienter", "ap_forekomst", "ap_aktivitet", "forloeb",
                                            "kvalitetsindikatorer", "praksis_indikatorer"}
    for name, columns in tables:
        if name == "befolkning":
            continue  # public population figures (DST), not protected
        for column in set(columns.split(",")) - {"befolkning", "tilmeldte"}:  # public: DST, the practice register
            (small,) = conn.execute(f"SELECT count(*) FROM [{name}] WHERE [{column}] BETWEEN 1 AND 4").fetchone()
            assert small == 0, (name, column)
    (exposed,) = conn.execute("SELECT count(*) FROM ap_aktivitet WHERE patienter IS NULL AND konsultation IS NOT NULL"
                              ).fetchone()
    assert exposed == 0
    (rates,) = conn.execute("SELECT count(*) FROM ap_forekomst WHERE patienter IS NULL AND pr_1000 IS NOT NULL"
                            ).fetchone()
    assert rates == 0
    (hidden,) = conn.execute("SELECT count(*) FROM ap_patienter WHERE patienter IS NULL").fetchone()
    assert hidden > 0
