"""The sandbox: views of one mock table built with widgets (or typed as SQL), run and suppressed exactly as charts are.

A view is built on the table's cube, not on its rows. Every protected table holds each total as a row of its own
('Alle' for sex and age, a 'Hele landet' and a 'Region' row per niveau, ...), and disclosure control has already
hidden small counts as NULL in every row. So a member chooses which dimensions to break down by, and every other
dimension is *held*: at its total row where the table has one, or at one value. Then each result row is one cell of
the cube, with exactly the value (or NULL) the table holds, and nothing is added up.

Only where a table has no total row for a dimension that splits persons into disjoint groups (the public
population table; practices summed to klynger, regions or kommuner) are rows added together, and then a hidden
value makes the aggregate hidden (NULL), never a sum of the values that happen to be shown.

The widgets' values reach SQL only as bound parameters (a list as a JSON array read with json_each); column and
table names come from the table's real column list and are checked against it; the few literals in the SQL (a
level's name, a total's label) come from the declarations below, never from a member. The generated SQL is shown,
so a member can carry it into the SQL box, which runs on the same sandbox with the same suppression.

Both paths end in a `katalog.content.models.Chart` bound by `katalog.charts._bind`: the very function that binds a
use-case's chart, so the sandbox marks hidden values, counts them and draws them as every chart does, and the
chart a member proposes as a use-case is the chart they saw.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
from pydantic import ValidationError

from katalog.charts import BoundChart, ChartError, _bind
from katalog.charts.sandbox import MAX_SECONDS, QueryError, Sandbox
from katalog.content.models import Chart, Param, sql_parameter_names
from katalog.mock import mockinfo

Scalar = str | int | float

GEOGRAPHY = "geografi"  # the area (land, region, kommune, klynge, praksis) as one dimension; no table has this column
COUNTRY = "Hele landet"
SUM = None  # a held value meaning "every value added up" (only for additive dimensions without a total row)
AGGREGATES = {"sum": ("SUM", "Sum"), "gennemsnit": ("AVG", "Gennemsnit"), "mindste": ("MIN", "Mindste"),
              "største": ("MAX", "Største")}
MAX_CHART_ROWS = 2_000  # more bars or points than this is no chart; the table still shows every row
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


class BuilderError(ValueError):
    """A view or query that cannot be shown; the message is Danish and says what to change."""


# --- declarations: each mock table's cube ------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A column a view can break down by or hold."""

    column: str
    label: str
    total: str | None = None  # the label of the table's total row ('Alle'), if it has one
    additive: bool = False  # without a total row: whether its values are disjoint groups that may be added up
    newest_first: bool = False  # choices from the latest (years)
    numeric_order: bool = False  # '5-9' before '10-14'
    within: str | None = None  # its choices depend on this dimension's held value (indicators within a diagnosis)


@dataclass(frozen=True)
class Level:
    """One level of the geography: its name (the `niveau` value where the table has one) and the columns that
    name an area at this level, coarse to fine."""

    name: str
    label: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Geography:
    levels: tuple[Level, ...]  # coarse to fine; the first is the whole country
    level_column: str | None = "niveau"  # a row per level; None: areas are sums of finer rows
    region_column: str = "region"

    def level(self, name: str | None) -> Level:
        for level in self.levels:
            if level.name == name:
                return level
        raise BuilderError(f"Niveauet «{name}» findes ikke; vælg et af: {', '.join(lv.name for lv in self.levels)}.")

    @property
    def region_level(self) -> Level:
        return self.levels[1]


@dataclass(frozen=True)
class Measure:
    column: str
    label: str
    kind: str = "antal"  # 'antal' (persons, contacts: may be added up), 'beløb' (kroner, too), 'rate' (not),
    # 'egenskab' (a property of a dimension's value, such as an indicator's standard: never hidden, never added)

    @property
    def additive(self) -> bool:
        return self.kind in ("antal", "beløb")


@dataclass(frozen=True)
class Ratio:
    """A measure computed in the query from two counts, hidden with either (a chart's `derived`)."""

    key: str
    label: str
    numerator: str
    denominator: str
    factor: int = 100


@dataclass(frozen=True)
class Cube:
    table: str
    dimensions: tuple[Dimension, ...]
    measures: tuple[Measure, ...]
    geography: Geography | None = None
    ratios: tuple[Ratio, ...] = ()
    ignored: tuple[str, ...] = ()  # columns that repeat others (omraade names the area at any level)
    sources: tuple[str, ...] = ("Almen praksis (nyt datagrundlag)",)  # the use-case `sources` a proposal starts with
    declared: bool = True

    def dimension(self, column: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.column == column:
                return dimension
        raise BuilderError(f"«{column}» er ikke en dimension i tabellen {self.table}.")

    @property
    def measure_keys(self) -> tuple[str, ...]:
        return tuple(m.column for m in self.measures) + tuple(r.key for r in self.ratios)

    def label(self, key: str) -> str:
        labels = {**COLUMN_LABELS, GEOGRAPHY: "Område", **{d.column: d.label for d in self.dimensions},
                  **{m.column: m.label for m in self.measures}, **{r.key: r.label for r in self.ratios}}
        return labels.get(key, key)

    @property
    def columns(self) -> set[str]:
        """Every real column the declaration names."""
        names = {d.column for d in self.dimensions} | {m.column for m in self.measures} | set(self.ignored)
        if self.geography:
            names |= {c for level in self.geography.levels for c in level.columns}
            names |= {self.geography.region_column}
            if self.geography.level_column:
                names.add(self.geography.level_column)
        return names


COLUMN_LABELS = {"region": "Region", "kommune": "Kommune", "omraade": "Område", "klynge": "Kvalitetsklynge",
                 "ydernummer": "Ydernummer", "niveau": "Niveau"}

_YEAR = Dimension("aar", "År", newest_first=True)
_DIAGNOSIS = Dimension("diagnose", "Diagnose")
_SEX = Dimension("koen", "Køn", total="Alle")
_AGE = Dimension("aldersgruppe", "Aldersgruppe", total="Alle", numeric_order=True)
_YES_NO = {"plejehjem": "Plejehjem", "kronikerhonorar": "Kronikerhonorar"}
_LAND = Level(COUNTRY, "Hele landet", ())
_REGIONS = Level("Region", "Regioner", ("region",))


def _kommune_geography(area: str = "kommune") -> Geography:
    return Geography((_LAND, _REGIONS, Level("Kommune", "Kommuner", ("region", area))))


_INDICATOR_MEASURES = (Measure("opfyldt", "Opfyldt"), Measure("patienter", "Patienter i nævneren"),
                       Measure("standard_pct", "Standard (%)", "egenskab"))
_INDICATOR_DIMENSIONS = (_YEAR, _DIAGNOSIS, Dimension("indikator", "Indikator", within="diagnose"))
_SHARE_MET = Ratio("andel_opfyldt_pct", "Andel opfyldt (%)", "opfyldt", "patienter")
_PATHWAY_MEASURES = tuple(
    Measure(f"{kind}_{suffix}", f"{what}: {when}")
    for kind, what in (("speciallaege", "Speciallæge"), ("sygehus", "Sygehus"))
    for suffix, when in (("30d", "inden for 30 dage"), ("90d", "inden for 90 dage"),
                         ("365d", "inden for 365 dage"), ("31_90d", "31–90 dage"), ("91_365d", "91–365 dage"),
                         ("ikke_365d", "ikke inden for 365 dage")))

CUBES: dict[str, Cube] = {cube.table: cube for cube in (
    Cube("befolkning",
         (_YEAR, Dimension("koen", "Køn", additive=True),
          Dimension("aldersgruppe", "Aldersgruppe", additive=True, numeric_order=True),
          Dimension("aldersgruppe5", "Aldersgruppe (5 år)", additive=True, numeric_order=True)),
         (Measure("befolkning", "Befolkning"),),
         Geography((_LAND, _REGIONS, Level("Kommune", "Kommuner", ("region", "kommune"))), level_column=None),
         sources=("CPR/befolkning",)),
    Cube("ap_patienter", (_YEAR, _DIAGNOSIS, _SEX, _AGE),
         (Measure("patienter", "Patienter"), Measure("nye_patienter", "Nye patienter"), Measure("doede", "Døde"),
          Measure("plejehjemsbeboere", "Plejehjemsbeboere"), Measure("befolkning", "Befolkning")),
         _kommune_geography(), (Ratio("pr_1000_indbyggere", "Patienter pr. 1.000 indbyggere", "patienter",
                                      "befolkning", 1000),),
         ignored=("omraade",), sources=("Almen praksis (nyt datagrundlag)", "CPR/befolkning")),
    Cube("ap_forekomst", (_YEAR, _DIAGNOSIS),
         (Measure("patienter", "Patienter"), Measure("befolkning", "Befolkning"),
          Measure("pr_1000", "Patienter pr. 1.000 indbyggere", "rate"),
          Measure("pr_1000_aldersstd", "Aldersstandardiseret pr. 1.000", "rate")),
         _kommune_geography("omraade"), sources=("Almen praksis (nyt datagrundlag)", "CPR/befolkning")),
    Cube("kvalitetsindikatorer", _INDICATOR_DIMENSIONS, _INDICATOR_MEASURES, _kommune_geography(), (_SHARE_MET,),
         ignored=("omraade",)),
    Cube("praksis_indikatorer", _INDICATOR_DIMENSIONS, _INDICATOR_MEASURES,
         Geography((_LAND, _REGIONS, Level("Klynge", "Kvalitetsklynger", ("region", "klynge")),
                    Level("Praksis", "Praksis", ("region", "klynge", "ydernummer")))),
         (_SHARE_MET,)),
    Cube("ap_aktivitet",
         (_YEAR, _DIAGNOSIS, _SEX, _AGE, *(Dimension(c, label, total="Alle") for c, label in _YES_NO.items())),
         (Measure("patienter", "Patienter"), Measure("konsultation", "Konsultationer"),
          Measure("telefon", "Telefonkonsultationer"), Measure("email", "E-mailkonsultationer"),
          Measure("video", "Videokonsultationer"), Measure("aarskontrol", "Årskontroller"),
          Measure("sygebesoeg", "Sygebesøg"), Measure("spirometri", "Spirometrier"),
          Measure("honorar_ydelser_kr", "Ydelseshonorar (kr.)", "beløb"),
          Measure("honorar_kronikerhonorar_kr", "Kronikerhonorar (kr.)", "beløb")),
         Geography((_LAND, _REGIONS)),
         (Ratio("konsultationer_pr_patient", "Konsultationer pr. patient", "konsultation", "patienter", 1),),
         sources=("Sygesikringsregisteret (SSR)",)),
    Cube("sygehus_aktivitet",
         (_YEAR, _DIAGNOSIS, _AGE, *(Dimension(c, label, total="Alle") for c, label in _YES_NO.items())),
         (Measure("patienter", "Patienter"), Measure("indlaeggelser", "Indlæggelser"),
          Measure("ambulante_besoeg", "Ambulante besøg"), Measure("speciallaege_besoeg", "Speciallægebesøg")),
         Geography((_LAND, _REGIONS)),
         (Ratio("indlaeggelser_pr_100_patienter", "Indlæggelser pr. 100 patienter", "indlaeggelser", "patienter"),),
         sources=("Landspatientregisteret (LPR)", "Speciallægepraksis")),
    Cube("sygehuskontakt", (_YEAR, _DIAGNOSIS, _AGE),
         (Measure("patienter", "Patienter"),
          Measure("patienter_sygehuskontakt", "Patienter med sygehuskontakt for diagnosen"),
          Measure("patienter_indlagt", "Patienter indlagt for diagnosen"),
          Measure("patienter_genindlagt_30d", "Patienter genindlagt inden for 30 dage")),
         Geography((_LAND, _REGIONS)),
         (Ratio("andel_sygehuskontakt_pct", "Andel med sygehuskontakt for diagnosen (%)", "patienter_sygehuskontakt",
                "patienter"),
          Ratio("andel_genindlagt_pct", "Andel af de indlagte genindlagt inden for 30 dage (%)",
                "patienter_genindlagt_30d", "patienter_indlagt")),
         sources=("Almen praksis (nyt datagrundlag)", "Landspatientregisteret (LPR)")),
    Cube("multimorbiditet",
         (_YEAR, _DIAGNOSIS, _SEX, _AGE,
          Dimension("antal_diagnoser", "Antal af de fem diagnoser", total="Alle", numeric_order=True)),
         (Measure("patienter", "Patienter"),),
         Geography((_LAND, _REGIONS)),
         sources=("Almen praksis (nyt datagrundlag)",)),
    Cube("forloeb", (_YEAR, _DIAGNOSIS, _SEX, _AGE),
         (Measure("nye_patienter", "Nye patienter"), *_PATHWAY_MEASURES),
         Geography((_LAND, _REGIONS)),
         (Ratio("andel_sygehus_365d_pct", "Andel med sygehuskontakt inden for 365 dage (%)", "sygehus_365d",
                "nye_patienter"),
          Ratio("andel_speciallaege_365d_pct", "Andel hos speciallæge inden for 365 dage (%)", "speciallaege_365d",
                "nye_patienter")),
         sources=("Almen praksis (nyt datagrundlag)", "Landspatientregisteret (LPR)", "Speciallægepraksis")),
    Cube("plejehjemsbeboere",
         (_YEAR, _SEX, Dimension("aldersgruppe5", "Aldersgruppe", total="65+", numeric_order=True)),
         (Measure("beboere", "Plejehjemsbeboere"), Measure("befolkning", "Befolkning")),
         _kommune_geography(), (Ratio("beboere_pr_100", "Beboere pr. 100 indbyggere", "beboere", "befolkning"),),
         ignored=("omraade",), sources=("Plejehjem", "CPR/befolkning")),
    Cube("osteoporose", (_YEAR, _SEX, _AGE),
         (Measure("patienter", "Patienter med osteoporose"),
          Measure("i_behandling", "Patienter i medicinsk behandling for osteoporose"),
          Measure("befolkning", "Befolkning")),
         _kommune_geography(),
         (Ratio("pr_1000_indbyggere", "Patienter med osteoporose pr. 1.000 indbyggere", "patienter", "befolkning",
                1000),
          Ratio("andel_i_behandling_pct", "Andel i medicinsk behandling (%)", "i_behandling", "patienter")),
         ignored=("omraade",), sources=("Almen praksis (nyt datagrundlag)", "CPR/befolkning")),
    Cube("praksis", (Dimension("kommune", "Kommune", additive=True),),
         (Measure("tilmeldte", "Tilmeldte patienter"),
          Measure("patienter_med_diagnoserne", "Patienter med de fem diagnoser")),
         Geography((_LAND, _REGIONS, Level("Klynge", "Kvalitetsklynger", ("region", "klynge")),
                    Level("Praksis", "Praksis", ("region", "klynge", "ydernummer"))), level_column=None),
         (Ratio("andel_med_diagnoserne_pct", "Andel med de fem diagnoser (%)", "patienter_med_diagnoserne",
                "tilmeldte"),),
         sources=("Almen praksis (nyt datagrundlag)", "Sygesikringsregisteret (SSR)")),
)}

# Numeric columns that name something rather than count it: a chart's `dimensions`, never marked as hidden.
NUMERIC_NAMES = frozenset({"aar", "ydernummer", "standard_pct"})
MEASURE_NAMES = frozenset({key for cube in CUBES.values() for key in cube.measure_keys} - NUMERIC_NAMES)


# --- the tables a member may explore ---------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """An aggregate mock table as the sandbox offers it: title, declaration, real columns and its cube."""

    name: str
    title: str
    declaration: str
    columns: tuple[str, ...]
    cube: Cube


def tables(db_path: Path) -> list[Table]:
    """The aggregate mock tables (never the person-level cohort), each with its cube; raises MockInfoError."""
    out = []
    for info in mockinfo.tables(db_path):
        if not info.is_aggregate:
            continue
        columns = tuple(c.name for c in info.columns)
        out.append(Table(info.name, info.title, info.declaration, columns, cube_for(info.name, info.columns,
                                                                                     db_path)))
    return out


def table(db_path: Path, name: str) -> Table:
    """One aggregate mock table by name; anything else (members, ballots, the cohort, ...) is refused."""
    for candidate in tables(db_path):
        if candidate.name == name:
            return candidate
    raise BuilderError(f"Tabellen «{name}» er ikke en af mock-tabellerne; sandkassen kan kun læse dem.")


def cube_for(table: str, columns: Sequence[mockinfo.Column], db_path: Path) -> Cube:
    """The declared cube where it matches the table's real columns, else one read off the table itself."""
    names = {c.name for c in columns}
    declared = CUBES.get(table)
    if declared is not None and declared.columns == names:
        return declared
    return _inferred_cube(table, columns, db_path)


def _inferred_cube(table: str, columns: Sequence[mockinfo.Column], db_path: Path) -> Cube:
    """A table nobody has declared: text columns (and a year) are dimensions, with 'Alle' or 'Hele landet' as their
    total where the table has such a row, and held at one value otherwise; the numbers are measures."""
    dimensions, measures = [], []
    _check_identifier(table, [table], table)
    with Sandbox(db_path) as sandbox:
        for column in columns:
            if not _IDENTIFIER.match(column.name):
                continue  # a name the builder would have to quote; the SQL box can still read it
            if column.type == "TEXT" or column.name in NUMERIC_NAMES:
                values = sandbox.run(f"SELECT DISTINCT {column.name} FROM {table} LIMIT 200").iloc[:, 0].tolist()
                total = next((t for t in ("Alle", COUNTRY) if t in values), None)
                dimensions.append(Dimension(column.name, COLUMN_LABELS.get(column.name, column.name), total=total,
                                            newest_first=column.name == "aar"))
            else:
                measures.append(Measure(column.name, column.name))
    return Cube(table, tuple(dimensions), tuple(measures), declared=False)


# --- a view and its query ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """What a member chose with the widgets."""

    table: str
    measures: tuple[str, ...]
    breakdown: tuple[str, ...] = ()  # dimension columns and/or GEOGRAPHY, in the order chosen
    held: Mapping[str, Scalar | None] = field(default_factory=dict)  # not broken down: the value (SUM: add up)
    only: Mapping[str, Sequence[Scalar]] = field(default_factory=dict)  # broken down: keep only these (empty: all)
    level: str | None = None  # GEOGRAPHY broken down: the level
    area: str = COUNTRY  # GEOGRAPHY held: the whole country or one region
    regions: Sequence[str] = ()  # GEOGRAPHY broken down: only these regions (empty: all)
    aggregate: str = "sum"  # how rows are combined where the table has no total row


@dataclass(frozen=True)
class Query:
    """The SQL of a view, its bound values and what the chart needs to know about its columns."""

    table: str
    sql: str
    values: dict[str, Scalar]
    columns: tuple[str, ...]  # output columns: dimensions (coarse to fine), then measures
    measures: tuple[str, ...]  # the measures the member chose, in their order
    dimensions: tuple[str, ...]  # the output columns a chart draws as categories (a level's finest column)
    counts: tuple[str, ...]
    derived: dict[str, list[str]]
    numeric_dimensions: tuple[str, ...]
    labels: dict[str, str]
    kinds: dict[str, str]  # measure column -> 'antal', 'beløb', 'rate', 'andel'
    merges: bool  # rows of the table are added together (a hidden one hides the aggregate)
    formulas: dict[str, str]  # ratio -> how it is computed, in Markdown
    held_text: str  # what is held, in Danish: "År: 2024 · Diagnose: diabetes · Køn: Alle"
    only_text: str  # what a breakdown is limited to, in Danish: "Region: Region Nordjylland"
    param_sources: dict[str, str]  # parameter -> SELECT giving its choices (for a proposed use-case's widgets)
    param_labels: dict[str, str]


def _check_identifier(name: str, columns: Iterable[str], table: str) -> str:
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or name not in set(columns):
        raise BuilderError(f"Kolonnen «{name}» findes ikke i tabellen {table}.")
    return name


def _literal(text: str) -> str:
    """A declared constant (a level's or a total's label, never a member's value) as an SQL string."""
    return "'" + text.replace("'", "''") + "'"


def _json_list(parameter: str) -> str:
    """A list bound as one parameter (a JSON array), read back with json_each."""
    return f"(SELECT value FROM json_each({parameter}))"


def _check_value(value: Any, label: str) -> Scalar:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BuilderError(f"Værdien for «{label}» skal være en tekst eller et tal.")
    return value


def _order_by(column: str, dimension: Dimension | None) -> str:
    if dimension is not None and dimension.numeric_order:
        return f"CAST({column} AS INTEGER), {column}"
    return column


def build_query(table: Table, view: View) -> Query:
    """The SQL for a view: every identifier checked against the table's columns, every value a bound parameter."""
    cube, real = table.cube, table.columns
    name = _checked_view(table, view)
    clauses = _Clauses()
    select, order, chart_dimensions = _grouped_columns(cube, view, real, name, clauses)
    _held_dimensions(cube, view, real, name, clauses)
    _held_area(cube, view, real, name, clauses)
    output = _output_measures(cube, view, real, name)
    items = _select_items(cube, select, output, clauses.merges, view.aggregate, real, name)
    sql = _statement(name, items, clauses.where, select, order, clauses.merges)
    return _described_query(cube, view, name, sql, clauses, select, output, chart_dimensions)


def _checked_view(table: Table, view: View) -> str:
    """Refuse a view that does not fit the table (its table, aggregate, breakdown, measures); the checked name."""
    cube, real = table.cube, table.columns
    if view.table != table.name:
        raise BuilderError(f"Visningen hører til tabellen {view.table}, ikke {table.name}.")
    name = _check_identifier(table.name, [table.name], table.name)
    if view.aggregate not in AGGREGATES:
        raise BuilderError(f"Sammenfatningen «{view.aggregate}» findes ikke; brug en af: {', '.join(AGGREGATES)}.")
    for key in view.breakdown:
        if key != GEOGRAPHY or cube.geography is None:
            _check_identifier(key, real, name)
            cube.dimension(key)
    if len(set(view.breakdown)) != len(view.breakdown):
        raise BuilderError("Den samme dimension er valgt to gange under «Opdel efter».")
    if not view.measures:
        raise BuilderError("Vælg mindst én værdi at vise.")
    return name


@dataclass
class _Clauses:
    """What a view's choices add to its query as it is built: WHERE conditions, bound values and their texts."""

    where: list[str] = field(default_factory=list)
    values: dict[str, Scalar] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # parameter -> SELECT giving its choices
    labels: dict[str, str] = field(default_factory=dict)  # parameter -> its label
    held_text: list[str] = field(default_factory=list)
    only_text: list[str] = field(default_factory=list)
    merges: bool = False  # rows of the table are added together

    def bind(self, param: str, value: Scalar, label: str, source: str | None) -> str:
        """Bind one value as a parameter; its placeholder."""
        self.values[param] = value
        self.labels[param] = label
        if source:
            self.sources[param] = source
        return f":{param}"

    def bind_list(self, param: str, chosen: Sequence[Scalar], label: str) -> str:
        """Bind a list of chosen values as one JSON array parameter; its placeholder."""
        self.only_text.append(f"{label}: {', '.join(str(v) for v in chosen)}")
        return self.bind(param, json.dumps([_check_value(v, label) for v in chosen], ensure_ascii=False),
                         f"{label} (valgt i sandkassen)", None)


def _grouped_columns(cube: Cube, view: View, real: Sequence[str], name: str,
                     clauses: _Clauses) -> tuple[list[str], list[str], list[str]]:
    """The broken-down columns (output dimension columns, ORDER BY terms, the chart's categories), each limited
    to its rows below the total: a level's rows, only some regions or values."""
    select: list[str] = []
    order: list[str] = []
    chart_dimensions: list[str] = []
    for key in view.breakdown:
        if key == GEOGRAPHY:
            level = _level_rows(cube.geography, view, real, name, clauses)
            select += [c for c in level.columns if c not in select]
            order += list(level.columns)
            if level.columns:
                chart_dimensions.append(level.columns[-1])
            continue
        dimension = cube.dimension(key)
        select.append(key)
        order.append(_order_by(key, dimension))
        chart_dimensions.append(key)
        if dimension.total is not None:
            clauses.where.append(f"{key} <> {_literal(dimension.total)}")
        if view.only.get(key):
            chosen = clauses.bind_list(f"{key}_valg", view.only[key], dimension.label)
            clauses.where.append(f"{key} IN {_json_list(chosen)}")
    return select, order, chart_dimensions


def _level_rows(geography: Geography, view: View, real: Sequence[str], name: str, clauses: _Clauses) -> Level:
    """The WHERE clause for the geography broken down: its level's rows (or finer rows merged), optionally only
    some regions; the level."""
    level = geography.level(view.level)
    for column in level.columns:
        _check_identifier(column, real, name)
    if geography.level_column:
        clauses.where.append(f"{_check_identifier(geography.level_column, real, name)} = {_literal(level.name)}")
    else:
        clauses.merges = True
    if view.regions and level.columns:
        region = _check_identifier(geography.region_column, real, name)
        clauses.where.append(f"{region} IN {_json_list(clauses.bind_list('regioner', view.regions, 'Regioner'))}")
    return level


def _held_dimensions(cube: Cube, view: View, real: Sequence[str], name: str, clauses: _Clauses) -> None:
    """The WHERE clause for held values: each dimension not broken down at one value, or (SUM) added up."""
    for dimension in cube.dimensions:
        if dimension.column in view.breakdown:
            continue
        column = _check_identifier(dimension.column, real, name)
        value = _held_value(dimension, view)
        if value is SUM:
            if not dimension.additive:
                raise BuilderError(f"«{dimension.label}» kan ikke lægges sammen: de samme personer tælles under "
                                   "flere værdier. Vælg én værdi, eller opdel efter den.")
            clauses.merges = True
            clauses.held_text.append(f"{dimension.label}: alle (lagt sammen)")
            continue
        _check_value(value, dimension.label)
        source = (f"SELECT DISTINCT {column} FROM {name} WHERE {column} IS NOT NULL ORDER BY "
                  f"{_order_by(column, dimension)}{' DESC' if dimension.newest_first else ''}")
        clauses.where.append(f"{column} = {clauses.bind(column, value, dimension.label, source)}")
        clauses.held_text.append(f"{dimension.label}: {value}")


def _held_value(dimension: Dimension, view: View) -> Scalar | None:
    """The value a dimension is held at: the member's choice, else its total row, else SUM where it may be added."""
    if dimension.column in view.held:
        return view.held[dimension.column]
    if dimension.total is not None:
        return dimension.total
    if dimension.additive:
        return SUM
    raise BuilderError(f"Vælg en værdi for «{dimension.label}» (tabellen har ingen total for den).")


def _held_area(cube: Cube, view: View, real: Sequence[str], name: str, clauses: _Clauses) -> None:
    """The WHERE clause for the geography held: the whole country's or one region's row (or their rows merged)."""
    if cube.geography is None or GEOGRAPHY in view.breakdown:
        return
    geography = cube.geography
    region = _check_identifier(geography.region_column, real, name)
    _check_value(view.area, "Område")
    regions_sql = (f"SELECT DISTINCT {region} FROM {name} WHERE {region} <> {_literal(COUNTRY)} ORDER BY 1")
    area_source = f"SELECT {_literal(COUNTRY)} UNION ALL SELECT * FROM ({regions_sql})"
    if geography.level_column:
        level_column = _check_identifier(geography.level_column, real, name)
        levels = ", ".join(_literal(level.name) for level in geography.levels[:2])
        area = clauses.bind("omraade", view.area, "Område", area_source)
        clauses.where.append(f"{level_column} IN ({levels}) AND {region} = {area}")
    else:
        clauses.merges = True
        if view.area != COUNTRY:
            clauses.where.append(f"{region} = {clauses.bind('omraade', view.area, 'Område', regions_sql)}")
    clauses.held_text.append(f"Område: {view.area}")


def _output_measures(cube: Cube, view: View, real: Sequence[str], name: str) -> list[str]:
    """The measure columns: the chosen ones, each ratio with the two counts it is computed from (hidden with
    either)."""
    measures = {m.column for m in cube.measures}
    ratios = {r.key: r for r in cube.ratios}
    output: list[str] = []
    for key in view.measures:
        if key in ratios:
            ratio = ratios[key]
            output += [c for c in (ratio.numerator, ratio.denominator) if c not in output]
        elif key not in measures:
            _check_identifier(key, real, name)
            raise BuilderError(f"«{key}» er ikke en værdi i tabellen {name}.")
        if key not in output:
            output.append(key)
    return output


def _select_items(cube: Cube, select: list[str], output: list[str], merges: bool, aggregate: str,
                  real: Sequence[str], name: str) -> list[str]:
    """The SELECT list: the dimension columns, then each measure as the table holds it (merged: combined, hidden
    where one row is hidden) and each ratio computed from its counts."""
    measures = {m.column: m for m in cube.measures}
    ratios = {r.key: r for r in cube.ratios}
    function, _ = AGGREGATES[aggregate]

    def expression(column: str) -> str:
        _check_identifier(column, real, name)
        if not merges:
            return column
        return f"CASE WHEN COUNT(*) = COUNT({column}) THEN {function}({column}) END"

    items = list(select)
    for key in output:
        if key in ratios:
            ratio = ratios[key]
            items.append(f"ROUND({ratio.factor}.0 * {expression(ratio.numerator)} / "
                         f"NULLIF({expression(ratio.denominator)}, 0), 1) AS {key}")
            continue
        measure = measures[key]
        if merges and not measure.additive:
            raise BuilderError(f"«{measure.label}» kan ikke lægges sammen over rækker. Opdel efter det, der lægges "
                               "sammen, eller vælg et antal.")
        items.append(f"{expression(key)} AS {key}" if merges else key)
    return items


def _statement(name: str, items: list[str], where: list[str], select: list[str], order: list[str],
               merges: bool) -> str:
    """The SQL text: SELECT, FROM, WHERE, GROUP BY (only where rows are merged) and ORDER BY."""
    sql = "SELECT " + ",\n       ".join(items) + f"\nFROM {name}"
    if where:
        sql += "\nWHERE " + "\n  AND ".join(where)
    if merges and select:
        sql += "\nGROUP BY " + ", ".join(select)
    if order:
        sql += "\nORDER BY " + ", ".join(order)
    return sql


def _described_query(cube: Cube, view: View, name: str, sql: str, clauses: _Clauses, select: list[str],
                     output: list[str], chart_dimensions: list[str]) -> Query:
    """The Query: the SQL with its values and what a chart needs to know of its columns (kinds, labels, counts,
    ratios and their formulas)."""
    measures = {m.column: m for m in cube.measures}
    ratios = {r.key: r for r in cube.ratios}
    kinds = {key: ("andel" if key in ratios else measures[key].kind) for key in output}
    labels = {c: cube.label(c) for c in (*select, *output)}
    if clauses.merges and view.aggregate != "sum":
        labels.update({c: f"{labels[c]} ({AGGREGATES[view.aggregate][1].lower()})" for c in output if c not in ratios})
    counts = tuple(k for k in output if kinds[k] in ("antal", "beløb", "rate"))
    derived = {r: [ratios[r].numerator, ratios[r].denominator] for r in output if r in ratios}
    numeric = tuple(k for k in (*select, *output) if k in NUMERIC_NAMES or kinds.get(k) == "egenskab")
    return Query(table=name, sql=sql, values=clauses.values, columns=(*select, *output),
                 measures=tuple(dict.fromkeys(view.measures)), dimensions=tuple(chart_dimensions),
                 counts=counts, derived=derived, numeric_dimensions=numeric,
                 labels=labels, kinds=kinds, merges=clauses.merges,
                 formulas={r: f"`{ratios[r].numerator}` / `{ratios[r].denominator}`"
                              + (f" × {ratios[r].factor:,}".replace(",", ".") if ratios[r].factor != 1 else "")
                           for r in derived},
                 held_text=" · ".join(clauses.held_text), only_text=" · ".join(clauses.only_text),
                 param_sources=clauses.sources, param_labels=clauses.labels)


def choices(db_path: Path, table: Table, key: str, within: Scalar | None = None) -> list[Scalar]:
    """The values a dimension can take (GEOGRAPHY: the regions), for the widgets; read through the sandbox."""
    cube = table.cube
    if key == GEOGRAPHY:
        region = _check_identifier(cube.geography.region_column, table.columns, table.name)
        sql = f"SELECT DISTINCT {region} FROM {table.name} WHERE {region} <> {_literal(COUNTRY)} ORDER BY 1"
        params: dict[str, Scalar] = {}
    else:
        dimension = cube.dimension(_check_identifier(key, table.columns, table.name))
        sql = f"SELECT DISTINCT {key} FROM {table.name} WHERE {key} IS NOT NULL"
        params = {}
        if dimension.within and within is not None:
            sql += f" AND {_check_identifier(dimension.within, table.columns, table.name)} = :within"
            params = {"within": within}
        sql += f" ORDER BY {_order_by(key, dimension)}{' DESC' if dimension.newest_first else ''}"
    with Sandbox(db_path) as sandbox:
        values = [v.item() if hasattr(v, "item") else v for v in sandbox.run(sql, params).iloc[:, 0].tolist()]
    if key != GEOGRAPHY and (total := cube.dimension(key).total) in values:
        values = [total, *[v for v in values if v != total]]
    return values


# --- running a view or a query: the charts' own binding ----------------------------------------------------


@dataclass(frozen=True)
class Exploration:
    """A view's rows after suppression, bound to a chart exactly as a use-case's chart is."""

    chart: Chart  # params: each bound value as a one-choice parameter
    bound: BoundChart
    labels: dict[str, str]
    plotted: str | None  # the measure the chart draws
    drawn: bool  # False: the result has no sensible chart (no rows, or too many); the table shows it all
    query: Query | None = None
    tables_read: tuple[str, ...] = ()  # the mock tables the SQL read (for a proposal's declaration)

    @property
    def sql(self) -> str:
        return self.chart.sql

    @property
    def values(self) -> dict[str, Scalar]:
        return {p.name: p.default for p in self.chart.params}


def explore(db_path: Path, query: Query, plotted: str | None = None, title: str | None = None, *,
            max_seconds: float = MAX_SECONDS) -> Exploration:
    """Run a built view on the sandbox and bind it as a chart (the same suppression and marking as every chart)."""
    drawable = [c for c in (*query.measures, *query.columns) if c in query.counts or c in query.derived]
    measure = plotted if plotted in drawable else next(iter(drawable), None)
    title = title or _title(query, measure)
    with _sandbox(db_path, max_seconds) as sandbox:
        rows = _run(sandbox, query.sql, query.values)
        spec, drawn = chart_spec(rows, list(query.dimensions), measure, query.labels, query.kinds)
        chart = _chart(title, query.sql, query.values, query.param_labels, query.counts, query.derived,
                       query.numeric_dimensions, spec, _alt(query, measure, spec))
        bound = _bound(chart, sandbox)
    return Exploration(chart, bound, query.labels, measure, drawn and len(bound.rows.data) > 0, query,
                       tables_read=(query.table,))


def explore_sql(db_path: Path, sql: str, values: Mapping[str, Scalar] | None = None,
                plotted: str | None = None) -> Exploration:
    """Run SQL typed in the SQL box on the same sandbox, and bind it as a chart whose columns are read off the
    result: numbers are counts (a NULL is a hidden value, «skjult»), except years, practice numbers and standards."""
    values = dict(values or {})
    names = sql_parameter_names(sql)
    if missing := sorted(names - set(values)):
        raise BuilderError(f"Giv {', '.join(':' + m for m in missing)} en værdi under «Parametre».")
    values = {k: v for k, v in values.items() if k in names}
    with _sandbox(db_path) as sandbox:
        rows = _run(sandbox, sql, values)
        counts, numeric = _read_columns(rows)
        labels = {c: COLUMN_LABELS.get(c, _label_for(c)) for c in rows.columns}
        dimensions = [c for c in rows.columns if c not in counts]
        kinds = {c: "antal" for c in counts}
        measure = plotted if plotted in counts else next(iter(counts), None)
        categories = [c for c in dimensions if c not in numeric or c in ("aar", "ydernummer")]
        spec, drawn = chart_spec(rows, categories, measure, labels, kinds)
        chart = _chart("Forespørgsel fra sandkassen", sql, values, {n: n for n in values}, counts, {}, numeric, spec,
                       "Figur over resultatet af en forespørgsel skrevet i sandkassen.")
        bound = _bound(chart, sandbox, reads_counts_hint=True)
        read = tuple(sorted({t for t, _ in sandbox._reads}))  # recorded by the sandbox's authorizer
    return Exploration(chart, bound, labels, measure, drawn and len(bound.rows.data) > 0, tables_read=read)


def typed_value(text: str) -> Scalar:
    """A parameter typed in the SQL box: a whole number or a decimal number where it is one, else the text."""
    cleaned = text.strip()
    if re.fullmatch(r"-?\d{1,15}", cleaned):
        return int(cleaned)
    if re.fullmatch(r"-?\d{1,15}[.,]\d{1,15}", cleaned):
        return float(cleaned.replace(",", "."))
    return text


def _label_for(column: str) -> str:
    for cube in CUBES.values():
        for measure in cube.measures:
            if measure.column == column:
                return measure.label
        for dimension in cube.dimensions:
            if dimension.column == column:
                return dimension.label
    return column


def _read_columns(rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(count columns, numeric dimension columns) of a typed query's result; refuses what would hide a number."""
    columns = [str(c) for c in rows.columns]
    if len(set(columns)) != len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise BuilderError(f"To kolonner hedder «{twice[0]}»; giv dem forskellige navne med AS.")
    counts, numeric = [], []
    for column in columns:
        series = rows[column]
        is_number = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        present = series.dropna()
        if not is_number and len(present) and pd.to_numeric(present, errors="coerce").notna().all():
            raise BuilderError(f"Kolonnen «{column}» er tal skrevet som tekst; lad den være et tal (uden CAST eller "
                               "||), så skjulte værdier kan vises som «skjult».")
        if not (is_number or (column in MEASURE_NAMES and present.empty)):
            continue
        if not _IDENTIFIER.match(column):
            raise BuilderError(f"Giv talkolonnen «{column}» et navn med AS, fx AS antal (små bogstaver, tal og _).")
        (numeric if column in NUMERIC_NAMES else counts).append(column)
    return counts, numeric


class _sandbox:
    """A Sandbox whose refusal when opening it becomes a BuilderError too."""

    def __init__(self, db_path: Path, max_seconds: float = MAX_SECONDS):
        try:
            self.sandbox = Sandbox(db_path, max_seconds=max_seconds)
        except QueryError as error:
            raise BuilderError(str(error)) from error

    def __enter__(self) -> Sandbox:
        return self.sandbox

    def __exit__(self, *_exc) -> None:
        self.sandbox.close()


def _run(sandbox: Sandbox, sql: str, values: Mapping[str, Scalar]) -> pd.DataFrame:
    try:
        return sandbox.run(sql, values)
    except QueryError as error:
        raise BuilderError(str(error)) from error


def _chart(title: str, sql: str, values: Mapping[str, Scalar], labels: Mapping[str, str], counts: Sequence[str],
           derived: Mapping[str, list[str]], numeric: Sequence[str], spec: dict, alt_text: str) -> Chart:
    try:
        return Chart(id="sandkasse", title=title, alt=alt_text, sql=sql,
                     params=[Param(name=n, label=labels.get(n, n), options=[v], default=v) for n, v in values.items()],
                     counts=list(counts), derived=dict(derived), dimensions=list(numeric), spec=spec)
    except ValidationError as error:
        first = error.errors()[0]
        raise BuilderError(str(first["msg"]).removeprefix("Value error, ").rstrip(".") + ".") from None


def _bound(chart: Chart, sandbox: Sandbox, reads_counts_hint: bool = False) -> BoundChart:
    try:
        return _bind(chart, {}, sandbox)
    except ChartError as error:
        if reads_counts_hint and sandbox.counts_read and not chart.counts:
            raise BuilderError(f"Forespørgslen læser antal ({', '.join(sandbox.counts_read)}), men viser ingen af dem "
                               "som tal; vis antallene som en kolonne, så skjulte værdier kan vises som «skjult».") \
                from error
        raise BuilderError(str(error)) from error


def _title(query: Query, measure: str | None) -> str:
    what = query.labels.get(measure, "Værdier") if measure else "Værdier"
    by = [query.labels[c].lower() for c in query.dimensions]
    if not by:
        return what
    return f"{what} efter {' og '.join([', '.join(by[:-1]), by[-1]] if len(by) > 1 else by)}"


def _alt(query: Query, measure: str | None, spec: dict) -> str:
    kind = {"line": "Linjediagram", "rect": "Varmekort", "bar": "Søjlediagram"}.get(_mark(spec), "Diagram")
    what = query.labels.get(measure, "værdierne").lower() if measure else "værdierne"
    by = ", ".join(query.labels[c].lower() for c in query.dimensions) or "hele tabellens total"
    held = f" ({query.held_text})" if query.held_text else ""
    return f"{kind} over {what} efter {by}{held}, fra tabellen {query.table}."


def _mark(spec: dict) -> str:
    mark = spec.get("mark") or (spec.get("layer") or [{}])[0].get("mark", "")
    return mark.get("type", "") if isinstance(mark, dict) else str(mark)


# --- the chart: simple and sensible for the result's shape --------------------------------------------------


def chart_spec(rows: pd.DataFrame, dimensions: list[str], measure: str | None, labels: Mapping[str, str],
               kinds: Mapping[str, str]) -> tuple[dict, bool]:
    """A Vega-Lite spec (no data: the binding adds the rows) for the rows' shape, and whether it is worth drawing.

    No dimension: one bar. One: bars sorted by value (a line over years). Two: a line per series over years,
    grouped bars when the second has few values, else a heat map. More: one bar per combination.
    """
    tooltip = [_tooltip(c, labels, kinds) for c in rows.columns]
    if measure is None:
        return _strip(alt.Chart().mark_text().encode(text=alt.value("Ingen tal at vise")).to_dict(validate=False)), \
            False
    value_format = ",.0f" if kinds.get(measure) in ("antal", "beløb") else ",.1~f"  # 2,5 and 20, not 20,0
    x_value = alt.X(f"{measure}:Q", title=labels.get(measure, measure), axis=alt.Axis(format=value_format))
    drawn = 0 < len(rows) <= MAX_CHART_ROWS
    dims = [d for d in dimensions if d in rows.columns]
    if not dims:
        chart = alt.Chart().mark_bar(tooltip=True).encode(x=x_value, tooltip=tooltip).properties(height=60)
    elif len(dims) == 1 and dims[0] == "aar":
        chart = _lines_over_years(rows, measure, labels, value_format, tooltip)
    elif len(dims) == 1:
        chart = _sorted_bars(rows, dims[0], measure, labels, x_value, tooltip)
    elif len(dims) == 2 and "aar" in dims:
        series = next(d for d in dims if d != "aar")
        chart = _lines_over_years(rows, measure, labels, value_format, tooltip, series)
    elif len(dims) == 2 and rows[dims[1]].nunique() <= 10:
        chart = _grouped_bars(rows, dims[0], dims[1], labels, x_value, tooltip)
    elif len(dims) == 2:
        chart = _heat_map(rows, dims[0], dims[1], measure, labels, value_format, tooltip)
    else:
        chart = _combination_bars(dims, labels, x_value, tooltip)
    return _strip(chart.to_dict(validate=False)), drawn


def _lines_over_years(rows: pd.DataFrame, measure: str, labels: Mapping[str, str], value_format: str,
                      tooltip: list, series: str | None = None) -> alt.Chart:
    """A line over the years; with a second dimension, one line (coloured) per value of it."""
    encoding = {"x": alt.X("aar:O", title=labels.get("aar", "År")), "y": _y_value(measure, labels, value_format)}
    if series is not None:
        encoding["color"] = alt.Color(f"{series}:N", title=labels.get(series, series), sort=_values(rows, series),
                                      legend=alt.Legend(orient="bottom", columns=4, labelLimit=220))
    return alt.Chart().mark_line(point=True, tooltip=True).encode(**encoding, tooltip=tooltip).properties(
        height=300 if series is None else 320)


def _sorted_bars(rows: pd.DataFrame, dim: str, measure: str, labels: Mapping[str, str], x_value: alt.X,
                 tooltip: list) -> alt.LayerChart:
    """A bar per value of one dimension, in its own order or by value, with «skjult» written where it is hidden."""
    base = alt.Chart()
    ordered = _is_ordered(dim, rows)
    y = alt.Y(f"{dim}:N", title=labels.get(dim, dim), axis=alt.Axis(labelLimit=220),
              sort=_values(rows, dim) if ordered else alt.EncodingSortField(field=measure, op="max",
                                                                               order="descending"))
    bars = base.mark_bar(tooltip=True).encode(x=x_value, tooltip=tooltip)
    hidden = base.transform_filter(f"datum.{measure} == null").mark_text(
        align="left", x=4, color="#555555", fontStyle="italic", fontSize=11).encode(text=alt.value("skjult"))
    return alt.layer(bars, hidden).encode(y=y).properties(height=alt.Step(18))


def _grouped_bars(rows: pd.DataFrame, first: str, second: str, labels: Mapping[str, str], x_value: alt.X,
                  tooltip: list) -> alt.Chart:
    """Bars per value of the first dimension, grouped and coloured by the second (which has few values)."""
    return alt.Chart().mark_bar(tooltip=True).encode(
        y=alt.Y(f"{first}:N", title=labels.get(first, first), sort=_values(rows, first),
                axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset(f"{second}:N", sort=_values(rows, second)), x=x_value,
        color=alt.Color(f"{second}:N", title=labels.get(second, second), sort=_values(rows, second),
                        legend=alt.Legend(orient="bottom", columns=4, labelLimit=220)),
        tooltip=tooltip).properties(height=alt.Step(12))


def _heat_map(rows: pd.DataFrame, first: str, second: str, measure: str, labels: Mapping[str, str],
              value_format: str, tooltip: list) -> alt.Chart:
    """A heat map: the first dimension down, the second across, the value as colour."""
    return alt.Chart().mark_rect(tooltip=True).encode(
        y=alt.Y(f"{first}:N", title=labels.get(first, first), sort=_values(rows, first),
                axis=alt.Axis(labelLimit=220)),
        x=alt.X(f"{second}:N", title=labels.get(second, second), sort=_values(rows, second)),
        color=alt.Color(f"{measure}:Q", title=labels.get(measure, measure),
                        legend=alt.Legend(format=value_format)),
        tooltip=tooltip).properties(height=alt.Step(16))


def _combination_bars(dims: list[str], labels: Mapping[str, str], x_value: alt.X, tooltip: list) -> alt.Chart:
    """A bar per combination of three or more dimensions, labelled with their values joined by « · »."""
    expression = " + ' · ' + ".join(f"datum.{d}" for d in dims)
    return alt.Chart().transform_calculate(kombination=expression).mark_bar(tooltip=True).encode(
        y=alt.Y("kombination:N", title=" · ".join(labels.get(d, d) for d in dims), sort=None,
                axis=alt.Axis(labelLimit=320)), x=x_value, tooltip=tooltip).properties(height=alt.Step(14))


def _y_value(measure: str, labels: Mapping[str, str], value_format: str) -> alt.Y:
    return alt.Y(f"{measure}:Q", title=labels.get(measure, measure), axis=alt.Axis(format=value_format))


def _tooltip(column: str, labels: Mapping[str, str], kinds: Mapping[str, str]) -> alt.Tooltip:
    if column in kinds:
        return alt.Tooltip(f"{column}:Q", title=labels.get(column, column),
                           format=",.0f" if kinds[column] in ("antal", "beløb") else ",.1f")
    return alt.Tooltip(f"{column}:N", title=labels.get(column, column))


def _values(rows: pd.DataFrame, column: str) -> list:
    return [v.item() if hasattr(v, "item") else v for v in dict.fromkeys(rows[column].dropna().tolist())]


def _is_ordered(column: str, rows: pd.DataFrame) -> bool:
    """Categories with an order of their own (age groups, yes/no, sex) keep it; areas and codes sort by value."""
    return column not in COLUMN_LABELS and rows[column].nunique() <= 20


def _strip(spec: Any) -> Any:
    """Altair's dict without what a use-case spec may not carry (data, datasets) or gets at binding (config)."""
    if isinstance(spec, dict):
        return {k: _strip(v) for k, v in spec.items() if k not in ("data", "datasets", "config", "$schema")}
    if isinstance(spec, list):
        return [_strip(v) for v in spec]
    return spec


# --- a view as a use-case's chart ---------------------------------------------------------------------------


def usecase_chart(exploration: Exploration, chart_id: str = "figur_1", title: str | None = None) -> Chart:
    """The chart of a proposed use-case: the view's SQL and spec, each held value a widget (its choices read from
    the table, the member's choice the default); values with no list of choices keep just the one."""
    chart = exploration.chart
    query = exploration.query
    params = []
    for param in chart.params:
        source = query.param_sources.get(param.name) if query else None
        if source:
            params.append(Param(name=param.name, label=param.label, options_sql=source, default=param.default))
        else:
            params.append(param)
    return replace_chart(chart, id=chart_id, title=title or chart.title, params=params)


def replace_chart(chart: Chart, **changes: Any) -> Chart:
    """A validated copy of a chart with some fields changed."""
    return Chart.model_validate({**chart.model_dump(), **changes})


def default_view(table: Table, db_path: Path, breakdown: Sequence[str] = (), level: str | None = None) -> View:
    """A view of every measure with each dimension held at its total or (without one) its first choice."""
    cube = table.cube
    held: dict[str, Scalar | None] = {}
    for dimension in cube.dimensions:
        if dimension.column in breakdown or dimension.total is not None or dimension.additive:
            continue
        within = held.get(dimension.within) if dimension.within else None
        held[dimension.column] = choices(db_path, table, dimension.column, within)[0]
    if GEOGRAPHY in breakdown and level is None and cube.geography is not None:
        level = cube.geography.levels[-1].name
    return View(table.name, measures=cube.measure_keys, breakdown=tuple(breakdown), held=held, level=level)


def view_text(exploration: Exploration) -> str:
    """What a view shows, in one or two Danish sentences (for a proposal's declaration and body)."""
    query = exploration.query
    if query is None:
        read = ", ".join(f"`{t}`" for t in exploration.tables_read)
        return "Forespørgslen er skrevet som SQL i sandkassen" + (f" og læser {read}." if read else ".")
    parts = []
    if query.dimensions:
        parts.append("Opdelt efter " + ", ".join(query.labels[c].lower() for c in query.dimensions) + ".")
    if query.only_text:
        parts.append(f"Kun: {query.only_text}.")
    if query.held_text:
        parts.append(f"Holdt fast: {query.held_text}.")
    if query.merges:
        parts.append("Rækker uden en totalrække i tabellen er lagt sammen; er én af dem skjult, er resultatet skjult.")
    return " ".join(parts) or "Hele tabellens total."


def indicator_lines(exploration: Exploration) -> list[str]:
    """One Markdown line per value a view shows: its label, column and (for a ratio) how it is computed."""
    chart, labels = exploration.chart, exploration.labels
    lines = []
    for column in chart.counts:
        lines.append(f"- **{labels.get(column, column)}** (`{column}`)")
    formulas = exploration.query.formulas if exploration.query else {}
    for column in chart.derived:
        formula = formulas.get(column)
        lines.append(f"- **{labels.get(column, column)}** (`{column}`)"
                     + (f" = {formula}, rundet til én decimal" if formula else ""))
    return lines


def hidden_text(exploration: Exploration) -> str:
    rows = exploration.bound.rows
    if not rows.hidden:
        return ""
    return f"I visningen fra sandkassen var {rows.hidden} af {rows.cells} værdier skjult."
