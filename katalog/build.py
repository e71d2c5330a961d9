"""`katalog build`: refresh the use-case index and the mock tables in catalogue.db, in place.

The rebuild replaces only content and mock tables, in one transaction; the working group's
tables (members, rounds, ballots) are never touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from katalog import db as database
from katalog.content import Problem, load_catalogue
from katalog.content.models import UseCase
from katalog.disclosure.protected import Protection, protect
from katalog.mock.mockdata import AGGREGATE, COUNT_COLUMNS, PERSON, Comparison, MockTable, comparison_frame, generate
from katalog.mock.mockinfo import format_number

CONTENT_TABLES = ("usecases", "mock_tables", "mock_comparisons", "mock_build")
# The build audits what it publishes (katalog.disclosure.audit, repairing where the audit narrows a count) from this
# scale up: at national scale, the catalogue the group sees, it takes ≈20 s; at the small scales of quick
# starts and tests nearly every count is small and it takes minutes, so there the test suite and
# `katalog audit --skala` do it instead.
AUDITED_FROM_SCALE = 1.0
UNPROTECTED_PREFIX = "ubeskyttet_"  # the aggregates before disclosure control, written only with the cohort


@dataclass(frozen=True)
class BuildReport:
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    usecases: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    scale: float = 1.0
    steps: dict[str, float] = field(default_factory=dict)
    audit: dict | None = None  # katalog.disclosure.audit's summary of what was written, when the build audited it


def build(
    db_path: Path | None = None,
    usecases_dir: Path | None = None,
    mockdata_dir: Path | None = None,
    progress: Callable[[str], None] = lambda _message: None,
    *,
    scale: float | None = None,
    cohort: bool = False,
    protected: bool = True,
    audited: bool | None = None,
) -> BuildReport:
    """Refresh use-cases and mock tables; `scale` 1.0 is all of Denmark, `cohort` adds the person tables.

    `audited` (default: from AUDITED_FROM_SCALE up) audits the protected tables against each other before
    anything is written and raises katalog.disclosure.audit.DisclosureError (a ValueError, Danish message) if the
    audit narrows a hidden small count the repair cannot protect. `protected=False` writes the tables
    without disclosure control, for `make bench` only."""
    started = time.perf_counter()
    path = Path(db_path or database.db_path())
    scale = database.mock_scale() if scale is None else scale
    progress("Læser use-cases")
    catalogue = load_catalogue(usecases_dir or database.usecases_dir())
    progress(f"Genererer mock-data i skala {scale:g}" + (" (hele landet)" if scale == 1 else ""))
    mock = generate(mockdata_dir or database.mockdata_dir(), scale=scale, cohort_tables=cohort, progress=progress)
    audited = protected and (scale >= AUDITED_FROM_SCALE if audited is None else audited)
    protection, steps = _protect(mock.tables, audited, progress) if protected else (None, {})
    tables = protection.tables if protection else list(mock.tables)  # unprotected only for `make bench`
    hidden_cells = protection.hidden if protection else {}
    if cohort:
        tables += _unprotected_aggregates(mock.tables)
    _report_hidden(hidden_cells, progress)
    audit_summary = _audit_summary(protection, protected, scale, progress)
    progress(f"Skriver {path}")
    write_started = time.perf_counter()
    facts = _build_facts(scale, cohort, mock.seed, protected, audit_summary, protection)
    _write_database(path, tables, hidden_cells, mock.comparisons, facts, catalogue.items, progress)
    return BuildReport(
        path=path,
        tables={t.name: len(t.frame) for t in tables},
        usecases=len(catalogue.items),
        problems=catalogue.problems,
        seconds=time.perf_counter() - started,
        scale=scale,
        steps={**mock.seconds, **steps, "skrivning": round(time.perf_counter() - write_started, 3)},
        audit=audit_summary,
    )


def _protect(tables: list[MockTable], audited: bool, progress: Callable[[str], None]) -> tuple[Protection, dict]:
    """Disclosure control (and, if `audited`, the audit) of the mock tables; with its seconds per step."""
    progress("Diskretionering: hver tabels fulde kube med totaler, sammenkædede tabeller under ét")
    if audited:
        progress("Revision: hvert skjult lille tal tjekkes mod alle offentliggjorte tabeller (lineære programmer)")
    protect_started = time.perf_counter()
    protection = protect(tables, audited=audited)
    protect_seconds = time.perf_counter() - protect_started
    audit_seconds = protection.audit_seconds
    steps = {"diskretionering": round(protect_seconds - audit_seconds, 3)}
    if audited:
        steps["revision"] = round(audit_seconds, 3)
    return protection, steps


def _unprotected_aggregates(tables: list[MockTable]) -> list[MockTable]:
    """The aggregates before disclosure control, as tables of their own beside the cohort."""
    # The unprotected aggregates beside the person-level cohort they are counted from, for analysts and the
    # check that katalog.mock.cohort_sql derives the same tables; like the cohort, chart SQL never reads them.
    return [MockTable(UNPROTECTED_PREFIX + t.name, t.title + " (uden diskretionering)",
                      "Tabellen før diskretionering; kun til analyse og kontrol. " + t.declaration,
                      t.frame, t.indexes, PERSON) for t in tables if t.level == AGGREGATE]


def _report_hidden(hidden_cells: dict[str, tuple[int, int]], progress: Callable[[str], None]) -> None:
    """Report how many counts each protected table hides."""
    for name, (hidden, cells) in hidden_cells.items():
        progress(f"  {name}: {format_number(hidden)} af {format_number(cells)} antal skjult ({hidden / cells:.1%})"
                 if cells else f"  {name}: ingen antal")


def _audit_summary(protection: Protection | None, protected: bool, scale: float,
                   progress: Callable[[str], None]) -> dict | None:
    """The audit's summary (reported as passed), or None with a note where the build did not audit."""
    if protection and protection.audit:
        audit_summary = {k: v for k, v in protection.audit.summary().items() if k not in ("tabeller", "eksempler")}
        audit_summary["ekstra_skjult"] = protection.repaired
        progress(f"Revision bestået: {format_number(audit_summary['små_tal_tjekket'])} skjulte små tal tjekket, "
                 f"ingen kan indsnævres ({protection.audit_seconds:.1f} s"
                 + (f"; {protection.repaired} celler mere skjult, hvor linjereglerne ikke var nok)"
                    if protection.repaired else ")"))
        return audit_summary
    if protected:
        progress(f"Revision springes over i skala {scale:g}"
                 + (f" (kun fra skala {AUDITED_FROM_SCALE:g})" if scale < AUDITED_FROM_SCALE else "")
                 + f": kør 'katalog audit --skala {scale:g}'")
    return None


def _build_facts(scale: float, cohort: bool, seed: int, protected: bool, audit_summary: dict | None,
                 protection: Protection | None) -> list[tuple[str, str]]:
    """The rows of mock_build: how the mock data was made and, when audited, what the audit found."""
    return [
        ("scale", repr(scale)), ("cohort", "1" if cohort else "0"), ("seed", str(seed)),
        ("protected", "1" if protected else "0"), ("audited", "1" if audit_summary else "0"),
        *([] if audit_summary is None else [
            ("audit_checked", str(audit_summary["små_tal_tjekket"])),
            ("audit_narrowed", str(audit_summary["indsnævret"])),
            ("audit_exact", str(audit_summary["bestemt_præcist"])),
            ("audit_repaired", str(protection.repaired)),
            ("audit_seconds", f"{protection.audit_seconds:.1f}")]),
    ]


def _write_database(path: Path, tables: list[MockTable], hidden_cells: dict[str, tuple[int, int]],
                    comparisons: list[Comparison], facts: list[tuple[str, str]], usecases: list[UseCase],
                    progress: Callable[[str], None]) -> None:
    """Replace the mock and content tables in one transaction; the group's tables are never touched."""
    db = database.connect(path)
    conn = db.conn
    try:
        conn.execute("BEGIN IMMEDIATE")
        previous = {name for (name,) in conn.execute("SELECT name FROM mock_tables")} if db[
            "mock_tables"].exists() else set()
        for name in previous | {t.name for t in tables} | set(CONTENT_TABLES):
            conn.execute(f"DROP TABLE IF EXISTS [{name}]")
        for table in tables:
            table_started = time.perf_counter()
            _write(conn, table)
            progress(f"  {table.name}: {format_number(len(table.frame))} rækker "
                     f"({time.perf_counter() - table_started:.1f} s)")
        _register_mock_tables(conn, tables, hidden_cells)
        _write(conn, MockTable("mock_comparisons", "", "", comparison_frame(comparisons)))
        conn.execute("CREATE TABLE mock_build (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.executemany("INSERT INTO mock_build VALUES (?, ?)", facts)
        conn.execute("CREATE TABLE usecases (id TEXT PRIMARY KEY, title TEXT NOT NULL, subtask TEXT NOT NULL, "
                     "platform TEXT NOT NULL, status TEXT NOT NULL, file TEXT NOT NULL)")
        conn.executemany("INSERT INTO usecases VALUES (?, ?, ?, ?, ?, ?)",
                         [(u.id, u.title, u.subtask, u.platform, u.status, u.path.name if u.path else "")
                          for u in usecases])
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def _register_mock_tables(conn, tables: list[MockTable], hidden_cells: dict[str, tuple[int, int]]) -> None:
    """The mock_tables register: each table's title, declaration, rows, level, count columns and hidden counts."""
    conn.execute("CREATE TABLE mock_tables (name TEXT PRIMARY KEY, title TEXT NOT NULL, "
                 "declaration TEXT NOT NULL, rows INTEGER NOT NULL, level TEXT NOT NULL, "
                 "count_columns TEXT NOT NULL, hidden_cells INTEGER, count_cells INTEGER)")
    conn.executemany("INSERT INTO mock_tables VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     [(t.name, t.title, t.declaration, len(t.frame), t.level,
                       ",".join(COUNT_COLUMNS.get(t.name, ()) if t.level == AGGREGATE else ()),
                       *hidden_cells.get(t.name, (None, None))) for t in tables])


_SQL_TYPES = {"i": "INTEGER", "u": "INTEGER", "f": "REAL", "b": "INTEGER"}


def _sql_type(column: pd.Series) -> str:
    """INTEGER also for a column of whole numbers with NULLs (ydernummer, blank on the totals' rows)."""
    if column.dtype.kind == "O":
        present = column.dropna()
        if len(present) and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in present):
            return "INTEGER"
    return _SQL_TYPES.get(column.dtype.kind, "TEXT")


def _write(conn, table: MockTable) -> None:
    """Create and fill one table. Column lists zipped into rows: several times faster than a
    DataFrame's itertuples for millions of rows; NaN is bound as NULL by SQLite."""
    frame: pd.DataFrame = table.frame
    columns = ", ".join(f"[{c}] {_sql_type(frame[c])}" for c in frame.columns)
    conn.execute(f"CREATE TABLE [{table.name}] ({columns})")
    placeholders = ", ".join("?" for _ in frame.columns)
    values = [frame[c].to_numpy().tolist() if frame[c].dtype.kind in "iufb" else
              [v.item() if isinstance(v, np.generic) else v
               for v in frame[c].astype(object).where(frame[c].notna(), None).tolist()] for c in frame.columns]
    conn.executemany(f"INSERT INTO [{table.name}] VALUES ({placeholders})", zip(*values, strict=True))
    for number, index in enumerate(table.indexes):
        conn.execute(f"CREATE INDEX [idx_{table.name}_{number}] ON [{table.name}] "
                     f"({', '.join(f'[{c}]' for c in index)})")
