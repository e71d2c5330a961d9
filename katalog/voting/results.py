"""A round's results, computed from its settings and ballots alone (so the ledger can recompute them):
per use-case summaries per criterion and in total, consensus under every rule, rankings under several
methods, the sector view (small sectors folded together), and reasons without names."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from katalog.voting import methods
from katalog.voting.ballots import Ballot
from katalog.voting.rounds import RoundSettings

METHODS: dict[str, str] = {
    "weighted_mean": "Vægtet gennemsnit",
    "median": "Median",
    "borda": "Borda",
    "schulze": "Schulze",
}
DOT_METHOD = {"points": "Point"}
FOLDED = "Øvrige sektorer"


@dataclass(frozen=True)
class Voter:
    """One ballot as the tally sees it: an opaque key, the (possibly folded) sector, the ballot."""

    key: str
    sector: str
    ballot: Ballot


@dataclass
class UseCaseResult:
    usecase_id: str
    ballots: int = 0
    recused: int = 0
    criteria: dict[str, methods.Summary] = field(default_factory=dict)
    total: methods.Summary | None = None
    consensus: str = "ingen"
    consensus_by_rule: dict[str, str] = field(default_factory=dict)
    rule_dependent: bool = False
    ranks: dict[str, int | None] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)
    sectors: dict[str, methods.Summary | None] = field(default_factory=dict)
    sectors_disagree: bool = False
    reasons: list[str] = field(default_factory=list)
    points: int | None = None
    quorum_met: bool = False


@dataclass
class RoundResults:
    kind: str
    ballots: int
    usecases: list[UseCaseResult]
    methods: dict[str, str]
    top_differs: bool = False
    sectors: dict[str, int] = field(default_factory=dict)  # voters per shown sector

    def get(self, usecase_id: str) -> UseCaseResult | None:
        return next((u for u in self.usecases if u.usecase_id == usecase_id), None)

    def rank(self, usecase_id: str, method: str | None = None) -> int | None:
        result = self.get(usecase_id)
        return result.ranks.get(method or next(iter(self.methods))) if result else None

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> RoundResults:
        def summary(d):
            return None if d is None else methods.Summary(
                **{**d, "distribution": {int(k): v for k, v in d["distribution"].items()}})

        usecases = [UseCaseResult(**{
            **u, "criteria": {k: summary(v) for k, v in u["criteria"].items()}, "total": summary(u["total"]),
            "sectors": {k: summary(v) for k, v in u["sectors"].items()}}) for u in data["usecases"]]
        return cls(**{**data, "usecases": usecases})


def fold_sectors(voters: Sequence[tuple[str, str, Ballot]]) -> list[Voter]:
    """Sectors with fewer than three voters are folded into one group, so no one's scores stand apart."""
    counts = defaultdict(int)
    for _, sector, _ in voters:
        counts[sector] += 1
    return [Voter(key, sector if counts[sector] >= methods.MIN_GROUP else FOLDED, ballot)
            for key, sector, ballot in voters]


def voter_total(scores: Mapping[str, int | None], weights: Mapping[str, float]) -> float | None:
    """A voter's weighted score for one use-case over the criteria they scored; None if they scored none."""
    scored = {c: s for c, s in scores.items() if s is not None and c in weights}
    if not scored:
        return None
    return sum(weights[c] * s for c, s in scored.items()) / sum(weights[c] for c in scored)


def tally(settings: RoundSettings, voters: Sequence[Voter]) -> RoundResults:
    """Every figure of the round. Voters are taken in an order set by their ballots alone, so the live tally
    and a recount from the ledger (other keys, other order) add up floats identically."""
    voters = sorted(voters, key=lambda v: (v.sector, v.ballot.model_dump_json()))
    if settings.kind == "dots":
        return _tally_dots(settings, voters)
    results = [_usecase(settings, uc, voters) for uc in settings.usecases]
    totals = _voter_totals(settings, voters)
    eligible = [r.usecase_id for r in results if r.quorum_met]
    _rank(results, settings, totals, eligible)
    order = {m: [uc for uc, _ in sorted(((r.usecase_id, r.ranks.get(m)) for r in results if r.ranks.get(m)),
                                        key=lambda x: x[1])] for m in METHODS}
    results.sort(key=lambda r: (r.ranks.get("weighted_mean") is None, r.ranks.get("weighted_mean") or 0,
                                r.usecase_id))
    return RoundResults("score", len(voters), results, dict(METHODS),
                        top_differs=methods.top_differs(order) if eligible else False,
                        sectors=_sector_sizes(voters))


def _sector_sizes(voters: Sequence[Voter]) -> dict[str, int]:
    sizes = defaultdict(int)
    for voter in voters:
        sizes[voter.sector] += 1
    return {s: n for s, n in sorted(sizes.items()) if n >= methods.MIN_GROUP}


def _voter_totals(settings: RoundSettings, voters: Sequence[Voter]) -> list[dict[str, float]]:
    """Per voter, use-case → weighted score, leaving out recusals and use-cases they gave no score."""
    out = []
    for voter in voters:
        totals = {}
        for uc, item in voter.ballot.items.items():
            if uc in settings.usecases and not item.recused:
                total = voter_total(item.scores, settings.weights)
                if total is not None:
                    totals[uc] = total
        out.append(totals)
    return out


def _usecase(settings: RoundSettings, usecase_id: str, voters: Sequence[Voter]) -> UseCaseResult:
    scale, weights = settings.scale_obj, settings.weights
    result = UseCaseResult(usecase_id)
    per_criterion: dict[str, list[int]] = {c.key: [] for c in settings.criteria}
    totals: list[float] = []
    by_sector: list[tuple[str, float]] = []
    for voter in voters:
        item = voter.ballot.items.get(usecase_id)
        if item is None:
            continue
        if item.recused:
            result.recused += 1
            continue
        if item.reason.strip():
            result.reasons.append(item.reason.strip())
        for criterion, score in item.scores.items():
            if score is not None and criterion in per_criterion:
                per_criterion[criterion].append(score)
        total = voter_total(item.scores, weights)
        if total is not None:
            totals.append(total)
            by_sector.append((voter.sector, total))
    result.ballots = len(totals)
    result.reasons.sort()  # no order that follows the voters
    result.criteria = {c: methods.summarise(v, scale) for c, v in per_criterion.items()}
    result.total = methods.summarise(totals, scale)
    result.consensus_by_rule = methods.consensus_all(result.total)
    result.consensus = result.consensus_by_rule[settings.rule]
    result.rule_dependent = methods.depends_on_rule(result.consensus_by_rule)
    result.sectors = methods.by_sector(by_sector, scale)
    result.sectors_disagree = methods.sectors_disagree(result.sectors, scale, methods.RULES[settings.rule])
    result.quorum_met = result.ballots >= settings.quorum
    return result


def _rank(results: list[UseCaseResult], settings: RoundSettings, totals: list[dict[str, float]],
          eligible: list[str]) -> None:
    by_id = {r.usecase_id: r for r in results}
    means = {uc: {c: by_id[uc].criteria[c].mean for c in settings.weights} for uc in eligible}
    ranked = {
        "weighted_mean": [(uc, score, rank) for uc, score, rank in
                          methods.weighted_mean_ranking(means, settings.weights)],
        "median": methods.competition_ranks([(uc, by_id[uc].total.median) for uc in eligible]),
        "borda": methods.borda(totals, eligible),
        "schulze": [(uc, None, rank) for uc, rank in methods.schulze(totals, eligible)],
    }
    for method, rows in ranked.items():
        for uc, score, rank in rows:
            by_id[uc].ranks[method] = rank
            by_id[uc].scores[method] = score


def _tally_dots(settings: RoundSettings, voters: Sequence[Voter]) -> RoundResults:
    rows = methods.dot_totals([v.ballot.dots for v in voters], settings.usecases)
    results = []
    for uc, points, givers, rank in rows:
        results.append(UseCaseResult(uc, ballots=givers, points=points, quorum_met=True, ranks={"points": rank},
                                     scores={"points": float(points)}))
    return RoundResults("dots", len(voters), results, dict(DOT_METHOD), sectors=_sector_sizes(voters))
