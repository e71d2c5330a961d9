"""The audit of the suppression pattern: what can an attacker who holds every published table work out?

Every published count is a constant, every hidden one an unknown that is at least 0 (zeros beside hidden
counts are hidden too), and every line of every cube is an equation (a total is the sum of its parts; a part and the
rest make the whole). The same persons published in two tables are one unknown. For every hidden count
of 1–4 – and every small rest that is not published but follows from two counts – the audit rule is:
the values the attacker cannot rule out must include all of 1 to 4, so the published tables say nothing
about the count beyond what the marker «skjult» says. `katalog.intervals` solves the linear (and, where
it matters, integer) programmes with HiGHS.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from katalog.cube import SMALL_COUNT_MAX, Cube, Link

# The rule: the values an attacker cannot rule out for a hidden count of 1–4 span at least as many
# values as «1–4» itself (max − min ≥ 3), so the published tables never narrow it below what the marker
# says; a count that is determined exactly fails by far.
MIN_WIDTH = SMALL_COUNT_MAX - 1
LOW, HIGH = 1, SMALL_COUNT_MAX


@dataclass(frozen=True)
class Finding:
    """A small count the published tables narrow too much."""

    cell: tuple  # (table, flat index) or ("rest", table, part, flat index)
    description: str
    value: float
    low: float
    high: float


@dataclass
class AuditReport:
    tables: list[str]
    cells: int = 0  # published count cells
    hidden: int = 0
    small: int = 0  # hidden small counts checked (incl. small rests)
    equations: int = 0
    exposed: list[Finding] = field(default_factory=list)  # a small count shown, or a small rest of two shown
    narrowed: list[Finding] = field(default_factory=list)  # feasible range does not contain 1..4
    seconds: float = 0.0

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


def audit(cubes: Mapping[str, Cube], links: Iterable[Link], *, integer: bool = True) -> AuditReport:
    """Check every hidden small count of every cube against everything published in all of them."""
    started = time.perf_counter()
    report = AuditReport(tables=list(cubes))
    system = _System(cubes, list(links))
    for name, cube in cubes.items():
        report.cells += cube.hidden.size
        report.hidden += int(cube.hidden.sum())
        shown_small = ~cube.hidden & (cube.values >= LOW) & (cube.values <= HIGH)
        for flat_index in np.flatnonzero(shown_small)[:20]:
            report.exposed.append(_finding(cube, (name, int(flat_index)), cube.values.flat[flat_index], 0, 0, "vist"))
    report.exposed += system.exposed_rests
    report.small = len(system.targets)
    report.equations = system.matrix.shape[0]
    if system.targets:
        found = too_narrow(system, integer=integer)
        for target, (low, high) in found.items():
            value, description = system.describe(target)
            report.narrowed.append(Finding(system.cell_of(target), description, value, low, high))
    report.seconds = time.perf_counter() - started
    return report


class _System:
    """Everything published as one sparse linear system: one unknown per hidden cell (linked cells share
    one) and per small rest that is not published, one equation per line of a cube with a hidden cell."""

    def __init__(self, cubes: Mapping[str, Cube], links: list[Link]):
        from scipy import sparse
        from scipy.sparse.csgraph import connected_components

        self.cubes = cubes
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
        # Zeros beside hidden counts are hidden too (katalog.cube), so a hidden cell is only known to be ≥ 0.
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
            whole_labels = self.label[whole_positions[open_]]
            part_labels = self.label[part_positions[open_]]
            rows += [row_ids, row_ids[hw[open_]], row_ids[hp[open_]]]
            cols += [rest_labels, whole_labels[hw[open_]], part_labels[hp[open_]]]
            vals += [np.full(len(open_), -1.0), np.ones(int(hw[open_].sum())), -np.ones(int(hp[open_].sum()))]
            rhs.append(-np.where(hw[open_], 0.0, vw[open_]) + np.where(hp[open_], 0.0, vp[open_]))
            for label, whole in zip(rest_labels.tolist(), (whole_positions[open_] - self.offset[name]).tolist(),
                                    strict=True):
                self.cell_label.setdefault(label, ("rest", name, number, whole))

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


def too_narrow(system: _System, *, integer: bool = True, width: float = MIN_WIDTH, rounds: int = 12
               ) -> dict[int, tuple[float, float]]:
    """The targets whose feasible range is narrower than `width`, with their ranges.

    Most targets are settled in batches: each round solves one linear programme per component that
    pushes every open target up (or down) at once with random weights, and every solution is a witness
    of values the targets can take (an integer solution is a witness for the integer programme too).
    Targets still open after the rounds are solved one by one, exactly.
    """
    targets = np.array(system.targets)
    seen_low = np.full(len(targets), np.inf)
    seen_high = np.full(len(targets), -np.inf)
    rng = np.random.default_rng(0)
    components = list(_components(system, targets))
    for component in components:
        which = component.target_index
        for round_number in range(rounds):
            open_ = (seen_high[which] - seen_low[which]) < width - 1e-6
            if not open_.any():
                break
            direction = 1.0 if round_number % 2 == 0 else -1.0
            weights = np.zeros(component.n)
            weights[component.local_targets[open_]] = rng.uniform(0.5, 1.5, int(open_.sum()))
            point = component.solve(-direction * weights)
            if point is None or (integer and np.abs(point - np.round(point)).max() > 1e-6):
                continue
            values = point[component.local_targets]
            seen_low[which] = np.minimum(seen_low[which], values)
            seen_high[which] = np.maximum(seen_high[which], values)
    result: dict[int, tuple[float, float]] = {}
    for component in components:
        which = component.target_index
        for k in np.flatnonzero((seen_high[which] - seen_low[which]) < width - 1e-6):
            i = which[k]
            low = component.extreme(component.local_targets[k], maximize=False, integer=integer)
            high = component.extreme(component.local_targets[k], maximize=True, integer=integer)
            if high - low < width - 1e-6:
                result[int(targets[i])] = (low, high)
    return result


def _components(system: _System, targets: np.ndarray):
    """The connected components of unknowns that hold a target, each with its own equations."""
    from scipy.sparse.csgraph import connected_components

    matrix = system.matrix
    n = matrix.shape[1]
    incidence = abs(matrix)
    adjacency = (incidence.T @ incidence).tocsr()
    _, labels = connected_components(adjacency, directed=False)
    has_terms = np.diff(matrix.indptr) > 0
    row_label = np.full(matrix.shape[0], -1)
    row_label[has_terms] = labels[matrix.indices[matrix.indptr[:-1][has_terms]]]
    target_labels = labels[targets]
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(labels.max() + 2 if n else 1))
    rows_by_label: dict[int, list[int]] = {}
    for row, label in enumerate(row_label.tolist()):
        if label >= 0:
            rows_by_label.setdefault(label, []).append(row)
    for label in np.unique(target_labels):
        columns = order[bounds[label]:bounds[label + 1]]
        local = np.full(n, -1)
        local[columns] = np.arange(len(columns))
        which = np.flatnonzero(target_labels == label)
        equations = rows_by_label.get(int(label), [])
        yield _Component(matrix[equations][:, columns], system.rhs[equations], system.lower[columns], which,
                         local[targets[which]])


@dataclass
class _Component:
    matrix: object
    rhs: np.ndarray
    lower: np.ndarray
    target_index: np.ndarray  # positions in the system's target list
    local_targets: np.ndarray  # the same targets as columns of this component

    @property
    def n(self) -> int:
        return self.matrix.shape[1]

    def solve(self, objective: np.ndarray):
        from scipy.optimize import linprog

        if self.matrix.shape[0] == 0:
            return np.where(objective < 0, np.inf, self.lower)
        bounds = np.column_stack([self.lower, np.full(self.n, np.inf)])
        result = linprog(objective, A_eq=self.matrix, b_eq=self.rhs, bounds=bounds, method="highs")
        if result.status == 3:  # unbounded: some open target can grow without limit
            return None
        if result.status != 0:
            raise RuntimeError(f"Revisionen kunne ikke løse et lineært program: {result.message}")
        return np.asarray(result.x)

    def extreme(self, column: int, *, maximize: bool, integer: bool) -> float:
        """The exact min or max of one unknown (integer programme where the linear one is not integral)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        objective = np.zeros(self.n)
        objective[column] = -1.0 if maximize else 1.0
        if self.matrix.shape[0] == 0:
            return np.inf if maximize else float(self.lower[column])
        point = self.solve(objective)
        if point is None:
            return np.inf if maximize else -np.inf
        if not integer or np.abs(point - np.round(point)).max() <= 1e-6:
            return float(point[column])
        result = milp(objective, integrality=np.ones(self.n),
                      bounds=Bounds(self.lower, np.full(self.n, np.inf)),
                      constraints=[LinearConstraint(self.matrix, self.rhs, self.rhs)])
        if result.status != 0:
            raise RuntimeError(f"Revisionen kunne ikke løse et heltalsprogram: {result.message}")
        return float(result.x[column])
