"""Working-group members and chairs, their personal links (random token, stored only as a hash), and
remembered sign-ins: a link opened once signs the browser in until the member signs out or the link is
revoked."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import sqlite_utils

SECTORS: tuple[str, ...] = ("Region", "Danske Regioner", "Kommune/KL", "Almen praksis/PLO", "Stat/SDS", "Andet")
# Short forms accepted from the command line and older databases.
SECTOR_ALIASES = {"kommune": "Kommune/KL", "kl": "Kommune/KL", "almen praksis": "Almen praksis/PLO",
                  "plo": "Almen praksis/PLO", "stat": "Stat/SDS", "sds": "Stat/SDS", "regioner": "Danske Regioner"}
ROLES = {"member": "Medlem", "chair": "Formand"}
INVITE_PAGE = "afstemning"


class MemberError(ValueError):
    """Invalid member data or action; the message says what to change."""


@dataclass(frozen=True)
class Member:
    id: int
    name: str
    organisation: str
    sector: str
    role: str = "member"
    revoked: bool = False

    @property
    def is_chair(self) -> bool:
        return self.role == "chair" and not self.revoked

    @property
    def label(self) -> str:
        role = f", {ROLES['chair'].lower()}" if self.role == "chair" else ""
        return f"{self.name} ({self.organisation}, {self.sector}{role})"


_COLUMNS = "id, name, organisation, sector, role, revoked_at IS NOT NULL"


def hash_token(token: str) -> str:
    # Tokens have 192 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_sector(sector: str) -> str:
    """The sector's canonical name; a short form such as 'PLO' or 'Kommune' is accepted."""
    cleaned = sector.strip()
    for name in SECTORS:
        if cleaned.lower() == name.lower():
            return name
    if cleaned.lower() in SECTOR_ALIASES:
        return SECTOR_ALIASES[cleaned.lower()]
    raise MemberError(f"Sektor skal være en af: {', '.join(SECTORS)} (ikke «{sector}»).")


def add_member(db: sqlite_utils.Database, name: str, organisation: str, sector: str,
               role: str = "member") -> tuple[Member, str]:
    """Create a member or chair; returns them and their token (shown once, never stored)."""
    name, organisation = name.strip(), organisation.strip()
    if not name or not organisation:
        raise MemberError("Navn og organisation må ikke være tomme.")
    if role not in ROLES:
        raise MemberError(f"Rollen skal være en af: {', '.join(ROLES)}.")
    sector = normalise_sector(sector)
    token = secrets.token_urlsafe(24)
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO members (name, organisation, sector, role, token_hash) VALUES (?, ?, ?, ?, ?)",
            (name, organisation, sector, role, hash_token(token)),
        )
    return Member(cursor.lastrowid, name, organisation, sector, role), token


def get_member(db: sqlite_utils.Database, member_id: int) -> Member:
    row = db.conn.execute(f"SELECT {_COLUMNS} FROM members WHERE id = ?", (member_id,)).fetchone()
    if row is None:
        raise MemberError(f"Der er intet medlem med nummer {member_id}.")
    return Member(*row[:5], bool(row[5]))


def member_for_token(db: sqlite_utils.Database, token: str | None) -> Member | None:
    """The member whose personal link carries this token; None if unknown or revoked."""
    if not token:
        return None
    row = db.conn.execute(f"SELECT {_COLUMNS} FROM members WHERE token_hash = ? AND revoked_at IS NULL",
                          (hash_token(token),)).fetchone()
    return Member(*row[:5], bool(row[5])) if row else None


def list_members(db: sqlite_utils.Database, *, include_revoked: bool = False) -> list[Member]:
    where = "" if include_revoked else "WHERE revoked_at IS NULL"
    return [Member(*row[:5], bool(row[5]))
            for row in db.conn.execute(f"SELECT {_COLUMNS} FROM members {where} ORDER BY id")]


def reissue(db: sqlite_utils.Database, member_id: int) -> tuple[Member, str]:
    """A new link for the member (the old one stops working, and so do the member's sign-ins)."""
    member = get_member(db, member_id)
    token = secrets.token_urlsafe(24)
    with db.conn:
        db.conn.execute("UPDATE members SET token_hash = ?, revoked_at = NULL WHERE id = ?",
                        (hash_token(token), member_id))
        db.conn.execute("DELETE FROM sign_ins WHERE member_id = ?", (member_id,))
    return Member(member.id, member.name, member.organisation, member.sector, member.role), token


def revoke(db: sqlite_utils.Database, member_id: int) -> Member:
    """Stop the member's link and sign-ins; their ballots stay counted where they were cast."""
    member = get_member(db, member_id)
    with db.conn:
        db.conn.execute("UPDATE members SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
                        "token_hash = ? WHERE id = ?", (hash_token(secrets.token_urlsafe(24)), member_id))
        db.conn.execute("DELETE FROM sign_ins WHERE member_id = ?", (member_id,))
    return Member(member.id, member.name, member.organisation, member.sector, member.role, True)


def sign_in(db: sqlite_utils.Database, member: Member) -> str:
    """A new sign-in key for the member's browser (kept in a cookie; only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    with db.conn:
        db.conn.execute("INSERT INTO sign_ins (key_hash, member_id) VALUES (?, ?)", (hash_token(key), member.id))
    return key


def member_for_sign_in(db: sqlite_utils.Database, key: str | None) -> Member | None:
    if not key:
        return None
    row = db.conn.execute(
        f"SELECT {', '.join('m.' + c for c in _COLUMNS.split(', ')[:-1])}, m.revoked_at IS NOT NULL "
        "FROM sign_ins s JOIN members m ON m.id = s.member_id WHERE s.key_hash = ? AND m.revoked_at IS NULL",
        (hash_token(key),)).fetchone()
    return Member(*row[:5], bool(row[5])) if row else None


def sign_out(db: sqlite_utils.Database, key: str | None) -> None:
    if key:
        with db.conn:
            db.conn.execute("DELETE FROM sign_ins WHERE key_hash = ?", (hash_token(key),))


def invite_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{INVITE_PAGE}?token={token}"
