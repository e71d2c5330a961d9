"""The anonymised ballot ledger of a round (JSON and CSV) and the recount from it.

Each ballot is known by a hash of the round, the member and a secret salt kept in catalogue.db: the same
member's rows in one round belong together (needed to recount Borda and Schulze), but the hash names no one
and differs between rounds. Sectors with fewer than three voters are folded together exactly as on the
pages, so the ledger shows nobody's scores apart. `recount` recomputes every figure of the overview."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping

import sqlite_utils

from katalog.voting.ballots import NO_OPINION, Ballot, cast_ballots
from katalog.voting.methods import STATUS_LABELS
from katalog.voting.results import RoundResults, Voter, fold_sectors, tally
from katalog.voting.rounds import Round, RoundSettings

CSV_COLUMNS = ["runde", "use_case", "kriterium", "score", "sektor", "stemmeseddel"]
RECUSED = "inhabil"


def _salt(db: sqlite_utils.Database) -> str:
    return db.conn.execute("SELECT value FROM secrets WHERE name = 'ledger_salt'").fetchone()[0]


def ballot_hash(salt: str, round_id: int, member_id: int) -> str:
    return hashlib.sha256(f"{salt}:{round_id}:{member_id}".encode()).hexdigest()[:16]


def ledger(db: sqlite_utils.Database, voting_round: Round) -> dict:
    salt = _salt(db)
    cast = [(ballot_hash(salt, voting_round.id, member_id), sector, ballot)
            for member_id, sector, ballot in cast_ballots(db, voting_round.id)]
    voters = sorted(fold_sectors(cast), key=lambda v: v.key)  # sorted by hash: no order that follows people
    return {
        "runde": {"id": voting_round.id, "titel": voting_round.title, "status": voting_round.status,
                  "indstillinger": voting_round.settings.model_dump(mode="json")},
        "stemmesedler": [{"stemmeseddel": v.key, "sektor": v.sector,
                          **v.ballot.model_dump(mode="json", exclude_defaults=True)} for v in voters],
    }


def ledger_csv(data: Mapping) -> str:
    """One row per answer: round, use-case, criterion (or «point» / «inhabil»), score, sector, ballot hash."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    round_id = data["runde"]["id"]
    for entry in data["stemmesedler"]:
        ballot = Ballot.model_validate({k: v for k, v in entry.items() if k in ("items", "dots")})
        for uc, points in sorted(ballot.dots.items()):
            writer.writerow([round_id, uc, "point", points, entry["sektor"], entry["stemmeseddel"]])
        for uc, item in sorted(ballot.items.items()):
            if item.recused:
                writer.writerow([round_id, uc, RECUSED, "", entry["sektor"], entry["stemmeseddel"]])
            for criterion, score in sorted(item.scores.items()):
                writer.writerow([round_id, uc, criterion, NO_OPINION if score is None else score, entry["sektor"],
                                 entry["stemmeseddel"]])
    return out.getvalue()


def recount(data: Mapping) -> RoundResults:
    """The round's results recomputed from the ledger alone."""
    settings = RoundSettings.model_validate(data["runde"]["indstillinger"])
    voters = [Voter(e["stemmeseddel"], e["sektor"],
                    Ballot.model_validate({k: v for k, v in e.items() if k in ("items", "dots")}))
              for e in data["stemmesedler"]]
    return tally(settings, voters)


def load(text: str) -> dict:
    return json.loads(text)


def describe(results: RoundResults, settings: RoundSettings) -> list[str]:
    """Every figure of the overview as plain lines (what `katalog recount` prints)."""
    lines = [f"{results.ballots} stemmesedler; metoder: {', '.join(results.methods.values())}"]
    for r in results.usecases:
        ranks = " ".join(f"{label}={r.ranks.get(m) or '–'}" for m, label in results.methods.items())
        if results.kind == "dots":
            lines.append(f"{r.usecase_id}\tpoint={r.points}\tgivere={r.ballots}\t{ranks}")
            continue
        total = r.total
        lines.append(
            f"{r.usecase_id}\tn={r.ballots}\tinhabile={r.recused}\tmedian={_n(total.median)}\t"
            f"IQR={_n(total.q1)}–{_n(total.q3)}\tgennemsnit={_n(total.mean)}\tøverste={_pct(total.top_share)}\t"
            f"nederste={_pct(total.bottom_share)}\tkonsensus={STATUS_LABELS.get(r.consensus, r.consensus)}\t{ranks}")
        for criterion in settings.criteria:
            s = r.criteria.get(criterion.key)
            if s is not None and s.n:
                lines.append(f"  {criterion.label}: n={s.n} median={_n(s.median)} gennemsnit={_n(s.mean)}")
        for sector, s in r.sectors.items():
            lines.append(f"  {sector}: " + ("fortroligt" if s is None else f"n={s.n} median={_n(s.median)}"))
    return lines


def _n(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f} %"
