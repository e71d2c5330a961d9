"""`katalog build`: refresh the use-case index and the mock tables in catalogue.db, in place.

The rebuild replaces only content and mock tables, in one transaction; the working group's
tables (members, rounds, ballots) are never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from katalog import db as database
from katalog.content import Problem, load_catalogue
from katalog.mockdata import MockTable, generate

CONTENT_TABLES = ("usecases", "mock_tables")


@dataclass(frozen=True)
class BuildReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    usecases: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def build(
    db_path: Path | None = None,
    usecases_dir: Path | None = None,
    mockdata_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> BuildReport:
    started = time.perf_counter()
    path = Path(db_path or database.db_path())
    progress("Læser use-cases")
    catalogue = load_catalogue(usecases_dir or database.usecases_dir())
    progress("Genererer mock-data")
    tables = generate(mockdata_dir or database.mockdata_dir())
    progress(f"Skriver {path}")
    db = database.connect(path)
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        previous = {name for (name,) in conn.execute("SELECT name FROM mock_tables")} if db[
            "mock_tables"].exists() else set()
        for name in previous | {t.name for t in tables} | set(CONTENT_TABLES):
            conn.execute(f"DROP TABLE IF EXISTS [{name}]")
        for table in tables:
            progress(f"  {table.name}: {len(table.frame):,} rækker")
            _write(db, table)
        conn.execute("CREATE TABLE mock_tables (name TEXT PRIMARY KEY, title TEXT NOT NULL, "
                     "declaration TEXT NOT NULL, rows INTEGER NOT NULL)")
        conn.executemany("INSERT INTO mock_tables VALUES (?, ?, ?, ?)",
                         [(t.name, t.title, t.declaration, len(t.frame)) for t in tables])
        conn.execute("CREATE TABLE usecases (id TEXT PRIMARY KEY, title TEXT NOT NULL, subtask TEXT NOT NULL, "
                     "platform TEXT NOT NULL, status TEXT NOT NULL, file TEXT NOT NULL)")
        conn.executemany("INSERT INTO usecases VALUES (?, ?, ?, ?, ?, ?)",
                         [(u.id, u.title, u.subtask, u.platform, u.status, u.path.name if u.path else "")
                          for u in catalogue.items])
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    return BuildReport(
        path=path,
        tables={t.name: len(t.frame) for t in tables},
        usecases=len(catalogue.items),
        problems=catalogue.problems,
        seconds=time.perf_counter() - started,
    )


_SQL_TYPES = {"i": "INTEGER", "u": "INTEGER", "f": "REAL", "b": "INTEGER"}


def _write(db, table: MockTable) -> None:
    frame: pd.DataFrame = table.frame
    columns = ", ".join(f"[{c}] {_SQL_TYPES.get(frame[c].dtype.kind, 'TEXT')}" for c in frame.columns)
    db.conn.execute(f"CREATE TABLE [{table.name}] ({columns})")
    placeholders = ", ".join("?" for _ in frame.columns)
    records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    db.conn.executemany(f"INSERT INTO [{table.name}] VALUES ({placeholders})", records)
    for number, index in enumerate(table.indexes):
        db.conn.execute(f"CREATE INDEX [idx_{table.name}_{number}] ON [{table.name}] "
                        f"({', '.join(f'[{c}]' for c in index)})")
