"""Maps: the committed boundaries, a map chart bound with them (never fetched), hidden areas grey, the attribution."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader

from katalog.charts import ChartError, SpecError, bind, check_spec, geo, to_svg
from katalog.content import load_catalogue
from katalog.content.models import Chart
from katalog.export import render_pdf
from tests.conftest import MOCKDATA, USECASES

ITEMS = {item.id: item for item in load_catalogue(USECASES).items}
KOMMUNE_MAP = next(c for c in ITEMS["UC-07"].charts if c.map == "kommune")
REGION_MAP = next(c for c in ITEMS["UC-24"].charts if c.map == "region")
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
