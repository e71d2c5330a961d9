"""A map on the Use-case page: drawn with its boundaries and the attribution the boundaries' licence asks for."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from katalog.charts import geo
from tests.conftest import ROOT

PAGE = str(ROOT / "app_pages" / "usecase.py")


def test_the_attribution_stands_under_the_map():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["id"] = "UC-24"
    at.run()
    assert not at.exception, at.exception
    flat = list(at.main)  # every element of the page in order, nested ones included
    charts = [i for i, node in enumerate(flat) if node.type == "vega_lite_chart"]
    maps = [i for i in charts if '"topojson"' in flat[i].proto.spec]
    assert len(maps) == 1
    following = [node for node in flat[maps[0] + 1:] if node.type == "caption"]
    assert following and following[0].value == geo.ATTRIBUTION
    spec = json.loads(flat[maps[0]].proto.spec)
    assert spec["transform"][0]["from"]["data"]["values"]["type"] == "Topology"
    assert sum(1 for node in flat if node.type == "caption" and node.value == geo.ATTRIBUTION) == 1  # the map only
