"""Prioritisation rounds: settings fixed when the chair opens a round, open → closed, and a snapshot of the
results frozen at close (a trigger in the database refuses any later change)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from katalog.voting.methods import DEFAULT_RULE, RULES, SCALES, Scale


class RoundError(ValueError):
    """A round that cannot be created or changed; the message is meant for the chair."""


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")]
    label: Annotated[str, Field(min_length=1, max_length=60)]
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    help: str = ""


DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion(key="value", label="Værdi", help="Hvor meget gør visningen en forskel for planlægning, forebyggelse, "
              "sammenhæng eller læring?"),
    Criterion(key="feasibility", label="Gennemførlighed", help="Hvor let er den at lave med de nye data og på den "
              "foreslåede platform?"),
    Criterion(key="maturity", label="Datamodenhed", help="Er data, definitioner og kodning i almen praksis modne "
              "nok til, at tallene kan bære visningen?"),
)
KINDS = {"score": "Scoring af hver use-case", "dots": "Prikrunde (point fordeles over use-cases)"}


class RoundSettings(BaseModel):
    """Everything the chair fixes before a round opens; never changed afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["score", "dots"] = "score"
    usecases: list[str] = []
    criteria: list[Criterion] = list(DEFAULT_CRITERIA)
    scale: Literal["1-9", "1-5"] = "1-9"
    rule: str = DEFAULT_RULE
    deadline: date | None = None
    hide_results: bool = True
    quorum: Annotated[int, Field(ge=1, le=100)] = 3
    budget: Annotated[int, Field(ge=1, le=100)] = 10
    max_per_item: Annotated[int, Field(ge=1, le=100)] = 3
    previous_round: int | None = None

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in RULES:
            raise ValueError(f"ukendt konsensusregel «{value}»; vælg en af {', '.join(RULES)}")
        return value

    @model_validator(mode="after")
    def _criteria_unique(self) -> RoundSettings:
        keys = [c.key for c in self.criteria]
        if self.kind == "score" and not keys:
            raise ValueError("en scoringsrunde skal have mindst ét kriterium")
        if len(set(keys)) != len(keys):
            raise ValueError("to kriterier har samme nøgle")
        if self.kind == "dots" and self.max_per_item > self.budget:
            raise ValueError("højst point på én use-case kan ikke være større end budgettet")
        return self

    @property
    def scale_obj(self) -> Scale:
        return SCALES[self.scale]

    @property
    def weights(self) -> dict[str, float]:
        return {c.key: c.weight for c in self.criteria}


@dataclass(frozen=True)
class Round:
    id: int
    title: str
    status: str
    opened_at: str
    closed_at: str | None
    settings: RoundSettings
    snapshot: dict | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def status_label(self) -> str:
        return "åben" if self.is_open else "lukket"

    def results_visible_to(self, member) -> bool:
        """Hidden results are for the chair alone until the round closes."""
        if member is not None and member.is_chair:
            return True
        return not self.is_open or not self.settings.hide_results


_COLUMNS = "id, title, status, opened_at, closed_at, settings, snapshot"


def _round(row) -> Round:
    settings = RoundSettings.model_validate_json(row[5])
    return Round(*row[:5], settings, json.loads(row[6]) if row[6] else None)


def create_round(db: sqlite_utils.Database, title: str, settings: RoundSettings) -> Round:
    """Open a new round; refused while another is open or when its use-cases or previous round are wrong."""
    title = title.strip()
    if not title:
        raise RoundError("Giv runden en titel.")
    if not settings.usecases:
        raise RoundError("Vælg mindst én use-case til runden.")
    if settings.deadline and settings.deadline < date.today():
        raise RoundError("Fristen ligger før i dag.")
    if settings.previous_round is not None:
        previous = get_round(db, settings.previous_round)
        if previous is None or previous.is_open:
            raise RoundError("En opfølgende runde skal bygge på en lukket runde.")
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        if db.conn.execute("SELECT 1 FROM rounds WHERE status = 'open'").fetchone():
            raise RoundError("Der er allerede en åben runde. Luk den, før du åbner en ny.")
        cursor = db.conn.execute("INSERT INTO rounds (title, status, settings) VALUES (?, 'open', ?)",
                                 (title, settings.model_dump_json()))
    return get_round(db, cursor.lastrowid)


def parse_settings(data: dict) -> RoundSettings:
    """Settings from a form or the command line; a RoundError names the field to change."""
    try:
        return RoundSettings.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "indstillinger"
        raise RoundError(f"{where}: {first['msg']}") from error


def get_round(db: sqlite_utils.Database, round_id: int) -> Round | None:
    row = db.conn.execute(f"SELECT {_COLUMNS} FROM rounds WHERE id = ?", (round_id,)).fetchone()
    return _round(row) if row else None


def list_rounds(db: sqlite_utils.Database) -> list[Round]:
    return [_round(row) for row in db.conn.execute(f"SELECT {_COLUMNS} FROM rounds ORDER BY id DESC")]


def current_round(db: sqlite_utils.Database) -> Round | None:
    """The open round if there is one, else the most recently opened; None before the first."""
    row = db.conn.execute(
        f"SELECT {_COLUMNS} FROM rounds ORDER BY status = 'open' DESC, id DESC LIMIT 1").fetchone()
    return _round(row) if row else None


def close_round(db: sqlite_utils.Database, round_id: int, snapshot: dict) -> Round:
    """Close the round and store its results; both happen in one statement, only once."""
    try:
        with db.conn:
            cursor = db.conn.execute(
                "UPDATE rounds SET status = 'closed', closed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
                "snapshot = ? WHERE id = ? AND status = 'open'",
                (json.dumps(snapshot, ensure_ascii=False), round_id))
    except sqlite3.IntegrityError as error:  # the trigger: a closed round's snapshot is frozen
        raise RoundError("Runden er allerede lukket.") from error
    if cursor.rowcount != 1:
        raise RoundError("Runden er allerede lukket eller findes ikke.")
    return get_round(db, round_id)
