"""Ballots and the tally: one ballot per member per round, written as one upsert statement."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CRITERIA: dict[str, str] = {
    "value": "Værdi",
    "feasibility": "Gennemførlighed",
}
CRITERIA_HELP: dict[str, str] = {
    "value": "Hvor meget gør visningen en forskel for planlægning, forebyggelse, sammenhæng eller læring?",
    "feasibility": "Hvor let er den at lave med de nye data og på den foreslåede platform?",
}
Score = Annotated[int, Field(ge=1, le=5)]


class VotingError(Exception):
    """A ballot that could not be saved; the message is meant for the member."""


class UseCaseScores(BaseModel):
    """A member's scores for one use-case; a criterion left out means 'no opinion'."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Score | None = None
    feasibility: Score | None = None

    def is_empty(self) -> bool:
        return self.value is None and self.feasibility is None


class Ballot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    scores: dict[str, UseCaseScores]


@dataclass(frozen=True)
class Round:
    id: int
    title: str
    status: str

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class Ranked:
    rank: int | None
    usecase_id: str
    ballots: int
    value: float | None
    feasibility: float | None

    @property
    def score(self) -> float | None:
        parts = [x for x in (self.value, self.feasibility) if x is not None]
        return sum(parts) / len(parts) if parts else None


def format_score(value: float | None) -> str:
    """A mean score as members read it: one decimal with a Danish comma, «–» where nobody scored."""
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def current_round(db: sqlite_utils.Database) -> Round:
    """The open round if there is one, else the most recent."""
    row = db.conn.execute(
        "SELECT id, title, status FROM rounds ORDER BY status = 'open' DESC, id DESC LIMIT 1").fetchone()
    return Round(*row)


def save_ballot(db: sqlite_utils.Database, member_id: int, round_id: int,
                scores: Mapping[str, Mapping[str, int | None]]) -> Ballot:
    """Insert or replace the member's ballot for the round in one statement; refused once it closed."""
    try:
        ballot = Ballot(scores={k: UseCaseScores(**v) for k, v in scores.items()})
    except ValidationError as error:
        raise VotingError("Stemmesedlen er ugyldig: scorer skal være hele tal fra 1 til 5.") from error
    ballot = Ballot(scores={k: v for k, v in ballot.scores.items() if not v.is_empty()})
    if not ballot.scores:
        raise VotingError("Giv mindst én use-case en score, før du indsender.")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        with db.conn:
            cursor = db.conn.execute(
                """
                INSERT INTO ballots (member_id, round_id, scores, updated_at)
                SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = 'open')
                ON CONFLICT (member_id, round_id)
                DO UPDATE SET scores = excluded.scores, updated_at = excluded.updated_at
                """,
                (member_id, round_id, ballot.model_dump_json(exclude_none=True), now, round_id),
            )
    except sqlite3.OperationalError as error:
        raise VotingError(f"Databasen var optaget, og stemmen blev ikke gemt ({error}). Prøv igen.") from error
    if cursor.rowcount != 1:
        raise VotingError("Afstemningsrunden er lukket; stemmen blev ikke gemt.")
    return ballot


def ballot_for(db: sqlite_utils.Database, member_id: int, round_id: int) -> tuple[Ballot, str] | None:
    """The member's own ballot and when it was last saved, or None."""
    row = db.conn.execute("SELECT scores, updated_at FROM ballots WHERE member_id = ? AND round_id = ?",
                          (member_id, round_id)).fetchone()
    return (Ballot.model_validate_json(row[0]), row[1]) if row else None


def ballot_count(db: sqlite_utils.Database, round_id: int) -> int:
    return db.conn.execute("SELECT count(*) FROM ballots WHERE round_id = ?", (round_id,)).fetchone()[0]


def tally(db: sqlite_utils.Database, round_id: int, usecase_ids: Iterable[str]) -> list[Ranked]:
    """Rank use-cases by the mean of their mean value and mean feasibility; unscored ones last."""
    ids = list(usecase_ids)
    collected: dict[str, dict[str, list[int]]] = {i: {c: [] for c in CRITERIA} for i in ids}
    counts = dict.fromkeys(ids, 0)
    for (raw,) in db.conn.execute("SELECT scores FROM ballots WHERE round_id = ?", (round_id,)):
        for usecase_id, scores in json.loads(raw)["scores"].items():
            if usecase_id not in collected:
                continue  # a use-case no longer in the catalogue
            counts[usecase_id] += 1
            for criterion in CRITERIA:
                if scores.get(criterion) is not None:
                    collected[usecase_id][criterion].append(scores[criterion])

    def mean(values: list[int]) -> float | None:
        return sum(values) / len(values) if values else None

    rows = [Ranked(None, i, counts[i], mean(collected[i]["value"]), mean(collected[i]["feasibility"]))
            for i in ids]
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), -r.ballots, r.usecase_id))
    return [Ranked(n if r.score is not None else None, r.usecase_id, r.ballots, r.value, r.feasibility)
            for n, r in enumerate(rows, start=1)]
