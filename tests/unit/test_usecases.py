"""Every real use-case: it validates, its SQL runs on the protected tables, its spec compiles, and no count of
1-4 reaches a chart."""

import itertools
import random

import pytest

from katalog.charts import bind, param_options, pdf_spec, spec_to_svg, to_svg
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


# --- charts a working-group member reads honestly ----------------------------------------------------------------

def _views(node, inherited=None):
    """Each view of a spec with its mark type and its encoding (a layer inherits its parent's mark and encoding)."""
    mark = node.get("mark", inherited and inherited[0])
    kind = mark.get("type") if isinstance(mark, dict) else mark
    encoding = {**(inherited[1] if inherited else {}), **(node.get("encoding") or {})}
    if node.get("layer"):
        for child in node["layer"]:
            yield from _views(child, (mark, encoding))
    else:
        yield kind, encoding


ITEMS = {item.id: item for item in load_catalogue(USECASES).items}
ZERO_BASED = sorted(ITEMS)  # every use-case


@pytest.mark.parametrize("usecase", ZERO_BASED)
def test_bars_and_lines_of_shares_counts_and_rates_start_at_zero(usecase):
    """A zoomed axis exaggerates differences: in every use-case, every quantitative position axis of a bar, area or
    line starts at 0 (UC-10's scatter of kommuner is zoomed on purpose, and says so in its text; UC-24's bars of an
    index are drawn from 100)."""
    for chart in ITEMS[usecase].charts:
        for kind, encoding in _views(chart.spec):
            if kind not in ("bar", "area", "line"):
                continue
            for name in ("x", "y"):
                channel = encoding.get(name)
                if not isinstance(channel, dict) or channel.get("type") != "quantitative" or "field" not in channel:
                    continue
                if f"{name}2" in encoding:  # bars from a baseline of their own (UC-24's index around 100)
                    continue
                scale = channel.get("scale") or {}
                assert scale.get("zero") is not False, (chart.id, name)
                assert not scale.get("domain") or scale["domain"][0] == 0, (chart.id, name)


def test_uc04_opens_on_a_higher_is_better_indicator_and_says_when_lower_is_better(built_db):
    """HbA1c ≥ 75 mmol/mol (badly regulated) is the one diabetes indicator where a low share is best: it is not the
    default, and where it is chosen the axis, the standard's label and the tooltip say a low share is best."""
    lower_is_better = "HbA1c ≥ 75 mmol/mol"
    for chart in ITEMS["UC-04"].charts:
        indicator = next(p for p in chart.params if p.name == "indikator")
        assert lower_is_better in param_options(indicator, built_db)  # the name the SQL's CASE tests for
        assert indicator.default != lower_is_better
        opened = bind(chart, {}, built_db).spec["data"]["values"]
        assert {row["retning"] for row in opened} == {"Høj andel er bedst"}
        low = bind(chart, {"indikator": lower_is_better}, built_db)
        assert {row["retning"] for row in low.spec["data"]["values"]} == {"Lav andel er bedst"}
        if "standard_tekst" in low.rows.data.columns:
            assert all("lav andel er bedst" in row["standard_tekst"] for row in low.spec["data"]["values"])
        axis_titles = [" ".join(ch["title"]) if isinstance(ch.get("title"), list) else str(ch.get("title"))
                       for _, encoding in _views(chart.spec) for name in ("x", "y")
                       if isinstance(ch := encoding.get(name), dict) and ch.get("field") == "andel"]
        assert axis_titles and all("HbA1c ≥ 75" in t and "lav bedst" in t for t in axis_titles), axis_titles
        assert all({"field": "retning", "type": "nominal", "title": "Retning"} in encoding.get("tooltip", [])
                   for kind, encoding in _views(chart.spec) if kind in ("bar", "line"))


def test_no_chart_has_a_gradient_legend():
    """The PDF cannot draw a gradient legend (its colour bar comes out blank): a colour legend for a quantity uses
    classes, a classed scale (quantize, quantile, threshold) or bins, as UC-13's and UC-23's heat maps do."""
    for item in ITEMS.values():
        for chart in item.charts:
            for _, encoding in _views(chart.spec):
                for name in ("color", "fill", "stroke", "opacity"):
                    channel = encoding.get(name)
                    if not isinstance(channel, dict) or channel.get("type") != "quantitative" \
                            or "field" not in channel or channel.get("legend", {}) is None:
                        continue
                    scale = channel.get("scale") or {}
                    assert channel.get("bin") or scale.get("type") in ("quantize", "quantile", "threshold"), \
                        (item.id, chart.id, name)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_chart_draws_before_its_rows_arrive(path, built_db):
    """The browser first runs a chart without rows and inserts them after; a chart that fails on no rows (Vega's
    `bin` on a colour: «Invalid array length») stays blank in the app although the PDF draws it."""
    item, _ = load_usecase(path)
    for chart in item.charts:
        spec = pdf_spec(bind(chart, {}, built_db))
        spec["data"] = {"values": []}
        assert "<svg" in spec_to_svg(spec), chart.id
