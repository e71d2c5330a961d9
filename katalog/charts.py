"""Chart binding: the one function that joins a chart's rows to its Vega-Lite spec.

The bound spec (rows inlined, shared theme, validated by Altair) is what the browser draws and
what the PDF renders to SVG, so the two cannot drift.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

from katalog.disclosure import HIDDEN, Suppressed, mark_hidden
from katalog.sandbox import QueryError, Sandbox

if TYPE_CHECKING:
    from katalog.models import Chart, Param

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
PDF_WIDTH = 520

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
    """Validating against the Vega-Lite schema takes milliseconds, so each distinct spec pays once."""
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
    """One pass of the Vega-Lite JSON schema; on failure, what is wrong and where, in Danish.

    Altair's validator groups the schema's errors by the JSON path of the offending property and
    keeps the most specific ones (`_all_errors`, what `SchemaValidationError._errors` is built from);
    each group becomes one sentence naming the path (`encoding.x.type`) and what to write there.
    """
    import jsonschema

    try:
        alt.TopLevelSpec.validate(spec)
    except jsonschema.ValidationError as error:
        groups = getattr(error, "_all_errors", None) or {error.json_path: [error]}
        # The first group is the most specific place; the others are often the schema's other
        # branches (a mark that is not a boxplot), so one sentence says what to change.
        path, errors = next((path, errors) for path, errors in groups.items() if errors)
        if all(e.validator in {"const", "enum"} for e in errors) and errors[0].absolute_path:
            # Often only "is not 'boxplot'" and the like: the discriminators of the schema's branches.
            # Altair keeps the deepest path, which hides an unknown property on the object around it
            # (mark: {type: bar, farve: red}); look for that among all the schema's errors (not in
            # branches that did not expect this very property at all).
            root = error
            while root.parent is not None:
                root = root.parent
            *around, key = errors[0].absolute_path
            target = [*around, key]
            unknown = [leaf for leaf in _leaf_errors(root)
                       if leaf.validator == "additionalProperties" and list(leaf.absolute_path) == around
                       and isinstance(leaf.instance, Mapping) and key in leaf.schema.get("properties", {})
                       and not _branch_rejects(leaf, target)]
            if unknown:
                path, errors = unknown[0].json_path, unknown
        raise SpecError(f"Vega-Lite-specifikationen er ugyldig: {_schema_problem(path, errors)}.") from None


_JSON_TYPES = {"number": "et tal", "integer": "et heltal", "string": "en tekst", "boolean": "true eller false",
               "object": "en mapping", "array": "en liste", "null": "null"}


def _schema_problem(json_path: str, errors: list[Any]) -> str:
    """One group of jsonschema errors (same JSON path) as a short Danish sentence."""
    where = json_path.removeprefix("$").removeprefix(".") or "roden"
    by_kind: dict[str, list[Any]] = {}
    for error in errors:
        by_kind.setdefault(error.validator, []).append(error)
    instance = errors[0].instance

    def shown(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 40 else text[:37] + "…"

    if "required" in by_kind:
        missing = [name for error in by_kind["required"] for name in error.validator_value
                   if isinstance(error.instance, Mapping) and name not in error.instance]
        if where == "roden" and "mark" in missing:
            return "'mark' mangler (fx mark: bar), eller en sammensætning med 'layer', 'concat', 'facet' eller 'repeat'"
        name = "mark" if "mark" in missing else (missing or ["?"])[0]
        return f"'{name}' mangler i {where}"
    if "additionalProperties" in by_kind:
        unknown = min(([key for key in error.instance if key not in error.schema.get("properties", {})]
                       for error in by_kind["additionalProperties"] if isinstance(error.instance, Mapping)),
                      key=len, default=[])
        names = ", ".join(f"'{key}'" for key in unknown) or "?"
        return f"{where} har en ukendt egenskab {names}; ret stavningen eller fjern den"
    allowed = [shown(value) for error in by_kind.get("enum", []) for value in error.validator_value]
    allowed += [shown(error.validator_value) for error in by_kind.get("const", [])]
    kinds = [kind for error in by_kind.get("type", [])
             for kind in ([error.validator_value] if isinstance(error.validator_value, str) else error.validator_value)]
    if allowed and (not kinds or isinstance(instance, str) and "string" not in kinds):
        others = f" (eller {_some([_JSON_TYPES.get(kind, kind) for kind in kinds], ' eller ')})" if kinds else ""
        return f"{shown(instance)} er ikke en gyldig værdi for {where}; brug en af: {_some(allowed)}{others}"
    if kinds:
        # Where any text will do, the named choices are only examples; leave them out.
        choices = [_JSON_TYPES.get(kind, kind) for kind in kinds] + ([] if "string" in kinds else allowed)
        return f"{where} skal være {_some(choices, ' eller ')}, ikke {shown(instance)}"
    first = errors[0]
    if first.validator in {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}:
        word = {"minimum": "mindst", "exclusiveMinimum": "større end", "maximum": "højst",
                "exclusiveMaximum": "mindre end"}[first.validator]
        return f"{where} skal være {word} {first.validator_value}, ikke {shown(instance)}"
    if first.validator in {"minItems", "maxItems"}:
        word = "mindst" if first.validator == "minItems" else "højst"
        return f"{where} skal have {word} {first.validator_value} elementer"
    return f"{where} er ugyldig ({first.validator}: {shown(first.validator_value)})"


def _branch_rejects(leaf: Any, path: list[Any]) -> bool:
    """Whether the schema branch that gave `leaf` also has an error at `path`."""
    if leaf.parent is None or not leaf.relative_schema_path:
        return False
    branch = leaf.relative_schema_path[0]
    return any(list(other.absolute_path) == path
               for sibling in leaf.parent.context if list(sibling.relative_schema_path)[:1] == [branch]
               for other in _leaf_errors(sibling))


def _leaf_errors(error: Any):
    if error.context:
        for child in error.context:
            yield from _leaf_errors(child)
    else:
        yield error


def _some(values: list[str], separator: str = ", ") -> str:
    values = list(dict.fromkeys(values))
    return separator.join(values[:20] + (["…"] if len(values) > 20 else []))


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
        """What disclosure control hid in this view, with the share: how fine a breakdown can be published
        is a question for the working group."""
        rows = self.rows
        if not rows.hidden:
            return None
        share = f"{rows.share:.0%}" if rows.share >= 0.01 else "under 1 %"
        counted = "værdi" if rows.cells == 1 else "værdier"
        return (f"Diskretionering: {rows.hidden} af {rows.cells} {counted} ({share}) er skjult («{HIDDEN}»), fordi "
                "de er antal på 1–4 eller ville afsløre et; skjulte værdier tegnes ikke.")


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
    """Run the chart's SQL with its parameters on the protected tables and bind the rows to the spec."""
    try:
        sandbox = Sandbox(db_path)
    except QueryError as error:
        raise ChartError(str(error)) from error
    with sandbox:
        return _bind(chart, values, sandbox)


def _bind(chart: Chart, values: Mapping[str, Any], sandbox: Sandbox) -> BoundChart:
    options = {p.name: param_options(p, Path(), sandbox) for p in chart.params}  # each options query runs once
    params = resolve_params(chart, values, options)
    try:
        rows = sandbox.run(chart.sql, params)
    except QueryError as error:
        raise ChartError(str(error)) from error
    if sandbox.counts_read and not chart.counts:
        raise ChartError(f"Figuren læser antal ({', '.join(sandbox.counts_read)}), men angiver ingen "
                         "`counts`; uden dem kan figuren ikke vise, hvad der er skjult.")
    _check_columns(chart, rows)
    # The tables are protected at build time, for every view at once: hidden counts arrive as NULL.
    marked = mark_hidden(rows, chart.counts, chart.derived)
    spec = copy.deepcopy(chart.spec)
    try:
        check_spec(spec)
    except SpecError as error:
        raise ChartError(str(error)) from error
    spec["$schema"] = VEGA_LITE_SCHEMA
    spec["config"] = {**THEME, **spec.get("config", {})}
    spec["data"] = {"values": json.loads(marked.data.to_json(orient="records", force_ascii=False))}
    try:
        _validate(spec)
    except SpecError as error:
        raise ChartError(str(error)) from error
    return BoundChart(chart=chart, params=params, spec=spec, rows=marked)


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
