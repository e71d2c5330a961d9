"""Every real use-case: it validates, its SQL runs, its spec compiles, no count of 1-4 reaches a chart."""

import itertools
import random

import pytest

from katalog.charts import bind, param_options, to_svg
from katalog.content import load_catalogue, load_usecase
from katalog.disclosure import _independent
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
            _assert_secondary_suppression_holds(chart, bound.rows, values)


def _assert_secondary_suppression_holds(chart, rows, values):
    """In the rows a chart shows, no line of cells (all keys fixed but one) has exactly one hidden
    count, so none can be recovered from a total of the line; and a rate built on a hidden count
    is hidden too."""
    keys = _independent([c for c in rows.data.columns if c not in chart.counts and c not in chart.derived],
                        rows.data)
    for column in chart.counts:
        hidden = rows.status[column].ne("")
        for free in keys:
            fixed = [k for k in keys if k != free]
            groups = rows.data.groupby(fixed, dropna=False).indices.values() if fixed else [rows.data.index]
            for line in groups:
                if len(line) > 1:
                    assert hidden.iloc[list(line)].sum() != 1, (chart.id, values, column, free)
    for column, bases in chart.derived.items():
        base_hidden = rows.status[bases].ne("").any(axis=1)
        assert rows.status[column][base_hidden].ne("").all(), (chart.id, values, column)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_switching_a_total_parameter_never_reveals_a_hidden_count(path, built_db):
    """For a parameter with a total (Alle), a cell hidden under one choice must not be the only
    hidden one among the other choices while the total is shown: otherwise total - others = it."""
    item, _ = load_usecase(path)
    for chart in item.charts:
        margins = [p for p in chart.params if p.margin]
        others = [p for p in chart.params if not p.margin]
        rng = random.Random(path.name + chart.id)
        for _ in range(3):
            fixed = {p.name: rng.choice(param_options(p, built_db)) for p in others}
            for margin in margins:
                options = param_options(margin, built_db)
                total = next(o for o in options if str(o) in ("Alle", "Hele landet"))
                views = {o: bind(chart, {**fixed, margin.name: o}, built_db).rows for o in options}
                keys = [c for c in views[total].data.columns if c not in chart.counts and c not in chart.derived]
                for column in chart.counts:
                    hidden = {}
                    for option, rows in views.items():
                        if rows.data.empty:
                            continue
                        for key, status in zip(rows.data[keys].astype(str).agg("|".join, axis=1),
                                               rows.status[column], strict=True):
                            hidden.setdefault(key, {})[option] = bool(status)
                    for key, by_option in hidden.items():
                        parts = [h for o, h in by_option.items() if o != total]
                        if not by_option.get(total, True):
                            assert sum(parts) != 1, (chart.id, fixed, margin.name, key, column)


def _chart(sql, counts=(), options_sql=None):
    from katalog.models import Chart

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


def test_switching_the_practice_in_uc05_never_reveals_a_hidden_count(built_db):
    """The attack a review found: choose each practice of a klynge in turn, add up the visible ones,
    and subtract from the klynge total. The klynge is suppressed as one table, so it must not work."""
    import sqlite3

    item, _ = load_usecase(next(USECASES.glob("UC-05-*.md")))
    chart = next(c for c in item.charts if c.id == "kol_indikatorer_sammenligning")
    conn = sqlite3.connect(built_db)
    targets = conn.execute(
        "SELECT DISTINCT aar, klynge FROM praksis_indikatorer WHERE diagnose = 'KOL' AND indikator = "
        "'FEV1 registreret årligt' AND (opfyldt BETWEEN 1 AND 4 OR patienter BETWEEN 1 AND 4) ORDER BY 1, 2 LIMIT 3"
    ).fetchall()
    assert targets, "the national mock data has practices with small KOL counts"
    for aar, klynge in targets:
        practices = [y for (y,) in conn.execute(
            "SELECT DISTINCT ydernummer FROM praksis_indikatorer WHERE aar = ? AND klynge = ? AND diagnose = 'KOL' "
            "ORDER BY 1", (aar, klynge))]
        known: dict[tuple, float | None] = {}
        patterns = set()
        for ydernummer in practices:
            rows = bind(chart, {"ydernummer": ydernummer, "aar": aar}, built_db).rows
            data, status = rows.data, rows.status
            patterns.add(tuple(status[["opfyldt", "patienter"]].to_numpy().ravel()))
            for i in range(len(data)):
                label = str(data["niveau"].iat[i])
                unit = ydernummer if str(ydernummer) in label else (
                    "klynge" if label == klynge else None)
                if unit is None:
                    continue
                for column in ("opfyldt", "patienter"):
                    key = (unit, data["indikator"].iat[i], column)
                    known[key] = None if status[column].iat[i] else float(data[column].iat[i])
        assert len(patterns) == 1, "the hidden cells must not depend on the chosen practice"
        for indikator in {k[1] for k in known}:
            for column in ("opfyldt", "patienter"):
                hidden = [p for p in practices if known.get((p, indikator, column)) is None]
                total = known.get(("klynge", indikator, column))
                assert not (total is not None and len(hidden) == 1), (aar, klynge, indikator, column, hidden)
