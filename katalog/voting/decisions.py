"""The chair's decision per use-case, with a reason and a date; every change is kept, the latest counts."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

DECISIONS: dict[str, str] = {
    "forste_udstilling": "Første udstilling",
    "senere_2a": "Senere leverance – 2a forløb",
    "senere_2b": "Senere leverance – 2b kvalitet",
    "senere_2c": "Senere leverance – 2c ressourceforbrug",
    "analysemiljo": "Analysemiljø",
    "fravalgt": "Fravalgt",
}
UNDECIDED = "Ikke besluttet"


class DecisionError(ValueError):
    """A decision that could not be recorded; the message is meant for the chair."""


@dataclass(frozen=True)
class Decision:
    usecase_id: str
    decision: str
    reason: str
    decided_at: str
    decided_by: str
    round_id: int | None

    @property
    def label(self) -> str:
        return DECISIONS.get(self.decision, self.decision)

    @property
    def date(self) -> str:
        return self.decided_at[:10]


def record(db: sqlite_utils.Database, usecase_id: str, decision: str, reason: str, *, chair_id: int,
           round_id: int | None = None) -> Decision:
    if decision not in DECISIONS:
        raise DecisionError(f"Beslutningen skal være en af: {', '.join(DECISIONS.values())}.")
    if not reason.strip():
        raise DecisionError("Skriv en begrundelse for beslutningen; den kommer med i det prioriterede overblik.")
    with db.conn:
        db.conn.execute("INSERT INTO decisions (usecase_id, decision, reason, round_id, decided_by) "
                        "VALUES (?, ?, ?, ?, ?)", (usecase_id, decision, reason.strip(), round_id, chair_id))
    return current(db)[usecase_id]


_SELECT = ("SELECT d.usecase_id, d.decision, d.reason, d.decided_at, coalesce(m.name, ''), d.round_id "
           "FROM decisions d LEFT JOIN members m ON m.id = d.decided_by")


def current(db: sqlite_utils.Database) -> dict[str, Decision]:
    """The latest decision per use-case."""
    rows = db.conn.execute(f"{_SELECT} WHERE d.id IN (SELECT max(id) FROM decisions GROUP BY usecase_id)")
    return {row[0]: Decision(*row) for row in rows}


def history(db: sqlite_utils.Database, usecase_id: str) -> list[Decision]:
    return [Decision(*row) for row in db.conn.execute(f"{_SELECT} WHERE d.usecase_id = ? ORDER BY d.id DESC",
                                                      (usecase_id,))]
