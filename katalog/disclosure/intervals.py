"""Feasible ranges of unknowns in a linear system: the measuring stick for linked-table disclosure.

A published table is a set of linear equations (a total is the sum of its parts) over unknowns (the
hidden cells) with bounds (a «<5» is 1–4). What an attacker can learn about one hidden cell is its
feasible range: the smallest and largest value it takes over all solutions of the system. The audit
rule of statistical disclosure control is that this range must be wide enough; for a hidden count of
1–4 it must contain the whole of 1..4, so the attacker cannot narrow it at all.

`feasible_ranges` computes exact ranges with linear programming, or integer programming with
`integer=True` (counts are whole numbers, and an integer range can be narrower than the linear one).
`unprotected` returns only the targets that fail the audit rule; `unprotected_matrix` is the same for a
system already in sparse-matrix form (katalog.disclosure.audit, the build-time audit of every published table).

How it stays fast on thousands of unknowns:
- The system is split into connected components (unknowns linked by equations,
  scipy.sparse.csgraph.connected_components) and each is solved on its own; an unknown in no equation
  is read off its bounds without solving.
- Every solution found is a witness: a target whose value in it is at its bound (for ranges) or ≤ low
  and ≥ high (for the audit) needs no programme of its own in that direction. Sweeps look for such
  solutions for many targets at once (minimise Σ max(x, low) over the open targets, maximise
  Σ min(x, high)): first one linear programme per batch of components (about BATCH_VARIABLES variables:
  many small components settled at once, and moderate programmes, which HiGHS solves far faster than one
  huge one), then per component.
- Integer programmes only where needed: the linear programme is solved first, and its solution is
  accepted when it is already whole (and outside every gap); otherwise the integer programme decides.
  (A whole-number LP optimum alone is not enough: x + 2z = 3, z ∈ [0.5, 1.5] has LP minimum x = 0 but
  integer minimum x = 1.)

Both kinds of programme go to HiGHS through scipy.optimize.milp; without integrality milp solves the
LP with HiGHS's simplex, exactly as linprog(method="highs") does, at a third of linprog's overhead, which
is most of the time on small components.

Disjunctive bounds: `forbidden_gaps={var: (a, b)}` excludes the open interval (a, b), i.e. the var is
≤ a or ≥ b. A secondary suppression «–» hides a count that is never 1–4: with `lower` 0 it is
`forbidden_gaps={var: (0, 5)}`, {0} ∪ [5, ∞). Each gap is one binary variable (big-M, with M the
var's upper bound, else a bound from one of its equations, else its LP maximum, else `big_m`), so
gaps are always enforced exactly, with or without `integer`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

Key = Hashable
Equation = tuple[Mapping[Key, float], float]
Range = tuple[float, float]

TOL = 1e-6  # feasibility and comparison tolerance (HiGHS works to about 1e-7)
DEFAULT_BIG_M = 1e7  # cap for a gap variable that is unbounded above even in the relaxation
BATCH_VARIABLES = 5000  # components are swept together in batches of about this many variables

# HiGHS options scipy's milp does not list but passes on: an exact optimum (no relative gap), and tight
# feasibility so a big-M binary at 1e-6 cannot open a gap it should close.
_MILP_OPTIONS = {"mip_rel_gap": 0.0, "mip_feasibility_tolerance": 1e-9}


class InfeasibleError(ValueError):
    """The system has no solution. The true values always satisfy it, so this is a modelling bug."""

    def __init__(self, message: str, variables: Iterable[Key] = ()):
        super().__init__(message)
        self.variables = list(variables)


def feasible_ranges(
    equations: Iterable[Equation],
    targets: Iterable[Key],
    *,
    lower: Mapping[Key, float] | None = None,
    upper: Mapping[Key, float] | None = None,
    default_lower: float = 0.0,
    integer: bool = False,
    forbidden_gaps: Mapping[Key, tuple[float, float]] | None = None,
    big_m: float = DEFAULT_BIG_M,
) -> dict[Key, Range]:
    """The exact (min, max) of each target over all solutions of Σ coef·var = rhs within the bounds.

    `equations` are (dict var -> coef, rhs); variables are any hashable keys. Variables without a
    bound in `lower` get `default_lower` (use -math.inf for a free variable), and without one in
    `upper` +inf. An unbounded direction gives ±math.inf. `integer=True` restricts every variable to
    integers. `forbidden_gaps` excludes an open interval per variable (see the module docstring).
    Raises InfeasibleError (a ValueError) if the system has no solution.
    """
    system = _System.build(equations, targets, lower, upper, default_lower, integer, forbidden_gaps, big_m)
    result = system.solve(None, None)
    return {key: result[key] for key in system.targets}


def unprotected(
    equations: Iterable[Equation],
    targets: Iterable[Key],
    *,
    lower: Mapping[Key, float] | None = None,
    upper: Mapping[Key, float] | None = None,
    default_lower: float = 0.0,
    low: float = 1,
    high: float = 4,
    integer: bool = False,
    forbidden_gaps: Mapping[Key, tuple[float, float]] | None = None,
    big_m: float = DEFAULT_BIG_M,
) -> dict[Key, Range]:
    """The targets whose feasible range does not contain all of [low, high], with their exact ranges.

    The audit rule for a hidden count of 1–4 (low=1, high=4): the attacker must not be able to narrow
    it inside 1..4, so a target passes only if it can be as small as `low` and as large as `high`.
    Arguments are as for `feasible_ranges`. Only open questions are solved: every solution found is a
    witness that settles the other targets whose value in it is ≤ low or ≥ high.
    """
    system = _System.build(equations, targets, lower, upper, default_lower, integer, forbidden_gaps, big_m)
    result = system.solve(float(low), float(high))
    return {key: result[key] for key in system.targets if key in result}


def unprotected_matrix(
    matrix: sparse.spmatrix,
    rhs: np.ndarray,
    targets: Iterable[int],
    *,
    lower: np.ndarray,
    upper: np.ndarray | None = None,
    low: float = 1,
    high: float = 4,
    integer: bool = False,
) -> dict[int, Range]:
    """`unprotected` for a system already in matrix form: matrix · x = rhs, variables 0..n-1 (the columns)
    with bounds `lower` (and `upper`, else +inf). Targets are column numbers. For large systems built by
    the caller (katalog.disclosure.audit), without a dict per equation."""
    system = _System.from_matrix(matrix, rhs, targets, lower, upper, integer)
    result = system.solve(float(low), float(high))
    return {key: result[key] for key in system.targets if key in result}


# --- the system and its components -------------------------------------------------------------------


@dataclass
class _System:
    names: list[Key]
    index: dict[Key, int]
    matrix: sparse.csr_matrix  # equations x variables
    rhs: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    gaps: dict[int, tuple[float, float]]
    integer: bool
    big_m: float
    targets: list[Key]
    labels: np.ndarray | None = None  # component of each variable, once `components` has run

    @classmethod
    def build(cls, equations, targets, lower, upper, default_lower, integer, forbidden_gaps, big_m) -> _System:
        index: dict[Key, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        rhs: list[float] = []
        for coefs, value in equations:
            terms = [(index.setdefault(var, len(index)), float(coef)) for var, coef in coefs.items() if coef != 0]
            if not math.isfinite(float(value)) or not all(math.isfinite(c) for _, c in terms):
                raise ValueError(f"An equation has a coefficient or right-hand side that is not finite: "
                                 f"{coefs} = {value}")
            row = len(rhs)
            rhs.append(float(value))
            for col, coef in terms:
                rows.append(row)
                cols.append(col)
                vals.append(coef)
        targets = list(dict.fromkeys(targets))
        for key in targets:
            index.setdefault(key, len(index))
        n = len(index)
        matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(rhs), n), dtype=float)  # sums duplicates
        matrix.eliminate_zeros()
        rhs_array = np.asarray(rhs, dtype=float)
        empty = np.diff(matrix.indptr) == 0
        if np.any(np.abs(rhs_array[empty]) > TOL):
            raise InfeasibleError("An equation without variables has a right-hand side other than 0 (0 = "
                                  f"{rhs_array[empty][np.abs(rhs_array[empty]) > TOL][0]:g}).")
        names = list(index)
        lower, upper = lower or {}, upper or {}
        lo = np.array([float(lower.get(key, default_lower)) for key in names], dtype=float)
        hi = np.array([float(upper.get(key, math.inf)) for key in names], dtype=float)
        gaps = {}
        for key, (a, b) in (forbidden_gaps or {}).items():
            if key in index:
                if not a < b:
                    raise ValueError(f"A forbidden gap must be an interval (a, b) with a < b, got {(a, b)} "
                                     f"for {key!r}.")
                gaps[index[key]] = (float(a), float(b))
        return cls(names, index, matrix, rhs_array, lo, hi, gaps, integer, big_m, targets)

    @classmethod
    def from_matrix(cls, matrix, rhs, targets, lower, upper, integer) -> _System:
        matrix = sparse.csr_matrix(matrix, dtype=float)
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        n = matrix.shape[1]
        rhs_array = np.asarray(rhs, dtype=float)
        empty = np.diff(matrix.indptr) == 0
        if np.any(np.abs(rhs_array[empty]) > TOL):
            raise InfeasibleError("An equation without variables has a right-hand side other than 0.")
        lo = np.asarray(lower, dtype=float).copy()
        hi = np.full(n, math.inf) if upper is None else np.asarray(upper, dtype=float).copy()
        names = list(range(n))
        return cls(names, dict(zip(names, names, strict=True)), matrix, rhs_array, lo, hi, {}, integer, DEFAULT_BIG_M,
                   list(dict.fromkeys(int(t) for t in targets)))

    def solve(self, low: float | None, high: float | None) -> dict[Key, Range]:
        """Every target's range (`low` None), or the targets whose range misses part of [low, high].

        First one linear programme per sweep over all linked components together (independent blocks, so
        one solution is a solution of each): what it settles in a block whose part of the solution is
        exact (whole numbers, outside gaps) no component has to solve again.
        """
        components = list(self.components())
        linked = [c for c in components if c.matrix.shape[0] > 0]
        reached_low: set[Key] = set()
        reached_high: set[Key] = set()
        for batch in _batches(linked):
            if len(batch) < 2:
                continue
            cols = np.concatenate([c.cols for c in batch])
            rows = [r for c in batch for r in c.rows]
            targets = [t for c in batch for t in c.global_targets]
            block = _Component.of(self, cols, rows, targets, blocks=True)
            n = len(block.names)
            low_caps = block.lo if low is None else np.full(n, low)
            high_caps = block.hi if high is None else np.full(n, high)
            found_low, found_high = block.sweep_relaxed(low_caps, high_caps)
            reached_low |= {block.names[j] for j in found_low}
            reached_high |= {block.names[j] for j in found_high}
        result: dict[Key, Range] = {}
        for component in components:
            if low is None or high is None:
                result.update(component.ranges(reached_low, reached_high))
            else:
                result.update(component.unprotected(low, high, reached_low, reached_high))
        return result

    def components(self) -> Iterable[_Component]:
        """The components holding at least one target, each with its own equations."""
        n = len(self.names)
        if not self.targets:
            return
        matrix = self.matrix
        # Link each variable of an equation to the next one in it: a chain per equation is enough.
        nnz = matrix.nnz
        keep = np.ones(max(nnz - 1, 0), dtype=bool)
        ends = matrix.indptr[1:]
        last = ends[(ends > 0) & (ends - 1 < nnz - 1)] - 1
        keep[last] = False
        src = matrix.indices[:-1][keep] if nnz else np.array([], dtype=int)
        dst = matrix.indices[1:][keep] if nnz else np.array([], dtype=int)
        graph = sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        self.labels = labels
        target_idx = np.array([self.index[key] for key in self.targets], dtype=int)
        wanted = set(labels[target_idx].tolist())
        nonempty = np.flatnonzero(np.diff(matrix.indptr) > 0)
        row_labels = labels[matrix.indices[matrix.indptr[nonempty]]]
        rows_by_label: dict[int, list[int]] = {}
        for row, label in zip(nonempty.tolist(), row_labels.tolist(), strict=True):
            if label in wanted:
                rows_by_label.setdefault(label, []).append(row)
        order = np.argsort(labels, kind="stable")
        bounds = np.searchsorted(labels[order], np.arange(labels.max() + 2 if n else 1))
        targets_by_label: dict[int, list[int]] = {}
        for j in target_idx.tolist():
            targets_by_label.setdefault(int(labels[j]), []).append(j)
        # The equations' entries by component, to cut each component's matrix out without slicing.
        entry_rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        entry_labels = labels[matrix.indices]
        entry_order = np.argsort(entry_labels, kind="stable")
        entry_bounds = np.searchsorted(entry_labels[entry_order], np.arange(labels.max() + 2 if n else 1))
        for label, component_targets in targets_by_label.items():
            cols = order[bounds[label]:bounds[label + 1]]
            rows = rows_by_label.get(label, [])
            entries = entry_order[entry_bounds[label]:entry_bounds[label + 1]]
            local = sparse.csr_matrix(
                (matrix.data[entries], (np.searchsorted(rows, entry_rows[entries]),
                                        np.searchsorted(cols, matrix.indices[entries]))),
                shape=(len(rows), len(cols))) if rows else None
            yield _Component.of(self, cols, rows, component_targets, matrix=local)


def _batches(components: list[_Component]) -> Iterable[list[_Component]]:
    """Components in batches of about BATCH_VARIABLES variables: one programme per batch settles many small
    components at once, and several moderate programmes are much faster than one huge one."""
    limit = BATCH_VARIABLES
    batch: list[_Component] = []
    size = 0
    for component in sorted(components, key=lambda c: len(c.names)):
        if batch and size + len(component.names) > limit:
            yield batch
            batch, size = [], 0
        batch.append(component)
        size += len(component.names)
    if batch:
        yield batch


@dataclass
class _Component:
    """One connected component: its variables (local indices), equations, bounds and gaps."""

    names: list[Key]
    matrix: sparse.csr_matrix
    rhs: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    gaps: dict[int, tuple[float, float]]  # local index -> (a, b)
    integer: bool
    big_m: float
    targets: list[int]  # local indices
    cols: np.ndarray  # the system's indices of the variables
    rows: list[int]  # the system's indices of the equations
    global_targets: list[int]
    blocks: np.ndarray | None = None  # for several components together: the component of each variable
    _tops: dict[int, float] = field(default_factory=dict)
    _checked: bool = False

    @classmethod
    def of(cls, system: _System, cols: np.ndarray, rows: list[int], targets: list[int], *,
           blocks: bool = False, matrix: sparse.csr_matrix | None = None) -> _Component:
        """The part of `system` on sorted `cols` and `rows` (its matrix, if cut out already)."""
        cols = np.sort(cols)
        local = {int(c): i for i, c in enumerate(cols.tolist())}
        if matrix is None:
            matrix = system.matrix[rows][:, cols] if rows else sparse.csr_matrix((0, len(cols)))
        lo, hi = system.lo[cols].copy(), system.hi[cols].copy()
        if system.integer:
            lo = np.ceil(lo - TOL)
            hi = np.floor(hi + TOL)
        gaps = {}
        for col in cols.tolist():
            if col in system.gaps:
                i = local[col]
                a, b = system.gaps[col]
                if system.integer:  # the integers outside (a, b): ≤ floor(a) or ≥ ceil(b)
                    a, b = math.floor(a + TOL), math.ceil(b - TOL)
                    if a + 1 >= b:
                        continue  # no integer inside the gap
                if lo[i] > a + TOL:
                    lo[i] = max(lo[i], b)  # the lower part is out of bounds: at least b
                elif hi[i] < b - TOL:
                    hi[i] = min(hi[i], a)  # the upper part is out of bounds: at most a
                else:
                    gaps[i] = (a, b)
        names = [system.names[c] for c in cols.tolist()]
        if np.any(lo > hi + TOL):
            bad = names[int(np.flatnonzero(lo > hi + TOL)[0])]
            raise InfeasibleError(f"The bounds of {bad!r} leave no value.", [bad])
        return cls(names, matrix, system.rhs[rows], lo, hi, gaps, system.integer, system.big_m,
                   [local[t] for t in targets], cols, list(rows), list(targets),
                   system.labels[cols] if blocks and system.labels is not None else None)

    @property
    def exact_needs_milp(self) -> bool:
        return self.integer or bool(self.gaps)

    # --- the two questions ---------------------------------------------------------------------------

    def ranges(self, known_low: set[Key] = frozenset(), known_high: set[Key] = frozenset()) -> dict[Key, Range]:
        """Each target's exact range; `known_low`/`known_high` name targets already seen at their bounds."""
        if self.matrix.shape[0] == 0:
            return {self.names[j]: self._single(j) for j in self.targets}
        # A feasible point where a target sits on its own bound proves that bound is its min or max.
        reached_low, reached_high, witness = self._reach(self.lo, self.hi, known_low, known_high)
        result = {}
        for j in self.targets:
            least = float(self.lo[j]) if j in reached_low else self._extreme(j, False, witness)
            most = float(self.hi[j]) if j in reached_high else self._extreme(j, True, witness)
            result[self.names[j]] = (least, most)
        return result

    def unprotected(self, low: float, high: float, known_low: set[Key] = frozenset(),
                    known_high: set[Key] = frozenset()) -> dict[Key, Range]:
        """The targets whose range misses part of [low, high]; `known_low`/`known_high` name targets
        already seen at or below low, at or above high."""
        if self.matrix.shape[0] == 0:
            result = {}
            for j in self.targets:
                least, most = self._single(j)
                if least > low + TOL or most < high - TOL:
                    result[self.names[j]] = (least, most)
            return result
        n = len(self.names)
        reached_low, reached_high, witness = self._reach(np.full(n, float(low)), np.full(n, float(high)),
                                                         known_low, known_high)
        found: dict[tuple[int, bool], float] = {}
        failing = []
        for j in self.targets:
            for maximize, reached in ((False, reached_low), (True, reached_high)):
                if j in reached:
                    continue
                found[j, maximize] = value = self._extreme(j, maximize, witness)
                if (value < high - TOL) if maximize else (value > low + TOL):
                    failing.append(j)
                    break
        result = {}
        for j in failing:
            least = found.get((j, False))
            most = found.get((j, True))
            # Reached a cap that is also the bound: the bound is the extreme, nothing to solve.
            if least is None and j in reached_low and self.lo[j] >= low - TOL:
                least = float(self.lo[j])
            if most is None and j in reached_high and self.hi[j] <= high + TOL:
                most = float(self.hi[j])
            result[self.names[j]] = (self._extreme(j, False, witness) if least is None else least,
                                     self._extreme(j, True, witness) if most is None else most)
        return result

    def _reach(self, low_caps: np.ndarray, high_caps: np.ndarray, known_low: set[Key] = frozenset(),
               known_high: set[Key] = frozenset()):
        """Which targets some feasible point puts at or below their low cap, and at or above their high cap.

        Sweeps: one programme per direction minimises Σ max(x, low cap) over the open targets (or maximises
        Σ min(x, high cap)), which pushes all of them at once; repeated while it settles more. Returns the
        two sets and a `witness(point)` that adds what any later feasible point settles.
        """
        targets = np.array(self.targets)
        reached_low = {j for j in self.targets if self.names[j] in known_low}
        reached_high = {j for j in self.targets if self.names[j] in known_high}
        open_low = {j for j in self.targets if math.isfinite(low_caps[j]) and self.lo[j] <= low_caps[j] + TOL
                    and j not in reached_low}
        open_high = {j for j in self.targets if math.isfinite(high_caps[j]) and self.hi[j] >= high_caps[j] - TOL
                     and j not in reached_high}

        def witness(point: np.ndarray) -> None:
            values = point[targets]
            for j in targets[values <= low_caps[targets] + TOL].tolist():
                if j in open_low:
                    open_low.discard(j)
                    reached_low.add(j)
            for j in targets[values >= high_caps[targets] - TOL].tolist():
                if j in open_high:
                    open_high.discard(j)
                    reached_high.add(j)

        for maximize, still_open, caps in ((False, open_low, low_caps), (True, open_high, high_caps)):
            while still_open:
                before = len(still_open)
                witness(self._capped_point(sorted(still_open), maximize, caps))
                if len(still_open) == before:
                    break
        return reached_low, reached_high, witness

    def sweep_relaxed(self, low_caps: np.ndarray, high_caps: np.ndarray) -> tuple[set[int], set[int]]:
        """The sweeps of `_reach` with linear programmes only, over several components (`blocks`): a
        solution settles targets only in the blocks where it is exact."""
        targets = np.array(self.targets)
        reached: tuple[set[int], set[int]] = (set(), set())
        for maximize, caps in ((False, low_caps), (True, high_caps)):
            still_open = {j for j in self.targets if math.isfinite(caps[j])
                          and (self.hi[j] >= caps[j] - TOL if maximize else self.lo[j] <= caps[j] + TOL)}
            while still_open:
                chosen = sorted(still_open)
                point = self._run(np.zeros(len(self.names)), (chosen, maximize, caps[chosen]), exact=False).x
                point = point[:len(self.names)]
                exact = self._exact_mask(point)[targets]
                for low_or_high, found in ((False, reached[0]), (True, reached[1])):
                    values = point[targets]
                    hit = values >= high_caps[targets] - TOL if low_or_high else values <= low_caps[targets] + TOL
                    found.update(targets[hit & exact].tolist())
                before = len(still_open)
                still_open -= reached[1] if maximize else reached[0]
                if len(still_open) == before:
                    break
        return reached

    def _exact_mask(self, point: np.ndarray) -> np.ndarray:
        """Per variable: whether its block's part of the point is exact (whole numbers, outside gaps)."""
        bad = np.zeros(len(point), dtype=bool)
        if self.integer:
            bad |= np.abs(point - np.round(point)) > TOL
        for i, (a, b) in self.gaps.items():
            bad[i] |= a + TOL < point[i] < b - TOL
        if not bad.any():
            return np.ones(len(point), dtype=bool)
        if self.blocks is None:
            return np.zeros(len(point), dtype=bool)
        return ~np.isin(self.blocks, np.unique(self.blocks[bad]))

    # --- solving -------------------------------------------------------------------------------------

    def _single(self, j: int) -> Range:
        """The range of a variable in no equation: its bounds, less its gap."""
        lo, hi = float(self.lo[j]), float(self.hi[j])
        if j in self.gaps:
            a, b = self.gaps[j]
            parts = [(x, y) for x, y in ((lo, min(hi, a)), (max(lo, b), hi)) if x <= y + TOL]
            lo, hi = min(x for x, _ in parts), max(y for _, y in parts)
        return lo, hi

    def _extreme(self, j: int, maximize: bool, witness) -> float:
        """The exact min or max of variable j; the point attaining it goes to `witness`."""
        c = np.zeros(len(self.names))
        c[j] = -1.0 if maximize else 1.0
        res = self._run(c, None, exact=False)
        if res.status == 3:  # unbounded relaxation: unbounded with integers and gaps too, if there is a solution
            if self.exact_needs_milp:
                self._check_exact_feasible()
            return math.inf if maximize else -math.inf
        point = res.x[:len(self.names)]
        if self.exact_needs_milp and not self._is_exact(point):
            res = self._run(c, None, exact=True)
            point = res.x[:len(self.names)]
        witness(point)
        value = -res.fun if maximize else res.fun
        return self._clean(float(value))

    def _capped_point(self, chosen: list[int], maximize: bool, caps: np.ndarray) -> np.ndarray:
        """A feasible point minimising Σ max(x_j, cap_j) (or maximising Σ min(x_j, cap_j)) over `chosen`."""
        aux = (chosen, maximize, caps[chosen])
        res = self._run(np.zeros(len(self.names)), aux, exact=False)
        point = res.x[:len(self.names)]
        if self.exact_needs_milp and not self._is_exact(point):
            point = self._run(np.zeros(len(self.names)), aux, exact=True).x[:len(self.names)]
        return point

    def _run(self, c: np.ndarray, aux: tuple | None, *, exact: bool):
        """Minimise c·x (+ the capped sum in `aux`) over the equations and bounds, with integrality and gaps
        if `exact`, else over the linear relaxation. Variables: x, then one per capped target, then one
        binary per gap (0: x ≤ a, 1: x ≥ b). Raises InfeasibleError; status 3 is unbounded."""
        n, m = len(self.names), self.matrix.shape[0]
        chosen, maximize, caps = aux if aux is not None else ([], False, np.zeros(0))
        k = len(chosen)
        gaps = list(self.gaps.items()) if exact else []
        g = len(gaps)
        width = n + k + g
        rows, cols, vals, row_lo, row_hi = [], [], [], [], []
        for i, j in enumerate(chosen):  # y_i = max(x_j, cap) from above (min) or min(x_j, cap) from below (max)
            rows += [i, i]
            cols += [j, n + i]
            vals += [-1.0, 1.0] if maximize else [1.0, -1.0]
            row_lo.append(-math.inf)
            row_hi.append(0.0)
        for q, (i, (a, b)) in enumerate(gaps):
            top, bottom = self._top(i), self.lo[i] if math.isfinite(self.lo[i]) else -self.big_m
            r, z = k + 2 * q, n + k + q
            rows += [r, r, r + 1, r + 1]
            cols += [i, z, i, z]
            vals += [1.0, -max(top - a, 0.0), 1.0, -(b - bottom)]
            row_lo += [-math.inf, bottom]  # x - (top - a)·z ≤ a;  x - (b - bottom)·z ≥ bottom
            row_hi += [a, math.inf]
        equalities = sparse.hstack([self.matrix, sparse.csr_matrix((m, k + g))], format="csr")
        extra = sparse.csr_matrix((vals, (rows, cols)), shape=(len(row_lo), width)) if rows else None
        y_lo = np.full(k, -math.inf) if maximize else np.asarray(caps, dtype=float)
        y_hi = np.asarray(caps, dtype=float) if maximize else np.full(k, math.inf)
        lower = np.concatenate([self.lo, y_lo, np.zeros(g)])
        upper = np.concatenate([self.hi, y_hi, np.ones(g)])
        objective = np.concatenate([c, np.full(k, -1.0 if maximize else 1.0), np.zeros(g)])
        constraints = [LinearConstraint(equalities, self.rhs, self.rhs)]
        if extra is not None:
            constraints.append(LinearConstraint(extra, row_lo, row_hi))
        integrality = np.concatenate([np.full(n, 1 if exact and self.integer else 0), np.zeros(k), np.ones(g)])
        # Without integrality milp is HiGHS's LP solver, as in linprog(method="highs"), at a third of the
        # overhead, which is most of the time on small components.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # HiGHS options scipy does not list
            res = milp(objective, integrality=integrality, bounds=Bounds(lower, upper), constraints=constraints,
                       options=dict(_MILP_OPTIONS))
        if res.status == 4:  # "unbounded or infeasible"
            if not (c.any() or k):
                raise self._infeasible()  # nothing to be unbounded
            self._run(np.zeros(n), None, exact=exact)  # raises InfeasibleError if there is no solution
            if exact:  # only asked once the relaxation is bounded, so a solution has a finite optimum
                raise RuntimeError(f"HiGHS could not solve the integer programme: {res.message}")
            res.status = 3
        if res.status == 2:
            raise self._infeasible()
        if res.status not in (0, 3) or (res.status == 0 and res.x is None):
            raise RuntimeError(f"HiGHS could not solve the programme: {res.message}")
        return res

    def _top(self, i: int) -> float:
        """A finite upper bound of gap variable i (the big-M): its bound, else one equation's worth
        (the others at their extremes), else its relaxed maximum, else big_m."""
        if i in self._tops:
            return self._tops[i]
        best = self.hi[i]
        if not math.isfinite(best):
            csc = self.matrix.tocsc()
            for r in csc.indices[csc.indptr[i]:csc.indptr[i + 1]].tolist():
                start, end = self.matrix.indptr[r], self.matrix.indptr[r + 1]
                cols, coefs = self.matrix.indices[start:end], self.matrix.data[start:end]
                own = coefs[cols == i][0]
                others = cols != i
                # own·x = rhs - Σ others; its largest value comes from the others' smallest (own > 0) or
                # largest (own < 0) contribution.
                pick_low = (coefs[others] > 0) == (own > 0)
                bound_of_others = np.where(pick_low, self.lo[cols[others]], self.hi[cols[others]])
                contribution = float(np.sum(coefs[others] * bound_of_others)) if others.any() else 0.0
                if math.isfinite(contribution):
                    best = min(best, (self.rhs[r] - contribution) / own)
            if not math.isfinite(best):
                c = np.zeros(len(self.names))
                c[i] = -1.0
                res = self._run(c, None, exact=False)
                best = -res.fun if res.status == 0 else math.inf
            if not math.isfinite(best):
                best = self.big_m
        self._tops[i] = float(best)
        return self._tops[i]

    def _is_exact(self, point: np.ndarray) -> bool:
        if self.integer and np.any(np.abs(point - np.round(point)) > TOL):
            return False
        return all(point[i] <= a + TOL or point[i] >= b - TOL for i, (a, b) in self.gaps.items())

    def _clean(self, value: float) -> float:
        if self.exact_needs_milp:
            nearest = round(value)
            if abs(value - nearest) <= TOL * max(1.0, abs(value)):
                return float(nearest)
        return float(value)

    def _check_exact_feasible(self) -> None:
        if not self._checked:
            self._run(np.zeros(len(self.names)), None, exact=True)  # raises InfeasibleError
            self._checked = True

    def _infeasible(self) -> InfeasibleError:
        shown = ", ".join(repr(name) for name in self.names[:5]) + (" …" if len(self.names) > 5 else "")
        return InfeasibleError(
            f"The equations and bounds have no solution (a component of {len(self.names)} variables, "
            f"{self.matrix.shape[0]} equations: {shown}). The true values always satisfy them, so an "
            "equation or bound is modelled wrongly.",
            self.names,
        )
