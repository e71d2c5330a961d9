"""Chart binding: the one function that joins a chart's rows to its Vega-Lite spec.

The bound spec (rows inlined, shared theme, validated by Altair) is what the browser draws and
what the PDF renders to SVG, so the two cannot drift.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from katalog.charts import geo, verdicts
from katalog.charts.sandbox import QueryError, Sandbox
from katalog.content.models import TOTAL_OPTIONS
from katalog.disclosure import HIDDEN, Suppressed, mark_hidden

if TYPE_CHECKING:
    from katalog.content.models import Chart, Param

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched
PDF_WIDTH = 520

# One theme for browser and PDF: Danish number format, a colour-blind-safe palette, DejaVu text.
THEME: dict[str, Any] = {
    "font": "DejaVu Sans, Verdana, sans-serif",
    "locale": {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."], "percent": "\u00a0%"},
    },
    "range": {
        "category": ["#1f5f8b", "#e07b39", "#3f9b6b", "#c44e52", "#8172b3",
                     "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"],
    },
    # labelSeparation: tick labels closer than 4 px are thinned out (at the PDF's width "90 % 100 %" touched)
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6", "labelSeparation": 4},
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 320},  # Vega-Lite cuts at 160 px
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
    _validate_kept({**spec, "data": {"values": []}})


def _validate_kept(spec: dict[str, Any]) -> None:
    """The schema's verdict, from katalog.charts.verdicts when this spec was checked before (by `katalog build` or
    another process), so loading the catalogue need not import Altair; else validated now and kept."""
    digest = verdicts.key(json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str))
    kept = verdicts.get(digest)
    if kept is not None:
        if kept:
            raise SpecError(kept)
        return
    try:
        _validate(spec)
    except SpecError as error:
        verdicts.put(digest, str(error))
        raise
    verdicts.put(digest, "")


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
    import altair as alt  # here, not at the top: a catalogue whose verdicts are kept never needs it
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


# Why a view has nothing to draw (BoundChart.empty_kind).
EMPTY_NO_ROWS = "no_rows"  # the query returned no rows for the choice
EMPTY_ZERO = "zero"  # every value is 0 (or a rate over 0 persons)
EMPTY_ZERO_OR_HIDDEN = "zero_or_hidden"  # the values shown are 0 and the rest is hidden
EMPTY_ALL_HIDDEN = "all_hidden"  # disclosure control hid every value
MOSTLY_HIDDEN_SHARE = 0.5


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

    @property
    def labelled_table(self) -> pd.DataFrame:
        """The rows as a member reads them, with Danish column headings and units (shares in per cent)."""
        return self._labelled(grouping=True)

    def csv(self) -> bytes:
        # Semicolon and decimal comma: what Danish spreadsheets open as numbers; headings as in the table.
        return self._labelled(grouping=False).to_csv(index=False, sep=";").encode("utf-8-sig")

    def _labelled(self, *, grouping: bool) -> pd.DataFrame:
        shown = [c for c in self.rows.data.columns if c not in _sort_helpers(self.chart)]
        columns = column_labels(self.chart, shown)
        rows = self.rows
        percent = [c for c in columns.values() if c.percent]
        if percent:
            data = rows.data.copy()
            for column in percent:
                data[column.name] = data[column.name] * 100
            rows = dataclasses.replace(rows, data=data)
        table = rows.for_display(grouping=grouping)[shown]
        return table.rename(columns={name: column.label for name, column in columns.items()})

    @property
    def measures(self) -> list[str]:
        """The query columns the chart draws as quantities: the quantitative x/y fields that are counts or
        built on counts; where the spec computes its own (a transform), every derived column, else every count."""
        columns = set(self.rows.data.columns)
        known = set(self.chart.counts) | set(self.chart.derived)
        encoded = [f for f in dict.fromkeys(_quantity_fields(self.chart.spec)) if f in columns and f in known]
        if encoded:
            return encoded
        return [c for c in (list(self.chart.derived) or list(self.chart.counts)) if c in columns]

    @property
    def empty_kind(self) -> str | None:
        """Why the view has nothing to draw (EMPTY_*), or None when it shows at least one value above 0.

        A hidden value is never read as 0: a hidden cell may hold anything, so a view of zeros and hidden
        cells is "zeros or hidden", not "no patients"."""
        data = self.rows.data
        if data.empty:
            return EMPTY_NO_ROWS
        measures = self.measures
        if not measures:
            return None
        values = data[measures]
        if (values.notna() & values.fillna(0).ne(0)).to_numpy().any():
            return None
        hidden = self.rows.status.reindex(columns=measures, fill_value="").eq(HIDDEN).to_numpy()
        if hidden.all():
            return EMPTY_ALL_HIDDEN
        return EMPTY_ZERO_OR_HIDDEN if hidden.any() else EMPTY_ZERO

    @property
    def mostly_hidden(self) -> bool:
        """Most of the view's counts are hidden: what is drawn is a small, perhaps misleading part."""
        return self.empty_kind is None and self.rows.cells > 0 and self.rows.share >= MOSTLY_HIDDEN_SHARE

    @property
    def suppression_note(self) -> str | None:
        """What disclosure control hid in this view, with the share: how fine a breakdown can be published
        is a question for the working group."""
        rows = self.rows
        if not rows.hidden:
            return None
        share = _percent(rows.share)
        hidden = "1 værdi" if rows.hidden == 1 else f"{rows.hidden} værdier"
        reason = "den er et antal på 1–4 eller ville afsløre et; den tegnes" if rows.hidden == 1 else (
            "de er antal på 1–4 eller ville afsløre et; skjulte værdier tegnes")
        return f"Diskretionering: {hidden} af {rows.cells} ({share}) er skjult («{HIDDEN}»), fordi {reason} ikke."


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
    tidy_axes(spec, chart)
    spec["$schema"] = VEGA_LITE_SCHEMA
    spec["config"] = {**THEME, **spec.get("config", {})}
    if chart.map:
        spec = _on_map(spec, chart, marked)
    spec["data"] = {"values": []}
    try:
        _validate_once(json.dumps(spec, sort_keys=True, ensure_ascii=False))
    except SpecError as error:
        raise ChartError(str(error)) from error
    if chart.map:
        spec = geo.with_geometry(spec)  # after validation: the schema need not walk the boundaries
    spec["data"] = {"values": json.loads(marked.data.to_json(orient="records", force_ascii=False))}
    return BoundChart(chart=chart, params=params, spec=spec, rows=marked)


def _on_map(spec: dict[str, Any], chart: Chart, rows: Suppressed) -> dict[str, Any]:
    """A map chart's spec drawn on the committed boundaries (katalog.charts.geo): rows matched by kommune or region
    name, hidden values grey as «skjult», the box around Bornholm where it is drawn."""
    level = geo.LEVELS[chart.map]
    data = rows.data
    try:
        geo.check_rows(data, chart.map)
        colour = spec.get("encoding", {}).get("color", {})
        field = colour.get("field") if isinstance(colour, Mapping) else None
        hidden = bool(field in data.columns and data[field].isna().any())
        frame = level.frame_area in set(data[level.column].astype(str))
        return geo.map_spec(spec, chart.map, measures=set(chart.counts) | set(chart.derived), hidden=hidden,
                            frame=frame)
    except geo.MapError as error:
        raise ChartError(str(error)) from error


@functools.lru_cache(maxsize=1024)
def _validate_once(spec_json: str) -> None:
    """Validate a bound spec's structure once per distinct spec (its rows are left out: they are the query's
    own values, which the schema takes as anything). A failure is not cached, so it is reported every time."""
    _validate(json.loads(spec_json))


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
    return spec_to_svg(pdf_spec(bound, width))


def pdf_spec(bound: BoundChart, width: int = PDF_WIDTH) -> dict[str, Any]:
    """The bound spec as the PDF draws it (a copy): `width` wide unless it sets its own or is composed."""
    spec = copy.deepcopy(bound.spec)
    if "width" not in spec and not any(k in spec for k in ("hconcat", "vconcat", "concat", "facet")):
        spec["width"] = width
    return spec


def spec_to_svg(spec: Mapping[str, Any]) -> str:
    """A spec with its rows as static SVG; nothing is fetched. vl-convert releases the GIL while it draws, so
    several charts can be drawn at once from threads."""
    import vl_convert

    return vl_convert.vegalite_to_svg(dict(spec), allowed_base_urls=[])


def spec_to_png(spec: Mapping[str, Any], scale: float = 2.0) -> bytes:
    """A spec with its rows as PNG, `scale` pixels per CSS pixel (2: about 150 dpi at the PDF's width)."""
    import vl_convert

    return vl_convert.vegalite_to_png(dict(spec), scale=scale, allowed_base_urls=[])


def _native(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _percent(share: float) -> str:
    """A share as Danish per cent: "17 %", "under 1 %"."""
    return f"{round(share * 100)} %" if share >= 0.01 or share == 0 else "under 1 %"


# ---------------------------------------------------------------------------------------------------------------
# Axes a member can read: whole ticks for whole numbers, titles that fit.

_QUANTITY_CHANNELS = ("x", "y", "theta", "radius")
_WHOLE_FORMAT = re.compile(r"^,?(\.0f|d|\.0~f)$")
_PERCENT_FORMAT = re.compile(r"^,?\.(\d)%$")
_TITLE_CHAR_PX = 7.0  # a 12 px bold axis title: about 7 px per character
_DEFAULT_PLOT_HEIGHT = 300  # Vega-Lite's height for a continuous y axis


def _encodings(node: Any):
    """Every `encoding` mapping in a spec: the top level, layers, concatenations and facets."""
    if isinstance(node, Mapping):
        encoding = node.get("encoding")
        if isinstance(encoding, Mapping):
            yield node, encoding
        for key in ("layer", "concat", "hconcat", "vconcat"):
            for child in node.get(key) or []:
                yield from _encodings(child)
        if isinstance(node.get("spec"), Mapping):
            yield from _encodings(node["spec"])


def _quantity_fields(spec: Mapping[str, Any]) -> list[str]:
    return [channel["field"] for _, encoding in _encodings(spec) for name in _QUANTITY_CHANNELS
            if isinstance(channel := encoding.get(name), Mapping) and channel.get("type") == "quantitative"
            and isinstance(channel.get("field"), str)]


def tidy_axes(spec: dict[str, Any], chart: Chart) -> None:
    """Ticks no finer than the numbers they label, and y titles wrapped to the axis they stand beside.

    Counts and axes formatted without decimals get whole ticks (otherwise Vega labels 0.5 steps as
    "0 1 1 2 2 3"); per-cent axes get whole per cents. Vega-Lite cuts an axis title at the axis's length,
    so a long y title is split into lines that fit the plot's estimated height."""
    counts = set(chart.counts)
    height = spec.get("height")
    for view, encoding in _encodings(spec):
        _describe_guides(encoding)
        for name in ("x", "y"):
            channel = encoding.get(name)
            if not isinstance(channel, dict) or channel.get("type") != "quantitative" or channel.get("axis") is None \
                    and "axis" in channel:
                continue
            axis = channel.setdefault("axis", {})
            fmt = axis.get("format")
            whole = (channel.get("field") in counts and channel.get("aggregate") in (None, "sum")
                     or channel.get("aggregate") in ("count", "distinct"))
            if isinstance(fmt, str) and _WHOLE_FORMAT.match(fmt):
                axis.setdefault("tickMinStep", 1)
            elif isinstance(fmt, str) and (match := _PERCENT_FORMAT.match(fmt)):
                axis.setdefault("tickMinStep", 10 ** -(int(match.group(1)) + 2))
            elif whole and fmt is None:
                axis.setdefault("tickMinStep", 1)
                axis["format"] = ",d"
            if name == "y":
                title = channel.get("title", axis.get("title"))
                if isinstance(title, str):
                    lines = wrap_title(title, _plot_height(view.get("height", height), spec))
                    if len(lines) > 1:
                        channel["title"] = lines
                        axis.pop("title", None)


_LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "size", "opacity", "strokeDash")


def _describe_guides(encoding: Mapping[str, Any]) -> None:
    """Danish descriptions for screen readers: Vega otherwise describes each axis and legend in English
    ("X-axis titled ... for a linear scale with values from 0 to 90")."""
    for name, kind in (("x", "Vandret akse"), ("y", "Lodret akse")):
        channel = encoding.get(name)
        if isinstance(channel, dict) and channel.get("axis", {}) is not None and channel.get("field"):
            title = channel.get("title", channel["field"])
            title = " ".join(title) if isinstance(title, list) else title
            channel.setdefault("axis", {}).setdefault("description", f"{kind}: {title}" if title else kind)
    for name in _LEGEND_CHANNELS:
        channel = encoding.get(name)
        if isinstance(channel, dict) and channel.get("legend", {}) is not None and channel.get("field"):
            title = channel.get("title", channel["field"])
            title = " ".join(title) if isinstance(title, list) else title
            channel.setdefault("legend", {}).setdefault(
                "description", f"Signaturforklaring: {title}" if title else "Signaturforklaring")


def _plot_height(height: Any, spec: Mapping[str, Any]) -> float:
    """The plot's height once the x axis and a legend below it have taken their share of the chart's height
    (the browser fits the whole chart, legend included, into the spec's height)."""
    total = height if isinstance(height, int | float) else _DEFAULT_PLOT_HEIGHT
    legend_below = '"orient": "bottom"' in json.dumps(spec)
    return max(80.0, total - 45 - (60 if legend_below else 0))


def wrap_title(title: str, length_px: float) -> list[str]:
    """A title as lines of whole words, each short enough for `length_px`."""
    width = max(12, int(length_px / _TITLE_CHAR_PX))
    if len(title) <= width:
        return [title]
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Column headings for the table view and the CSV: Danish, with units.

@dataclass(frozen=True)
class ColumnLabel:
    name: str
    label: str
    percent: bool = False  # a share (0–1) the table shows in per cent, as the chart does


# Known columns of the mock tables, for columns a spec does not title.
KNOWN_COLUMNS: dict[str, str] = {
    "aar": "År",
    "koen": "Køn",
    "køn": "Køn",
    "aldersgruppe": "Aldersgruppe",
    "region": "Region",
    "kommune": "Kommune",
    "omraade": "Område",
    "niveau": "Niveau",
    "diagnose": "Diagnose",
    "indikator": "Indikator",
    "ydernummer": "Ydernummer",
    "klynge": "Kvalitetsklynge",
    "praksis": "Praksis",
    "patienter": "Patienter",
    "nye_patienter": "Nye patienter",
    "befolkning": "Befolkning",
    "kontakter": "Kontakter",
    "opfyldt": "Opfylder indikatoren",
    "standard": "Standard",
    "andel": "Andel",
    "pr_1000_indbyggere": "Patienter pr. 1.000 indbyggere",
    "doede": "Døde",
    "plejehjemsbeboere": "Plejehjemsbeboere",
}
_UNIT_WORDS = ("antal", "pr.", "kr", "andel", "%", "år", "rate")


def column_labels(chart: Chart, columns: Sequence[str]) -> dict[str, ColumnLabel]:
    """A Danish heading with its unit for each column: the spec's title for the field where it has one (an axis
    title before a tooltip's), else a known column's name, else the column name made readable."""
    titles: dict[str, str] = {}
    formats: dict[str, str] = {}
    for _, encoding in _encodings(chart.spec):
        for name, channel in encoding.items():
            for entry in channel if isinstance(channel, list) else [channel]:
                if not isinstance(entry, Mapping) or not isinstance(entry.get("field"), str):
                    continue
                field = entry["field"]
                title = entry.get("title")
                if isinstance(title, list):
                    title = " ".join(str(t) for t in title)
                if isinstance(title, str) and title and (field not in titles or name != "tooltip"
                                                         and len(title) > len(titles[field])):
                    titles[field] = title
                fmt = entry.get("format") or (entry.get("axis") or {}).get("format")
                if isinstance(fmt, str):
                    formats.setdefault(field, fmt)
    labels: dict[str, ColumnLabel] = {}
    for column in columns:
        label = titles.get(column) or KNOWN_COLUMNS.get(column) or _readable(column)
        percent = column in chart.derived and "%" in formats.get(column, "")
        lowered = label.lower()
        if percent:
            label = f"{label} (%)"
        elif column in chart.counts and not any(word in lowered for word in _UNIT_WORDS):
            label = f"{label} (antal)"
        elif "kr" in column.split("_") and "kr" not in lowered:
            label = f"{label} (kr.)"
        labels[column] = ColumnLabel(column, label, percent)
    _unique_labels(labels)
    return labels


_WORDS = {"pr": "pr.", "kr": "kr.", "nr": "(nr.)", "aar": "år", "koen": "køn", "omraade": "område",
          "doede": "døde", "foerste": "første", "loebende": "løbende", "forloeb": "forløb"}


def _sort_helpers(chart: Chart) -> set[str]:
    """Dimension columns that only order the marks (`type_nr`): no channel but `order` shows them."""
    drawn = {entry["field"] for _, encoding in _encodings(chart.spec) for name, channel in encoding.items()
             if name != "order" for entry in (channel if isinstance(channel, list) else [channel])
             if isinstance(entry, Mapping) and isinstance(entry.get("field"), str)}
    return {c for c in chart.dimensions if c not in drawn}


def _readable(column: str) -> str:
    """A column name as words: `ydelser_kr_pr_patient` -> "Ydelser kr. pr. patient", `pr_1000` -> "pr. 1.000"."""
    words = [f"{int(w):,}".replace(",", ".") if w.isdigit() else _WORDS.get(w, w) for w in column.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _unique_labels(labels: dict[str, ColumnLabel]) -> None:
    seen: dict[str, int] = {}
    for column in labels.values():
        seen[column.label] = seen.get(column.label, 0) + 1
    for name, column in list(labels.items()):
        if seen[column.label] > 1:
            labels[name] = dataclasses.replace(column, label=f"{column.label} ({name})")


# ---------------------------------------------------------------------------------------------------------------
# An empty view says what is missing and why.

# Facts about a disease that explain an empty combination; each key is the set of choices it needs.
KNOWN_EMPTY_REASONS: dict[frozenset[str], str] = {
    frozenset({"KOL", "0-17"}): "KOL diagnosticeres ikke hos børn.",
    frozenset({"hjertesvigt", "0-17"}): "Hjertesvigt diagnosticeres næsten aldrig hos børn.",
    frozenset({"atrieflimren", "0-17"}): "Atrieflimren diagnosticeres næsten aldrig hos børn.",
}


def broad_option(param: Param, options: Sequence[Any]) -> Any:
    """The widest choice of a parameter: its total (Alle, Hele landet) where it has one, else its default."""
    return next((o for o in options if str(o) in TOTAL_OPTIONS), param.default)


def empty_message(bound: BoundChart, options_by_name: Mapping[str, Sequence[Any]],
                  rebind: Callable[[dict[str, Any]], BoundChart]) -> str:
    """What is missing from an empty view and why, in Danish; `rebind` binds the chart with other choices
    (to find the choices that empty it)."""
    kind = bound.empty_kind
    chart = bound.chart
    labels = {p.name: p.label for p in chart.params}
    chosen = {str(v) for v in bound.params.values()}
    reason = next((text for values, text in KNOWN_EMPTY_REASONS.items() if values <= chosen), "")
    if kind == EMPTY_ALL_HIDDEN:
        hint = _broader_hint(bound, options_by_name)
        drawn = bound.rows.data[bound.measures].size
        count = "Den ene værdi, figuren skulle vise," if drawn == 1 else f"Alle {drawn} værdier, figuren skulle vise,"
        return (f"{count} er skjult af diskretionering: de er antal på 1–4, bygger på dem eller ville afsløre et. "
                f"{hint}").strip()
    culprits = set(_culprits(bound, options_by_name, rebind))
    reason_values = next((values for values in KNOWN_EMPTY_REASONS if values <= chosen), frozenset())
    culprits |= {name for name, value in bound.params.items() if str(value) in reason_values}
    culprits = [p.name for p in chart.params if p.name in culprits]
    where = " sammen med ".join(f"{labels[name]} «{bound.params[name]}»" for name in culprits)
    where = f"for {where}" if where else "for dette valg"
    if kind == EMPTY_NO_ROWS:
        text = f"Ingen data {where}: opgørelsen har ingen rækker for det valg."
    elif kind == EMPTY_ZERO:
        text = f"Ingen tal at vise {where}: alle antal er 0."
    else:
        hidden = bound.rows.hidden
        text = (f"Intet at vise {where}: de viste antal er 0, og de øvrige ({hidden} af {bound.rows.cells}) er "
                "skjult af diskretionering.")
    if reason:
        text += f" {reason}"
    elif culprits:
        text += f" Vælg en anden {labels[culprits[-1]].lower()}."
    return text


def _culprits(bound: BoundChart, options_by_name: Mapping[str, Sequence[Any]],
              rebind: Callable[[dict[str, Any]], BoundChart]) -> list[str]:
    """The parameters whose choice empties the view: set to their widest choice, the view has something to show."""
    found = []
    for param in bound.chart.params:
        options = options_by_name.get(param.name, [])
        broad = broad_option(param, options)
        if bound.params[param.name] == broad or broad not in options:
            continue
        try:
            other = rebind({**bound.params, param.name: broad})
        except ChartError:
            continue
        if other.empty_kind is None:
            found.append(param.name)
    return found


def _broader_hint(bound: BoundChart, options_by_name: Mapping[str, Sequence[Any]]) -> str:
    wider = [f"«{broad}» for {p.label}" for p in bound.chart.params
             if (broad := broad_option(p, options_by_name.get(p.name, []))) != bound.params[p.name]
             and str(broad) in TOTAL_OPTIONS]
    return f"Vælg en bredere gruppe, fx {' eller '.join(wider[:2])}." if wider else "Vælg en bredere gruppe."


def mostly_hidden_message(bound: BoundChart, options_by_name: Mapping[str, Sequence[Any]]) -> str:
    rows = bound.rows
    return (f"De fleste værdier er skjult af diskretionering ({rows.hidden} af {rows.cells}, {_percent(rows.share)}), "
            f"så figuren viser kun en lille del af billedet. {_broader_hint(bound, options_by_name)}")


# ---------------------------------------------------------------------------------------------------------------
# A view in a URL: every chart's parameters, so a link shows a colleague the same view.

def view_key(chart_id: str, param_name: str) -> str:
    """The query-string key of one chart parameter: `<chart id>.<parameter>`, e.g. `forekomst_kommune.aar`."""
    return f"{chart_id}.{param_name}"


def is_view_key(key: str) -> bool:
    return "." in key


def view_to_query(charts: Sequence[Chart], views: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The query-string entries of the chosen views: only values that differ from the parameter's default, so a
    link stays short and a view left at its defaults adds nothing."""
    query = {}
    for chart in charts:
        chosen = views.get(chart.id, {})
        for param in chart.params:
            if param.name in chosen and str(chosen[param.name]) != str(param.default):
                query[view_key(chart.id, param.name)] = str(chosen[param.name])
    return query


def view_from_query(charts: Sequence[Chart], query: Mapping[str, str],
                    options: Callable[[Chart, Param], Sequence[Any]]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each chart's parameter values from a query string (defaults where it says nothing) and a Danish note for
    every entry that was ignored: an unknown chart or parameter, or a value that is not one of the choices."""
    by_key = {view_key(c.id, p.name): (c, p) for c in charts for p in c.params}
    views: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for chart in charts:
        values = {}
        for param in chart.params:
            choices = list(options(chart, param))
            default = param.default if param.default in choices else (choices[0] if choices else param.default)
            raw = query.get(view_key(chart.id, param.name))
            if raw is None:
                values[param.name] = default
                continue
            match = next((c for c in choices if str(c) == str(raw)), None)
            if match is None:
                notes.append(f"Linket angiver «{raw}» for {param.label} i figuren «{chart.title}», men det er ikke et "
                             f"af valgene; figuren viser «{default}» i stedet.")
                values[param.name] = default
            else:
                values[param.name] = match
        views[chart.id] = values
    for key in query:
        if is_view_key(key) and key not in by_key:
            notes.append(f"Linket har en indstilling, som ikke findes i denne use-case («{key}»); "
                         "den er sprunget over.")
    return views, notes
