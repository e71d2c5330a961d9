"""catalogue.db: where it is, how to open it for writing, and its schema migrations.

Content and mock tables are rebuilt by `katalog build`; the working group's tables (members,
rounds, ballots) are created by numbered migrations and are never dropped or rewritten.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUSY_TIMEOUT_MS = 5_000


def db_path() -> Path:
    """The database file: $KATALOG_DB, else catalogue.db in the project folder."""
    return Path(os.environ.get("KATALOG_DB") or PROJECT_ROOT / "catalogue.db")


def usecases_dir() -> Path:
    """The use-case folder: $KATALOG_USECASES, else usecases/ in the project folder."""
    return Path(os.environ.get("KATALOG_USECASES") or PROJECT_ROOT / "usecases")


def mockdata_dir() -> Path:
    return Path(os.environ.get("KATALOG_MOCKDATA") or PROJECT_ROOT / "mockdata")


def mock_scale() -> float:
    """Scale of the mock data: $KATALOG_SCALE (0.1 = a tenth of Denmark), else 1.0, all of Denmark."""
    value = os.environ.get("KATALOG_SCALE")
    if not value:
        return 1.0
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"KATALOG_SCALE skal være et tal mellem 0,01 og 1, ikke {value!r}.") from None


def connect(path: Path | None = None) -> sqlite_utils.Database:
    """A short-lived write connection: WAL, a 5 s busy timeout, schema migrated."""
    conn = sqlite3.connect(path or db_path(), timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn)
    key = _file_key(path or db_path())
    if key not in _READY:  # once per process and file: every page run opens a connection
        if db.journal_mode != "wal":
            db.enable_wal()
        migrate(db)
        _READY.add(_file_key(path or db_path()))
    return db


_READY: set[tuple] = set()


def _file_key(path: Path) -> tuple:
    """The file behind the path (a deleted and rebuilt database is another file, and is migrated again)."""
    try:
        stat = Path(path).stat()
        return (str(path), stat.st_dev, stat.st_ino)
    except OSError:
        return (str(path), None, None)


@contextlib.contextmanager
def opened(path: Path | None = None) -> Iterator[sqlite_utils.Database]:
    """`connect`, closed again when the block ends."""
    db = connect(path)
    try:
        yield db
    finally:
        db.conn.close()


# Each entry moves the schema one version up; append, never edit a released one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        organisation TEXT NOT NULL,
        sector TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        opened_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        closed_at TEXT
    );
    CREATE TABLE ballots (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        scores TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (member_id, round_id)
    );
    INSERT INTO rounds (id, title, status) VALUES (1, 'Prioritering af use-cases', 'open');
    """,
    # 2: chairs, the new sector names, revocable links and remembered sign-ins; rounds with their settings
    # fixed at creation and a snapshot frozen at close; unsaved ballots (drafts); decisions per use-case.
    """
    ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'chair'));
    ALTER TABLE members ADD COLUMN revoked_at TEXT;
    UPDATE members SET sector = 'Kommune/KL' WHERE sector = 'Kommune';
    UPDATE members SET sector = 'Almen praksis/PLO' WHERE sector = 'Almen praksis';
    UPDATE members SET sector = 'Stat/SDS' WHERE sector = 'Stat';
    CREATE TABLE sign_ins (
        key_hash TEXT PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    ALTER TABLE rounds ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE rounds ADD COLUMN snapshot TEXT;
    DELETE FROM rounds WHERE NOT EXISTS (SELECT 1 FROM ballots WHERE ballots.round_id = rounds.id);
    UPDATE rounds SET settings = '{"criteria": [{"key": "value", "label": "Værdi", "weight": 1},
        {"key": "feasibility", "label": "Gennemførlighed", "weight": 1}], "scale": "1-5", "hide_results": false,
        "quorum": 1}';
    CREATE TRIGGER rounds_snapshot_frozen BEFORE UPDATE OF snapshot, settings, status ON rounds
        WHEN OLD.snapshot IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'runden er lukket, og dens resultat kan ikke ændres'); END;
    CREATE TRIGGER ballots_closed_round BEFORE UPDATE ON ballots
        WHEN (SELECT status FROM rounds WHERE id = OLD.round_id) = 'closed'
        BEGIN SELECT RAISE(ABORT, 'runden er lukket'); END;
    CREATE TABLE drafts (
        member_id INTEGER NOT NULL REFERENCES members(id),
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (member_id, round_id)
    );
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        usecase_id TEXT NOT NULL,
        decision TEXT NOT NULL,
        reason TEXT NOT NULL,
        round_id INTEGER REFERENCES rounds(id),
        decided_by INTEGER REFERENCES members(id),
        decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
    );
    CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO secrets (name, value) VALUES ('ledger_salt', lower(hex(randomblob(32))));
    """,
    # 3: reviews of chart views, caveats the chair adopts into a declaration, and use-cases proposed from the
    # sandbox. A review keeps the view it was written on (chart id and parameters), even if the view goes away.
    """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        usecase_id TEXT NOT NULL,
        chart_id TEXT NOT NULL,
        params TEXT NOT NULL,
        recognisable TEXT CHECK (recognisable IN ('ja', 'delvist', 'nej')),
        deviation TEXT NOT NULL DEFAULT '',
        deviation_source TEXT NOT NULL DEFAULT '',
        missing_caveat TEXT NOT NULL DEFAULT '',
        question TEXT NOT NULL DEFAULT '',
        answer TEXT NOT NULL DEFAULT '',
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        UNIQUE (member_id, usecase_id, chart_id, params)
    );
    CREATE TABLE adopted_caveats (
        id INTEGER PRIMARY KEY,
        review_id INTEGER REFERENCES reviews(id),
        usecase_id TEXT NOT NULL,
        text TEXT NOT NULL,
        adopted_by INTEGER REFERENCES members(id),
        adopted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        withdrawn_at TEXT
    );
    CREATE TABLE proposals (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES members(id),
        usecase_id TEXT NOT NULL,
        title TEXT NOT NULL,
        markdown TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'forslag' CHECK (status IN ('forslag', 'accepteret', 'afvist')),
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        decided_at TEXT,
        decided_by INTEGER REFERENCES members(id),
        file TEXT
    );
    """,
]


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db: sqlite_utils.Database) -> None:
    """Apply the migrations this database has not had yet, each in its own transaction."""
    version = schema_version(db)
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.conn:
            db.conn.execute("BEGIN IMMEDIATE")
            if schema_version(db) >= number:  # another process got there first
                continue
            for statement in _statements(script):
                db.conn.execute(statement)
            db.conn.execute(f"PRAGMA user_version = {number}")


def _statements(script: str) -> list[str]:
    """Split a script into statements, keeping a trigger's BEGIN … END body whole."""
    statements, pending = [], ""
    for part in script.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    return statements
