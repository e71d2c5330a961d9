"""The adversary: recover hidden small counts from nothing but what the app shows.

A member can set every parameter of every chart and read each table. Hidden cells are linked to
shown ones by relations anyone can see in the app: a parameter with a total choice (*Alle*,
*Hele landet*) makes the total view the sum of the other choices' views; a row labelled with a total
is the sum of the rows it totals; the same cell seen in two bindings, or in two charts with the same
SQL, is one unknown (and read off if one of them shows it). Together these are linear equations; the
attack solves them (`katalog.disclosure.intervals`, integer programming, because counts are whole numbers and a
«–» is never 1–4) and reports every hidden count that can be worked out ("recovered") or narrowed
inside 1–4 ("narrowed"). Suppression passes when the attack finds nothing.

The attacker's assumptions are checked against what is shown: a family of relations (one kind, one
column, one table) that some shown numbers contradict, or that makes the system infeasible, is dropped
and listed as rejected (UC-05's «Hele landet» row is not the sum of the klynge's rows).

The attack reads only `BoundChart.table` (the displayed strings), the chosen parameters, the choices the
widgets offer and the chart's declaration (which columns are counts). Marker semantics are an input:
`MARKERS_TODAY` says what «<5» and «–» mean today; any other marker ("skjult") is a hidden count that is
≥ 0, or ≥ 1 if the attacker is told hidden cells are never zero.

    python -m katalog.disclosure.attack --db catalogue.db [--max-views N] [--usecase UC-01 ...]

prints a JSON summary and exits 1 if anything was recovered or narrowed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from katalog.charts import ChartError, bind, param_options
from katalog.content import Catalogue, load_catalogue
from katalog.content.models import TOTAL_OPTIONS, Chart
from katalog.disclosure.cube import SMALL_COUNT_MAX
from katalog.disclosure.intervals import InfeasibleError, unprotected

# Kinds of hidden cell: what the attacker knows about its value.
SMALL = "small"  # 1..SMALL_COUNT_MAX («<5»)
SECONDARY = "secondary"  # 0 or more than SMALL_COUNT_MAX («–»: a secondary suppression is never a small count)
HIDDEN = "hidden"  # any count (≥ 1 if hidden cells are never zero)
KINDS = (SMALL, SECONDARY, HIDDEN)
MARKERS_TODAY: dict[str, str] = {"<5": SMALL, "–": SECONDARY}

_NUMBER_GROUPED = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_NUMBER_PLAIN = re.compile(r"^-?\d+(?:,\d+)?$")
_TOL = 1e-6


# --- views --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One binding of one chart, as a member sees it."""

    usecase_id: str
    chart: Chart
    params: dict[str, Any]  # the values the chart was bound with
    options: dict[str, list[Any]]  # every parameter's choices, as its widget offers them
    table: pd.DataFrame  # the displayed table: Danish numbers, markers where cells are hidden

    @property
    def key(self) -> tuple:
        return (self.usecase_id, self.chart.id, _params_key(self.chart, self.params))


def enumerate_views(
    usecase_catalogue: Catalogue | Path | str,
    db_path: Path | str,
    *,
    max_views_per_chart: int = 2000,
    seed: int = 0,
    usecases: Iterable[str] | None = None,
    charts: Iterable[str] | None = None,
    workers: int = 1,
    progress: Callable[[str], None] = lambda _message: None,
) -> list[View]:
    """Bind every chart of every use-case with every combination of its parameters, as a member could.

    `usecase_catalogue` is a Catalogue or the folder to load one from. Where a chart has more than
    `max_views_per_chart` combinations, a seeded random sample is taken in whole groups: a group is one
    choice of every parameter without a total option, bound with every combination of the parameters
    that have one (koen, aldersgruppe, region with *Hele landet*), so the sampled views are linked the
    way an attacker would link them. `usecases` and `charts` (ids) restrict the attack; combinations
    the app refuses are skipped. `workers` > 1 binds in that many processes.
    """
    catalogue = usecase_catalogue if isinstance(usecase_catalogue, Catalogue) else load_catalogue(
        Path(usecase_catalogue))
    db_path = Path(db_path)
    wanted_usecases = set(usecases) if usecases is not None else None
    wanted_charts = set(charts) if charts is not None else None
    jobs = []
    for usecase in catalogue.items:
        if wanted_usecases is not None and usecase.id not in wanted_usecases:
            continue
        for chart in usecase.charts:
            if wanted_charts is not None and chart.id not in wanted_charts:
                continue
            try:
                options = {p.name: param_options(p, db_path) for p in chart.params}
            except ChartError:
                continue
            rng = random.Random(f"{seed}:{usecase.id}:{chart.id}")
            combinations = _combinations(chart, options, max_views_per_chart, rng)
            progress(f"{usecase.id} {chart.id}: {len(combinations)} views")
            chunk = max(1, math.ceil(len(combinations) / max(1, 4 * workers)))
            for start in range(0, len(combinations), chunk):
                jobs.append((usecase.id, chart, options, combinations[start:start + chunk]))
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            bound = list(pool.map(_bind_all, [chart for _, chart, _, _ in jobs], [c for *_, c in jobs],
                                  [db_path] * len(jobs)))
    else:
        bound = [_bind_all(chart, combinations, db_path) for _, chart, _, combinations in jobs]
    views: list[View] = []
    seen: set[tuple] = set()
    for (usecase_id, chart, options, _), results in zip(jobs, bound, strict=True):
        for params, table in results:
            view = View(usecase_id, chart, params, options, table)
            if view.key not in seen:  # an invalid choice falls back to the default: the same view again
                seen.add(view.key)
                views.append(view)
    return views


def _bind_all(chart: Chart, combinations: list[dict[str, Any]], db_path: Path) -> list[tuple[dict, pd.DataFrame]]:
    """What a member sees for each combination: the chosen parameters and the displayed table."""
    shown = []
    for values in combinations:
        try:
            bound = bind(chart, values, db_path)
        except ChartError:
            continue
        shown.append((dict(bound.params), bound.table))
    return shown


def _combinations(chart: Chart, options: Mapping[str, list[Any]], budget: int,
                  rng: random.Random) -> list[dict[str, Any]]:
    names = [p.name for p in chart.params]
    totals = [n for n in names if any(_is_total(o) for o in options[n])]
    groups = [n for n in names if n not in totals]
    group_sizes = [len(options[n]) for n in groups]
    total_sizes = [len(options[n]) for n in totals]
    n_groups, n_inner = math.prod(group_sizes), math.prod(total_sizes)
    if n_groups * n_inner == 0:
        return []
    if n_groups * n_inner <= budget:
        picked_groups, inner = range(n_groups), range(n_inner)
    elif n_inner <= budget:
        picked_groups, inner = sorted(rng.sample(range(n_groups), budget // n_inner)), range(n_inner)
    else:  # not even one whole group fits: a plain sample of the whole product
        sizes = group_sizes + total_sizes
        picks = sorted(rng.sample(range(n_groups * n_inner), budget))
        return [dict(zip(groups + totals, _decode(i, sizes, options, groups + totals), strict=True)) for i in picks]
    result = []
    for g in picked_groups:
        group_values = _decode(g, group_sizes, options, groups)
        for i in inner:
            values = dict(zip(groups, group_values, strict=True))
            values.update(zip(totals, _decode(i, total_sizes, options, totals), strict=True))
            result.append(values)
    return result


def _decode(index: int, sizes: Sequence[int], options: Mapping[str, list[Any]], names: Sequence[str]) -> list[Any]:
    """The index-th combination of a mixed-radix product, last name fastest."""
    digits = []
    for size in reversed(sizes):
        index, digit = divmod(index, size)
        digits.append(digit)
    return [options[name][d] for name, d in zip(names, reversed(digits), strict=True)]


# --- cells --------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Cell:
    """One count of one row of one binding: (table, parameters, row key, column).

    `table` names the query: charts of any use-case with the same SQL and the same counts read the
    same numbers, so their cells are one unknown whichever chart shows them.
    """

    table: str
    params: tuple[tuple[str, str], ...]
    row: tuple[tuple[str, str], ...]
    column: str


@dataclass(frozen=True)
class Display:
    """What a member sees in one cell, and where it was first seen."""

    value: float | None  # a shown number
    marker: str | None  # a hidden cell's marker
    usecase_id: str
    chart_id: str
    hidden_elsewhere: str | None = None  # a shown number that another view hides behind this marker


def parse_display(text: Any) -> tuple[float | None, str | None]:
    """(number, None) for a Danish number ("1.234" is 1234, "3,5" is 3.5), (None, marker) for anything
    else shown, and (None, None) for an empty cell."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None, None
    if isinstance(text, int | float):
        return float(text), None
    shown = str(text).strip()
    if not shown or shown.lower() in {"nan", "<na>", "none"}:
        return None, None
    if _NUMBER_GROUPED.match(shown) or _NUMBER_PLAIN.match(shown):
        return float(shown.replace(".", "").replace(",", ".")), None
    return None, shown


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _is_total(value: Any) -> bool:
    return _text(value) in TOTAL_OPTIONS


def _params_key(chart: Chart, params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((p.name, _text(params.get(p.name))) for p in chart.params)


def _table_id(usecase_id: str, chart: Chart, sources: dict[tuple, str]) -> str:
    """Charts with the same SQL, parameters and counts read the same cells: one id for all of them."""
    signature = (" ".join(chart.sql.split()), tuple(p.name for p in chart.params), tuple(chart.counts))
    return sources.setdefault(signature, f"{usecase_id}/{chart.id}")


@dataclass
class _Rows:
    """A view's rows by key, with the key columns and which keys are ambiguous (repeated)."""

    view: View
    table_id: str
    key_columns: list[str]
    keys: list[tuple[tuple[str, str], ...]]
    ambiguous: set[tuple]

    def cell(self, row_key: tuple, column: str) -> Cell:
        return Cell(self.table_id, _params_key(self.view.chart, self.view.params), row_key, column)


def _rows(view: View, table_id: str) -> _Rows:
    chart, table = view.chart, view.table
    measures = set(chart.counts) | set(chart.derived)
    shown_params = {_text(v) for v in view.params.values()}
    key_columns, texts = [], []
    for column in table.columns:
        if column in measures:
            continue
        values = [_text(v) for v in table[column].tolist()]
        if len(table) > 0 and set(values) <= shown_params and len(set(values)) == 1:
            continue  # a column that only echoes a chosen parameter (rate = "Aldersstandardiseret")
        key_columns.append(column)
        texts.append(values)
    keys = [tuple(zip(key_columns, row, strict=True)) for row in zip(*texts, strict=True)] if texts else [
        ()] * len(table)
    counts: dict[tuple, int] = defaultdict(int)
    for key in keys:
        counts[key] += 1
    return _Rows(view, table_id, key_columns, keys, {k for k, n in counts.items() if n > 1})


# --- relations ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """total = Σ parts, between cells; `family` groups relations that stand or fall together."""

    family: tuple
    total: Cell
    parts: tuple[Cell, ...]


def pool(views: Iterable[View]) -> tuple[dict[Cell, Display], list[Relation]]:
    """Every count cell the views show, and every relation between them an attacker can derive."""
    cells: dict[Cell, Display] = {}
    sources: dict[tuple, str] = {}
    by_table: dict[str, dict[tuple, _Rows]] = defaultdict(dict)
    for view in views:
        table_id = _table_id(view.usecase_id, view.chart, sources)
        rows = _rows(view, table_id)
        by_table[table_id].setdefault(_params_key(view.chart, view.params), rows)
        shown = {column: view.table[column].tolist() for column in view.chart.counts if column in view.table.columns}
        for i, key in enumerate(rows.keys):
            if key in rows.ambiguous:
                key = (*key, ("#", str(i)))  # a repeated row key: its own unknown, in no relation
            for column, texts in shown.items():
                value, marker = parse_display(texts[i])
                cell = rows.cell(key, column)
                seen = cells.get(cell)
                if seen is None:
                    cells[cell] = Display(value, marker, view.usecase_id, view.chart.id)
                elif seen.marker is not None and value is not None:  # hidden there, shown here
                    cells[cell] = Display(value, None, view.usecase_id, view.chart.id, seen.marker)
                elif seen.value is not None and marker is not None and seen.hidden_elsewhere is None:
                    cells[cell] = Display(seen.value, None, seen.usecase_id, seen.chart_id, marker)
    relations: list[Relation] = []
    for table_views in by_table.values():
        relations.extend(_parameter_relations(table_views))
        for rows in table_views.values():
            relations.extend(_row_relations(rows))
    return cells, relations


def _parameter_relations(table_views: dict[tuple, _Rows]) -> Iterable[Relation]:
    """(a) Under a parameter's total choice, each cell is the sum of the same cell under its other choices."""
    any_rows = next(iter(table_views.values()), None)
    if any_rows is None:
        return
    chart, options = any_rows.view.chart, any_rows.view.options
    for position, param in enumerate(chart.params):
        choices = [_text(o) for o in options.get(param.name, [])]
        totals = [c for c in choices if c in TOTAL_OPTIONS]
        others = [c for c in choices if c not in TOTAL_OPTIONS]
        if len(totals) != 1 or not others:
            continue
        for params_key, rows in table_views.items():
            if params_key[position][1] != totals[0]:
                continue
            siblings = []
            for other in others:
                sibling_key = params_key[:position] + ((param.name, other),) + params_key[position + 1:]
                siblings.append(table_views.get(sibling_key))
            if any(s is None for s in siblings):
                continue
            sibling_keys = [set(s.keys) - s.ambiguous for s in siblings]
            for key in rows.keys:
                if key in rows.ambiguous or not all(key in keys for keys in sibling_keys):
                    continue
                for column in chart.counts:
                    yield Relation(("parameter", rows.table_id, param.name, column), rows.cell(key, column),
                                   tuple(s.cell(key, column) for s in siblings))


def _row_relations(rows: _Rows) -> Iterable[Relation]:
    """(b) A row whose key holds a total label is the sum of the rows that differ from it only there."""
    chart = rows.view.chart
    for k, column in enumerate(rows.key_columns):
        labels = [key[k][1] for key in rows.keys]
        if not any(label in TOTAL_OPTIONS for label in labels):
            continue
        # Columns that move one-to-one with this one (region_nr beside region) are part of it.
        partners = {k} | {i for i in range(len(rows.key_columns))
                          if i != k and _one_to_one(labels, [key[i][1] for key in rows.keys])}
        groups: dict[tuple, list[tuple]] = defaultdict(list)
        for key in rows.keys:
            if key not in rows.ambiguous:
                groups[tuple(item for i, item in enumerate(key) if i not in partners)].append(key)
        for members in groups.values():
            parts = tuple(key for key in members if key[k][1] not in TOTAL_OPTIONS)
            for key in members:
                if key[k][1] in TOTAL_OPTIONS and parts:
                    for count in chart.counts:
                        yield Relation(("row", rows.table_id, column, count), rows.cell(key, count),
                                       tuple(rows.cell(part, count) for part in parts))


def _one_to_one(a: Sequence[str], b: Sequence[str]) -> bool:
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len({x for x, _ in pairs}) == len({y for _, y in pairs})


# --- the attack ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A hidden count the attacker can work out or narrow inside 1–4."""

    cell: Cell
    usecase_id: str
    chart_id: str
    marker: str
    low: float
    high: float

    @property
    def recovered(self) -> bool:
        return self.low == self.high

    def describe(self) -> str:
        params = ", ".join(f"{name}={value}" for name, value in self.cell.params)
        row = ", ".join(f"{name}={value}" for name, value in self.cell.row) or "(one row)"
        found = f"= {_number(self.low)}" if self.recovered else f"in [{_number(self.low)}, {_number(self.high)}]"
        return f"{self.usecase_id} {self.chart_id} [{params}] {row}: {self.cell.column} «{self.marker}» {found}"


@dataclass
class Report:
    views: int
    cells: int
    hidden: int
    equations: int
    recovered: list[Finding] = field(default_factory=list)
    narrowed: list[Finding] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # relation families the shown numbers contradict
    seconds: float = 0.0

    @property
    def leaks(self) -> bool:
        return bool(self.recovered or self.narrowed)

    def summary(self, examples: int = 5) -> dict[str, Any]:
        return {
            "views": self.views,
            "cells": self.cells,
            "hidden_cells": self.hidden,
            "equations": self.equations,
            "recovered": len(self.recovered),
            "narrowed": len(self.narrowed),
            "rejected_relations": self.rejected,
            "seconds": round(self.seconds, 2),
            "examples": [f.describe() for f in (self.recovered + self.narrowed)[:examples]],
        }


def attack(
    views: Iterable[View],
    *,
    markers: Mapping[str, str] | None = None,
    hidden_never_zero: bool = False,
    small_max: int = SMALL_COUNT_MAX,
) -> Report:
    """Pool the views' cells, derive the relations, and find every hidden count that is not protected.

    `markers` maps a displayed marker to its kind (`SMALL`, `SECONDARY`, `HIDDEN`), default
    `MARKERS_TODAY`; a marker not in it is `HIDDEN`, ≥ 1 if `hidden_never_zero` else ≥ 0. A hidden cell
    that may be 1..small_max is "recovered" when its value is determined, "narrowed" when its feasible
    range meets 1..small_max without covering it.
    """
    started = time.perf_counter()
    views = list(views)
    markers = dict(MARKERS_TODAY if markers is None else markers)
    if unknown := {kind for kind in markers.values() if kind not in KINDS}:
        raise ValueError(f"Unknown marker kinds {sorted(unknown)}; use {KINDS}.")
    cells, relations = pool(views)
    kinds = {cell: markers.get(shown.marker, HIDDEN) for cell, shown in cells.items() if shown.marker is not None}
    lower, upper, gaps = {}, {}, {}
    for cell, kind in kinds.items():
        if kind == SMALL:
            lower[cell], upper[cell] = 1, small_max
        elif kind == SECONDARY:
            lower[cell] = 0
            gaps[cell] = (0, small_max + 1)
        else:
            lower[cell] = 1 if hidden_never_zero else 0
    equations, refuted = _equations(relations, cells, lower, upper)
    rejected = [_family_name(f) for f in refuted]
    targets = [cell for cell, kind in kinds.items() if kind in (SMALL, HIDDEN)]
    while True:
        try:
            failing = unprotected([(coefs, rhs) for coefs, rhs, _ in equations], targets, lower=lower, upper=upper,
                                  low=1, high=small_max, integer=True, forbidden_gaps=gaps)
            break
        except InfeasibleError as error:
            # Relations the shown numbers cannot all satisfy: an assumption of the attacker is wrong
            # for them (not every total label is a sum). Drop those families and say so.
            involved = set(error.variables)
            bad = {family for coefs, _, family in equations if involved & coefs.keys()}
            if not bad:
                raise
            rejected.extend(sorted(_family_name(f) for f in bad))
            equations = [e for e in equations if e[2] not in bad]
    report = Report(views=len(views), cells=len(cells), hidden=len(kinds), equations=len(equations),
                    rejected=sorted(set(rejected)))
    for cell, shown in cells.items():  # hidden in one view, shown in another: no solving needed
        if shown.hidden_elsewhere is not None and markers.get(shown.hidden_elsewhere, HIDDEN) != SECONDARY \
                and 1 <= shown.value <= small_max:
            report.recovered.append(Finding(cell, shown.usecase_id, shown.chart_id, shown.hidden_elsewhere,
                                            shown.value, shown.value))
    for cell, (low, high) in sorted(failing.items()):
        if high < 1 - _TOL or low > small_max + _TOL:
            continue  # cannot be a small count at all: that is what «–» already says
        shown = cells[cell]
        finding = Finding(cell, shown.usecase_id, shown.chart_id, shown.marker or "", low, high)
        (report.recovered if finding.recovered else report.narrowed).append(finding)
    report.seconds = time.perf_counter() - started
    return report


def _equations(relations: list[Relation], cells: Mapping[Cell, Display], lower: Mapping[Cell, float],
               upper: Mapping[Cell, float]) -> tuple[list[tuple[dict[Cell, float], float, tuple]], set[tuple]]:
    """The relations as equations over hidden cells, without families that some instance contradicts.

    A family (one kind of relation on one column of one table) is refuted when the shown numbers of one
    of its relations cannot be met by any values of its hidden cells within their bounds; its relations
    are then not what the attacker assumed, and none of them is used; the refuted families are returned.
    """
    by_family: dict[tuple, list[tuple[dict[Cell, float], float]]] = defaultdict(list)
    refuted: set[tuple] = set()
    for relation in relations:
        coefs: dict[Cell, float] = defaultdict(float)
        rhs = 0.0
        complete = True
        for coef, cell in ((1.0, relation.total), *((-1.0, part) for part in relation.parts)):
            shown = cells.get(cell)
            if shown is None or (shown.value is None and shown.marker is None):
                complete = False
                break
            if shown.value is not None:
                rhs -= coef * shown.value
            else:
                coefs[cell] += coef
        if not complete:
            continue
        coefs = {cell: coef for cell, coef in coefs.items() if coef != 0}
        least = sum(c * (lower.get(x, 0) if c > 0 else upper.get(x, math.inf)) for x, c in coefs.items())
        most = sum(c * (upper.get(x, math.inf) if c > 0 else lower.get(x, 0)) for x, c in coefs.items())
        if rhs < least - _TOL or rhs > most + _TOL:
            refuted.add(relation.family)
        elif coefs:
            by_family[relation.family].append((coefs, rhs))
    equations = [(coefs, rhs, family) for family, found in by_family.items() if family not in refuted
                 for coefs, rhs in found]
    return equations, refuted


def _family_name(family: tuple) -> str:
    kind, table, where, column = family
    return f"{table}: {column} {'over parameter' if kind == 'parameter' else 'over rows of'} {where}"


def _number(value: float) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- command line -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    from katalog import db as database

    parser = argparse.ArgumentParser(prog="python -m katalog.disclosure.attack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None, help="the database (default $KATALOG_DB or catalogue.db)")
    parser.add_argument("--usecases", type=Path, default=None, help="the use-case folder (default $KATALOG_USECASES)")
    parser.add_argument("--max-views", type=int, default=2000, help="views per chart at most (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--usecase", action="append", help="only this use-case (repeatable)")
    parser.add_argument("--marker", action="append", default=[], metavar="TEXT=KIND",
                        help=f"what a marker means, one of {', '.join(KINDS)} (default «<5»=small, «–»=secondary)")
    parser.add_argument("--hidden-never-zero", action="store_true",
                        help="the attacker is told a hidden cell is never zero")
    parser.add_argument("--examples", type=int, default=10, help="how many findings to describe")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes that bind charts")
    args = parser.parse_args(argv)
    markers = dict(MARKERS_TODAY)
    for item in args.marker:
        text, _, kind = item.rpartition("=")
        markers[text] = kind
    started = time.perf_counter()
    views = enumerate_views(args.usecases or database.usecases_dir(), args.db or database.db_path(),
                            max_views_per_chart=args.max_views, seed=args.seed, usecases=args.usecase,
                            workers=args.workers,
                            progress=lambda message: print(message, file=sys.stderr))
    report = attack(views, markers=markers, hidden_never_zero=args.hidden_never_zero)
    report.seconds = time.perf_counter() - started
    print(json.dumps(report.summary(args.examples), ensure_ascii=False, indent=2))
    return 1 if report.leaks else 0


if __name__ == "__main__":
    sys.exit(main())
