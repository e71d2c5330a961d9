"""katalog.disclosure.intervals: exact feasible ranges of hidden cells, and the audit rule on them."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from katalog.disclosure import intervals
from katalog.disclosure.intervals import InfeasibleError, feasible_ranges, unprotected

SMALL = {"lower": 1, "upper": 4}  # a «<5»
SECONDARY_GAP = (0, 5)  # a «–»: 0 or at least 5, never a small count


def small(*names: str) -> dict[str, dict[str, int]]:
    return {"lower": {n: 1 for n in names}, "upper": {n: 4 for n in names}}


# --- worked examples ------------------------------------------------------------------------------------


def test_two_cells_summing_to_a_total():
    # Two hidden counts of 1–4 whose total is shown as 5: each can still be anything from 1 to 4.
    assert feasible_ranges([({"a": 1, "b": 1}, 5)], ["a", "b"], **small("a", "b")) == {"a": (1, 4), "b": (1, 4)}
    assert unprotected([({"a": 1, "b": 1}, 5)], ["a", "b"], **small("a", "b")) == {}
    # Total 7: each is at least 3.
    assert feasible_ranges([({"a": 1, "b": 1}, 7)], ["a"], **small("a", "b")) == {"a": (3, 4)}
    assert unprotected([({"a": 1, "b": 1}, 7)], ["a", "b"], **small("a", "b")) == {"a": (3, 4), "b": (3, 4)}


def test_fanoe_two_small_counts_summing_to_eight_are_both_four():
    # Fanø, astma, 80+, 2019: «Alle» 8, «Kvinder» <5, «Mænd» <5.
    equations = [({"kvinder": 1, "maend": 1}, 8)]
    assert feasible_ranges(equations, ["kvinder", "maend"], **small("kvinder", "maend")) == {
        "kvinder": (4, 4), "maend": (4, 4)}
    assert unprotected(equations, ["kvinder", "maend"], **small("kvinder", "maend"), integer=True) == {
        "kvinder": (4, 4), "maend": (4, 4)}


def test_ishoej_a_secondary_suppression_is_never_small():
    # Ishøj: «Alle» 6, «Kvinder» – (0 or ≥ 5), «Mænd» <5: Kvinder is 5 and Mænd 1.
    equations = [({"kvinder": 1, "maend": 1}, 6)]
    kwargs = {**small("maend"), "forbidden_gaps": {"kvinder": SECONDARY_GAP}}
    for integer in (False, True):
        assert feasible_ranges(equations, ["kvinder", "maend"], integer=integer, **kwargs) == {
            "kvinder": (5, 5), "maend": (1, 1)}
    assert unprotected(equations, ["maend"], integer=True, **kwargs) == {"maend": (1, 1)}
    # Without the gap a «–» could be 2–5 and Mænd 1–4: nothing is learnt.
    assert feasible_ranges(equations, ["maend"], **small("maend")) == {"maend": (1, 4)}


def test_gap_lets_a_secondary_be_zero():
    # «Alle» 3 = «Kvinder» <5 + «Mænd» –: Mænd must be 0 (it cannot be 1–2), so Kvinder is 3.
    equations = [({"kvinder": 1, "maend": 1}, 3)]
    ranges = feasible_ranges(equations, ["kvinder", "maend"], integer=True, forbidden_gaps={"maend": SECONDARY_GAP},
                             **small("kvinder"))
    assert ranges == {"kvinder": (3, 3), "maend": (0, 0)}


# A 2×2 table with its margins shown:      10 | 3   ->  13
#                                           2 | 7   ->   9
#                                          12   10      22
TABLE = {"x11": 10, "x12": 3, "x21": 2, "x22": 7}
ROWS = {"r1": ("x11", "x12"), "r2": ("x21", "x22")}
COLUMNS = {"c1": ("x11", "x21"), "c2": ("x12", "x22")}


def table_equations(hidden: set[str]) -> list[tuple[dict[str, float], float]]:
    """Each margin as an equation over the hidden cells, the shown cells moved to the right-hand side."""
    equations = []
    for cells in [*ROWS.values(), *COLUMNS.values()]:
        total = sum(TABLE[c] for c in cells)
        shown = sum(TABLE[c] for c in cells if c not in hidden)
        equations.append(({c: 1 for c in cells if c in hidden}, total - shown))
    return equations


def test_table_with_one_hidden_cell_is_solved_by_its_margin():
    assert feasible_ranges(table_equations({"x12"}), ["x12"], **small("x12")) == {"x12": (3, 3)}


def test_table_with_two_hidden_cells_in_a_row_is_solved_by_the_columns():
    hidden = {"x12", "x11"}  # the small 3 and a secondary 10 beside it
    ranges = feasible_ranges(table_equations(hidden), ["x12", "x11"], lower={"x12": 1}, upper={"x12": 4},
                             forbidden_gaps={"x11": SECONDARY_GAP})
    assert ranges == {"x12": (3, 3), "x11": (10, 10)}


def test_table_with_four_hidden_cells_keeps_one_degree_of_freedom():
    hidden = set(TABLE)
    # With x11 = t: x12 = 13 - t, x21 = 12 - t, x22 = t - 3. The small cells x12, x21 are 1–4, so t is
    # 9–11 (x22 = t - 3 cannot be 1–4, so t ≥ 8 or t = 3), and the small cells are only partly protected.
    lower = {"x12": 1, "x21": 1}
    upper = {"x12": 4, "x21": 4}
    gaps = {"x11": SECONDARY_GAP, "x22": SECONDARY_GAP}
    expected = {"x11": (9, 11), "x12": (2, 4), "x21": (1, 3), "x22": (6, 8)}
    ranges = feasible_ranges(table_equations(hidden), list(TABLE), lower=lower, upper=upper, forbidden_gaps=gaps,
                             integer=True)
    assert ranges == expected == brute_force(table_equations(hidden), list(TABLE), lower, upper, gaps, box=(0, 13))
    assert unprotected(table_equations(hidden), ["x12", "x21"], lower=lower, upper=upper, forbidden_gaps=gaps,
                       integer=True) == {"x12": (2, 4), "x21": (1, 3)}
    # Here the small cells alone pin t to 9–11: the linear audit without gaps says the same.
    assert unprotected(table_equations(hidden), ["x12", "x21"], lower=lower, upper=upper) == {
        "x12": (2, 4), "x21": (1, 3)}


def test_four_hidden_cells_that_protect_each_other():
    # Four hidden counts with every margin 5: a = d = t and b = c = 5 - t for any t in 1–4.
    equations = [({"a": 1, "b": 1}, 5), ({"c": 1, "d": 1}, 5), ({"a": 1, "c": 1}, 5), ({"b": 1, "d": 1}, 5)]
    names = ["a", "b", "c", "d"]
    assert feasible_ranges(equations, names, **small(*names)) == {n: (1, 4) for n in names}
    assert unprotected(equations, names, **small(*names), integer=True) == {}


# --- edge cases ------------------------------------------------------------------------------------------


def test_unbounded_and_free_variables():
    assert feasible_ranges([({"x": 1, "y": -1}, 0)], ["x"]) == {"x": (0, math.inf)}
    assert feasible_ranges([({"x": 1, "y": 1}, 0)], ["x"], default_lower=-math.inf) == {"x": (-math.inf, math.inf)}
    assert feasible_ranges([({"x": 1, "y": -1}, 0)], ["x"], integer=True, forbidden_gaps={"y": SECONDARY_GAP}) == {
        "x": (0, math.inf)}
    # A target in no equation keeps its bounds (less its gap); one never mentioned is ≥ default_lower.
    assert feasible_ranges([], ["a", "b", "c"], lower={"a": 2}, upper={"a": 6, "b": 3},
                           forbidden_gaps={"b": (0, 5)}) == {"a": (2, 6), "b": (0, 0), "c": (0, math.inf)}
    assert unprotected([], ["a", "c"], lower={"a": 2}, upper={"a": 6}) == {"a": (2, 6)}


def test_infeasible_systems_raise_a_clear_error():
    with pytest.raises(InfeasibleError, match="no solution"):
        feasible_ranges([({"x": 1, "y": 1}, -1)], ["x"])
    with pytest.raises(ValueError, match="no solution"):  # two small counts cannot sum to 9
        unprotected([({"x": 1, "y": 1}, 9)], ["x"], **small("x", "y"))
    with pytest.raises(InfeasibleError):  # 6 = x + y with x at most 0 and y at most 4
        feasible_ranges([({"x": 1, "y": 1}, 6)], ["x"], lower={"y": 1}, upper={"x": 0, "y": 4})
    with pytest.raises(InfeasibleError):  # 6 = «–» + «<5» with the «–» at most 4
        feasible_ranges([({"x": 1, "y": 1}, 6)], ["x"], lower={"y": 1}, upper={"x": 4, "y": 4},
                        forbidden_gaps={"x": (0, 5)})
    with pytest.raises(InfeasibleError, match="without variables"):
        feasible_ranges([({"x": 0}, 2)], ["x"])
    with pytest.raises(InfeasibleError):  # integers only: 2x = 3 has no solution
        feasible_ranges([({"x": 2}, 3)], ["x"], integer=True)
    exc = pytest.raises(InfeasibleError, feasible_ranges, [({"p": 1, "q": 1}, -5)], ["p"])
    assert set(exc.value.variables) == {"p", "q"}


def test_integer_ranges_can_be_narrower_than_linear_ones():
    # 3x = y with y a count of 1–4: linearly x ∈ [1/3, 4/3], in whole numbers y = 3 and x = 1.
    equations = [({"x": 3, "y": -1}, 0)]
    linear = feasible_ranges(equations, ["x", "y"], **small("y"))
    assert linear["x"] == pytest.approx((1 / 3, 4 / 3))
    assert linear["y"] == (1, 4)
    assert feasible_ranges(equations, ["x", "y"], integer=True, **small("y")) == {"x": (1, 1), "y": (3, 3)}
    assert unprotected(equations, ["y"], integer=True, **small("y")) == {"y": (3, 3)}
    assert unprotected(equations, ["y"], **small("y")) == {}
    # An LP optimum can be a whole number that no integer solution reaches: x + 2z = 3, z ∈ [0.5, 1.5].
    equations = [({"x": 1, "z": 2}, 3)]
    assert feasible_ranges(equations, ["x"], lower={"z": 0.5}, upper={"z": 1.5}) == {"x": (0, 2)}
    assert feasible_ranges(equations, ["x"], lower={"z": 0.5}, upper={"z": 1.5}, integer=True) == {"x": (1, 1)}


def test_components_are_solved_separately_and_agree_with_the_whole():
    parts = [
        [({"a": 1, "b": 1}, 8)],
        [({"c": 1, "d": 1, "e": -1}, 0), ({"e": 1}, 6)],
        [({"f": 1, "g": 1}, 5)],
    ]
    bounds = small("a", "b", "c", "d", "f", "g")
    whole = feasible_ranges([e for part in parts for e in part], list("abcdefgh"), **bounds, integer=True)
    separate = {}
    for part, names in zip(parts, ["ab", "cde", "fg"], strict=True):
        separate.update(feasible_ranges(part, list(names), **bounds, integer=True))
    assert whole == {**separate, "h": (0, math.inf)}
    system = intervals._System.build([e for part in parts for e in part], list("abcdefgh"),
                                     bounds["lower"], bounds["upper"], 0.0, True, None, intervals.DEFAULT_BIG_M)
    assert sorted(len(c.names) for c in system.components()) == [1, 2, 2, 3]


def test_thousands_of_variables_are_fast(monkeypatch):
    # 1,500 «Alle = Kvinder + Mænd» triples with both parts hidden, one in ten recoverable.
    equations, targets, bounds = [], [], {"lower": {}, "upper": {}}
    for i in range(1500):
        total = 8 if i % 10 == 0 else 5
        equations.append(({("k", i): 1, ("m", i): 1}, total))
        for key in (("k", i), ("m", i)):
            targets.append(key)
            bounds["lower"][key], bounds["upper"][key] = 1, 4
    runs = count_runs(monkeypatch)
    found = unprotected(equations, targets, **bounds, integer=True)
    assert found == {key: (4, 4) for key in targets if key[1] % 10 == 0}
    assert runs["n"] <= 2 * 1500 + 2 * 300  # sweeps, not one programme per target and direction


def test_witnesses_spare_solving_every_target(monkeypatch):
    # One total over 40 hidden counts of 1–4: one component where every target passes.
    names = [f"c{i}" for i in range(40)]
    runs = count_runs(monkeypatch)
    assert unprotected([({n: 1 for n in names}, 100)], names, **small(*names), integer=True) == {}
    assert runs["n"] < 10  # instead of 80


def count_runs(monkeypatch) -> dict[str, int]:
    runs = {"n": 0}
    original = intervals._Component._run

    def counted(self, *args, **kwargs):
        runs["n"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(intervals._Component, "_run", counted)
    return runs


# --- against brute force ---------------------------------------------------------------------------------


def brute_force(equations, targets, lower, upper, gaps, box=(0, 8)):
    """Ranges of the targets over every integer point of the box that satisfies everything."""
    names = sorted({n for coefs, _ in equations for n in coefs} | set(targets))
    found = {t: [math.inf, -math.inf] for t in targets}
    for values in itertools.product(range(box[0], box[1] + 1), repeat=len(names)):
        point = dict(zip(names, values, strict=True))
        if any(point[n] < lower.get(n, 0) or point[n] > upper.get(n, math.inf) for n in names):
            continue
        if any(gaps[n][0] < point[n] < gaps[n][1] for n in gaps if n in point):
            continue
        if any(sum(c * point[n] for n, c in coefs.items()) != rhs for coefs, rhs in equations):
            continue
        for t in targets:
            found[t][0] = min(found[t][0], point[t])
            found[t][1] = max(found[t][1], point[t])
    return {t: (float(lo), float(hi)) for t, (lo, hi) in found.items()}


def random_system(rng: random.Random):
    """A small random system with a known integer solution, some bounds and gaps, all within [0, 8]."""
    names = [f"v{i}" for i in range(rng.randint(2, 4))]
    truth = {n: rng.choice([0, 1, 2, 3, 4, 5, 6, 7]) for n in names}
    equations = []
    for _ in range(rng.randint(1, 3)):
        chosen = rng.sample(names, rng.randint(2, len(names)))
        coefs = {n: rng.choice([1, 1, 1, -1, 2]) for n in chosen}
        equations.append((coefs, sum(c * truth[n] for n, c in coefs.items())))
    lower, upper, gaps = {}, {}, {}
    for n in names:
        if 1 <= truth[n] <= 4 and rng.random() < 0.6:
            lower[n], upper[n] = 1, 4
        elif truth[n] in (0, 5, 6, 7) and rng.random() < 0.5:
            gaps[n] = (0, 5)
        upper.setdefault(n, 8)  # the brute force searches 0..8
    return names, equations, lower, upper, gaps


@pytest.mark.parametrize("seed", range(30))
def test_integer_ranges_and_audit_agree_with_brute_force(seed):
    rng = random.Random(seed)
    names, equations, lower, upper, gaps = random_system(rng)
    expected = brute_force(equations, names, lower, upper, gaps)
    assert feasible_ranges(equations, names, lower=lower, upper=upper, forbidden_gaps=gaps, integer=True) == expected
    audit = unprotected(equations, names, lower=lower, upper=upper, forbidden_gaps=gaps, integer=True)
    assert audit == {n: r for n, r in expected.items() if r[0] > 1 or r[1] < 4}


@pytest.mark.parametrize("seed", range(30))
def test_linear_audit_agrees_with_linear_ranges(seed):
    rng = random.Random(1000 + seed)
    names, equations, lower, upper, _ = random_system(rng)
    ranges = feasible_ranges(equations, names, lower=lower, upper=upper)
    audit = unprotected(equations, names, lower=lower, upper=upper)
    assert audit.keys() == {n for n, (lo, hi) in ranges.items() if lo > 1 + 1e-6 or hi < 4 - 1e-6}
    for name, (lo, hi) in audit.items():
        assert lo == pytest.approx(ranges[name][0]) and hi == pytest.approx(ranges[name][1])


@pytest.mark.parametrize("seed", range(20))
def test_the_matrix_form_agrees_with_the_equation_form(seed):
    # katalog.disclosure.audit hands its system over as a sparse matrix (columns 0..n-1); the answers are the same.
    import numpy as np
    from scipy import sparse

    from katalog.disclosure.intervals import unprotected_matrix

    rng = random.Random(2000 + seed)
    names, equations, lower, upper, _ = random_system(rng)
    column = {n: i for i, n in enumerate(names)}
    rows, cols, vals = zip(*[(r, column[n], c) for r, (coefs, _) in enumerate(equations) for n, c in coefs.items()],
                           strict=True)
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(equations), len(names)))
    found = unprotected_matrix(matrix, np.array([rhs for _, rhs in equations], dtype=float), range(len(names)),
                               lower=np.array([lower.get(n, 0) for n in names], dtype=float),
                               upper=np.array([upper[n] for n in names], dtype=float), integer=True)
    expected = unprotected(equations, names, lower=lower, upper=upper, integer=True)
    assert {names[i]: r for i, r in found.items()} == expected
