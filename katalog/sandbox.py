"""Running untrusted chart SQL: read-only, mock tables only, one statement, a time and row limit.

This is the one place where SQL from use-case files meets a database. Later the same
signature can run against the real data (a SQLAlchemy URL) without touching the content.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

MAX_SECONDS = 1.0
MAX_ROWS = 20_000
_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "randomblob", "zeroblob"}
MAX_VALUE_BYTES = 1_000_000  # no string or blob bigger than this, so one function call cannot run for seconds
_ALLOWED_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}


class QueryError(Exception):
    """A chart query that was refused or failed; the message is meant for the person who wrote it."""


def table_names(db_path: Path) -> tuple[frozenset[str], frozenset[str]]:
    """(mock tables chart SQL may read, every other table and view), names in lower case."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        existing = {name.lower() for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        try:
            # Only aggregate tables: the person-level cohort never reaches a chart.
            mock = {name.lower() for (name,) in conn.execute(
                "SELECT name FROM mock_tables WHERE level = 'aggregat'")}
        except sqlite3.OperationalError:
            mock = set()
    return frozenset(mock & existing), frozenset(existing - mock)


def count_columns(db_path: Path) -> dict[str, frozenset[str]]:
    """Per aggregate mock table, the columns that hold counts of persons (recorded by `katalog build`)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        try:
            rows = conn.execute("SELECT name, count_columns FROM mock_tables WHERE level = 'aggregat'").fetchall()
        except sqlite3.OperationalError:
            return {}
    return {name.lower(): frozenset(c for c in (columns or "").lower().split(",") if c) for name, columns in rows}


def _authorizer(readable: frozenset[str], forbidden: frozenset[str], reads: set[tuple[str, str]]):
    def authorize(action, arg1, arg2, db_name, _source):
        if action not in _ALLOWED_ACTIONS:
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_READ:
            name = (arg1 or "").lower()
            if db_name not in (None, "main"):
                return sqlite3.SQLITE_DENY
            # `count(*)` and CTEs both read with no database name, so deny by name: any real
            # table that is not a mock table, and SQLite's own; what is left is a CTE.
            if name not in readable and (name in forbidden or name.startswith("sqlite_")):
                return sqlite3.SQLITE_DENY
            if name in readable:
                reads.add((name, (arg2 or "").lower()))
        if action == sqlite3.SQLITE_FUNCTION and arg2 and arg2.lower() in _DENIED_FUNCTIONS:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorize


def _check_select(sql: str) -> None:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if head not in {"SELECT", "WITH"}:
        raise QueryError("Forespørgslen skal begynde med SELECT eller WITH.")


class Sandbox:
    """One read-only, authorised connection for several untrusted queries (a chart's options and
    every margin choice), so the checks and the connection are paid once per chart, not per query.

    Refused: anything but reading the registered aggregate mock tables (no ATTACH, VACUUM INTO, temp
    tables, PRAGMA, writes, ballots, members or the person-level cohort), more than one statement,
    and queries that run longer than `max_seconds` or return more than `max_rows` rows.
    """

    def __init__(self, db_path: Path, *, max_seconds: float = MAX_SECONDS, max_rows: int = MAX_ROWS):
        db_path = Path(db_path)
        if not db_path.exists():
            raise QueryError(f"Databasen {db_path} findes ikke; kør 'katalog build'.")
        self.max_seconds, self.max_rows = max_seconds, max_rows
        readable, forbidden = table_names(db_path)
        self._counts = count_columns(db_path)
        self._reads: set[tuple[str, str]] = set()
        # No statement cache: the authorizer, which records what a query reads, runs at every prepare.
        self._conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False,
                                     cached_statements=0)
        self._conn.set_authorizer(_authorizer(readable, forbidden, self._reads))
        self._conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def run(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Run one SELECT and return its rows."""
        _check_select(sql)
        self._reads.clear()
        deadline = time.monotonic() + self.max_seconds
        self._conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1_000)
        try:
            cursor = self._conn.execute(sql, dict(params or {}))
            rows = cursor.fetchmany(self.max_rows + 1)
        except sqlite3.DatabaseError as error:
            raise QueryError(_explain(error, self.max_seconds)) from error
        except (sqlite3.ProgrammingError, sqlite3.Warning) as error:
            raise QueryError(f"Forespørgslen kunne ikke køres: {error}.") from error
        if len(rows) > self.max_rows:
            raise QueryError(f"Forespørgslen giver mere end {self.max_rows:,} rækker; gruppér eller filtrér.")
        columns = [d[0] for d in cursor.description or []]
        return pd.DataFrame.from_records(rows, columns=columns)

    @property
    def counts_read(self) -> list[str]:
        """The count columns ('table.column') the last query read; charts must then declare counts."""
        return sorted(f"{t}.{c}" for t, c in self._reads if c in self._counts.get(t, ()))


def run_query(
    db_path: Path,
    sql: str,
    params: Mapping[str, object] | None = None,
    *,
    max_seconds: float = MAX_SECONDS,
    max_rows: int = MAX_ROWS,
) -> pd.DataFrame:
    """Run one SELECT in a fresh Sandbox (see there for what is refused)."""
    _check_select(sql)  # before opening anything
    with Sandbox(db_path, max_seconds=max_seconds, max_rows=max_rows) as sandbox:
        return sandbox.run(sql, params)


def _explain(error: sqlite3.DatabaseError, max_seconds: float) -> str:
    text = str(error)
    if "not authorized" in text or "prohibited" in text:
        return ("Forespørgslen gør noget, der ikke er tilladt: figurer må kun læse mock-tabellerne "
                "og ikke skrive, tilknytte filer eller læse medlemmer og afstemninger.")
    if "interrupted" in text:
        return f"Forespørgslen tog mere end {max_seconds:g} s og blev stoppet; forenkl den."
    if "too big" in text:
        return f"Forespørgslen laver en værdi større end {MAX_VALUE_BYTES:,} bytes; det er ikke tilladt."
    if "no such table" in text:
        return f"{text}; figurer kan kun læse mock-tabellerne (se README)."
    return f"SQL-fejl: {text}."
