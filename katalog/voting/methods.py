"""Statistics and ranking methods for prioritisation rounds: pure functions, no database and no UI.

Score summaries on a fixed scale, consensus rules fixed before a round opens (percent agreement and the
RAND/UCLA median rule), rankings (Schulze, Borda, weighted mean, median), dot rounds and the breakdown by
sector with small groups kept confidential. Anything a member reads is in Danish.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

FOR, IMOD, INGEN, FOR_FAA = "for", "imod", "ingen", "for få"
STATUS_LABELS = {FOR: "Enighed for", IMOD: "Enighed imod", INGEN: "Ingen enighed", FOR_FAA: "For få svar"}
QUARTILE_METHOD = "linear"  # numpy's default (Hyndman & Fan type 7), also R's and Excel's QUARTILE.INC
MIN_N = 3  # fewest answers a consensus rule judges; fewer gives "for få"
MIN_GROUP = 3  # a sector with fewer voters is never shown apart ("fortroligt")
DECIMALS = 9  # rankings treat values equal to this many decimals as ties (float noise from weighting)


def _span(values: range) -> str:
    """A range as members read it: "7–9", or "3" for a single score."""
    return f"{values[0]}–{values[-1]}" if len(values) > 1 else f"{values[0]}"


# --------------------------------------------------------------------------------------------- scales

@dataclass(frozen=True)
class Scale:
    """The score scale of a round, from `low` to `high`, split into thirds."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.high - self.low < 2:
            raise ValueError("A scale needs at least three points.")

    def bottom(self) -> range:
        """Scores <= low + (high - low) / 3: 1–3 on 1–9, 1–2 on 1–5."""
        return range(self.low, self.low + (self.high - self.low) // 3 + 1)

    def top(self) -> range:
        """Scores >= high - (high - low) / 3: 7–9 on 1–9, 4–5 on 1–5."""
        return range(self.high - (self.high - self.low) // 3, self.high + 1)

    def middle(self) -> range:
        return range(self.bottom()[-1] + 1, self.top()[0])

    def points(self) -> range:
        return range(self.low, self.high + 1)

    def third(self, value: float) -> str:
        """The third a value is in: "bottom", "middle" or "top". A value between two thirds counts as middle, so a
        median of 3.5 or 6.5 is "middle" on 1–9, as in the RAND/UCLA manual."""
        if value <= self.bottom()[-1]:
            return "bottom"
        return "top" if value >= self.top()[0] else "middle"

    def thirds_label(self) -> str:
        """The thirds in Danish, e.g. "1–3 / 4–6 / 7–9"."""
        return " / ".join(_span(r) for r in (self.bottom(), self.middle(), self.top()))


SCALES = {"1-9": Scale(1, 9), "1-5": Scale(1, 5)}


# ------------------------------------------------------------------------------------------ summaries

@dataclass(frozen=True)
class Summary:
    """The scores of one use-case × criterion (or the weighted total). Shares are 0..1."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None
    mean: float | None
    top_share: float | None
    bottom_share: float | None
    distribution: dict[int, int] = field(default_factory=dict)

    @property
    def scale(self) -> Scale:
        """The scale scored on, read from the distribution (which lists every point on it)."""
        return Scale(min(self.distribution), max(self.distribution))

    @property
    def top_count(self) -> int:
        """Answers in the top third (exact: the share is count / n, rounded once)."""
        return round((self.top_share or 0) * self.n)

    @property
    def bottom_count(self) -> int:
        return round((self.bottom_share or 0) * self.n)


def quartiles(scores: Sequence[float]) -> tuple[float, float, float]:
    """(Q1, median, Q3) by numpy's "linear" method: the value at position (n - 1) · p of the sorted scores,
    interpolated between neighbours. [1, 2, 3, 4] gives (1.75, 2.5, 3.25)."""
    q1, median, q3 = np.percentile(np.asarray(scores, dtype=float), [25, 50, 75], method=QUARTILE_METHOD)
    return float(q1), float(median), float(q3)


def summarise(scores: Sequence[float], scale: Scale) -> Summary:
    """Count, median, quartiles (numpy "linear", see `quartiles`), mean and the shares in the top and bottom
    thirds. The distribution lists every score on the scale, zeros included; a non-integer score (a weighted
    total) is counted at the nearest point, halves up. No scores gives n = 0 and None everywhere."""
    values = [float(s) for s in scores]
    if any(not scale.low <= v <= scale.high for v in values):
        raise ValueError(f"Scores must lie on the scale {scale.low}–{scale.high}.")
    counts = Counter(math.floor(v + 0.5) for v in values)
    distribution = {p: counts.get(p, 0) for p in scale.points()}
    if not values:
        return Summary(0, None, None, None, None, None, None, None, distribution)
    q1, median, q3 = quartiles(values)
    n = len(values)
    top = sum(scale.third(v) == "top" for v in values) / n
    bottom = sum(scale.third(v) == "bottom" for v in values) / n
    return Summary(n, median, q1, q3, q3 - q1, sum(values) / n, top, bottom, distribution)


# ------------------------------------------------------------------------------------- consensus rules

@dataclass(frozen=True, kw_only=True)
class ConsensusRule:
    """A consensus rule fixed before a round opens. Fewer than `min_n` answers is always "for få": one or two
    voters are never a consensus. Subclasses decide "for", "imod" or "ingen"."""

    min_n: int = MIN_N

    def __post_init__(self) -> None:
        if self.min_n < 1:
            raise ValueError("min_n must be at least 1.")

    @property
    def key(self) -> str:
        """Stable id stored in the database; it encodes every parameter (see `rule_from_key`)."""
        return self._key() + (f"-min{self.min_n}" if self.min_n != MIN_N else "")

    def status(self, summary: Summary) -> str:
        """"for", "imod", "ingen", or "for få" when fewer than `min_n` answered."""
        return FOR_FAA if summary.n < self.min_n else self._decide(summary)

    @property
    def label(self) -> str:
        """Short Danish label shown to members."""
        raise NotImplementedError

    def explain(self, scale: Scale | None = None) -> str:
        """One Danish sentence a member understands; with a scale, the thirds are named by their scores."""
        raise NotImplementedError

    def _key(self) -> str:
        raise NotImplementedError

    def _decide(self, summary: Summary) -> str:
        raise NotImplementedError

    def _few(self) -> str:
        return f"med færre end {self.min_n} svar vurderes enighed ikke" if self.min_n > 1 else "uden svar intet"

    @staticmethod
    def _named(scale: Scale | None) -> tuple[str, str]:
        """Suffixes naming the top and bottom thirds by their scores, e.g. " (7–9)", or none without a scale."""
        return (f" ({_span(scale.top())})", f" ({_span(scale.bottom())})") if scale else ("", "")


def _pct(share: Fraction) -> str:
    return "en tredjedel" if share == Fraction(1, 3) else f"{float(share) * 100:g} %"


@dataclass(frozen=True, kw_only=True)
class ShareRule(ConsensusRule):
    """Percent agreement. "for" when at least `top_pct` % score in the top third and (if `bottom_pct` is set)
    fewer than `bottom_pct` % in the bottom third; "imod" mirrored; otherwise "ingen". Compared on counts,
    exactly: 7 of 10 is 70 %."""

    top_pct: int = 70
    bottom_pct: int | None = 15

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 50 < self.top_pct <= 100 or (self.bottom_pct is not None and not 0 < self.bottom_pct <= 100):
            raise ValueError("top_pct must be above 50 and at most 100; bottom_pct 1–100 or None.")

    def _key(self) -> str:
        return f"andel-{self.top_pct}" + (f"-{self.bottom_pct}" if self.bottom_pct is not None else "")

    def _side(self, hits: int, other: int, n: int) -> bool:
        few_other = self.bottom_pct is None or other * 100 < self.bottom_pct * n
        return hits * 100 >= self.top_pct * n and few_other

    def _decide(self, s: Summary) -> str:
        if self._side(s.top_count, s.bottom_count, s.n):
            return FOR
        return IMOD if self._side(s.bottom_count, s.top_count, s.n) else INGEN

    @property
    def label(self) -> str:
        if self.bottom_pct is None:
            return f"≥{self.top_pct} % i øverste tredjedel (for) eller nederste (imod)"
        return f"≥{self.top_pct} % i øverste tredjedel og <{self.bottom_pct} % i nederste"

    def explain(self, scale: Scale | None = None) -> str:
        top, bottom = self._named(scale)
        if self.bottom_pct is None:
            return (f"Enighed for, når mindst {self.top_pct} % af svarene ligger i øverste tredjedel{top}, og imod, "
                    f"når mindst {self.top_pct} % ligger i nederste{bottom}; ellers ingen enighed ({self._few()}).")
        return (f"Enighed for, når mindst {self.top_pct} % af svarene ligger i øverste tredjedel{top} og under "
                f"{self.bottom_pct} % i nederste{bottom}; enighed imod, når det er omvendt; ellers ingen enighed "
                f"({self._few()}).")


@dataclass(frozen=True, kw_only=True)
class MedianRule(ConsensusRule):
    """RAND/UCLA: "for" when the median is in the top third without disagreement, "imod" when it is in the
    bottom third without disagreement, otherwise "ingen". Disagreement: at least `disagreement` of the panel
    (a third by default) in each of the two extreme thirds. A median between thirds (6.5) is "ingen"."""

    disagreement: Fraction = Fraction(1, 3)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "disagreement", Fraction(str(self.disagreement)))  # 0.4 -> 2/5, exactly
        if not 0 < self.disagreement <= Fraction(1, 2):
            raise ValueError("disagreement must be above 0 and at most a half.")

    def _key(self) -> str:
        d = self.disagreement
        return "rand-ucla-median" + ("" if d == Fraction(1, 3) else f"-{d.numerator}of{d.denominator}")

    def disagrees(self, s: Summary) -> bool:
        need = self.disagreement * s.n
        return s.top_count >= need and s.bottom_count >= need

    def _decide(self, s: Summary) -> str:
        third = s.scale.third(s.median)
        if self.disagrees(s) or third == "middle":
            return INGEN
        return FOR if third == "top" else IMOD

    @property
    def label(self) -> str:
        return "Median i øverste tredjedel uden uenighed (RAND/UCLA)"

    def explain(self, scale: Scale | None = None) -> str:
        top, bottom = self._named(scale)
        return (f"Enighed for, når medianen ligger i øverste tredjedel{top}, og imod, når den ligger i nederste"
                f"{bottom}, medmindre panelet er uenigt (mindst {_pct(self.disagreement)} af svarene i hver af de to "
                f"yderste tredjedele); ellers ingen enighed ({self._few()}).")


RULES: dict[str, ConsensusRule] = {
    r.key: r for r in (ShareRule(top_pct=70, bottom_pct=15), ShareRule(top_pct=75, bottom_pct=None), MedianRule())
}
DEFAULT_RULE = "andel-70-15"
_KEY = re.compile(r"(?:andel-(?P<top>\d+)(?:-(?P<bottom>\d+))?|rand-ucla-median(?:-(?P<p>\d+)of(?P<q>\d+))?)"
                  r"(?:-min(?P<min>\d+))?")


def rule_from_key(key: str) -> ConsensusRule:
    """The rule a stored key names, presets and custom thresholds alike ("andel-80-10", "rand-ucla-median-2of5")."""
    match = _KEY.fullmatch(key)
    if not match:
        raise ValueError(f"Ukendt enighedsregel: {key}")
    g = match.groupdict()
    min_n = int(g["min"]) if g["min"] else MIN_N
    if g["top"]:
        return ShareRule(top_pct=int(g["top"]), bottom_pct=int(g["bottom"]) if g["bottom"] else None, min_n=min_n)
    share = Fraction(int(g["p"]), int(g["q"])) if g["p"] else Fraction(1, 3)
    return MedianRule(disagreement=share, min_n=min_n)


def consensus_all(summary: Summary, rules: Mapping[str, ConsensusRule] = RULES) -> dict[str, str]:
    """The status under every rule, by rule key."""
    return {key: rule.status(summary) for key, rule in rules.items()}


def depends_on_rule(statuses: Mapping[str, str]) -> bool:
    """True when the rules disagree about the item (any two statuses differ), so the choice of rule matters."""
    return len(set(statuses.values())) > 1


# ------------------------------------------------------------------------------------------- rankings

def competition_ranks(values: Sequence[tuple[str, float | None]],
                      higher_is_better: bool = True) -> list[tuple[str, float | None, int | None]]:
    """Sort best first with competition ranks (1, 2, 2, 4): equal values (to 9 decimals) share a rank and the
    next rank skips. None values come last, unranked; ties keep their input order."""
    sign = -1 if higher_is_better else 1
    keyed = [(i, v, None if v is None else (round(sign * v, DECIMALS),)) for i, v in values]
    return [(i, v, r) for i, v, _, r in _rank_by_key(keyed)]


def _rank_by_key(items: Sequence[tuple]) -> list[tuple]:
    """Items (..., key), key smaller is better or None: sorted, each extended with its competition rank."""
    order = sorted(range(len(items)), key=lambda n: (items[n][-1] is None, items[n][-1] or (), n))
    ranked: list[tuple] = []
    for pos, n in enumerate(order):
        key = items[n][-1]
        same = ranked and key is not None and ranked[-1][-2] == key
        ranked.append((*items[n], None if key is None else ranked[-1][-1] if same else pos + 1))
    return ranked


def _score_matrix(ballots: Sequence[Mapping[str, float | None]], candidates: Sequence[str]) -> np.ndarray:
    """Voters × candidates, NaN where the voter gave no score. Unknown ids on a ballot are ignored."""
    matrix = np.full((len(ballots), len(candidates)), np.nan)
    column = {c: n for n, c in enumerate(candidates)}
    for row, ballot in enumerate(ballots):
        for c, score in ballot.items():
            if c in column and score is not None:
                matrix[row, column[c]] = score
    return matrix


def pairwise_matrix(ballots: Sequence[Mapping[str, float | None]], candidates: Sequence[str]) -> np.ndarray:
    """d[i, j] = number of voters who scored both i and j and gave i the strictly higher score. A voter who
    did not score both (no opinion, recused) counts for neither; equal scores count for neither."""
    s = _score_matrix(ballots, candidates)
    return (s[:, :, None] > s[:, None, :]).sum(axis=0)  # NaN compares False


def strongest_paths(d: np.ndarray) -> np.ndarray:
    """Schulze's widest paths: p[i, j] = the strength of the strongest beatpath from i to j, where a direct
    link i→j has strength d[i, j] if d[i, j] > d[j, i], else 0 (Floyd–Warshall, one vectorised step per k)."""
    p = np.where(d > d.T, d, 0)
    for k in range(len(p)):
        p = np.maximum(p, np.minimum(p[:, k:k + 1], p[k:k + 1, :]))
    np.fill_diagonal(p, 0)
    return p


def schulze(ballots: Sequence[Mapping[str, float | None]],
            candidates: Sequence[str]) -> list[tuple[str, int | None]]:
    """Schulze (beatpath) ranking, winning strength = d[i, j]. i beats j when p[i, j] > p[j, i]; a candidate's
    rank is 1 + the number of candidates that beat it, so candidates that beat each other equally (a cycle,
    equal scores) share a rank, and ranks run 1, 2, 2, 4 (the Schulze relation is transitive, so whoever beats
    i is ranked above i). Ties keep the input order. A candidate no voter compared with any other (nobody
    scored it, or only alone) would be beaten by nobody; it gets rank None and comes last instead of first."""
    scored = ~np.isnan(_score_matrix(ballots, candidates))
    compared = scored.T.astype(int) @ scored.astype(int)
    ranked = compared.sum(axis=1) > np.diag(compared)  # scored together with some other candidate
    p = strongest_paths(pairwise_matrix(ballots, candidates))
    beaten_by = (p < p.T).sum(axis=1)  # j beats i: p[j, i] > p[i, j]
    values = [(c, int(b) if r else None) for c, b, r in zip(candidates, beaten_by, ranked, strict=True)]
    return [(c, r) for c, _, r in competition_ranks(values, higher_is_better=False)]


def borda_points(ballots: Sequence[Mapping[str, float | None]], candidates: Sequence[str]) -> np.ndarray:
    """Voters × candidates normalised Borda points (see `borda`); 0 where the voter gave no score."""
    s = _score_matrix(ballots, candidates)
    scored = ~np.isnan(s)
    below = (s[:, :, None] > s[:, None, :]).sum(axis=2)
    tied = (s[:, :, None] == s[:, None, :]).sum(axis=2) - scored  # minus itself
    k = scored.sum(axis=1, keepdims=True)
    points = np.divide(below + 0.5 * tied, k - 1, out=np.full(s.shape, 0.5), where=k > 1)
    return np.where(scored, points, 0.0)


def borda(ballots: Sequence[Mapping[str, float | None]],
          candidates: Sequence[str]) -> list[tuple[str, float, int | None]]:
    """Borda count on scores, best first: (id, points, rank).

    Each voter ranks only the candidates they scored (k of them). A candidate gets 1 point per scored candidate
    strictly below it and ½ per candidate tied with it, divided by k - 1, so every voter's points run 0..1
    whatever k is: a voter who scored 3 use-cases does not outweigh the top of one who scored 20. A lone scored
    candidate (k = 1) gets 0.5, the mean any voter gives (k / 2 points shared by k candidates). Unscored
    candidates get nothing from that voter. Points are the sum over voters, so with complete ballots they are
    classic Borda (k - 1, ..., 0) divided by k - 1. A candidate nobody scored gets 0 and no rank."""
    totals = borda_points(ballots, candidates).sum(axis=0)
    anyone = ~np.isnan(_score_matrix(ballots, candidates)).all(axis=0)
    values = [(c, float(t) if a else None) for c, t, a in zip(candidates, totals, anyone, strict=True)]
    return [(c, v or 0.0, r) for c, v, r in competition_ranks(values)]


def _weighted(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Weighted mean over the criteria that have a score and a weight; weights renormalised to those."""
    if any(w < 0 for w in weights.values()):
        raise ValueError("Weights cannot be negative.")
    parts = [(weights[c], v) for c, v in scores.items() if v is not None and weights.get(c, 0) > 0]
    total = sum(w for w, _ in parts)
    return sum(w * v for w, v in parts) / total if total else None


def weighted_mean_ranking(means: Mapping[str, Mapping[str, float | None]],
                          weights: Mapping[str, float]) -> list[tuple[str, float | None, int | None]]:
    """Per use-case, its criterion means combined by the weights. A criterion with no score (or no weight) is
    left out and the other weights renormalised, so {value: 4, feasibility: None} scores 4. Best first;
    use-cases with no score come last with rank None."""
    return competition_ranks([(u, _weighted(m, weights)) for u, m in means.items()])


def voter_totals(ballots: Sequence[Mapping[str, float | None]], weights: Mapping[str, float]) -> list[float]:
    """Each voter's weighted score of one use-case (as `weighted_mean_ranking`, per voter); voters who scored
    no weighted criterion are left out."""
    return [t for t in (_weighted(b, weights) for b in ballots) if t is not None]


def median_ranking(scores: Mapping[str, Sequence[Mapping[str, float | None]]],
                   weights: Mapping[str, float]) -> list[tuple[str, float | None, int | None]]:
    """Rank use-cases by the median of their voters' weighted scores (`voter_totals`); `scores` maps a use-case
    to one {criterion: score} per voter. Equal medians are broken by the higher mean, then the smaller IQR
    (more agreement); only use-cases equal on all three share a rank. Returns (id, median, rank), best first;
    use-cases nobody scored come last with rank None."""
    items = []
    for usecase, ballots in scores.items():
        totals = voter_totals(ballots, weights)
        if not totals:
            items.append((usecase, None, None))
            continue
        q1, median, q3 = quartiles(totals)
        mean = sum(totals) / len(totals)
        items.append((usecase, median, tuple(round(x, DECIMALS) for x in (-median, -mean, q3 - q1))))
    return [(u, m, r) for u, m, _, r in _rank_by_key(items)]


def _top(ranking: Sequence[str | tuple], k: int) -> tuple[frozenset, frozenset]:
    """(winners, top k) of a ranking: ids in order, or tuples (id, ..., rank) whose ties count by rank."""
    rows = [(r, n + 1) if isinstance(r, str) else (r[0], r[-1]) for n, r in enumerate(ranking)]
    rows = [(i, rank) for i, rank in rows if rank is not None]
    return frozenset(i for i, rank in rows if rank == 1), frozenset(i for i, rank in rows if rank <= k)


def top_differs(rankings: Mapping[str, Sequence[str | tuple]], k: int = 3) -> bool:
    """True when the methods disagree at the top: the winners differ, or the top k differ as sets. A ranking is
    ids best first, or rows (id, ..., rank) as the ranking functions return; then candidates tied at rank k
    all count as top k, and all tied at rank 1 as winners."""
    return len({_top(r, k) for r in rankings.values()}) > 1


# ------------------------------------------------------------------------------------------ dot rounds

def check_dots(allocation: Mapping[str, int], budget: int, max_per_item: int) -> list[str]:
    """Danish error messages for a member's dots, empty when valid. Points must be whole, not negative, at most
    `max_per_item` per use-case and at most `budget` in all. Spending less than the budget is allowed: a member
    need not put points on use-cases they do not support."""
    errors = []
    for item, points in allocation.items():
        if isinstance(points, bool) or not isinstance(points, int):
            errors.append(f"{item}: point skal være hele tal.")
        elif points < 0:
            errors.append(f"{item}: point kan ikke være negative ({points}).")
        elif points > max_per_item:
            errors.append(f"{item}: højst {max_per_item} point pr. use-case (du gav {points}).")
    spent = sum(p for p in allocation.values() if isinstance(p, int) and p > 0)
    if spent > budget:
        errors.append(f"Du har fordelt {spent} point, men har kun {budget} at fordele.")
    return errors


def dot_totals(allocations: Sequence[Mapping[str, int]],
               candidates: Sequence[str]) -> list[tuple[str, int, int, int | None]]:
    """(id, points, voters who gave it any, rank), most points first. Equal points share a rank (1, 2, 2, 4)
    and are listed by more voters first; a use-case with no points has rank None. Ids not among the
    candidates are ignored."""
    points = {c: sum(a.get(c, 0) for a in allocations) for c in candidates}
    voters = {c: sum(a.get(c, 0) > 0 for a in allocations) for c in candidates}
    order = sorted(candidates, key=lambda c: -voters[c])
    ranked = competition_ranks([(c, points[c] or None) for c in order])
    return [(c, points[c], voters[c], r) for c, _, r in ranked]


# --------------------------------------------------------------------------------------------- sectors

def hidden_sectors(counts: Mapping[str, int]) -> set[str]:
    """Sectors whose numbers are not shown. Every sector with 1 or 2 voters (fewer than MIN_GROUP) is hidden;
    and because the total of all voters is shown, the hidden ones must together hold at least MIN_GROUP
    voters, or one hidden sector could be worked out as the total minus the shown sectors. So the smallest
    shown sectors are hidden too until that holds. Apply one pattern to every view of the same voters."""
    hidden = {s for s, n in counts.items() if 0 < n < MIN_GROUP}
    shown = sorted((n, s) for s, n in counts.items() if n >= MIN_GROUP)
    while shown and 0 < sum(counts[s] for s in hidden) < MIN_GROUP:
        hidden.add(shown.pop(0)[1])
    return hidden


def by_sector(scores: Iterable[tuple[str, float]], scale: Scale) -> dict[str, Summary | None]:
    """Summary per sector from (sector, score) pairs, in order of first appearance. A hidden sector (see
    `hidden_sectors`) maps to None, shown as "fortroligt", never to its numbers."""
    grouped: dict[str, list[float]] = {}
    for sector, score in scores:
        grouped.setdefault(sector, []).append(score)
    hidden = hidden_sectors({s: len(v) for s, v in grouped.items()})
    return {s: None if s in hidden else summarise(v, scale) for s, v in grouped.items()}


def sectors_disagree(per_sector: Mapping[str, Summary | None], scale: Scale, rule: ConsensusRule) -> bool:
    """True when the shown sectors (None = fortroligt, left out) disagree: their consensus status under the rule
    differs ("for" in one, "ingen" in another; "for få" is ignored), or one sector's median is in the top
    third while another's is in the bottom third. One shown sector never disagrees."""
    shown = [s for s in per_sector.values() if s is not None and s.n > 0]
    statuses = {rule.status(s) for s in shown} - {FOR_FAA}
    thirds = {scale.third(s.median) for s in shown if s.median is not None}
    return len(statuses) > 1 or {"top", "bottom"} <= thirds
