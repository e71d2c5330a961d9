"""Ballots and drafts: one ballot per member per round, written as one upsert statement, editable until the
round closes; a draft keeps what a member entered but has not saved yet (across pages and reloads)."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, TypeVar

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from katalog.voting.methods import check_dots
from katalog.voting.rounds import Round

NO_OPINION = "ingen holdning"
REASON_MAX = 600
T = TypeVar("T")


class VotingError(Exception):
    """A ballot that could not be saved; the message is meant for the member."""


class ItemBallot(BaseModel):
    """A member's answer for one use-case: a score (None = «ingen holdning») per criterion answered so far,
    a short reason, and whether they declared a conflict of interest (then nothing else counts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    scores: dict[str, int | None] = {}
    reason: Annotated[str, Field(max_length=REASON_MAX)] = ""
    recused: bool = False

    def is_empty(self) -> bool:
        return not self.scores and not self.reason.strip() and not self.recused


class Ballot(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    items: dict[str, ItemBallot] = {}
    dots: dict[str, int] = {}


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ballot(raw: str) -> Ballot:
    """A stored ballot; the first schema's {"scores": {uc: {criterion: score}}} is read as well."""
    data = json.loads(raw)
    if "scores" in data:
        return Ballot(items={uc: ItemBallot(scores={c: v for c, v in s.items() if v is not None})
                             for uc, s in data["scores"].items()})
    return Ballot.model_validate(data)


def check_ballot(ballot: Ballot, voting_round: Round) -> Ballot:
    """The ballot as it will be stored, or a VotingError naming what to change."""
    settings = voting_round.settings
    unknown = sorted((set(ballot.items) | set(ballot.dots)) - set(settings.usecases))
    if unknown:
        raise VotingError(f"{', '.join(unknown)} er ikke med i runden.")
    if settings.kind == "dots":
        problems = check_dots(ballot.dots, settings.budget, settings.max_per_item)
        if problems:
            raise VotingError(" ".join(problems))
        return Ballot(dots={k: v for k, v in ballot.dots.items() if v})
    scale, keys = settings.scale_obj, {c.key for c in settings.criteria}
    items = {}
    for uc, item in ballot.items.items():
        if set(item.scores) - keys:
            raise VotingError(f"{uc}: ukendt kriterium {', '.join(sorted(set(item.scores) - keys))}.")
        bad = [s for s in item.scores.values() if s is not None and not scale.low <= s <= scale.high]
        if bad:
            raise VotingError(f"{uc}: scorer skal være hele tal fra {scale.low} til {scale.high}.")
        if item.recused:  # a recused member's scores are not kept: they must not count anywhere
            item = ItemBallot(recused=True, reason=item.reason)
        if not item.is_empty():
            items[uc] = item
    if not items:
        raise VotingError("Giv mindst én use-case en score, før du gemmer.")
    return Ballot(items=items)


def missing(ballot: Ballot, voting_round: Round) -> list[str]:
    """Use-cases of the round the ballot has not answered for every criterion (recusal counts as an answer)."""
    settings = voting_round.settings
    if settings.kind == "dots":
        return []
    keys = {c.key for c in settings.criteria}
    return [uc for uc in settings.usecases
            if not (item := ballot.items.get(uc)) or not (item.recused or keys <= set(item.scores))]


def _retrying(action: Callable[[], T], attempts: int = 8) -> T:
    """Run a write, retrying when another writer held the database past the busy timeout."""
    for attempt in range(attempts):
        try:
            return action()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error) or attempt == attempts - 1:
                raise VotingError("Databasen var optaget, og stemmen blev ikke gemt. Prøv igen; "
                                  "dine valg er bevaret.") from error
            time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
    raise AssertionError("unreachable")


def save_ballot(db: sqlite_utils.Database, member_id: int, voting_round: Round, ballot: Ballot) -> Ballot:
    """Insert or replace the member's ballot in one statement; refused once the round has closed."""
    try:
        ballot = check_ballot(ballot, voting_round)
    except ValidationError as error:
        raise VotingError(f"Stemmesedlen er ugyldig: {error.errors()[0]['msg']}.") from error

    def write() -> int:
        with db.conn:
            cursor = db.conn.execute(
                """
                INSERT INTO ballots (member_id, round_id, scores, updated_at)
                SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM rounds WHERE id = ? AND status = 'open')
                ON CONFLICT (member_id, round_id)
                DO UPDATE SET scores = excluded.scores, updated_at = excluded.updated_at
                """,
                (member_id, voting_round.id, ballot.model_dump_json(exclude_defaults=True), now(),
                 voting_round.id),
            )
            db.conn.execute("DELETE FROM drafts WHERE member_id = ? AND round_id = ?", (member_id, voting_round.id))
            return cursor.rowcount

    if _retrying(write) != 1:
        raise VotingError("Runden er lukket; stemmen blev ikke gemt.")
    return ballot


def ballot_for(db: sqlite_utils.Database, member_id: int, round_id: int) -> tuple[Ballot, str] | None:
    """The member's own ballot and when it was last saved, or None."""
    row = db.conn.execute("SELECT scores, updated_at FROM ballots WHERE member_id = ? AND round_id = ?",
                          (member_id, round_id)).fetchone()
    return (parse_ballot(row[0]), row[1]) if row else None


def cast_ballots(db: sqlite_utils.Database, round_id: int) -> list[tuple[int, str, Ballot]]:
    """Every ballot of the round with its member id and sector (for the tally; never shown with names)."""
    rows = db.conn.execute("SELECT b.member_id, m.sector, b.scores FROM ballots b JOIN members m "
                           "ON m.id = b.member_id WHERE b.round_id = ? ORDER BY b.id", (round_id,))
    return [(member_id, sector, parse_ballot(raw)) for member_id, sector, raw in rows]


def ballot_count(db: sqlite_utils.Database, round_id: int) -> int:
    return db.conn.execute("SELECT count(*) FROM ballots WHERE round_id = ?", (round_id,)).fetchone()[0]


def save_draft(db: sqlite_utils.Database, member_id: int, round_id: int, ballot: Ballot) -> None:
    """Keep what the member has entered so far (not counted) until they save or the round closes."""
    def write() -> None:
        with db.conn:
            db.conn.execute(
                "INSERT INTO drafts (member_id, round_id, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT "
                "(member_id, round_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (member_id, round_id, ballot.model_dump_json(exclude_defaults=True), now()))
    _retrying(write)


def draft_for(db: sqlite_utils.Database, member_id: int, round_id: int) -> Ballot | None:
    row = db.conn.execute("SELECT data FROM drafts WHERE member_id = ? AND round_id = ?",
                          (member_id, round_id)).fetchone()
    return parse_ballot(row[0]) if row else None


def discard_draft(db: sqlite_utils.Database, member_id: int, round_id: int) -> None:
    with db.conn:
        db.conn.execute("DELETE FROM drafts WHERE member_id = ? AND round_id = ?", (member_id, round_id))
