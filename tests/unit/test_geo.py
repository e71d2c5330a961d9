"""Maps: the committed boundaries, a map chart bound with them (never fetched), hidden areas grey, the attribution."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re

import pytest
from pypdf import PdfReader

from katalog.charts import ChartError, SpecError, bind, check_spec, geo, pdf_spec, spec_to_svg, to_svg
from katalog.content import load_catalogue
from katalog.content.models import Chart
from katalog.export import render_pdf
from tests.conftest import MOCKDATA, USECASES

ITEMS = {item.id: item for item in load_catalogue(USECASES).items}
KOMMUNE_MAP = next(c for c in ITEMS["UC-07"].charts if c.map == "kommune")
REGION_MAP = next(c for c in ITEMS["UC-24"].charts if c.map == "region")
SHARE_MAP = next(c for c in ITEMS["UC-22"].charts if c.map == "kommune")
KOMMUNER = list(csv.DictReader((MOCKDATA / "kommuner.csv").open(encoding="utf-8")))


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


def _map_chart(**changes) -> Chart:
    return Chart(**{**KOMMUNE_MAP.model_dump(), **changes})


# --- the committed geometry -------------------------------------------------------------------------------------

def test_the_committed_file_holds_exactly_the_98_kommuner_of_the_mock_data():
    properties = [g["properties"] for g in geo.topology()["objects"]["kommuner"]["geometries"]]
    assert len(properties) == 98
    assert "411" not in {p["kode"] for p in properties}  # Christiansø is not a kommune
    assert {(p["kode"], p["kommune"], p["region"]) for p in properties} == {
        (row["kode"], row["kommune"], row["region"]) for row in KOMMUNER}


def test_the_regions_are_the_five_regions_of_the_mock_data():
    assert sorted(geo.area_names("region")) == sorted({row["region"] for row in KOMMUNER})


def test_the_committed_file_is_small_and_quantised():
    assert geo.GEOMETRY.stat().st_size < 150_000
    topology = geo.topology()
    assert topology["type"] == "Topology" and "transform" in topology


def test_the_box_around_bornholm_is_a_closed_ring_north_east_of_sjaelland():
    ring = geo.bornholm_frame()["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) >= 5
    assert all(11.5 < lon < 13.5 and 56.8 < lat < 58 for lon, lat in ring)


# --- binding ------------------------------------------------------------------------------------------------------

def test_a_kommune_map_binds_with_the_geometry_in_the_spec_and_no_url(built_db):
    bound = bind(KOMMUNE_MAP, {}, built_db)
    spec = bound.spec
    lookup = spec["transform"][0]
    assert lookup["from"]["data"]["values"] == geo.topology()
    assert lookup["from"]["data"]["format"] == {"type": "topojson", "feature": "kommuner"}
    assert lookup["lookup"] == "kommune" and lookup["from"]["key"] == "properties.kommune"
    assert not {"url", "href"} & set(_keys(spec))
    assert len(spec["data"]["values"]) == 98
    assert any(layer.get("data", {}).get("values") == [geo.bornholm_frame()] for layer in spec["layer"])
    svg = to_svg(bound)
    assert svg.count("<path") > 98


def test_hidden_values_are_grey_and_skjult_never_a_colour_or_0(built_db):
    bound = bind(KOMMUNE_MAP, {"diagnose": "hjertesvigt"}, built_db)
    rows = bound.spec["data"]["values"]
    hidden = [r for r in rows if r["pr_1000_indbyggere"] is None]
    assert hidden, "hjertesvigt has hidden age-standardised rates in small kommuner"
    assert all(r["pr_1000_indbyggere"] != 0 for r in rows)
    grey, shown = bound.spec["layer"][0], bound.spec["layer"][1]
    assert grey["transform"][0] == {"filter": '!isValid(datum["pr_1000_indbyggere"])'}
    assert grey["encoding"]["fill"]["scale"]["range"] == [geo.HIDDEN_FILL]
    assert "color" not in grey["encoding"]
    assert shown["transform"][0] == {"filter": 'isValid(datum["pr_1000_indbyggere"])'}
    text = json.dumps(grey, ensure_ascii=False)
    assert "'skjult'" in text.replace('\\"', "'") or '"skjult"' in text


def test_a_view_without_hidden_values_has_no_grey_layer(built_db):
    bound = bind(KOMMUNE_MAP, {"diagnose": "diabetes", "maal": "Ikke standardiseret"}, built_db)
    assert all(r["pr_1000_indbyggere"] is not None for r in bound.spec["data"]["values"])
    assert not any("fill" in layer.get("encoding", {}) for layer in bound.spec["layer"])


def test_a_region_map_writes_each_value_on_its_region(built_db):
    bound = bind(REGION_MAP, {}, built_db)
    assert bound.spec["transform"][0]["from"]["data"]["format"]["feature"] == "regioner"
    labels = [layer for layer in bound.spec["layer"] if layer["mark"]["type"] == "text"]
    assert len(labels) == 1 and labels[0]["encoding"]["longitude"]["field"] == "kort_lon"
    assert len(bound.spec["data"]["values"]) == 5


# --- the colour classes ------------------------------------------------------------------------------------------

def _legend_classes(svg: str) -> list[str]:
    """The colour classes a map's legend names («30 % – 32 %»), the «skjult» entry left out."""
    groups = re.findall(r'<g class="mark-text role-legend-label"[^>]*>(.*?)</g>', svg, re.S)
    labels = [text.replace("\xa0", " ") for group in groups for text in re.findall(r">([^<]+)</text>", group)]
    return [label for label in labels if " – " in label]


def _value(label: str) -> float:
    number = float(label.removesuffix(" %").replace(".", "").replace(",", "."))
    return number / 100 if label.endswith(" %") else number


def _colour(bound) -> dict:
    return next(layer["encoding"]["color"] for layer in bound.spec["layer"] if "color" in layer.get("encoding", {}))


@pytest.mark.parametrize(("chart", "values"), [
    (KOMMUNE_MAP, {}),
    (KOMMUNE_MAP, {"diagnose": "diabetes"}),
    (KOMMUNE_MAP, {"diagnose": "hjertesvigt"}),
    (KOMMUNE_MAP, {"diagnose": "astma", "maal": "Ikke standardiseret"}),
    (KOMMUNE_MAP, {"diagnose": "atrieflimren", "aar": 2019}),
    (SHARE_MAP, {}),
    (SHARE_MAP, {"indikator": "Rygestatus registreret årligt"}),
], ids=["KOL", "diabetes", "hjertesvigt", "astma-raa", "atrieflimren-2019", "rygere", "rygestatus"])
def test_a_map_with_classes_from_the_data_has_round_class_limits(chart, values, built_db):
    """Vega's quantize cut 28-40 % into 30,4 %, 32,8 % ... (and printed 11,2 as «11»): the legend names each class by
    round limits, exactly as they are, the classes adjoining and as wide as 1, 2 or 5 times a power of ten."""
    bound = bind(chart, values, built_db)
    assert _colour(bound)["field"] == "kort_klasse" and "bin" not in json.dumps(bound.spec["layer"])
    classes = _legend_classes(to_svg(bound))
    assert 2 <= len(classes) <= geo.MAP_CLASSES + 1, classes
    limits = [[_value(limit) for limit in label.split(" – ")] for label in classes]
    assert all(math.isclose(high, low_next) for (_, high), (low_next, _) in itertools.pairwise(limits)), classes
    widths = {round(high - low, 9) for low, high in limits}
    assert len(widths) == 1, classes
    width = widths.pop()
    mantissa = width / 10 ** math.floor(math.log10(width) + 1e-9)
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5)), (classes, width)
    assert all(math.isclose(low / width, round(low / width), abs_tol=1e-6) for low, _ in limits), classes
    shown = [row[_colour_field(chart)] for row in bound.spec["data"]["values"] if row[_colour_field(chart)] is not None]
    assert limits[0][0] <= min(shown) and max(shown) < limits[-1][1], (classes, min(shown), max(shown))


def _colour_field(chart: Chart) -> str:
    return chart.spec["encoding"]["color"]["field"]


@pytest.mark.parametrize("chart", [KOMMUNE_MAP, SHARE_MAP, REGION_MAP], ids=["kommune", "andel", "region"])
def test_a_map_draws_before_its_rows_arrive(chart, built_db):
    """The browser first runs a chart without rows and inserts them after: a map must draw with none (Vega's `bin`
    does not: «Invalid array length», and the map and its legend stay blank)."""
    spec = pdf_spec(bind(chart, {}, built_db))
    spec["data"] = {"values": []}
    assert "<svg" in spec_to_svg(spec)


def test_a_map_with_the_authors_own_limits_keeps_them(built_db):
    colour = _colour(bind(REGION_MAP, {}, built_db))
    assert colour["field"] == "indeks"
    # UC-24's index around 100: the author's thresholds, a neutral class from 95 to 105, drawn as written
    assert colour["scale"] == {"type": "threshold", "domain": [90, 95, 105, 110],
                               "range": ["#1f5f8b", "#9ecae1", "#f2f2f2", "#f4b183", "#e07b39"]}


@pytest.mark.parametrize(("fmt", "step"), [(",.0f", 1), (",.1f", 0.1), (".0%", 0.01), (".1%", 0.001),
                                           (",.1~f", 0.1), (",d", 1), ("$,.2s", None), (None, None)])
def test_the_classes_are_never_finer_than_the_legend_prints(fmt, step):
    assert geo._format_step(fmt) == (pytest.approx(step) if step else None)
    colour = {"field": "x", "type": "quantitative", "title": "X", "legend": {"format": fmt} if fmt else {},
              "scale": {"type": "quantize", "scheme": "blues", "nice": 5}}
    classed, transforms = geo._round_classes(colour)
    assert classed == {"field": "kort_klasse", "type": "ordinal", "title": "X", "scale": {"scheme": "blues"},
                       "sort": {"field": "kort_fra", "op": "min"}, "legend": {"symbolType": "square"}}
    finest = geo._format_step(fmt or ",.1~f") or 0  # without a format the classes are labelled ",.1~f"
    assert f"max({finest}, " in json.dumps(transforms)
    for kept in ({**colour, "scale": {"type": "threshold", "domain": [1, 2], "scheme": "blues"}},
                 {**colour, "scale": {"type": "quantize", "domain": [80, 120]}}, {**colour, "type": "nominal"}):
        assert geo._round_classes(kept) == (kept, [])


# --- what an author may not do ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [
    {"mark": "geoshape", "data": {"url": "https://example.org/kommuner.json"}},
    {"mark": "geoshape", "data": {"values": [{"kommune": "Aarhus", "rate": 3}]}},
    {"mark": "geoshape", "datasets": {"kort": {"type": "Topology"}}},
    {"mark": "geoshape", "transform": [{"lookup": "kommune", "from": {"data": {"url": "k.json"}, "key": "id"}}]},
    {"mark": "geoshape", "transform": [{"lookup": "kommune",
                                        "from": {"data": {"values": [{"id": 1}]}, "key": "id"}}]},
])
def test_a_map_spec_with_its_own_data_or_url_is_refused(spec, built_db):
    with pytest.raises(SpecError):
        check_spec(spec)
    with pytest.raises(ChartError):
        bind(_map_chart(spec=spec), {}, built_db)


def test_a_map_must_be_one_geoshape_view(built_db):
    bar = {"mark": "bar", "encoding": {"x": {"field": "pr_1000_indbyggere", "type": "quantitative"}}}
    with pytest.raises(ChartError, match="geoshape"):
        bind(_map_chart(spec=bar), {}, built_db)


def test_a_map_needs_one_row_per_area(built_db):
    twice = KOMMUNE_MAP.sql.replace("AND diagnose = :diagnose", "AND diagnose IN (:diagnose, 'astma')")
    with pytest.raises(ChartError, match="én række pr. kommune"):
        bind(_map_chart(sql=twice), {}, built_db)


def test_map_is_kommune_or_region():
    with pytest.raises(ValueError):
        _map_chart(map="land")


# --- the attribution ----------------------------------------------------------------------------------------------

def test_the_pdf_prints_the_attribution_under_the_map(built_db):
    pdf = render_pdf([ITEMS["UC-24"]], built_db)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert " ".join(text.split()).count(geo.ATTRIBUTION) >= 1
    without_map = render_pdf([ITEMS["UC-01"]], built_db)
    assert geo.ATTRIBUTION not in " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(without_map)).pages).split())
