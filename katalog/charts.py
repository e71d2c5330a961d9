"""Chart binding: the one function that joins a chart's rows to its Vega-Lite spec.

The bound spec (rows inlined, shared theme, validated by Altair) is what the browser draws and
what the PDF renders to SVG, so the two cannot drift.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

from katalog.disclosure import Suppressed, suppress_small_counts
from katalog.sandbox import QueryError, Sandbox

if TYPE_CHECKING:
    from katalog.models import Chart, Param

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
PDF_WIDTH = 520
MAX_MARGIN_QUERIES = 64
_MARGIN_KEY = "__margin_"

# One theme for browser and PDF: Danish number format, a colour-blind-safe palette, DejaVu text.
THEME: dict[str, Any] = {
    "font": "DejaVu Sans, Verdana, sans-serif",
    "locale": {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."]},
    },
    "range": {
        "category": ["#1f5f8b", "#e07b39", "#3f9b6b", "#c44e52", "#8172b3",
                     "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"],
    },
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6"},
    "legend": {"labelFontSize": 11, "titleFontSize": 12},
    "title": {"fontSize": 14, "anchor": "start"},
    "view": {"stroke": None},
    "bar": {"color": "#1f5f8b"},
    "line": {"color": "#1f5f8b", "strokeWidth": 2},
    "point": {"color": "#1f5f8b"},
}

# Keys a spec from a use-case file may not contain anywhere: they load data or open links.
_FORBIDDEN_KEYS = {
    "url": "hente data fra en URL",
    "href": "lave links",
    "usermeta": "bære metadata",
    "data": "have egne data (data kommer fra figurens SQL og diskretioneres)",
    "datasets": "have egne data (data kommer fra figurens SQL og diskretioneres)",
}


class SpecError(ValueError):
    """A Vega-Lite spec that is unsafe or invalid; the message says what to change."""


class ChartError(Exception):
    """A chart that could not be drawn (query, parameters, columns or spec)."""


def check_spec(spec: Mapping[str, Any]) -> None:
    """Refuse specs that load data or link out, then validate against the Vega-Lite schema."""
    if not isinstance(spec, Mapping):
        raise SpecError("'spec' skal være en Vega-Lite-specifikation (en mapping).")
    error = _spec_error(json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str))
    if error:
        raise SpecError(error)


@functools.lru_cache(maxsize=512)
def _spec_error(spec_json: str) -> str | None:
    """The readable check is slow (Altair builds an object per node), so each distinct spec pays once."""
    spec = json.loads(spec_json)
    try:
        _check_spec(spec)
    except SpecError as error:
        return str(error)
    return None


def _check_spec(spec: dict[str, Any]) -> None:
    for path, key in _walk_keys(spec):
        if key in _FORBIDDEN_KEYS:
            raise SpecError(f"'spec' må ikke {_FORBIDDEN_KEYS[key]} ('{key}' i {path or 'roden'}).")
    _validate({**spec, "data": {"values": []}})


def _walk_keys(node: Any, path: str = ""):
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield path, key
            yield from _walk_keys(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_keys(value, f"{path}[{index}]")


def _validate(spec: dict[str, Any]) -> None:
    """One pass of the Vega-Lite JSON schema; on failure, Altair's readable explanation."""
    try:
        alt.TopLevelSpec.validate(spec)
    except Exception:  # jsonschema's error is unreadable; ask Altair to explain it
        try:
            alt.TopLevelSpec.from_dict(spec, validate=False).to_dict(validate=True)
        except Exception as error:  # altair raises SchemaValidationError, jsonschema errors and others
            first = str(error).strip().split("\n\n")[0]
            raise SpecError(f"Vega-Lite-specifikationen er ugyldig: {first}") from error
        raise SpecError("Vega-Lite-specifikationen er ugyldig.") from None


@dataclass(frozen=True)
class BoundChart:
    """A chart with its rows after suppression, ready for the browser, a table, a CSV or the PDF."""

    chart: Chart
    params: dict[str, Any]
    spec: dict[str, Any]
    rows: Suppressed

    @property
    def table(self) -> pd.DataFrame:
        return self.rows.for_display()

    def csv(self) -> bytes:
        # Semicolon and decimal comma: what Danish spreadsheets open as numbers.
        return self.rows.for_display(grouping=False).to_csv(index=False, sep=";").encode("utf-8-sig")

    @property
    def suppression_note(self) -> str | None:
        if not self.rows.hidden:
            return None
        parts = []
        if self.rows.primary:
            parts.append(f"{self.rows.primary} antal under 5 er vist som «<5»")
        if self.rows.secondary:
            parts.append(f"{self.rows.secondary} værdier er skjult («–») så de små tal ikke kan regnes ud")
        return "Diskretionering: " + " og ".join(parts) + "; skjulte værdier tegnes ikke."


def param_options(param: Param, db_path: Path, sandbox: Sandbox | None = None) -> list[Any]:
    """A parameter's choices: its literal list, or the first column of its options query."""
    if param.options is not None:
        return list(param.options)
    try:
        sql = param.options_sql or ""
        if sandbox is None:
            with Sandbox(db_path) as own:
                return _options_from(param, own, sql)
        return _options_from(param, sandbox, sql)
    except QueryError as error:
        raise ChartError(f"Valgmulighederne for '{param.label}' kunne ikke hentes: {error}") from error


def _options_from(param: Param, sandbox: Sandbox, sql: str) -> list[Any]:
    rows = sandbox.run(sql)
    if sandbox.counts_read:
        # A choice list is shown as it is, with no suppression, so it must not be built on counts.
        raise ChartError(f"Valgmulighederne for '{param.label}' må ikke bygge på antal "
                         f"({', '.join(sandbox.counts_read)}); vælg dem ud fra navne, år eller koder.")
    return [_native(v) for v in rows.iloc[:, 0].tolist()] if len(rows.columns) else []


def resolve_params(chart: Chart, values: Mapping[str, Any], options_by_name: Mapping[str, list[Any]]) -> dict[str, Any]:
    """The parameter values to use: the given ones where valid, else each parameter's default."""
    resolved = {}
    for param in chart.params:
        options = options_by_name[param.name]
        value = values.get(param.name, param.default)
        if value not in options:
            value = param.default
        if value not in options:
            raise ChartError(f"Standardværdien for '{param.label}' ({param.default!r}) findes ikke i data.")
        resolved[param.name] = value
    return resolved


def bind(chart: Chart, values: Mapping[str, Any], db_path: Path) -> BoundChart:
    """Run the chart's SQL with its parameters, suppress small counts, and bind rows to the spec."""
    try:
        sandbox = Sandbox(db_path)
    except QueryError as error:
        raise ChartError(str(error)) from error
    with sandbox:
        return _bind(chart, values, sandbox)


def _bind(chart: Chart, values: Mapping[str, Any], sandbox: Sandbox) -> BoundChart:
    options = {p.name: param_options(p, Path(), sandbox) for p in chart.params}  # each options query runs once
    params = resolve_params(chart, values, options)
    margins = [p for p in chart.params if p.margin]
    choices = list(itertools.product(*(options[p.name] for p in margins)))
    if len(choices) > MAX_MARGIN_QUERIES:
        raise ChartError(f"Figurens total-parametre giver {len(choices)} kombinationer; højst "
                         f"{MAX_MARGIN_QUERIES} kan diskretioneres samlet.")
    frames = []
    for choice in choices:
        # Every value of a margin parameter (e.g. Alle, Kvinder, Mænd) is queried and suppressed
        # together, so a hidden cell cannot be worked out by switching between them.
        these = {**params, **{p.name: v for p, v in zip(margins, choice, strict=True)}}
        try:
            rows = sandbox.run(chart.sql, these)
        except QueryError as error:
            raise ChartError(str(error)) from error
        if sandbox.counts_read and not chart.counts:
            raise ChartError(f"Figuren læser antal ({', '.join(sandbox.counts_read)}), men angiver ingen "
                             "`counts`; uden dem kan små tal ikke skjules.")
        _check_columns(chart, rows)
        frames.append(rows.assign(**{_MARGIN_KEY + p.name: str(these[p.name]) for p in margins}))
    cube = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    suppressed = suppress_small_counts(cube, chart.counts, chart.derived)
    if margins:
        chosen = pd.Series(True, index=cube.index)
        for p in margins:
            chosen &= cube[_MARGIN_KEY + p.name] == str(params[p.name])
        suppressed = suppressed.where(chosen, drop=[_MARGIN_KEY + p.name for p in margins])
    spec = copy.deepcopy(chart.spec)
    try:
        check_spec(spec)
    except SpecError as error:
        raise ChartError(str(error)) from error
    spec["$schema"] = VEGA_LITE_SCHEMA
    spec["config"] = {**THEME, **spec.get("config", {})}
    spec["data"] = {"values": json.loads(suppressed.data.to_json(orient="records", force_ascii=False))}
    try:
        _validate(spec)
    except SpecError as error:
        raise ChartError(str(error)) from error
    return BoundChart(chart=chart, params=params, spec=spec, rows=suppressed)


def _check_columns(chart: Chart, rows: pd.DataFrame) -> None:
    columns = list(rows.columns)
    declared = set(chart.counts) | set(chart.derived) | set(chart.dimensions)
    if missing := [c for c in declared if c not in columns]:
        raise ChartError(f"Forespørgslen returnerer ikke kolonnerne {sorted(missing)}, som figuren erklærer.")
    for column in columns:
        values = rows[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        # A number cast to text would slip past suppression (Vega-Lite plots it all the same).
        looks_numeric = not numeric and len(values.dropna()) > 0 and pd.to_numeric(
            values.dropna(), errors="coerce").notna().all()
        if (numeric or looks_numeric) and column not in declared:
            raise ChartError(
                f"Kolonnen '{column}' er et tal, men hverken i 'counts', 'derived' eller 'dimensions'; "
                "erklær den, så små tal kan diskretioneres."
            )


def to_svg(bound: BoundChart, width: int = PDF_WIDTH) -> str:
    """The same bound spec as static SVG, for the PDF."""
    import vl_convert

    spec = copy.deepcopy(bound.spec)
    if "width" not in spec and not any(k in spec for k in ("hconcat", "vconcat", "concat", "facet")):
        spec["width"] = width
    return vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])


def _native(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
