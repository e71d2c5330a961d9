"""The audit of the suppression pattern: what can an attacker who holds every published table work out?

Every published count is a constant, every hidden one an unknown that is at least 0 (zeros beside hidden
counts are hidden too), and every line of every cube is an equation (a total is the sum of its parts; a
part and the rest make the whole). The same persons published in two tables are one unknown. For every hidden count
of 1–4 – and every small rest that is not published but follows from two counts – the audit rule is:
the values the attacker cannot rule out must span at least four values (max − min ≥ 3, as «1–4»
itself), so the published tables narrow the count no further than the marker «skjult» does.
`katalog.disclosure.intervals` solves the linear (and, where it matters, integer) programmes with HiGHS: the audit
and the view-level attack share one solver.

Where the audit narrows a count (the line rules of katalog.disclosure.cube are checked line by line, and linear
programming over many lines at once can still narrow a count where several dimensions meet),
`audit_and_repair` hides one more published cell that fixes the bound – found from the dual values of the
count's linear programme – suppresses again and audits again, until nothing is narrowed. A national
`katalog build` runs it before writing and stops with DisclosureError if it does not settle.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from katalog.disclosure.cube import SMALL_COUNT_MAX, Cube, Link, hide_more
from katalog.disclosure.intervals import TOL, unprotected_matrix

# The rule: the values an attacker cannot rule out for a hidden count of 1–4 span at least as many
# values as «1–4» itself (max − min ≥ 3), so the published tables never narrow it below what the marker
# says; a count that is determined exactly fails by far.
MIN_WIDTH = SMALL_COUNT_MAX - 1
LOW, HIGH = 1, SMALL_COUNT_MAX


class DisclosureError(ValueError):
    """The audit narrows hidden small counts that the suppression could not protect: nothing is written."""

    def __init__(self, report: AuditReport, repaired: int = 0):
        self.report = report
        found = len(report.exposed) + len(report.narrowed)
        examples = "; ".join(report.summary()["eksempler"][:3])
        super().__init__(
            f"Revisionen af diskretioneringen fandt {found} skjulte små tal, som de offentliggjorte tabeller "
            f"afslører eller indsnævrer til færre end {MIN_WIDTH + 1} mulige værdier"
            + (f", også efter at {repaired} celler mere blev skjult" if repaired else "")
            + f". Intet er skrevet. Eksempler: {examples}. Kør 'katalog audit' for hele rapporten.")


@dataclass(frozen=True)
class Finding:
    """A small count the published tables narrow too much."""

    cell: tuple  # (table, flat index) or ("rest", table, part, flat index)
    description: str
    value: float
    low: float
    high: float
    unknown: int = -1  # its column in the audit's equations


@dataclass
class AuditReport:
    tables: list[str]
    cells: int = 0  # published count cells
    hidden: int = 0
    small: int = 0  # hidden small counts checked (incl. small rests)
    equations: int = 0
    exposed: list[Finding] = field(default_factory=list)  # a small count shown, or a small rest of two shown
    narrowed: list[Finding] = field(default_factory=list)  # feasible range narrower than MIN_WIDTH
    seconds: float = 0.0
    system: object = field(default=None, repr=False, compare=False)  # the equations, for `repair_cells`

    @property
    def passed(self) -> bool:
        return not self.exposed and not self.narrowed

    def summary(self) -> dict:
        return {"tabeller": self.tables, "celler": self.cells, "skjulte": self.hidden, "små_tal_tjekket": self.small,
                "ligninger": self.equations, "afsløret": len(self.exposed), "indsnævret": len(self.narrowed),
                "bestemt_præcist": sum(1 for f in self.narrowed if f.high - f.low < 0.5),
                "sekunder": round(self.seconds, 2), "bestået": self.passed,
                "eksempler": [f"{f.description}: {f.value:g}, kan være {f.low:g}–{f.high:g}"
                              for f in (self.exposed + sorted(self.narrowed, key=lambda f: f.high - f.low))[:10]]}


def audit(cubes: Mapping[str, Cube], links: Iterable[Link], *, integer: bool = True,
          around: Mapping[str, np.ndarray] | None = None) -> AuditReport:
    """Check every hidden small count of every cube against everything published in all of them.

    `around` (cube name -> boolean mask of cells) solves only the small counts connected by equations to
    one of those cells: the counts anywhere else meet the same equations as before a change to those cells,
    so an earlier audit still holds for them."""
    started = time.perf_counter()
    report = AuditReport(tables=list(cubes))
    system = _System(cubes, list(links))
    report.system = system
    for name, cube in cubes.items():
        report.cells += cube.hidden.size
        report.hidden += int(cube.hidden.sum())
        shown_small = ~cube.hidden & (cube.values >= LOW) & (cube.values <= HIGH)
        for flat_index in np.flatnonzero(shown_small)[:20]:
            report.exposed.append(_finding(cube, (name, int(flat_index)), cube.values.flat[flat_index], 0, 0, "vist"))
    report.exposed += system.exposed_rests
    report.small = len(system.targets)
    report.equations = system.matrix.shape[0]
    targets = system.targets if around is None else system.connected_targets(around)
    if targets:
        found = too_narrow(system, integer=integer, targets=targets)
        for target, (low, high) in found.items():
            value, description = system.describe(target)
            report.narrowed.append(Finding(system.cell_of(target), description, value, low, high, target))
    report.seconds = time.perf_counter() - started
    return report


class _System:
    """Everything published as one sparse linear system: one unknown per hidden cell (linked cells share
    one) and per small rest that is not published, one equation per line of a cube with a hidden cell."""

    def __init__(self, cubes: Mapping[str, Cube], links: list[Link]):
        from scipy import sparse
        from scipy.sparse.csgraph import connected_components

        self.cubes = cubes
        self.row_lines: list[tuple[int, np.ndarray, np.ndarray]] = []  # (first row, cells, hidden) per kind of line
        self.offset: dict[str, int] = {}
        total = 0
        for name, cube in cubes.items():
            self.offset[name] = total
            total += cube.values.size
        self.rest_offset: dict[tuple[str, int], int] = {}
        for name, cube in cubes.items():
            for number in range(len(cube.parts)):
                self.rest_offset[(name, number)] = total
                total += int(np.prod(cube.shape[:-1]))
        # Linked cells are one unknown: connected components over the links.
        sources, targets = [], []
        for link in links:
            ia, ca = link.select_a(cubes[link.a])
            ib, cb = link.select_b(cubes[link.b])
            sources.append(self.offset[link.a] + _flat_indices(cubes[link.a], ia, ca).ravel())
            targets.append(self.offset[link.b] + _flat_indices(cubes[link.b], ib, cb).ravel())
        src = np.concatenate(sources) if sources else np.array([], dtype=np.int64)
        dst = np.concatenate(targets) if targets else np.array([], dtype=np.int64)
        graph = sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(total, total))
        _, self.label = connected_components(graph, directed=False)
        self.cell_label = {}  # label -> one global cell, for descriptions
        hidden_global = np.concatenate([self.offset[n] + np.flatnonzero(c.hidden) for n, c in cubes.items()])
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        rhs: list[np.ndarray] = []
        self.exposed_rests: list[Finding] = []
        # Zeros beside hidden counts are hidden too (katalog.disclosure.cube), so a hidden cell is only known to be ≥ 0.
        lower_labels = {int(v): 0.0 for v in np.unique(self.label[hidden_global])}
        target_labels: dict[int, float] = {}
        for name, cube in cubes.items():
            flat_hidden = np.flatnonzero(cube.hidden)
            small = (cube.values.flat[flat_hidden] >= LOW) & (cube.values.flat[flat_hidden] <= HIGH)
            for f, v in zip(flat_hidden[small], cube.values.flat[flat_hidden[small]], strict=True):
                target_labels[int(self.label[self.offset[name] + f])] = float(v)
            for label, flat_index in zip(self.label[self.offset[name] + flat_hidden].tolist(), flat_hidden.tolist(),
                                         strict=True):
                self.cell_label.setdefault(label, (name, flat_index))
            self._lines(name, cube, rows, cols, vals, rhs)
            self._rests(name, cube, rows, cols, vals, rhs, lower_labels, target_labels)
        n_rows = sum(len(r) for r in rhs)
        row_index = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
        col_labels = np.concatenate(cols) if cols else np.array([], dtype=np.int64)
        # Compress labels to unknowns 0..n-1.
        used = np.unique(np.concatenate([col_labels, np.array(list(target_labels), dtype=np.int64)]))
        self.unknowns = used
        position = {int(label): i for i, label in enumerate(used)}
        columns = np.searchsorted(used, col_labels)
        self.matrix = sparse.csr_matrix((np.concatenate(vals) if vals else [], (row_index, columns)),
                                        shape=(n_rows, len(used)))
        self.rhs = np.concatenate(rhs) if rhs else np.array([])
        self.lower = np.array([lower_labels.get(label, 0.0) for label in used.tolist()])
        self.targets = [position[label] for label in target_labels]
        self.target_value = {position[label]: value for label, value in target_labels.items()}

    def _rows(self, count: int, rhs: list[np.ndarray]) -> np.ndarray:
        start = sum(len(r) for r in rhs)
        return np.arange(start, start + count)

    def _lines(self, name, cube, rows, cols, vals, rhs) -> None:
        positions = np.arange(cube.values.size).reshape(cube.shape) + self.offset[name]
        for axis, hierarchy in enumerate(cube.dims, start=1):
            for total, members in hierarchy.groups:
                line = (total, *members)
                h = np.moveaxis(np.take(cube.hidden, line, axis=axis), axis, -1).reshape(-1, len(line))
                v = np.moveaxis(np.take(cube.values, line, axis=axis), axis, -1).reshape(-1, len(line))
                p = np.moveaxis(np.take(positions, line, axis=axis), axis, -1).reshape(-1, len(line))
                keep = h.any(axis=1)
                if not keep.any():
                    continue
                h, v, p = h[keep], v[keep], p[keep]
                coefficient = np.array([-1.0] + [1.0] * len(members))
                row_ids = self._rows(len(h), rhs)
                self.row_lines.append((int(row_ids[0]) if len(row_ids) else 0, p, h))
                r, j = np.nonzero(h)
                rows.append(row_ids[r])
                cols.append(self.label[p[r, j]])
                vals.append(coefficient[j])
                rhs.append(-(np.where(h, 0.0, v) * coefficient).sum(axis=1))

    def _rests(self, name, cube, rows, cols, vals, rhs, lower_labels, target_labels) -> None:
        positions = np.arange(cube.values.size).reshape(cube.shape) + self.offset[name]
        for number, part in enumerate(cube.parts):
            p, w = cube.measure(part.part), cube.measure(part.whole)
            rest = cube.rest(part).ravel()
            hp, hw = cube.hidden[..., p].ravel(), cube.hidden[..., w].ravel()
            vp, vw = cube.values[..., p].ravel(), cube.values[..., w].ravel()
            small = (rest >= LOW) & (rest <= HIGH)
            whole_positions = positions[..., w].ravel()
            part_positions = positions[..., p].ravel()
            for cell in np.flatnonzero(small & ~hp & ~hw)[:20]:
                flat_whole = int(whole_positions[cell] - self.offset[name])
                self.exposed_rests.append(Finding(("rest", name, number, flat_whole),
                                                  f"{_describe(cube, flat_whole)}: {part.whole} − {part.part} vist",
                                                  float(rest[cell]), 0, 0))
            open_ = np.flatnonzero(hp | hw)
            if not len(open_):
                continue
            rest_labels = self.label[self.rest_offset[(name, number)] + open_]
            lower_labels.update(dict.fromkeys(rest_labels.tolist(), 0.0))
            for label, value in zip(rest_labels[small[open_]], rest[open_][small[open_]], strict=True):
                target_labels[int(label)] = float(value)
            row_ids = self._rows(len(open_), rhs)
            self.row_lines.append((int(row_ids[0]), np.column_stack([whole_positions[open_], part_positions[open_]]),
                                   np.column_stack([hw[open_], hp[open_]])))
            whole_labels = self.label[whole_positions[open_]]
            part_labels = self.label[part_positions[open_]]
            rows += [row_ids, row_ids[hw[open_]], row_ids[hp[open_]]]
            cols += [rest_labels, whole_labels[hw[open_]], part_labels[hp[open_]]]
            vals += [np.full(len(open_), -1.0), np.ones(int(hw[open_].sum())), -np.ones(int(hp[open_].sum()))]
            rhs.append(-np.where(hw[open_], 0.0, vw[open_]) + np.where(hp[open_], 0.0, vp[open_]))
            for label, whole in zip(rest_labels.tolist(), (whole_positions[open_] - self.offset[name]).tolist(),
                                    strict=True):
                self.cell_label.setdefault(label, ("rest", name, number, whole))

    def connected_targets(self, around: Mapping[str, np.ndarray]) -> list[int]:
        """The targets in a component of the equations that holds one of the cells in `around`."""
        labels = _column_components(self.matrix)
        positions = np.concatenate([self.offset[name] + np.flatnonzero(mask) for name, mask in around.items()]
                                   + [np.array([], dtype=np.int64)])
        cell_labels = np.unique(self.label[positions])
        at = np.searchsorted(self.unknowns, cell_labels)
        found = at < len(self.unknowns)
        columns = at[found][self.unknowns[at[found]] == cell_labels[found]]
        touched = set(labels[columns].tolist())
        return [t for t in self.targets if labels[t] in touched]

    def shown_cells(self, row: int) -> np.ndarray:
        """The published cells (global positions) whose values make up equation `row`'s right-hand side."""
        starts = [start for start, _, _ in self.row_lines]
        k = int(np.searchsorted(starts, row, side="right")) - 1
        start, cells, hidden = self.row_lines[k]
        return cells[row - start][~hidden[row - start]]

    def locate(self, position: int) -> tuple[str, int]:
        """(cube name, flat index) of a global position."""
        names = list(self.offset)
        starts = [self.offset[n] for n in names]
        k = int(np.searchsorted(starts, position, side="right")) - 1
        return names[k], int(position - starts[k])

    def cell_of(self, target: int) -> tuple:
        return self.cell_label[int(self.unknowns[target])]

    def describe(self, target: int) -> tuple[float, str]:
        cell = self.cell_of(target)
        if cell[0] == "rest":
            name, number, flat_whole = cell[1], cell[2], cell[3]
            cube = self.cubes[name]
            part = cube.parts[number]
            return self.target_value[target], f"{_describe(cube, flat_whole)}: {part.whole} − {part.part}"
        return self.target_value[target], _describe(self.cubes[cell[0]], cell[1])


def _flat_indices(cube: Cube, index: tuple, count: str) -> np.ndarray:
    positions = np.arange(cube.values.size).reshape(cube.shape)
    return positions[(*index, cube.measure(count))]


def _describe(cube: Cube, flat_index: int) -> str:
    index = np.unravel_index(flat_index, cube.shape)
    block = cube.blocks.iloc[index[0]]
    parts = [f"{c}={block[c]}" for c in cube.block_columns]
    parts += [f"{h.name}={h.nodes[i]}" for h, i in zip(cube.dims, index[1:-1], strict=True)]
    return f"{cube.name}[{', '.join(parts)}].{cube.counts[index[-1]]}"


def _finding(cube: Cube, cell: tuple, value: float, low: float, high: float, what: str) -> Finding:
    return Finding(cell, f"{_describe(cube, cell[1])} {what}", float(value), low, high)


def too_narrow(system: _System, *, integer: bool = True, width: float = MIN_WIDTH,
               targets: list[int] | None = None) -> dict[int, tuple[float, float]]:
    """The targets whose feasible range is narrower than `width`, with their exact ranges.

    katalog.disclosure.intervals finds the targets whose range does not reach both 1 and 4 (every other target spans
    at least 1..4 and passes), with their exact ranges; of those, the ones narrower than `width` fail.
    """
    targets = system.targets if targets is None else targets
    if not targets:
        return {}
    found = unprotected_matrix(system.matrix, system.rhs, targets, lower=system.lower, low=LOW, high=HIGH,
                               integer=integer)
    return {int(t): (float(lo), float(hi)) for t, (lo, hi) in found.items() if hi - lo < width - TOL}


# --- repair: what to hide next where the audit narrows a count ------------------------------------

MAX_REPAIR_ROUNDS = 10


def audit_and_repair(cubes: Mapping[str, Cube], links: Iterable[Link], max_rounds: int = MAX_REPAIR_ROUNDS
                     ) -> tuple[AuditReport, int]:
    """Audit suppressed cubes and, while the audit narrows a hidden small count, hide the cells
    `repair_cells` picks, suppress again around them (katalog.disclosure.cube.hide_more) and audit again where the
    pattern changed. Returns the audit of the final pattern and how many cells the repair hid; raises
    DisclosureError if a small count is shown or the rounds run out."""
    started = time.perf_counter()
    links = list(links)
    first = report = audit(cubes, links)
    at_first = {name: cube.hidden.copy() for name, cube in cubes.items()}
    watched = {name: np.zeros(cube.shape, dtype=bool) for name, cube in cubes.items()}  # every count narrowed
    added = 0
    for _ in range(max_rounds):
        if report.passed or report.exposed:
            break
        _mark(cubes, report.narrowed, watched)
        cells = repair_cells(report)
        if not cells:
            break
        before = {name: cube.hidden.copy() for name, cube in cubes.items()}
        added += hide_more(cubes, links, cells)
        report = audit(cubes, links, around={name: (cube.hidden & ~before[name]) | watched[name]
                                             for name, cube in cubes.items()})
    if added:
        # Every count connected to a cell hidden since the first audit or to a count ever narrowed, against the
        # final pattern; all others meet exactly the equations they met in the first audit, which they passed.
        _mark(cubes, report.narrowed, watched)
        report = audit(cubes, links, around={name: (cube.hidden & ~at_first[name]) | watched[name]
                                             for name, cube in cubes.items()})
        report.small = first.small
    report.seconds = time.perf_counter() - started  # the audits and the repair between them
    if not report.passed:
        raise DisclosureError(report, added)
    return report, added


def _mark(cubes: Mapping[str, Cube], findings: Iterable[Finding], masks: Mapping[str, np.ndarray]) -> None:
    """Mark the cells of narrowed counts (for a rest, its whole and its part) in `masks`."""
    for finding in findings:
        if finding.cell[0] == "rest":
            _, name, number, flat_whole = finding.cell
            cube = cubes[name]
            part = cube.parts[number]
            masks[name].flat[flat_whole] = True
            masks[name].flat[flat_whole + cube.measure(part.part) - cube.measure(part.whole)] = True
        else:
            name, flat_index = finding.cell
            masks[name].flat[flat_index] = True


def repair_cells(report: AuditReport) -> dict[str, set[int]]:
    """For every narrowed count, one published cell whose hiding widens it: the count's extreme is found by
    linear programming on its component of the equations, and the equations that bind it (non-zero dual
    value) are those whose published cells fix the bound; the smallest published cell above zero among them
    is chosen (a zero only if there is none). Cube name -> flat indices."""
    from scipy.optimize import linprog

    system = report.system
    if system is None or not report.narrowed:
        return {}
    matrix = system.matrix.tocsr()
    labels = _column_components(matrix)
    chosen: dict[str, set[int]] = {}
    for finding in report.narrowed:
        target = finding.unknown
        columns = np.flatnonzero(labels == labels[target])
        rows = np.unique(matrix[:, columns].tocoo().row)
        sub = matrix[rows][:, columns]
        local = int(np.searchsorted(columns, target))
        # Raise the upper end first where it is as close to the value as the lower end (a count of 1 seen as
        # 0–1 needs room above it); otherwise lower the lower end.
        directions = (True, False) if finding.high - finding.value <= finding.value - finding.low else (False, True)
        for maximize in directions:
            objective = np.zeros(len(columns))
            objective[local] = -1.0 if maximize else 1.0
            result = linprog(objective, A_eq=sub, b_eq=system.rhs[rows],
                             bounds=np.column_stack([system.lower[columns], np.full(len(columns), np.inf)]),
                             method="highs")
            if result.status != 0:
                continue
            binding = rows[np.abs(result.eqlin.marginals) > 1e-9]
            candidates = np.unique(np.concatenate([system.shown_cells(int(r)) for r in binding])) if len(
                binding) else np.array([], dtype=np.int64)
            if not len(candidates):
                continue
            values = np.array([_value(system, int(c)) for c in candidates])
            ranked = np.where(values > 0, values, np.inf) if (values > 0).any() else values
            best = int(candidates[np.argmin(ranked)])
            name, flat_index = system.locate(best)
            chosen.setdefault(name, set()).add(flat_index)
            break
    return chosen


def _value(system, position: int) -> float:
    name, flat_index = system.locate(position)
    return float(system.cubes[name].values.flat[flat_index])


def _column_components(matrix) -> np.ndarray:
    """The connected component of every unknown (unknowns sharing an equation are connected)."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = matrix.shape[1]
    coo = matrix.tocoo()
    # Each equation's unknowns chained to its first: enough for connectivity.
    first = np.full(matrix.shape[0], -1)
    order = np.argsort(coo.row, kind="stable")
    rows, cols = coo.row[order], coo.col[order]
    starts = np.r_[0, np.flatnonzero(np.diff(rows)) + 1] if len(rows) else np.array([], dtype=np.int64)
    first[rows[starts]] = cols[starts]
    graph = sparse.csr_matrix((np.ones(len(rows)), (first[rows], cols)), shape=(n, n))
    return connected_components(graph, directed=False)[1]
