"""Statistics, consensus rules and rankings for prioritisation rounds, checked on hand-worked and published
examples (the arithmetic is in the comments)."""

from fractions import Fraction

import numpy as np
import pytest

from katalog.voting.methods import (
    DEFAULT_RULE,
    FOR,
    FOR_FAA,
    IMOD,
    INGEN,
    MIN_GROUP,
    RULES,
    SCALES,
    MedianRule,
    Scale,
    ShareRule,
    borda,
    borda_points,
    by_sector,
    check_dots,
    competition_ranks,
    consensus_all,
    depends_on_rule,
    dot_totals,
    hidden_sectors,
    median_ranking,
    pairwise_matrix,
    rule_from_key,
    schulze,
    sectors_disagree,
    strongest_paths,
    summarise,
    top_differs,
    voter_totals,
    weighted_mean_ranking,
)

S9, S5 = SCALES["1-9"], SCALES["1-5"]


def ranked(order: str) -> dict[str, int]:
    """A full ranking as scores: first place gets the most points ("ACB" -> A=3, C=2, B=1)."""
    return {c: len(order) - n for n, c in enumerate(order)}


def statuses(scores, scale=S9) -> dict[str, str]:
    return consensus_all(summarise(scores, scale))


# ------------------------------------------------------------------------------------------ scales

def test_scale_thirds():
    assert (list(S9.bottom()), list(S9.middle()), list(S9.top())) == ([1, 2, 3], [4, 5, 6], [7, 8, 9])
    assert (list(S5.bottom()), list(S5.middle()), list(S5.top())) == ([1, 2], [3], [4, 5])
    assert S9.thirds_label() == "1–3 / 4–6 / 7–9" and S5.thirds_label() == "1–2 / 3 / 4–5"
    with pytest.raises(ValueError):
        Scale(1, 2)


def test_value_between_thirds_is_middle():
    # RAND/UCLA: a median of 6.5 is not "7–9", 3.5 is not "1–3".
    assert [S9.third(x) for x in (3, 3.5, 6.5, 7)] == ["bottom", "middle", "middle", "top"]
    assert [S5.third(x) for x in (2, 2.5, 3.5, 4)] == ["bottom", "middle", "middle", "top"]


# --------------------------------------------------------------------------------------- summarise

def test_summarise_quartiles_by_numpy_linear():
    # Sorted 1 2 2 3 4 7 9 (n = 7), value at position (n - 1)·p, 0-based:
    # Q1 at 1.5 -> between 2 and 2 = 2; median at 3 -> 3; Q3 at 4.5 -> between 4 and 7 = 5.5; IQR 3.5.
    # Mean 28 / 7 = 4. Top third (7–9): 7, 9 -> 2/7. Bottom third (1–3): 1, 2, 2, 3 -> 4/7.
    s = summarise([9, 2, 4, 1, 3, 2, 7], S9)
    assert (s.n, s.median, s.q1, s.q3, s.iqr, s.mean) == (7, 3.0, 2.0, 5.5, 3.5, 4.0)
    assert (s.top_share, s.bottom_share, s.top_count, s.bottom_count) == (2 / 7, 4 / 7, 2, 4)
    assert s.distribution == {1: 1, 2: 2, 3: 1, 4: 1, 5: 0, 6: 0, 7: 1, 8: 0, 9: 1}


def test_quartiles_are_not_tukey_hinges():
    # 1 2 3 4: linear gives Q1 at 0.75 -> 1.75 and Q3 at 2.25 -> 3.25 (Tukey's hinges would give 1.5 and 3.5).
    s = summarise([1, 2, 3, 4], S5)
    assert (s.q1, s.median, s.q3, s.iqr) == (1.75, 2.5, 3.25, 1.5)
    assert s.distribution == {1: 1, 2: 1, 3: 1, 4: 1, 5: 0} and s.scale == S5


def test_summarise_empty_and_lone_voter():
    empty = summarise([], S5)
    assert empty.n == 0 and empty.median is None and empty.iqr is None and empty.top_share is None
    assert empty.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    lone = summarise([4], S5)
    assert (lone.median, lone.q1, lone.q3, lone.iqr, lone.top_share, lone.bottom_share) == (4, 4, 4, 0, 1, 0)


def test_summarise_weighted_totals():
    # 3.5 and 6.5 are in the middle third; the distribution counts them at 4 and 7 (halves up).
    s = summarise([3.5, 6.5, 9], S9)
    assert (s.top_share, s.bottom_share, s.median) == (1 / 3, 0, 6.5)
    assert s.distribution[4] == 1 and s.distribution[7] == 1 and s.distribution[9] == 1


def test_summarise_rejects_scores_off_the_scale():
    with pytest.raises(ValueError):
        summarise([6], S5)
    with pytest.raises(ValueError):
        summarise([0], S9)


# --------------------------------------------------------------------------------- consensus rules

def test_presets_and_default():
    assert list(RULES) == ["andel-70-15", "andel-75", "rand-ucla-median"] and DEFAULT_RULE in RULES
    assert RULES["andel-70-15"].label == "≥70 % i øverste tredjedel og <15 % i nederste"
    for rule in RULES.values():
        assert rule.explain().endswith(".") and "enighed" in rule.explain()
    assert "(7–9)" in RULES[DEFAULT_RULE].explain(S9) and "(4–5)" in RULES[DEFAULT_RULE].explain(S5)


def test_share_rule_at_70_percent_exactly():
    rule = RULES["andel-70-15"]
    # 100 voters: 70 × 9, 14 × 1, 16 × 5 -> 70 % top, 14 % bottom -> for.
    assert rule.status(summarise([9] * 70 + [1] * 14 + [5] * 16, S9)) == FOR
    # 69 × 9 -> 69 % top -> ingen.
    assert rule.status(summarise([9] * 69 + [5] * 31, S9)) == INGEN
    # 70 × 9, 15 × 1 -> 15 % bottom is not < 15 % -> ingen.
    assert rule.status(summarise([9] * 70 + [1] * 15 + [5] * 15, S9)) == INGEN
    # Mirrored: 70 × 1, 14 × 9 -> imod; 15 × 9 -> ingen.
    assert rule.status(summarise([1] * 70 + [9] * 14 + [5] * 16, S9)) == IMOD
    assert rule.status(summarise([1] * 70 + [9] * 15 + [5] * 15, S9)) == INGEN
    # 20 voters: 14 / 20 = 70 % top, 2 / 20 = 10 % bottom -> for; 13 / 20 = 65 % -> ingen.
    assert rule.status(summarise([8] * 14 + [2] * 2 + [5] * 4, S9)) == FOR
    assert rule.status(summarise([8] * 13 + [2] * 2 + [5] * 5, S9)) == INGEN


def test_share_rule_on_both_scales():
    # 7 × 4 and 3 × 3: on 1–5, 4 is top (70 %) and 3 middle -> for; on 1–9 all are middle -> ingen.
    scores = [4] * 7 + [3] * 3
    assert statuses(scores, S5) == {"andel-70-15": FOR, "andel-75": INGEN, "rand-ucla-median": FOR}
    assert statuses(scores, S9) == {"andel-70-15": INGEN, "andel-75": INGEN, "rand-ucla-median": INGEN}
    # On 1–5, 2 is bottom: 8 × 2, 2 × 3 -> 80 % bottom, 0 % top -> imod under every rule.
    assert set(statuses([2] * 8 + [3] * 2, S5).values()) == {IMOD}


def test_share_rule_75_has_no_bottom_condition():
    rule = RULES["andel-75"]
    # 3 of 4 in 7–9 (75 %) and 1 of 4 in 1–3 (25 %) -> for; 74 of 100 -> ingen; 3 of 4 in 1–3 -> imod.
    assert rule.status(summarise([9, 8, 7, 1], S9)) == FOR
    assert rule.status(summarise([9] * 74 + [5] * 26, S9)) == INGEN
    assert rule.status(summarise([1, 2, 3, 9], S9)) == IMOD


def test_share_rule_compares_counts_exactly():
    # 0.57 × 100 is 56.99999999999999 in floating point; 57 of 100 must still meet 57 %.
    assert ShareRule(top_pct=57, bottom_pct=None).status(summarise([9] * 57 + [5] * 43, S9)) == FOR
    assert ShareRule(top_pct=57, bottom_pct=None).status(summarise([9] * 56 + [5] * 44, S9)) == INGEN


def test_rand_ucla_median_rule():
    rule = RULES["rand-ucla-median"]
    # 1 1 1 7 7 8 8 9 9: median 7 (top) but 3/9 in 1–3 and 6/9 in 7–9, a third in each -> disagreement -> ingen.
    assert rule.status(summarise([1, 1, 1, 7, 7, 8, 8, 9, 9], S9)) == INGEN
    # 1 1 5 7 7 8 8 9 9: only 2/9 in 1–3 -> no disagreement, median 7 -> for.
    assert rule.status(summarise([1, 1, 5, 7, 7, 8, 8, 9, 9], S9)) == FOR
    # 1 2 2 3 5 9: median 2.5 (bottom), 1/6 in 7–9 -> imod.
    assert rule.status(summarise([1, 2, 2, 3, 5, 9], S9)) == IMOD
    # 5 6 6 7 7 7: median 6.5 is between thirds -> ingen.
    assert rule.status(summarise([5, 6, 6, 7, 7, 7], S9)) == INGEN
    assert rule.disagrees(summarise([1, 9, 5], S9)) and not rule.disagrees(summarise([1, 9, 5, 5], S9))


def test_empty_lone_voter_and_two_voters_are_too_few():
    # Fewer than 3 answers is never a consensus, whatever they say.
    for scores in ([], [9], [9, 9], [1, 1]):
        assert set(statuses(scores).values()) == {FOR_FAA}
    assert set(statuses([9, 9, 9]).values()) == {FOR}
    # A rule may lower the minimum: then a lone 9 is 100 % in the top third.
    assert ShareRule(min_n=1).status(summarise([9], S9)) == FOR
    assert ShareRule(min_n=1).status(summarise([], S9)) == FOR_FAA


def test_all_ties():
    assert set(statuses([5] * 10).values()) == {INGEN}
    assert set(statuses([9] * 10).values()) == {FOR}
    assert set(statuses([1] * 10).values()) == {IMOD}
    assert set(statuses([3] * 4, S5).values()) == {INGEN}


def test_depends_on_rule():
    # 20 voters: 16 in 7–9 (80 %), 3 in 1–3 (15 %), 1 × 5. andel-70-15: 15 % is not < 15 % -> ingen.
    # andel-75: 80 % -> for. RAND: median 9, 3/20 < 1/3 in 1–3 -> no disagreement -> for.
    result = statuses([9] * 16 + [1] * 3 + [5])
    assert result == {"andel-70-15": INGEN, "andel-75": FOR, "rand-ucla-median": FOR}
    assert depends_on_rule(result)
    assert not depends_on_rule(statuses([9] * 10)) and not depends_on_rule({})


def test_custom_rules_round_trip_through_their_keys():
    custom = [ShareRule(top_pct=80, bottom_pct=10), ShareRule(top_pct=66, bottom_pct=None, min_n=5),
              MedianRule(disagreement=Fraction(2, 5)), MedianRule(disagreement=0.4, min_n=9)]
    assert [r.key for r in custom] == ["andel-80-10", "andel-66-min5", "rand-ucla-median-2of5",
                                       "rand-ucla-median-2of5-min9"]
    for rule in [*custom, *RULES.values()]:
        assert rule_from_key(rule.key) == rule
    assert RULES["andel-75"] == ShareRule(top_pct=75, bottom_pct=None)
    for bad in ("andel", "andel-70-15-x", "median"):
        with pytest.raises(ValueError, match="Ukendt"):
            rule_from_key(bad)


def test_rule_thresholds_are_checked():
    for kwargs in ({"top_pct": 50}, {"top_pct": 101}, {"bottom_pct": 0}, {"min_n": 0}):
        with pytest.raises(ValueError):
            ShareRule(**kwargs)
    with pytest.raises(ValueError):
        MedianRule(disagreement=Fraction(3, 5))


# --------------------------------------------------------------------------------------- pairwise

def test_pairwise_counts_only_voters_who_scored_both():
    ballots = [{"A": 5, "B": 3}, {"A": 1, "B": 1, "C": 4, "Z": 2}, {"B": 2, "C": 1, "A": None}]
    # A–B: voter 1 prefers A, voter 2 ties, voter 3 did not score A -> d[A,B] = 1, d[B,A] = 0.
    # A–C: only voter 2 scored both and prefers C -> d[C,A] = 1. B–C: voter 2 prefers C, voter 3 B -> 1 and 1.
    # Z is no candidate and is ignored.
    assert pairwise_matrix(ballots, ["A", "B", "C"]).tolist() == [[0, 1, 0], [0, 0, 1], [1, 1, 0]]


# ----------------------------------------------------------------------------------------- Schulze

WIKI_SCHULZE = [(5, "ACBED"), (5, "ADECB"), (8, "BEDAC"), (3, "CABED"), (7, "CAEBD"), (2, "CBADE"), (7, "DCEBA"),
                (8, "EBADC")]


def test_schulze_wikipedia_example():
    # https://en.wikipedia.org/wiki/Schulze_method, 45 voters, 5 candidates: E > A > C > B > D.
    ballots = [ranked(order) for count, order in WIKI_SCHULZE for _ in range(count)]
    d = pairwise_matrix(ballots, list("ABCDE"))
    assert d.tolist() == [[0, 20, 26, 30, 22], [25, 0, 16, 33, 18], [19, 29, 0, 17, 24], [15, 12, 28, 0, 14],
                          [23, 27, 21, 31, 0]]
    assert strongest_paths(d).tolist() == [[0, 28, 28, 30, 24], [25, 0, 28, 33, 24], [25, 29, 0, 29, 24],
                                           [25, 28, 28, 0, 24], [25, 28, 28, 31, 0]]
    assert schulze(ballots, list("ABCDE")) == [("E", 1), ("A", 2), ("C", 3), ("B", 4), ("D", 5)]


def test_schulze_condorcet_cycle_is_a_tie():
    # ABC, BCA, CAB: each beats the next 2–1, every strongest path is 2 -> all tied first, input order kept.
    ballots = [ranked("ABC"), ranked("BCA"), ranked("CAB")]
    assert schulze(ballots, list("ABC")) == [("A", 1), ("B", 1), ("C", 1)]


def test_schulze_equal_scores_share_a_rank():
    # Every voter: A best, B and C equal, D last -> 1, 2, 2, 4.
    ballots = [{"A": 4, "B": 2, "C": 2, "D": 1}] * 3
    assert schulze(ballots, list("DCBA")) == [("A", 1), ("C", 2), ("B", 2), ("D", 4)]


def test_schulze_candidate_never_compared_is_unranked():
    # X is scored by nobody, Y only by a voter who scored nothing else: neither met another candidate.
    ballots = [{"A": 2, "B": 1}, {"Y": 5}]
    assert schulze(ballots, list("XYAB")) == [("A", 1), ("B", 2), ("X", None), ("Y", None)]
    assert schulze([], list("AB")) == [("A", None), ("B", None)]


def test_schulze_is_vectorised_for_a_large_round():
    rng = np.random.default_rng(7)
    candidates = [f"UC-{n:03d}" for n in range(200)]
    ballots = [{c: int(s) for c, s in zip(candidates, rng.integers(1, 10, 200), strict=True) if s != 5}
               for _ in range(50)]
    result = schulze(ballots, candidates)
    assert len(result) == 200 and result[0][1] == 1 and sorted(c for c, _ in result) == candidates


# ------------------------------------------------------------------------------------------- Borda

def test_borda_wikipedia_tennessee():
    # https://en.wikipedia.org/wiki/Borda_count, 100 voters. Classic Borda (3, 2, 1, 0):
    # Memphis 42·3 = 126; Nashville 26·3 + 42·2 + 15·1 + 17·1 = 194; Chattanooga 15·3 + (26 + 17)·2 + 42·1 = 173;
    # Knoxville 17·3 + 15·2 + 26·1 = 107. Each voter ranks all four (k = 4), so normalised points = classic / 3.
    groups = [(42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
              (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
              (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
              (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"])]
    ballots = [{city: 4 - n for n, city in enumerate(order)} for count, order in groups for _ in range(count)]
    result = borda(ballots, ["Memphis", "Nashville", "Chattanooga", "Knoxville"])
    assert [(c, r) for c, _, r in result] == [("Nashville", 1), ("Chattanooga", 2), ("Memphis", 3), ("Knoxville", 4)]
    assert [p for _, p, _ in result] == pytest.approx([194 / 3, 173 / 3, 126 / 3, 107 / 3])


def test_borda_partial_ballots_and_ties():
    ballots = [{"A": 5, "B": 3, "C": 3}, {"B": 4}, {"A": 1, "C": 2}]
    # Voter 1, k = 3: A beats 2 -> 2/2 = 1; B and C beat 0 and tie 1 -> 0.5/2 = 0.25 each (sum 1.5 = k/2).
    # Voter 2, k = 1: B alone -> 0.5. Voter 3, k = 2: C beats A -> 1, A 0. D: nobody scored it.
    # Sums: A 1 + 0 = 1; B 0.25 + 0.5 = 0.75; C 0.25 + 1 = 1.25; D 0, unranked.
    assert borda_points(ballots, list("ABCD")).tolist() == [[1, 0.25, 0.25, 0], [0, 0.5, 0, 0], [0, 0, 1, 0]]
    assert borda(ballots, list("ABCD")) == [("C", 1.25, 1), ("A", 1.0, 2), ("B", 0.75, 3), ("D", 0.0, None)]


def test_borda_every_voter_gives_half_a_point_on_average():
    # All tied: each of 4 candidates gets 3 ties × 0.5 / 3 = 0.5 -> all rank 1.
    assert borda([{c: 3 for c in "ABCD"}], list("ABCD")) == [(c, 0.5, 1) for c in "ABCD"]
    points = borda_points([ranked("ABCDE"), ranked("AB"), {"C": 1}], list("ABCDE"))
    assert points.sum(axis=1).tolist() == [2.5, 1.0, 0.5]  # k / 2 for k = 5, 2, 1


# ----------------------------------------------------------------------------- weighted mean, median

def test_competition_ranks():
    values = [("a", 3), ("b", 5), ("c", 3), ("d", None), ("e", 1)]
    assert competition_ranks(values) == [("b", 5, 1), ("a", 3, 2), ("c", 3, 2), ("e", 1, 4), ("d", None, None)]
    assert competition_ranks(values, higher_is_better=False) == [
        ("e", 1, 1), ("a", 3, 2), ("c", 3, 2), ("b", 5, 4), ("d", None, None)]
    assert [r for *_, r in competition_ranks([("x", 0.1 + 0.2), ("y", 0.3)])] == [1, 1]  # float noise is a tie


def test_weighted_mean_ranking_renormalises_missing_criteria():
    means = {"U1": {"value": 4.0, "feasibility": 2.0}, "U2": {"value": 3.0, "feasibility": None},
             "U3": {"value": None, "feasibility": None}, "U4": {"value": 2.0, "feasibility": 5.0}}
    # Weights 2 : 1. U1 (2·4 + 1·2) / 3 = 10/3; U2 only value -> 3; U4 (2·2 + 1·5) / 3 = 3; U3 no score.
    assert weighted_mean_ranking(means, {"value": 2, "feasibility": 1}) == [
        ("U1", pytest.approx(10 / 3), 1), ("U2", 3.0, 2), ("U4", 3.0, 2), ("U3", None, None)]
    # A criterion without weight is left out: value only.
    assert weighted_mean_ranking(means, {"value": 1})[0] == ("U1", 4.0, 1)
    with pytest.raises(ValueError):
        weighted_mean_ranking(means, {"value": -1})


def test_median_ranking_breaks_ties_by_mean_then_iqr():
    weights = {"v": 1, "f": 1}
    scores = {
        "U1": [{"v": 5, "f": 1}, {"v": 3, "f": 3}, {"v": 4, "f": 4}],     # totals 3 3 4: median 3, mean 3.33
        "U2": [{"v": 3}, {"v": 3, "f": None}, {"v": 1, "f": 5}],          # totals 3 3 3: median 3, mean 3, IQR 0
        "U3": [{"v": 2, "f": 2}, {"v": 4, "f": 4}, {"v": 3, "f": 3}],     # totals 2 4 3: median 3, mean 3, IQR 1
        "U4": [{"v": None}],                                              # nobody scored
        "U5": [{"v": 5, "f": 5}],                                         # total 5
        "U6": [{"v": 3, "f": 3}] * 3,                                     # same as U2 on all three -> tie
    }
    assert voter_totals(scores["U2"], weights) == [3, 3, 3]
    assert median_ranking(scores, weights) == [("U5", 5, 1), ("U1", 3, 2), ("U2", 3, 3), ("U6", 3, 3),
                                               ("U3", 3, 5), ("U4", None, None)]


def test_top_differs():
    assert not top_differs({"schulze": list("ABCD"), "borda": list("ACBD")})  # same winner, same top 3
    assert top_differs({"schulze": list("ABCD"), "borda": list("BACD")})  # winner differs
    assert top_differs({"schulze": list("ABCD"), "borda": list("ABDC")})  # top 3 differ as sets
    assert not top_differs({"schulze": list("ABCD"), "borda": list("ABDC")}, k=2)
    # Rows with ranks: candidates tied at rank 3 all belong to the top 3, in any order.
    assert not top_differs({"schulze": [("A", 1), ("B", 2), ("C", 3), ("D", 3)],
                            "borda": [("A", 0.9, 1), ("B", 0.8, 2), ("D", 0.5, 3), ("C", 0.5, 3)]})
    assert top_differs({"schulze": [("A", 1), ("B", 1)], "mean": ["A", "B"]})  # a tied win is not a win
    assert not top_differs({"only": list("AB")}) and not top_differs({})


# ---------------------------------------------------------------------------------------- dot rounds

def test_check_dots_messages_in_danish():
    assert check_dots({"UC-01": 3, "UC-02": -1, "UC-03": 5}, budget=10, max_per_item=4) == [
        "UC-02: point kan ikke være negative (-1).", "UC-03: højst 4 point pr. use-case (du gav 5)."]
    assert check_dots({"A": 4, "B": 4, "C": 4}, budget=10, max_per_item=4) == [
        "Du har fordelt 12 point, men har kun 10 at fordele."]
    assert check_dots({"A": 1.5, "B": True}, budget=10, max_per_item=4) == [
        "A: point skal være hele tal.", "B: point skal være hele tal."]


def test_check_dots_allows_spending_less():
    assert check_dots({"A": 1}, budget=10, max_per_item=4) == []
    assert check_dots({}, budget=10, max_per_item=4) == []
    assert check_dots({"A": 4, "B": 4, "C": 2}, budget=10, max_per_item=4) == []


def test_dot_totals_with_ties():
    allocations = [{"A": 5, "B": 1}, {"B": 2, "C": 3}, {"D": 1, "X": 9}]
    # A 5; B 1 + 2 = 3 from 2 voters; C 3 from 1 voter; D 1; E 0. Ranks 1, 2, 2, 4, none; X is no candidate.
    assert dot_totals(allocations, list("ABCDE")) == [("A", 5, 1, 1), ("B", 3, 2, 2), ("C", 3, 1, 2),
                                                      ("D", 1, 1, 4), ("E", 0, 0, None)]
    assert dot_totals(allocations, list("CB"))[:2] == [("B", 3, 2, 1), ("C", 3, 1, 1)]  # more voters listed first


# ------------------------------------------------------------------------------------------- sectors

def test_small_sector_is_confidential():
    scores = ([("Region", s) for s in (9, 9, 8, 7)] + [("Kommune/KL", s) for s in (1, 2, 3)]
              + [("Almen praksis/PLO", s) for s in (9, 9)] + [("Stat/SDS", 5)])
    result = by_sector(scores, S9)
    # PLO (2) and Stat (1) are hidden; together 3 voters, so the total minus the shown sectors reveals no one.
    assert result["Almen praksis/PLO"] is None and result["Stat/SDS"] is None
    assert result["Region"].n == 4 and result["Kommune/KL"].median == 2
    assert list(result) == ["Region", "Kommune/KL", "Almen praksis/PLO", "Stat/SDS"]


def test_one_hidden_sector_hides_the_next_smallest_too():
    # Region 4, KL 3, PLO 2: with the total shown, total − Region − KL would be PLO's two votes,
    # so the smallest shown sector (KL) is hidden as well.
    scores = [("Region", 9)] * 4 + [("Kommune/KL", 1)] * 3 + [("Almen praksis/PLO", 9)] * 2
    result = by_sector(scores, S9)
    assert result["Almen praksis/PLO"] is None and result["Kommune/KL"] is None and result["Region"].n == 4


def test_hidden_sectors():
    assert MIN_GROUP == 3
    assert hidden_sectors({"A": 5, "B": 4, "C": 1}) == {"B", "C"}
    assert hidden_sectors({"A": 3, "B": 1, "C": 1, "D": 1}) == {"B", "C", "D"}
    assert hidden_sectors({"A": 2}) == {"A"}
    assert hidden_sectors({"A": 3, "B": 4, "C": 0}) == set()


def test_sectors_disagree():
    rule = RULES[DEFAULT_RULE]
    region = summarise([9, 9, 9, 8], S9)  # for
    assert sectors_disagree({"Region": region, "KL": summarise([1, 1, 2, 1], S9)}, S9, rule)  # for vs imod
    assert sectors_disagree({"Region": region, "KL": summarise([9, 9, 8, 7, 1], S9)}, S9, rule)  # for vs ingen
    assert not sectors_disagree({"Region": region, "KL": summarise([7, 8, 9], S9)}, S9, rule)
    assert not sectors_disagree({"Region": region, "PLO": None}, S9, rule)  # a hidden sector never counts
    # Both "ingen" under RAND (a third in each extreme), but medians 9 and 1 lie in opposite thirds.
    split = {"Region": summarise([9, 9, 9, 1, 1], S9), "KL": summarise([1, 1, 1, 9, 9], S9)}
    assert {RULES["rand-ucla-median"].status(s) for s in split.values()} == {INGEN}
    assert sectors_disagree(split, S9, RULES["rand-ucla-median"])
