"""Working-group members and their personal invite links (random token, stored only as a hash)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import get_args

import sqlite_utils

from katalog.models import Sector

SECTORS: tuple[str, ...] = get_args(Sector)
INVITE_PAGE = "afstemning"


class MemberError(ValueError):
    """Invalid member data; the message says what to change."""


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    organisation: str
    sector: str


def hash_token(token: str) -> str:
    # The token has 192 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_member(db: sqlite_utils.Database, name: str, organisation: str, sector: str) -> tuple[Member, str]:
    """Create a member; returns the member and their token (shown once, never stored)."""
    name, organisation = name.strip(), organisation.strip()
    if not name or not organisation:
        raise MemberError("Navn og organisation må ikke være tomme.")
    if sector not in SECTORS:
        raise MemberError(f"Sektor skal være en af: {', '.join(SECTORS)}.")
    token = secrets.token_urlsafe(24)
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO members (name, organisation, sector, token_hash) VALUES (?, ?, ?, ?)",
            (name, organisation, sector, hash_token(token)),
        )
    return Member(cursor.lastrowid, name, organisation, sector), token


def member_for_token(db: sqlite_utils.Database, token: str | None) -> Member | None:
    if not token:
        return None
    row = db.conn.execute(
        "SELECT id, name, organisation, sector FROM members WHERE token_hash = ?", (hash_token(token),)
    ).fetchone()
    return Member(*row) if row else None


def list_members(db: sqlite_utils.Database) -> list[Member]:
    return [Member(*row) for row in db.conn.execute(
        "SELECT id, name, organisation, sector FROM members ORDER BY id")]


def invite_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{INVITE_PAGE}?token={token}"
