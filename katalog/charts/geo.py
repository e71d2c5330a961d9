"""Maps: the committed kommune and region boundaries, and the Vega-Lite layers that draw a chart's rows on them.

An author asks for a map with `map: kommune` or `map: region` and writes a `geoshape` spec without data; the
binder matches the chart's (protected) rows to the boundaries by name and puts both into the bound spec, so
nothing is fetched and a spec from a use-case file still can hold no data or URL of its own. The boundaries
are Geodatastyrelsen & Danske Kommuner's, simplified by scripts/simplify_kommuner.py into
mockdata/geo/kommuner.topojson (98 kommuner, the five regions merged from them, Bornholm in a box).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from katalog.db import PROJECT_ROOT
from katalog.disclosure import HIDDEN

GEOMETRY = PROJECT_ROOT / "mockdata" / "geo" / "kommuner.topojson"
ATTRIBUTION = "Kort: Geodatastyrelsen & Danske Kommuner"
HIDDEN_FILL = "#c4c4c4"  # a hidden area: grey, never the colour of a value
HIDDEN_LABEL = f"Skjult («{HIDDEN}»)"
BORNHOLM = "Bornholm"
DEFAULT_HEIGHT = 460
MAP_CLASSES = 7  # at most this many colour classes on a map whose limits come from the data
_SHAPE = "kort_geometri"  # the field the looked-up boundary is stored in (no query column is named so)
_HIDDEN_FIELD = "kort_skjult"  # the legend entry of hidden areas


class MapError(ValueError):
    """A map that cannot be drawn from these rows or this spec; the message says what to change (Danish)."""


@dataclass(frozen=True)
class MapLevel:
    column: str  # the query column matched against the boundaries' names; also the property in the TopoJSON
    feature: str  # the TopoJSON object holding the boundaries
    noun: str  # Danish, for messages
    frame_area: str  # the row whose presence brings the box around Bornholm
    labelled: bool  # each area's value written on it (five regions have room; 98 kommuner do not)


LEVELS: dict[str, MapLevel] = {
    "kommune": MapLevel("kommune", "kommuner", "kommune", BORNHOLM, labelled=False),
    "region": MapLevel("region", "regioner", "region", "Region Hovedstaden", labelled=True),
}


@functools.cache
def topology() -> dict[str, Any]:
    """The committed boundaries, read once per process."""
    return json.loads(GEOMETRY.read_text(encoding="utf-8"))


def area_names(level: str) -> list[str]:
    """The names the boundaries carry at a level, as the mock tables spell them."""
    spec = LEVELS[level]
    return [g["properties"][spec.column] for g in topology()["objects"][spec.feature]["geometries"]]


@functools.cache
def bornholm_frame() -> dict[str, Any]:
    """The box drawn around Bornholm (moved into the Kattegat, north of Sjælland) as a GeoJSON feature, decoded from the
    topology's `ramme` object: a few points, so the frame layer does not carry the whole topology again."""
    topo = topology()
    rings = [[_decoded_arc(topo, index) for index in ring]
             for polygon in topo["objects"]["ramme"]["geometries"][0]["arcs"] for ring in polygon]
    ring = [point for arc in rings[0] for point in arc]
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _decoded_arc(topo: Mapping[str, Any], index: int) -> list[list[float]]:
    arc = topo["arcs"][index if index >= 0 else ~index]
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    x = y = 0
    points = []
    for dx, dy in arc:
        x, y = x + dx, y + dy
        points.append([round(x * sx + tx, 6), round(y * sy + ty, 6)])
    return points if index >= 0 else points[::-1]


def check_rows(rows: pd.DataFrame, level: str) -> None:
    """A map draws one row per area, matched by name: refuse rows it could not draw truthfully."""
    spec = LEVELS[level]
    if spec.column not in rows.columns:
        raise MapError(f"Et kort over {spec.noun}r skal have kolonnen '{spec.column}' med {spec.noun}ns navn "
                       f"(fx `omraade AS {spec.column}`).")
    names = rows[spec.column].dropna().astype(str)
    if doubles := sorted(set(names[names.duplicated()])):
        raise MapError(f"Et kort skal have én række pr. {spec.noun}, men {', '.join(doubles[:3])} står flere gange; "
                       "vælg fx køn og alder som parametre.")
    if not set(names) & set(area_names(level)):
        raise MapError(f"Ingen af rækkernes {spec.noun}snavne findes på kortet; brug navnene fra "
                       "mock-tabellerne (fx «Aarhus», «Region Sjælland»).")


def map_spec(spec: Mapping[str, Any], level: str, *, measures: Collection[str], hidden: bool,
             frame: bool) -> dict[str, Any]:
    """The author's geoshape view drawn on the boundaries: the rows looked up by name, areas whose colour value
    is hidden drawn grey as «skjult» (a layer of their own, only when there are any), and the box around
    Bornholm when it is drawn. The geometry is left as empty lists, so the structure can be validated on its
    own; `with_geometry` fills them."""
    author = _author_view(spec)
    place = LEVELS[level]
    color = author["encoding"].get("color", {})
    colour_field = color.get("field") if isinstance(color, Mapping) else None
    top = {key: value for key, value in spec.items() if key not in ("mark", "encoding", "transform", "projection")}
    top.setdefault("height", DEFAULT_HEIGHT)
    top["projection"] = spec.get("projection", {"type": "mercator"})
    top["transform"] = [
        {"lookup": place.column, "as": _SHAPE,
         "from": {"data": {"values": [], "format": {"type": "topojson", "feature": place.feature}},
                  "key": f"properties.{place.column}"}},
        {"filter": f"isValid(datum.{_SHAPE})"},
        *spec.get("transform", []),
    ]
    layers = [_shown_layer(author, colour_field, measures)]
    if hidden and colour_field:
        layers.insert(0, _hidden_layer(author, colour_field, measures))
    if place.labelled and colour_field:
        layers.append(_label_layer(colour_field, color))
    if frame:
        layers.append(_frame_layer())
    top["layer"] = layers
    return top


def _author_view(spec: Mapping[str, Any]) -> dict[str, Any]:
    mark = spec.get("mark")
    kind = mark.get("type") if isinstance(mark, Mapping) else mark
    if kind != "geoshape" or any(key in spec for key in ("layer", "concat", "hconcat", "vconcat", "facet", "repeat")):
        raise MapError("Et kort ('map') tegnes som én visning med mark: geoshape og farven i encoding.color "
                       "(ingen layer, concat eller facet).")
    mark = dict(mark) if isinstance(mark, Mapping) else {"type": "geoshape"}
    mark.setdefault("stroke", "white")
    mark.setdefault("strokeWidth", 0.6)
    return {"mark": mark, "encoding": dict(spec.get("encoding") or {})}


def _round_classes(color: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A classed colour scale whose limits come from the data (`quantize` without a domain) drawn with round limits
    instead, with the transforms that class each area. Vega's quantize cuts the niced extent into as many equal
    classes as the scheme has colours, so its limits are odd (28 % to 40 % in five: 30,4 %, 32,8 % ...), and a
    legend format without decimals prints them wrongly rounded. Here the class width is 1, 2 or 5 times a power of
    ten (at most about MAP_CLASSES classes), never finer than the legend format prints, and the legend names each
    class by its limits («30 % – 32 %»). The classes are computed by transforms, not Vega's `bin`: the browser first
    runs a chart without rows, and `bin` fails on an empty extent. A scale with the author's own limits (`domain`,
    threshold) is left as written."""
    scale = color.get("scale")
    field = color.get("field")
    if (color.get("type") != "quantitative" or color.get("bin") or not isinstance(field, str)
            or not isinstance(scale, Mapping) or scale.get("type") != "quantize" or "domain" in scale):
        return dict(color), []
    legend = dict(color.get("legend") or {})
    fmt = legend.pop("format", None) or ",.1~f"
    measure = f"datum[{json.dumps(field)}]"
    transforms = [
        {"joinaggregate": [{"op": "min", "field": field, "as": "kort_min"},
                           {"op": "max", "field": field, "as": "kort_max"}]},
        {"calculate": f"max(datum.kort_max - datum.kort_min, 1e-12) / {MAP_CLASSES}", "as": "kort_raa"},
        {"calculate": "pow(10, floor(log(datum.kort_raa) / LN10 + 1e-9))", "as": "kort_tier"},
        {"calculate": f"max({_format_step(fmt) or 0}, datum.kort_tier * (datum.kort_raa <= datum.kort_tier ? 1 : "
                      "datum.kort_raa <= 2 * datum.kort_tier ? 2 : datum.kort_raa <= 5 * datum.kort_tier ? 5 : 10))",
         "as": "kort_trin"},
        {"calculate": f"floor({measure} / datum.kort_trin + 1e-9) * datum.kort_trin", "as": "kort_fra"},
        {"calculate": f"format(datum.kort_fra, {json.dumps(fmt)}) + ' – ' + "
                      f"format(datum.kort_fra + datum.kort_trin, {json.dumps(fmt)})", "as": "kort_klasse"},
    ]
    kept = {key: value for key, value in scale.items() if key not in ("type", "nice", "zero", "clamp")}
    classed = {key: value for key, value in color.items() if key not in ("field", "type", "scale", "legend")}
    classed.update({"field": "kort_klasse", "type": "ordinal", "sort": {"field": "kort_fra", "op": "min"},
                    "scale": kept, "legend": {"symbolType": "square", **legend}})
    return classed, transforms


def _format_step(fmt: Any) -> float | None:
    """The smallest difference a d3 number format prints: ",.0f" and ",d" 1, ".1%" 0.001; None for other formats."""
    if isinstance(fmt, str) and re.fullmatch(r",?d", fmt):
        return 1.0
    match = re.fullmatch(r",?\.(\d+)(~?)([f%])", fmt) if isinstance(fmt, str) else None
    if match is None:
        return None
    decimals = int(match.group(1)) + (2 if match.group(3) == "%" else 0)
    return 10.0 ** -decimals


def _shape_encoding() -> dict[str, Any]:
    return {"field": _SHAPE, "type": "geojson"}


def _shown_layer(author: Mapping[str, Any], colour_field: str | None, measures: Collection[str]) -> dict[str, Any]:
    encoding = {**author["encoding"], "shape": _shape_encoding()}
    classes: list[dict[str, Any]] = []
    if isinstance(encoding.get("color"), Mapping):
        encoding["color"], classes = _round_classes(encoding["color"])
    texts, tooltip = _tooltip_texts(encoding.get("tooltip"), measures)
    if tooltip is not None:
        encoding["tooltip"] = tooltip
    transform = ([{"filter": f"isValid(datum[{json.dumps(colour_field)}])"}] if colour_field else []) + classes + texts
    return {"transform": transform, "mark": author["mark"], "encoding": encoding}


def _hidden_layer(author: Mapping[str, Any], colour_field: str, measures: Collection[str]) -> dict[str, Any]:
    """Areas whose colour value is hidden: grey, with «skjult» in the legend and the tooltip, never a colour."""
    texts, tooltip = _tooltip_texts(author["encoding"].get("tooltip"), measures)
    encoding: dict[str, Any] = {
        "shape": _shape_encoding(),
        "fill": {"field": _HIDDEN_FIELD, "type": "nominal", "title": None,
                 "scale": {"domain": [HIDDEN_LABEL], "range": [HIDDEN_FILL]},
                 "legend": {"symbolType": "square", "orient": "right", "description": "Skjulte værdier"}},
    }
    if tooltip is not None:
        encoding["tooltip"] = tooltip
    mark = {key: value for key, value in author["mark"].items() if key not in ("fill", "color")}
    return {"transform": [{"filter": f"!isValid(datum[{json.dumps(colour_field)}])"},
                          {"calculate": json.dumps(HIDDEN_LABEL), "as": _HIDDEN_FIELD}, *texts],
            "mark": mark, "encoding": encoding}


def _tooltip_texts(tooltip: Any, measures: Collection[str]) -> tuple[list[dict], list[dict] | None]:
    """Each hidden value in the tooltip as «skjult» (Vega would print nothing or "null"): counts and values built
    on them become text fields, formatted as the author asked where they are shown."""
    if not isinstance(tooltip, list):
        return [], None
    transforms, entries = [], []
    for entry in tooltip:
        field = entry.get("field") if isinstance(entry, Mapping) else None
        if field not in measures:
            entries.append(entry)
            continue
        name = f"{field}__tekst"
        value = f"datum[{json.dumps(field)}]"
        shown = f"format({value}, {json.dumps(entry.get('format', ',.1~f'))})"
        transforms.append({"calculate": f"isValid({value}) ? {shown} : {json.dumps(HIDDEN)}", "as": name})
        entries.append({"field": name, "type": "nominal", "title": entry.get("title", field)})
    return transforms, entries


def _label_layer(colour_field: str, colour: Mapping[str, Any]) -> dict[str, Any]:
    """Each area's value written on it, so a printed map can be read without hovering: as the legend formats
    it, «skjult» where it is hidden; placed at the point the geometry names (`etiket`, inside the area)."""
    value = f"datum[{json.dumps(colour_field)}]"
    fmt = (colour.get("legend") or {}).get("format") or ",.1~f"
    where = f"datum.{_SHAPE}.properties.etiket"
    return {
        "transform": [{"calculate": f"isValid({value}) ? format({value}, {json.dumps(fmt)}) : {json.dumps(HIDDEN)}",
                       "as": "kort_etiket"},
                      {"calculate": f"{where}[0]", "as": "kort_lon"}, {"calculate": f"{where}[1]", "as": "kort_lat"}],
        "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold", "color": "#1a1a1a", "tooltip": False},
        "encoding": {"longitude": {"field": "kort_lon", "type": "quantitative"},
                     "latitude": {"field": "kort_lat", "type": "quantitative"},
                     "text": {"field": "kort_etiket", "type": "nominal"}},
    }


def _frame_layer() -> dict[str, Any]:
    return {"data": {"values": [], "format": {"type": "json"}},
            "mark": {"type": "geoshape", "filled": False, "stroke": "#8c8c8c", "strokeWidth": 0.8}}


def with_geometry(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a bound map spec with the placeholders (empty lists) filled with the committed geometry."""
    filled = copy.deepcopy(dict(spec))
    filled["transform"][0]["from"]["data"]["values"] = topology()
    for layer in filled["layer"]:
        if "data" in layer:
            layer["data"]["values"] = [bornholm_frame()]
    return filled
