"""Every view a member can reach draws something or says in Danish why not; axes, headings and links."""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path

import pytest

from katalog.charts import (
    EMPTY_ALL_HIDDEN,
    bind,
    column_labels,
    empty_message,
    param_options,
    tidy_axes,
    view_from_query,
    view_to_query,
    wrap_title,
)
from katalog.content import load_catalogue
from katalog.content.models import Chart
from katalog.disclosure import HIDDEN
from katalog.export import build_html
from tests.conftest import USECASES

CATALOGUE = load_catalogue(USECASES)
CHARTS = [(item, chart) for item in CATALOGUE.items for chart in item.charts]
SAMPLED_OPTIONS = 6  # a parameter with more choices (UC-05's 1,700 practices) is walked on a sample of them


def _choices(chart: Chart, db: Path) -> dict[str, list]:
    """Every choice of every parameter; a long list sampled (its default, first, last and a seeded few)."""
    choices = {}
    for param in chart.params:
        options = param_options(param, db)
        if len(options) > SAMPLED_OPTIONS:
            rest = [o for o in options if o not in (param.default, options[0], options[-1])]
            sample = random.Random(chart.id).sample(rest, SAMPLED_OPTIONS - 3)
            options = list(dict.fromkeys([param.default, options[0], options[-1], *sample]))
        choices[param.name] = options
    return choices


def _all_pairs(choices: dict[str, list]) -> list[dict]:
    """A small set of views that holds every choice of every parameter and every pair of choices of two
    parameters (KOL with 0-17, a region with a year): where empty views come from, at a fraction of the product."""
    names = list(choices)
    if not names:
        return [{}]
    if len(names) == 1:
        return [{names[0]: value} for value in choices[names[0]]]
    uncovered = {(a, va, b, vb) for a, b in itertools.combinations(names, 2)
                 for va in choices[a] for vb in choices[b]}
    rng = random.Random(json.dumps(choices, sort_keys=True, default=str))
    views = []
    while uncovered:
        a, va, b, vb = min(uncovered, key=str)  # start from a pair still missing, then fill greedily
        view = {a: va, b: vb}
        for name in names:
            if name in view:
                continue
            candidates = list(choices[name])
            rng.shuffle(candidates)
            view[name] = max(candidates, key=lambda value, n=name: sum(
                (x, view[x], n, value) in uncovered or (n, value, x, view[x]) in uncovered for x in view))
        uncovered -= {(x, view[x], y, view[y]) for x, y in itertools.combinations(names, 2)}
        views.append(view)
    return views


@pytest.mark.parametrize(("item", "chart"), CHARTS, ids=[f"{i.id}-{c.id}" for i, c in CHARTS])
def test_every_view_draws_something_or_says_why_not_in_danish(item, chart, built_db):
    """Every choice of every parameter, and every pair of choices, of every chart (bound on the built database):
    either the chart has a value above 0 to draw, or the page shows a Danish sentence saying what is missing."""
    choices = _choices(chart, built_db)
    labels = {p.name: p.label for p in chart.params}
    for view in _all_pairs(choices):
        bound = bind(chart, view, built_db)
        if bound.empty_kind is None:
            assert bound.spec["data"]["values"], (chart.id, view)
            continue
        message = empty_message(bound, choices, lambda other: bind(chart, other, built_db))
        assert re.match(r"^(Ingen|Intet|Alle|Den ene) ", message) and message.endswith("."), (chart.id, view, message)
        assert "_" not in message and "None" not in message, message  # no column names, no Python
        if bound.empty_kind == EMPTY_ALL_HIDDEN:
            assert "skjult af diskretionering" in message
        named = [labels[name] for name in labels if f"{labels[name]} «" in message]
        assert all(f"«{bound.params[name]}»" in message for name in labels if labels[name] in named)


def _chart(spec: dict, counts=("patienter",), derived=None, dimensions=()) -> Chart:
    return Chart.model_validate({"id": "c", "title": "T", "alt": "A", "sql": "SELECT 1", "counts": list(counts),
                                 "derived": derived or {}, "dimensions": list(dimensions), "spec": spec})


def test_counts_and_whole_number_axes_get_whole_ticks_and_long_y_titles_wrap():
    spec = {"height": 260, "layer": [
        {"mark": "bar", "encoding": {
            "x": {"field": "aar", "type": "ordinal"},
            "y": {"field": "patienter", "type": "quantitative",
                  "title": "Antal patienter med kontakt inden for 90 dage"},
        }},
        {"mark": "line", "encoding": {
            "y": {"field": "rate", "type": "quantitative", "axis": {"format": ",.0f"}},
            "x": {"field": "andel", "type": "quantitative", "axis": {"format": ".0%"}},
            "color": {"field": "region", "type": "nominal", "title": "Område"},
        }}]}
    tidy_axes(spec, _chart(spec))
    bars, line = (layer["encoding"] for layer in spec["layer"])
    assert bars["y"]["axis"]["tickMinStep"] == 1 and bars["y"]["axis"]["format"] == ",d"
    assert isinstance(bars["y"]["title"], list) and len(bars["y"]["title"]) > 1
    assert " ".join(bars["y"]["title"]) == "Antal patienter med kontakt inden for 90 dage"
    assert line["y"]["axis"]["tickMinStep"] == 1  # ",.0f" cannot show 0.5
    assert line["x"]["axis"]["tickMinStep"] == 0.01  # ".0%" cannot show 0.5 %
    assert bars["y"]["axis"]["description"].startswith("Lodret akse: Antal patienter")
    assert line["color"]["legend"]["description"] == "Signaturforklaring: Område"


def test_wrap_title_keeps_whole_words():
    assert wrap_title("Kort titel", 200) == ["Kort titel"]
    lines = wrap_title("Andel af nye patienter med kontakt inden for 90 dage", 150)
    assert len(lines) > 1 and all(len(line) <= 21 for line in lines)
    assert " ".join(lines) == "Andel af nye patienter med kontakt inden for 90 dage"


def test_every_real_chart_binds_with_tidy_axes(built_db):
    for item, chart in CHARTS:
        spec = bind(chart, {}, built_db).spec
        text = json.dumps(spec, ensure_ascii=False)
        described = ('"description": "Lodret akse' in text or '"description": "Vandret akse' in text
                     or (chart.map is not None and '"description": "Signaturforklaring' in text))  # a map: its legend
        assert described, (item.id, chart.id)


def test_the_table_and_csv_have_danish_headings_with_units(built_db):
    item = CATALOGUE.get("UC-01")
    bound = bind(item.charts[0], {}, built_db)
    headings = list(bound.labelled_table.columns)
    assert "Patienter pr. 1.000 indbyggere" in headings and "Patienter (antal)" in headings
    assert not any("_" in heading for heading in headings)
    assert bound.csv().decode("utf-8-sig").splitlines()[0] == ";".join(headings)
    share = next(i for i in CATALOGUE.items if i.id == "UC-03").charts[0]
    shares = bind(share, {}, built_db)
    heading = next(h for h in shares.labelled_table.columns if h.endswith("(%)"))
    shown = shares.labelled_table[heading]
    assert all(v == HIDDEN or 0 <= float(v.replace(".", "").replace(",", ".")) <= 100 for v in shown)
    assert any(v != HIDDEN and float(v.replace(".", "").replace(",", ".")) > 1 for v in shown)  # per cent, not 0–1


def test_column_labels_fall_back_to_known_names_and_readable_words():
    chart = _chart({"mark": "bar", "encoding": {"x": {"field": "kr_pr_patient", "type": "quantitative"}}},
                   counts=("patienter",), dimensions=("aar",))
    labels = column_labels(chart, ["aar", "kommune", "patienter", "ydelser_kr_pr_patient", "pr_1000"])
    assert labels["aar"].label == "År" and labels["kommune"].label == "Kommune"
    assert labels["patienter"].label == "Patienter (antal)"
    assert labels["ydelser_kr_pr_patient"].label == "Ydelser kr. pr. patient"
    assert labels["pr_1000"].label == "Pr. 1.000"


def test_kol_for_children_says_why_it_is_empty(built_db):
    chart = CATALOGUE.get("UC-01").charts[1]  # regions by sex: no kommune, so nothing is hidden
    view = {"diagnose": "KOL", "aldersgruppe": "0-17"}
    bound = bind(chart, view, built_db)
    assert bound.empty_kind is not None
    options = {p.name: param_options(p, built_db) for p in chart.params}
    message = empty_message(bound, options, lambda other: bind(chart, other, built_db))
    assert "Diagnose «KOL»" in message and "Aldersgruppe «0-17»" in message
    assert "KOL diagnosticeres ikke hos børn." in message


def test_the_suppression_note_counts_one_value_in_the_singular(built_db):
    from dataclasses import replace

    bound = bind(CATALOGUE.get("UC-01").charts[0], {}, built_db)
    one = replace(bound, rows=replace(bound.rows, hidden=1, cells=24))
    assert "1 værdi af 24" in one.suppression_note and "1 værdier" not in one.suppression_note
    many = replace(bound, rows=replace(bound.rows, hidden=3, cells=24))
    assert "3 værdier af 24 (12 %)" in many.suppression_note


def test_a_view_goes_into_a_query_string_and_back(built_db):
    item = CATALOGUE.get("UC-01")
    chart = item.charts[0]

    def options(c, p):
        return param_options(p, built_db)

    views = {chart.id: {"diagnose": "KOL", "region": "Region Nordjylland", "aar": 2022, "koen": "Alle",
                        "aldersgruppe": "Alle"}}
    query = view_to_query(item.charts, views)
    assert query == {f"{chart.id}.diagnose": "KOL", f"{chart.id}.aar": "2022"}  # defaults stay out of the link
    back, notes = view_from_query(item.charts, {"id": item.id, **query}, options)
    assert notes == [] and back[chart.id] == views[chart.id]
    assert back[item.charts[1].id] == {p.name: p.default for p in item.charts[1].params}


def test_a_query_string_with_wrong_values_gets_danish_notes_and_defaults(built_db):
    item = CATALOGUE.get("UC-01")
    chart = item.charts[0]
    query = {f"{chart.id}.aar": "1999", f"{chart.id}.diagnose": "KOL", "ukendt.felt": "x"}
    views, notes = view_from_query(item.charts, query, lambda c, p: param_options(p, built_db))
    assert views[chart.id]["aar"] == next(p.default for p in chart.params if p.name == "aar")
    assert views[chart.id]["diagnose"] == "KOL"
    assert any("«1999»" in note and "År" in note for note in notes)
    assert any("«ukendt.felt»" in note for note in notes)


def test_the_pdf_draws_the_views_the_member_chose(built_db):
    item = CATALOGUE.get("UC-01")
    first, second = item.charts[:2]
    views = {item.id: {first.id: {"aar": 2021, "diagnose": "astma"}, second.id: {"diagnose": "KOL",
                                                                                   "aldersgruppe": "0-17"}}}
    html = build_html([item], built_db, None, "UC-01", views=views)
    assert "Valgt: Diagnose: astma, Region: Region Nordjylland, År: 2021" in html
    assert "KOL diagnosticeres ikke hos børn." in html  # an empty view says why, instead of an empty chart
    default = build_html([item], built_db, None, "UC-01")
    assert "År: 2021" not in default and "(1 use-case)" in default
