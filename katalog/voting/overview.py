"""The working group's prioritised overview: a round's results (live, or frozen at close) joined with the
chair's decisions, participation for the chair, and the guard that keeps hidden results hidden."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import sqlite_utils

from katalog.voting import decisions as decision_store
from katalog.voting.ballots import cast_ballots
from katalog.voting.members import Member, list_members
from katalog.voting.methods import RULES, STATUS_LABELS
from katalog.voting.results import RoundResults, UseCaseResult, fold_sectors, tally
from katalog.voting.rounds import Round, RoundError, close_round, get_round


class HiddenResults(PermissionError):
    """The round hides its results until it closes, and the reader is not the chair."""


def round_results(db: sqlite_utils.Database, voting_round: Round, reader: Member | None) -> RoundResults:
    """The round's results for this reader: the frozen snapshot of a closed round, else a live tally.
    Raises HiddenResults when the round hides them from this reader."""
    if not voting_round.results_visible_to(reader):
        raise HiddenResults(voting_round.title)
    if voting_round.snapshot is not None:
        return RoundResults.from_json(voting_round.snapshot)
    return live_tally(db, voting_round)


def live_tally(db: sqlite_utils.Database, voting_round: Round) -> RoundResults:
    """The tally of the round's ballots as they stand (callers check visibility)."""
    voters = fold_sectors([(str(member_id), sector, ballot)
                           for member_id, sector, ballot in cast_ballots(db, voting_round.id)])
    return tally(voting_round.settings, voters)


def close(db: sqlite_utils.Database, round_id: int) -> Round:
    """Close the round and freeze its results."""
    voting_round = get_round(db, round_id)
    if voting_round is None or not voting_round.is_open:
        raise RoundError("Runden er allerede lukket eller findes ikke.")
    return close_round(db, round_id, live_tally(db, voting_round).to_json())


@dataclass(frozen=True)
class Participation:
    sector: str
    members: int
    ballots: int


def participation(db: sqlite_utils.Database, voting_round: Round) -> tuple[list[Participation], list[Member]]:
    """Ballots per sector against members per sector, and the members who have not voted (chair only)."""
    members = [m for m in list_members(db) if m.role == "member"]
    voted = {row[0] for row in db.conn.execute("SELECT member_id FROM ballots WHERE round_id = ?",
                                               (voting_round.id,))}
    per_sector, cast = Counter(m.sector for m in members), Counter(m.sector for m in members if m.id in voted)
    rows = [Participation(s, per_sector[s], cast[s]) for s in sorted(per_sector)]
    return rows, [m for m in members if m.id not in voted]


@dataclass(frozen=True)
class OverviewRow:
    usecase_id: str
    title: str
    decision: decision_store.Decision | None
    result: UseCaseResult | None
    previous_rank: int | None


def overview(db: sqlite_utils.Database, voting_round: Round | None, reader: Member | None,
             titles: Mapping[str, str], *, only_titled: bool = False) -> tuple[list[OverviewRow], RoundResults | None]:
    """One row per use-case in `titles` (and, unless only_titled, the round's use-cases no longer in the
    catalogue): decision, result, rank in the round before. Results are None where the round hides them."""
    decisions = decision_store.current(db)
    results = previous = None
    if voting_round is not None:
        try:
            results = round_results(db, voting_round, reader)
        except HiddenResults:
            results = None
        before = (get_round(db, voting_round.settings.previous_round)
                  if voting_round.settings.previous_round else None)
        if before is not None and before.snapshot is not None:
            previous = RoundResults.from_json(before.snapshot)
    others = [] if only_titled or voting_round is None else voting_round.settings.usecases
    ids = list(titles) + [uc for uc in others if uc not in titles]
    rows = [OverviewRow(uc, titles.get(uc, "(ikke længere i kataloget)"), decisions.get(uc),
                        results.get(uc) if results else None, previous.rank(uc) if previous else None)
            for uc in ids]
    if results is not None:
        order = {r.usecase_id: n for n, r in enumerate(results.usecases)}
        rows.sort(key=lambda r: (r.usecase_id not in order, order.get(r.usecase_id, 0), r.usecase_id))
    return rows, results


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def decimal_text(value: float | None) -> str:
    """A figure as a Danish reader writes it: one decimal with a comma, «–» for none, no trailing ",0"."""
    if value is None:
        return "–"
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def _sector_view(result: UseCaseResult) -> str:
    parts = [f"{sector}: {'fortroligt' if s is None else decimal_text(s.median)}"
             for sector, s in result.sectors.items()]
    return "; ".join(parts)


def overview_records(rows: list[OverviewRow], results: RoundResults | None) -> list[dict[str, str]]:
    """The prioritised overview as rows of Danish text, the same on the page, in the CSV and in the PDF."""
    records = []
    for row in rows:
        record = {"Use-case": row.usecase_id, "Titel": row.title,
                  "Beslutning": row.decision.label if row.decision else decision_store.UNDECIDED,
                  "Begrundelse": row.decision.reason if row.decision else "",
                  "Besluttet": row.decision.date if row.decision else ""}
        result = row.result
        if results is not None and result is not None:
            record |= _result_record(result, results, row.previous_rank)
        records.append(record)
    return records


def _result_record(result: UseCaseResult, results: RoundResults, previous_rank: int | None) -> dict[str, str]:
    main = next(iter(results.methods))
    rank = result.ranks.get(main)
    record = {"Nr.": str(rank) if rank else "–", "Svar": str(result.ballots)}
    if previous_rank is not None and rank is not None:
        change = previous_rank - rank
        record["Ændring"] = "uændret" if change == 0 else (f"↑{change}" if change > 0 else f"↓{-change}")
    if results.kind == "dots":
        return record | {"Point": str(result.points)}
    total = result.total
    record |= {
        "Inhabile": str(result.recused),
        "Median": decimal_text(total.median),
        "Kvartiler": f"{decimal_text(total.q1)}–{decimal_text(total.q3)}" if total.n else "–",
        "Gennemsnit": decimal_text(total.mean),
        "Øverste tredjedel": "–" if total.top_share is None else f"{round(total.top_share * 100)} %",
        "Nederste tredjedel": "–" if total.bottom_share is None else f"{round(total.bottom_share * 100)} %",
        "Konsensus": status_label(result.consensus) + (" (afhænger af reglen)" if result.rule_dependent else ""),
        **{f"Rang ({label.lower() if m == 'median' else label})": str(result.ranks.get(m) or "–")
           for m, label in results.methods.items() if m != main},
        "Sektorer": _sector_view(result) + (" – sektorerne er uenige" if result.sectors_disagree else ""),
    }
    if not result.quorum_met:
        record["Nr."] = "ikke rangeret (for få svar)"
    return record


# The overview's columns in reading order, on the page, in the CSV and in the PDF (those a round has).
COLUMNS = ["Nr.", "Use-case", "Titel", "Beslutning", "Konsensus", "Median", "Kvartiler", "Øverste tredjedel",
           "Nederste tredjedel", "Svar", "Inhabile", "Point", "Rang (median)", "Rang (Borda)", "Rang (Schulze)",
           "Ændring", "Sektorer", "Begrundelse", "Besluttet"]


def columns_of(records: list[dict[str, str]]) -> list[str]:
    return [c for c in COLUMNS if any(c in r for r in records)]


def overview_section(db: sqlite_utils.Database, voting_round: Round | None, titles: Mapping[str, str], *,
                     only_titled: bool = False):
    """The overview for the PDF and the CLI. They are read outside the chair's page, so a round that hides
    its results shows decisions only, even when the chair makes the export."""
    from katalog.export import OverviewSection

    rows, results = overview(db, voting_round, None, titles, only_titled=only_titled)
    records = overview_records(rows, results)
    if voting_round is None:
        intro = ["Der er ikke holdt en afstemningsrunde endnu; overblikket viser arbejdsgruppens beslutninger."]
        heading = "Prioriteret overblik"
    else:
        heading = f"Prioriteret overblik – {voting_round.title} ({voting_round.status_label})"
        intro = [_round_intro(voting_round, results)]
        if results is not None and results.top_differs:
            intro.append("De øverste pladser er ikke de samme efter alle metoder; se rangene efter median, Borda og "
                         "Schulze.")
    intro.append("Sektorer med færre end tre medlemmer vises ikke for sig (fortroligt). Beslutningerne er "
                 "formandens, med begrundelse og dato.")
    return OverviewSection(heading, intro, records, [c for c in columns_of(records) if c != "Besluttet"])


def _round_intro(voting_round: Round, results: RoundResults | None) -> str:
    settings = voting_round.settings
    if results is None:
        return (f"Runden er åben, og dens resultater er skjult, indtil den lukkes ({len(settings.usecases)} "
                "use-cases). Overblikket viser derfor kun beslutningerne.")
    if results.kind == "dots":
        return (f"Prikrunde med {results.ballots} stemmesedler: hvert medlem fordelte op til {settings.budget} point, "
                f"højst {settings.max_per_item} på én use-case.")
    weights = ", ".join(f"{c.label.lower()} ×{decimal_text(c.weight)}" for c in settings.criteria)
    return (f"{results.ballots} stemmesedler på skalaen {settings.scale_obj.low}–{settings.scale_obj.high}. Nr. er "
            f"rangen efter det vægtede gennemsnit ({weights}); median, Borda og Schulze er de samme stemmer talt på "
            f"andre måder. Konsensus: {RULES[settings.rule].explain(settings.scale_obj)} Use-cases med færre end "
            f"{settings.quorum} svar rangeres ikke.")
