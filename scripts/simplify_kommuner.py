"""Regenerate mockdata/geo/kommuner.topojson, the kommune and region boundaries the maps draw (dev only).

The source is Geodatastyrelsen & Danske Kommuner's DAGI boundaries (311 polygons, 1.9 MB GeoJSON). This
script keeps the 98 kommuner (Christiansø, lau_1 411, is not a kommune), names them as the mock tables do
(mockdata/kommuner.csv), drops islands too small to see, moves Bornholm into a box in the Kattegat, north of Sjælland
as Danish maps do, merges the kommuner into the five regions and writes one quantised TopoJSON with a
topology-preserving simplification: neighbours share their borders, so simplifying leaves no gaps.

It needs `topojson` and `shapely`, which the app never imports; run it in a throwaway venv:

    python3 -m venv /tmp/geo && /tmp/geo/bin/pip install topojson==2.2 shapely==2.2.0
    /tmp/geo/bin/python scripts/simplify_kommuner.py /work/shared/geo/kommuner.geojson
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely
import topojson
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.ops import polylabel, unary_union

ROOT = Path(__file__).resolve().parent.parent
KOMMUNER_CSV = ROOT / "mockdata" / "kommuner.csv"
OUT = ROOT / "mockdata" / "geo" / "kommuner.topojson"

MIN_ISLAND = 5e-5  # square degrees (about 0.35 km²): smaller islands are under a pixel on the page
SIMPLIFY = 0.004  # degrees (about 250-450 m) of Douglas-Peucker on the shared arcs
QUANTIZE = 10_000  # grid cells across the extent (about 50 m)
BORNHOLM = "400"
BORNHOLM_AT = (12.35, 57.35)  # where Bornholm's centre goes: in the Kattegat, north of Sjælland
FRAME_MARGIN = 0.12  # degrees around Bornholm's box


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="kommuner.geojson (Geodatastyrelsen, WGS84)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    kommuner = read_kommuner(args.source)
    topology = build_topology(kommuner)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(topology, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(kommuner)} kommuner, {args.out.stat().st_size:,} bytes")


def read_kommuner(source: Path) -> dict[str, dict]:
    """Code -> {kommune, region, geometry}: the source's polygons of each kommune as one geometry."""
    names = {row["kode"]: row for row in csv.DictReader(KOMMUNER_CSV.open(encoding="utf-8"))}
    polygons: dict[str, list[Polygon]] = defaultdict(list)
    for feature in json.loads(source.read_text(encoding="utf-8"))["features"]:
        code = feature["properties"]["lau_1"]
        if code in names:  # leaves out Christiansø (411), which is not a kommune
            polygons[code].append(shapely.force_2d(shape(feature["geometry"])))
    missing = set(names) - set(polygons)
    if missing:
        raise SystemExit(f"no boundary for kommune codes {sorted(missing)}")
    kommuner = {}
    for code, parts in sorted(polygons.items()):
        geometry = without_small_islands(parts)
        if code == BORNHOLM:
            geometry = moved(geometry, BORNHOLM_AT)
        kommuner[code] = {"kommune": names[code]["kommune"], "region": names[code]["region"], "geometry": geometry}
    return kommuner


def without_small_islands(parts: list[Polygon]) -> Polygon | MultiPolygon:
    largest = max(parts, key=lambda p: p.area)
    kept = [p for p in parts if p is largest or p.area >= MIN_ISLAND]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def _mercator_y(lat):
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def _latitude(y):
    return np.degrees(2 * np.arctan(np.exp(np.radians(y))) - np.pi / 2)


def moved(geometry, centre: tuple[float, float]):
    """The geometry moved so its centre is at `centre`, shifted in Mercator space so the map's projection
    draws it with the same shape and size as in place."""
    west, south, east, north = geometry.bounds
    dx = centre[0] - (west + east) / 2
    dy = _mercator_y(centre[1]) - (_mercator_y(south) + _mercator_y(north)) / 2

    def shift(coords):
        return np.column_stack([coords[:, 0] + dx, _latitude(_mercator_y(coords[:, 1]) + dy)])

    return shapely.transform(geometry, shift)


def bornholm_frame(geometry) -> Polygon:
    """The box drawn around the moved Bornholm, so nobody reads it as an island in the Kattegat."""
    west, south, east, north = geometry.bounds
    return box(west - FRAME_MARGIN, south - FRAME_MARGIN * 0.6, east + FRAME_MARGIN, north + FRAME_MARGIN * 0.6)


def label_point(geometry) -> list[float]:
    """Where a region's value is written: inside its largest polygon, as far from the coast as can be (so
    Hovedstaden's label stands on Sjælland, not between Sjælland and the moved Bornholm)."""
    parts = getattr(geometry, "geoms", [geometry])
    point = polylabel(max(parts, key=lambda p: p.area), tolerance=0.01)
    return [round(point.x, 3), round(point.y, 3)]


def _feature(geometry, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def build_topology(kommuner: dict[str, dict]) -> dict:
    """One topology with three objects sharing arcs: kommuner, regioner (the kommuner merged) and the frame."""
    by_region: dict[str, list] = defaultdict(list)
    for row in kommuner.values():
        by_region[row["region"]].append(row["geometry"])
    layers = {
        "kommuner": [_feature(row["geometry"], kode=code, kommune=row["kommune"], region=row["region"])
                     for code, row in kommuner.items()],
        "regioner": [_feature(merged, region=region, etiket=label_point(merged))
                     for region, merged in sorted((r, unary_union(parts)) for r, parts in by_region.items())],
        "ramme": [_feature(bornholm_frame(kommuner[BORNHOLM]["geometry"]), navn="Bornholm")],
    }
    collections = [{"type": "FeatureCollection", "features": features} for features in layers.values()]
    topology = topojson.Topology(collections, object_name=list(layers), prequantize=QUANTIZE,
                                 toposimplify=SIMPLIFY, prevent_oversimplify=True)
    return compact(topology.to_dict())


def compact(topology: dict) -> dict:
    """Only what TopoJSON needs: the library keeps each feature's input coordinates and wraps every polygon
    as a list of polygons, so each object becomes a MultiPolygon of arcs with its properties."""
    for collection in topology["objects"].values():
        collection["geometries"] = [_arc_geometry(feature) for feature in collection["geometries"]]
    topology.pop("bbox", None)
    return topology


def _arc_geometry(feature: dict) -> dict:
    arcs = feature["arcs"]
    if not all(isinstance(ring, list) for polygon in arcs for ring in polygon):
        raise SystemExit(f"unexpected arcs for {feature['properties']}")
    properties = {key: value for key, value in feature["properties"].items() if not key.startswith("__")}
    return {"type": "MultiPolygon", "arcs": arcs, "properties": properties}


if __name__ == "__main__":
    main()
