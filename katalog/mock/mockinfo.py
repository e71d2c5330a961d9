"""What the mock data is: its tables with declarations and columns, the build, and its national figures.

Read-only, from what `katalog build` records (mock_tables, mock_comparisons, mock_build) and the
tables' column definitions. It never reads a row of a mock table: counts of 1-4 must not leave the
data layer, and the person-level cohort is never shown.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

AGGREGATE, PERSON = "aggregat", "person"  # the levels katalog.mock.mockdata writes to mock_tables
TOLERANCE = 0.10  # the relative deviation from the published figure the generator is held to
COUNT_UNITS = ("personer", "praksis")
SHARE_UNIT = "andel"
INDEX_UNIT = "indeks"  # this year against last year: 1.038 is shown as a change of '+3,8 %'
_SMALL_COUNT = 5  # counts 1-4 are shown as «<5», as everywhere else in the app


class MockInfoError(Exception):
    """The database lacks what `katalog build` records about the mock data (not built, or built by an older
    version). The message is Danish and says what is missing."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as declared in SQLite: INTEGER, REAL or TEXT


@dataclass(frozen=True)
class TableInfo:
    name: str
    title: str
    declaration: str
    rows: int
    level: str  # AGGREGATE: chart SQL may read it; PERSON: the synthetic cohort, never shown
    columns: tuple[Column, ...]
    hidden_cells: int | None = None  # disclosure control: hidden count cells of the table's cube
    count_cells: int | None = None

    @property
    def is_aggregate(self) -> bool:
        return self.level == AGGREGATE

    @property
    def hidden_text(self) -> str:
        """«6,8 %» of the count cells hidden, or «–» for a table that is not protected."""
        if not self.count_cells:
            return "–"
        return format_value(self.hidden_cells / self.count_cells, "andel")


@dataclass(frozen=True)
class NationalFigure:
    """A generated national figure next to the published figure (or estimate) it imitates, its forlæg."""

    table: str
    topic: str
    measure: str
    generated: float
    anchor: float
    unit: str  # 'personer', 'andel', 'pr. patient', 'praksis' or 'indeks'
    deviation: float  # generated / anchor - 1; NaN when the anchor is 0
    source: str

    @property
    def small_count(self) -> bool:
        """A count of 1-4 (only possible at a very small scale): shown as «<5», with no deviation."""
        return self.unit in COUNT_UNITS and 0 < self.generated < _SMALL_COUNT

    @property
    def within_tolerance(self) -> bool | None:
        if self.small_count or math.isnan(self.deviation):
            return None
        return abs(self.deviation) <= TOLERANCE

    @property
    def generated_text(self) -> str:
        return "<5" if self.small_count else format_value(self.generated, self.unit, like=self.anchor)

    @property
    def anchor_text(self) -> str:
        return format_value(self.anchor, self.unit, like=self.anchor)

    @property
    def deviation_text(self) -> str:
        return "–" if self.small_count else format_deviation(self.deviation)


@dataclass(frozen=True)
class BuildInfo:
    scale: float  # 1.0 = all of Denmark; counts and their forlæg are scaled alike
    cohort: bool  # whether the person-level cohort tables were written (`katalog build --kohorte`)
    seed: int

    @property
    def scale_text(self) -> str:
        return format_scale(self.scale)


@dataclass(frozen=True)
class MockInfo:
    build: BuildInfo
    tables: tuple[TableInfo, ...]
    figures: tuple[NationalFigure, ...]

    def table(self, name: str) -> TableInfo:
        return next(t for t in self.tables if t.name == name)

    def figures_for(self, table: str) -> tuple[NationalFigure, ...]:
        return tuple(f for f in self.figures if f.table == table)

    @property
    def outside_tolerance(self) -> tuple[NationalFigure, ...]:
        return tuple(f for f in self.figures if f.within_tolerance is False)


def read(db_path: Path) -> MockInfo:
    """Everything this module knows about the mock data in one read; raises MockInfoError."""
    with _reading(db_path) as conn:
        tables = _tables(conn)  # first: an unbuilt database then says that mock_tables is missing
        return MockInfo(build=_build_info(conn), tables=tables, figures=_figures(conn))


def tables(db_path: Path) -> tuple[TableInfo, ...]:
    """The mock tables in build order (aggregate tables first), each with its columns."""
    with _reading(db_path) as conn:
        return _tables(conn)


def comparisons(db_path: Path, table: str | None = None) -> tuple[NationalFigure, ...]:
    """The generated national figures next to their forlæg, for every table or for one."""
    with _reading(db_path) as conn:
        figures = _figures(conn)
    return figures if table is None else tuple(f for f in figures if f.table == table)


def build_info(db_path: Path) -> BuildInfo:
    with _reading(db_path) as conn:
        return _build_info(conn)


@contextlib.contextmanager
def _reading(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection, closed when the block ends; SQLite errors become MockInfoError."""
    path = Path(db_path)
    if not path.exists():
        raise MockInfoError(f"Databasen {path} findes ikke.")
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        yield conn
    except sqlite3.Error as error:
        raise MockInfoError(f"Databasen mangler oplysninger om mock-data ({error}).") from error
    finally:
        conn.close()


def _tables(conn: sqlite3.Connection) -> tuple[TableInfo, ...]:
    rows = conn.execute("SELECT name, title, declaration, rows, level, hidden_cells, count_cells FROM mock_tables "
                        "ORDER BY rowid").fetchall()
    if not rows:
        raise sqlite3.OperationalError("mock_tables er tom")
    return tuple(
        TableInfo(name, title, declaration, int(count), level, _columns(conn, name), hidden, cells)
        for name, title, declaration, count, level, hidden, cells in rows
    )


def _columns(conn: sqlite3.Connection, table: str) -> tuple[Column, ...]:
    rows = conn.execute("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", (table,))
    return tuple(Column(name, kind) for name, kind in rows)


_FIGURE_COLUMNS = "tabel, emne, maal, genereret, forlaeg, enhed, afvigelse, kilde"


def _figures(conn: sqlite3.Connection) -> tuple[NationalFigure, ...]:
    rows = conn.execute(f"SELECT {_FIGURE_COLUMNS} FROM mock_comparisons ORDER BY rowid").fetchall()
    return tuple(
        NationalFigure(table, topic, measure, float(generated), float(anchor), unit, _float(deviation), source)
        for table, topic, measure, generated, anchor, unit, deviation, source in rows
    )


def _float(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _build_info(conn: sqlite3.Connection) -> BuildInfo:
    values = dict(conn.execute("SELECT key, value FROM mock_build").fetchall())
    missing = {"scale", "cohort", "seed"} - values.keys()
    if missing:
        raise sqlite3.OperationalError(f"mock_build mangler {', '.join(sorted(missing))}")
    return BuildInfo(scale=float(values["scale"]), cohort=values["cohort"] == "1", seed=int(values["seed"]))


# --- Danish number formatting --------------------------------------------------------------------


def format_number(value: float, decimals: int = 0) -> str:
    """1234567.8 -> '1.234.568'; with decimals=1 -> '1.234.567,8'."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_value(value: float, unit: str, like: float | None = None) -> str:
    """A figure as a member reads it: counts '356.120', shares '56,2 %', per patient '11,3'.

    Per-patient figures get the decimals that `like` (the forlæg) needs, so both sides of a comparison
    are shown to the same precision: 11 -> '11,0', 0,15 -> '0,15', 0,02 -> '0,020'.
    """
    if unit == SHARE_UNIT:
        return f"{format_number(value * 100, 1)} %"
    if unit == INDEX_UNIT:
        return format_deviation(value - 1)
    if unit in COUNT_UNITS:
        return format_number(value)
    size = abs(value if like is None else like)
    return format_number(value, 1 if size >= 1 or size == 0 else 2 if size >= 0.1 else 3)


def format_deviation(deviation: float) -> str:
    """A relative deviation as a signed percent: '+2,2 %', '-6,4 %', '0,0 %'; '–' when there is none."""
    if math.isnan(deviation):
        return "–"
    percent = round(deviation * 100, 1)
    if percent == 0:
        return "0,0 %"
    return f"{'+' if percent > 0 else '-'}{format_number(abs(percent), 1)} %"


def format_scale(scale: float) -> str:
    """1.0 -> 'hele landet'; 0.1 -> '1/10 af landet'; 0.3 -> '3/10 af landet'."""
    if scale >= 1:
        return "hele landet"
    fraction = Fraction(scale).limit_denominator(10_000)
    return f"{fraction.numerator}/{fraction.denominator} af landet"
