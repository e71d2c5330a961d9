"""Running untrusted chart SQL: read-only, mock tables only, one statement, a time and row limit.

This is the one place where SQL from use-case files meets a database. Later the same
signature can run against the real data (a SQLAlchemy URL) without touching the content.

The time limit is kept by a progress handler, which SQLite calls between steps of its virtual
machine: it cannot stop a step that is already running. So no single step may take long, however
the query is written:

- every value is at most `MAX_VALUE_BYTES` (SQLITE_LIMIT_LENGTH), so a built-in function that walks
  its arguments once is done in well under a millisecond;
- built-in functions are allowed by name (`_ALLOWED_FUNCTIONS`); the ones whose one call can run
  for seconds whatever the limit (`printf`/`format` with a huge width or precision repeat a loop
  that many times, `json_patch` compares every key with every key) are refused with advice;
- `instr`, `replace` and the two-argument `trim`/`ltrim`/`rtrim` compare every position of one
  argument with the whole other one in SQLite (seconds for two 100 KB strings); they are replaced
  on the sandbox connection by equivalents in Python that take linear time (`_functions`);
- LIKE/GLOB patterns, function arguments, expression depth, compound SELECTs, columns and the SQL
  itself are capped (`_LIMITS`);
- rows are fetched one at a time, with the deadline and a cap on the bytes returned checked per row.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

MAX_SECONDS = 1.0
MAX_ROWS = 20_000
# A chart's values are labels, codes and numbers: a few KB at most. 100 KB leaves room for any text a
# chart could show, and keeps every allowed built-in function at well under a millisecond per call.
MAX_VALUE_BYTES = 100_000
MAX_RESULT_BYTES = 20_000_000  # text and blobs in all rows together
MAX_LIKE_PATTERN = 50
# SQLite copies a CTE's body into every place that names it, before it runs anything, so CTEs that name
# each other twice over take time that doubles with each level, in preparation where no time limit
# reaches (18 such levels took 1.5 s; 20 took 6 s). So the query's size with every CTE written out in
# full is capped; the largest use-case query comes to about 2,600 tokens.
MAX_EXPANDED_TOKENS = 20_000
_PROGRESS_STEPS = 100  # virtual-machine steps between two looks at the clock (each step is now short)

_LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: MAX_LIKE_PATTERN,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 32,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 200,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 100,
    sqlite3.SQLITE_LIMIT_COLUMN: 200,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 100,
    sqlite3.SQLITE_LIMIT_VDBE_OP: 1_000_000,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,
}

_ALLOWED_ACTIONS = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}

# Built-in functions chart SQL may call; every other name is refused, so a function added by a newer
# SQLite stays refused until someone has checked what one call of it can cost.
_ALLOWED_FUNCTIONS = frozenset({
    # aggregate and window functions: they work a row at a time
    "avg", "count", "group_concat", "max", "min", "sum", "total", "json_group_array", "json_group_object",
    "cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "nth_value", "ntile",
    "percent_rank", "rank", "row_number",
    # numbers
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
    "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians",
    "random", "round", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
    # choices and types
    "coalesce", "ifnull", "iif", "nullif", "likelihood", "likely", "unlikely", "typeof",
    # text: one pass over the value (instr, replace and trim are the linear versions in `_functions`)
    "char", "glob", "hex", "instr", "length", "like", "lower", "ltrim", "quote", "replace", "rtrim",
    "soundex", "substr", "substring", "trim", "unicode", "upper",
    # dates
    "date", "time", "datetime", "julianday", "strftime", "unixepoch",
    "current_date", "current_time", "current_timestamp",
    # JSON
    "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object", "json_quote",
    "json_remove", "json_replace", "json_set", "json_type", "json_valid", "->", "->>",
})

# Refused with a word on what to use instead.
_FORMAT_ADVICE = ("ét kald med stor bredde eller præcision kan tage minutter; rund tal med round(x, 1), "
                  "sæt tekst sammen med ||, og lad spec'ens 'format' (fx format: ',.1f') vise tallene")
_REFUSED_FUNCTIONS = {
    "printf": _FORMAT_ADVICE,
    "format": _FORMAT_ADVICE,
    "json_patch": "den sammenligner hver nøgle med hver nøgle; byg objektet med json_object() eller json_set()",
    "randomblob": "figurer viser tal og tekst, ikke blobs",
    "zeroblob": "figurer viser tal og tekst, ikke blobs",
}

# Table-valued functions chart SQL may read (e.g. `SELECT value FROM json_each('[1,2]')`); they exist
# from SQLite 3.9 (json_*) and 3.45 (jsonb_*). Every other one (pragma_*, dbstat, ...) is refused.
_TABLE_FUNCTIONS = ("json_each", "json_tree", "jsonb_each", "jsonb_tree")


class QueryError(Exception):
    """A chart query that was refused or failed; the message is meant for the person who wrote it."""


class _FunctionRefusal(Exception):
    """Raised inside a Python function; the message (Danish) replaces SQLite's generic one."""


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


class _Refusals:
    """What the authorizer or a function refused during the current query, for the message."""

    def __init__(self) -> None:
        self.function: str | None = None
        self.message: str | None = None

    def clear(self) -> None:
        self.function = self.message = None


def _authorizer(readable: frozenset[str], forbidden: frozenset[str], reads: set[tuple[str, str]],
                refusals: _Refusals):
    def authorize(action, arg1, arg2, db_name, _source):
        if action not in _ALLOWED_ACTIONS:
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_READ:
            name = (arg1 or "").lower()
            if db_name not in (None, "main"):
                return sqlite3.SQLITE_DENY
            # `count(*)` and CTEs both read with no database name, so deny by name: any real
            # table that is not a mock table, SQLite's own, and table-valued functions other than
            # the JSON ones; what is left is a CTE.
            if name not in readable and (name in forbidden or name.startswith(("sqlite_", "pragma_"))):
                return sqlite3.SQLITE_DENY
            if name in readable:
                reads.add((name, (arg2 or "").lower()))
        if action == sqlite3.SQLITE_FUNCTION:
            name = (arg2 or "").lower()
            if name not in _ALLOWED_FUNCTIONS:
                refusals.function = refusals.function or name
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorize


def _check_select(sql: str) -> None:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if head not in {"SELECT", "WITH"}:
        raise QueryError("Forespørgslen skal begynde med SELECT eller WITH.")
    if len(sql.encode()) > _LIMITS[sqlite3.SQLITE_LIMIT_SQL_LENGTH]:
        raise QueryError(f"Forespørgslen er længere end {_number(_LIMITS[sqlite3.SQLITE_LIMIT_SQL_LENGTH])} "
                         "bytes; del den op eller forenkl den.")
    if (size := expanded_size(sql)) > MAX_EXPANDED_TOKENS:
        raise QueryError(f"Forespørgslens CTE'er (WITH) nævner hinanden så mange gange, at den udfoldet er "
                         f"over {_number(size - 1)} ord og tegn lang; "
                         "brug færre lag eller nævn hver CTE færre gange.")


_TOKEN = re.compile(r"""'(?:[^']|'')*'|--[^\n]*|/\*.*?(?:\*/|\Z)|"(?:[^"]|"")*"|\[[^\]]*\]|`(?:[^`]|``)*`|\w+|\S""",
                    re.DOTALL)


def _tokens(sql: str) -> list[str]:
    """SQL as tokens: identifiers unquoted and in lower case, a string literal as "'", no comments."""
    tokens = []
    for token in _TOKEN.findall(sql):
        if token.startswith(("--", "/*")):
            continue
        if token.startswith("'"):
            token = "'"
        elif token[0] in "\"[`" and len(token) > 1:
            token = token[1:-1]
        tokens.append(token.lower())
    return tokens


@functools.lru_cache(maxsize=256)
def expanded_size(sql: str) -> int:
    """An upper bound on the number of tokens SQLite works through once every CTE reference is
    replaced by the CTE's body (recursively): what its preparation costs. Stops counting a little
    above `MAX_EXPANDED_TOKENS`, so the check itself stays quick."""
    tokens = _tokens(sql)
    too_many = MAX_EXPANDED_TOKENS + 1
    bodies: dict[str, list[tuple[int, int]]] = {}
    written = 0  # tokens in all CTE bodies, nested ones counted in each body around them
    for index, token in enumerate(tokens):
        if index == 0 or tokens[index - 1] not in {"with", "recursive", ","}:
            continue
        at = index + 1
        if at < len(tokens) and tokens[at] == "(":  # column list
            at = _closing(tokens, at) + 1
        if at >= len(tokens) or tokens[at] != "as":
            continue
        at += 1
        at += at < len(tokens) and tokens[at] == "not"
        at += at < len(tokens) and tokens[at] == "materialized"
        if at < len(tokens) and tokens[at] == "(":
            end = _closing(tokens, at)
            bodies.setdefault(token, []).append((at + 1, end))
            written += end - at
            if written > too_many:
                return too_many
    if not bodies:
        return 0  # nothing is copied; the length of the SQL itself is limited by SQLite
    inside = [False] * len(tokens)
    for spans in bodies.values():
        for start, end in spans:
            inside[start:end] = [True] * (end - start)
    cost: dict[str, int] = {}

    def size(span: list[str], own: str | None) -> int:
        # A name is a reference unless it qualifies a column (`ap.x`), is one (`t.ap`), is an alias
        # (`AS ap`) or is called or defined (`ap(`).
        counts = Counter(t for before, t, after in zip(["", *span[:-1]], span, [*span[1:], ""], strict=True)
                         if t in bodies and t != own and before not in {".", "as"} and after not in {".", "("})
        return min(too_many, len(span) + sum(n * name_cost(name) for name, n in counts.items()))

    def name_cost(name: str) -> int:
        if name not in cost:
            cost[name] = too_many  # while it is being worked out (SQLite refuses such circles anyway)
            cost[name] = max(size(tokens[start:end], name) for start, end in bodies[name])
        return cost[name]

    return size([t for t, hidden in zip(tokens, inside, strict=True) if not hidden], None)


def _closing(tokens: list[str], opening: int) -> int:
    depth = 0
    for index in range(opening, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[index], 0)
        if depth == 0:
            return index
    return len(tokens)


class Sandbox:
    """One read-only, authorised connection for several untrusted queries (a chart's options and
    every margin choice), so the checks and the connection are paid once per chart, not per query.

    Refused: anything but reading the registered aggregate mock tables and the JSON table-valued
    functions (no ATTACH, VACUUM INTO, temp tables, PRAGMA, writes, ballots, members or the
    person-level cohort), functions not in `_ALLOWED_FUNCTIONS`, more than one statement, and
    queries that run longer than `max_seconds` or return more than `max_rows` rows.
    """

    def __init__(self, db_path: Path, *, max_seconds: float = MAX_SECONDS, max_rows: int = MAX_ROWS):
        db_path = Path(db_path)
        if not db_path.exists():
            raise QueryError(f"Databasen {db_path} findes ikke; kør 'katalog build'.")
        self.max_seconds, self.max_rows = max_seconds, max_rows
        readable, forbidden = table_names(db_path)
        self._counts = count_columns(db_path)
        self._reads: set[tuple[str, str]] = set()
        self._refusals = _Refusals()
        self._helper: sqlite3.Connection | None = None
        self._table_functions: list[str] = []
        # No statement cache: the authorizer, which records what a query reads, runs at every prepare.
        self._conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False,
                                     cached_statements=0)
        for limit, value in _LIMITS.items():
            self._conn.setlimit(limit, value)
        modules = {name.lower() for (name,) in self._conn.execute("SELECT name FROM pragma_module_list")}
        self._authorize = _authorizer(readable, forbidden | (modules - set(_TABLE_FUNCTIONS)), self._reads,
                                      self._refusals)
        # SQLite's quadratic searches replaced by linear ones (see `_functions`).
        self.rewritten_functions = tuple(_functions(self._as_text, self._refusals))
        for name, narg, function in self.rewritten_functions:
            self._conn.create_function(name, narg, function, deterministic=True)
        self._connect_table_functions()

    def _connect_table_functions(self) -> None:
        """Connect the JSON table-valued functions before the authorizer is set.

        The first use of one on a connection declares its table, which the authorizer sees as an
        update of sqlite_master with no hint of which table it is (pragma_* and dbstat look the
        same). Connected here, by name, they need no declaration later; the others still do, and
        are refused.
        """
        self._conn.set_authorizer(None)
        self._conn.set_progress_handler(None, 0)
        if not self._table_functions:
            for name in _TABLE_FUNCTIONS:
                try:
                    self._conn.execute(f"SELECT 1 FROM {name}('[]') LIMIT 0").fetchall()
                    self._table_functions.append(name)
                except sqlite3.OperationalError:
                    pass  # not in this SQLite (jsonb_* came in 3.45)
        else:
            self._conn.execute(" UNION ALL ".join(
                f"SELECT 1 FROM {name}('[]')" for name in self._table_functions) + " LIMIT 0").fetchall()
        self._conn.set_authorizer(self._authorize)

    def _as_text(self, value: object) -> str:
        """A number or blob as SQLite turns it into text (so the Python functions agree with SQLite)."""
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if isinstance(value, int):
            return str(value)
        if self._helper is None:
            self._helper = sqlite3.connect(":memory:", check_same_thread=False)
        return self._helper.execute("SELECT CAST(? AS TEXT)", (value,)).fetchone()[0]

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()
        if self._helper is not None:
            self._helper.close()

    def run(self, sql: str, params: Mapping[str, object] | None = None) -> pd.DataFrame:
        """Run one SELECT and return its rows."""
        _check_select(sql)
        self._reads.clear()
        self._refusals.clear()
        self._connect_table_functions()  # again, in case SQLite has reset its schema since
        deadline = time.monotonic() + self.max_seconds
        self._conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, _PROGRESS_STEPS)
        rows: list[tuple] = []
        size = 0
        try:
            cursor = self._conn.execute(sql, dict(params or {}))
            for row in cursor:
                rows.append(row)
                if len(rows) > self.max_rows:
                    raise QueryError(f"Forespørgslen giver mere end {_number(self.max_rows)} rækker; "
                                     "gruppér eller filtrér.")
                size += sum(len(value) for value in row if isinstance(value, (str, bytes)))
                if size > MAX_RESULT_BYTES:
                    raise QueryError(f"Forespørgslens rækker fylder mere end {_number(MAX_RESULT_BYTES)} bytes; "
                                     "en figur viser tal og korte tekster.")
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("interrupted")
        except (sqlite3.DatabaseError, sqlite3.Warning) as error:  # ProgrammingError is a DatabaseError
            raise QueryError(_explain(error, self.max_seconds, self._refusals)) from error
        columns = [d[0] for d in cursor.description or []]
        return pd.DataFrame.from_records(rows, columns=columns)

    @property
    def counts_read(self) -> list[str]:
        """The count columns ('table.column') the last query read; charts must then declare counts."""
        return sorted(f"{t}.{c}" for t, c in self._reads if c in self._counts.get(t, ()))


def _functions(as_text: Callable[[object], str], refusals: _Refusals):
    """(name, number of arguments, function): linear-time versions of SQLite's quadratic ones.

    Each gives what SQLite gives for the same arguments (NULL in, NULL out; numbers as SQLite
    writes them), but finds with Python's string search, which is linear in the worst case.
    """

    def text(value: object) -> str:
        return value if isinstance(value, str) else as_text(value)

    def instr(haystack, needle):
        if haystack is None or needle is None:
            return None
        if isinstance(haystack, bytes) and isinstance(needle, bytes):
            return haystack.find(needle) + 1  # two blobs: a byte position
        return text(haystack).find(text(needle)) + 1  # otherwise a character position

    def replace(value, old, new):
        if value is None or old is None:
            return None
        old_text = text(old)
        if old_text == "":
            # SQLite returns the value itself (even when `new` is NULL), a blob as text
            return text(value) if isinstance(value, bytes) else value
        if new is None:
            return None
        value_text, new_text = text(value), text(new)
        length = len(value_text.encode()) + value_text.count(old_text) * (
            len(new_text.encode()) - len(old_text.encode()))
        if length > MAX_VALUE_BYTES:
            refusals.message = (f"replace() giver en tekst på {_number(length)} bytes; højst "
                                f"{_number(MAX_VALUE_BYTES)} er tilladt.")
            raise _FunctionRefusal(refusals.message)
        return value_text.replace(old_text, new_text)

    def trimmer(left: bool, right: bool):
        def trim(value, characters):
            if value is None or characters is None:
                return None
            value_text, chars = text(value), set(text(characters))
            start, end = 0, len(value_text)
            if len(chars) <= 64:  # str.strip looks each character up in the set by a linear search
                joined = "".join(chars)
                stripped = value_text.lstrip(joined) if left else value_text
                stripped = stripped.rstrip(joined) if right else stripped
                return stripped
            while left and start < end and value_text[start] in chars:
                start += 1
            while right and end > start and value_text[end - 1] in chars:
                end -= 1
            return value_text[start:end]

        return trim

    return [
        ("instr", 2, instr),
        ("replace", 3, replace),
        ("trim", 2, trimmer(True, True)),
        ("ltrim", 2, trimmer(True, False)),
        ("rtrim", 2, trimmer(False, True)),
    ]


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


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _explain(error: sqlite3.Error | sqlite3.Warning, max_seconds: float, refusals: _Refusals) -> str:
    text = str(error)
    if "one statement at a time" in text:
        return "Forespørgslen må kun være én SELECT; fjern ';' og det, der står efter."
    if refusals.message:
        return refusals.message
    if refusals.function:
        name = refusals.function
        if name in _REFUSED_FUNCTIONS:
            return f"Funktionen {name}() er ikke tilladt i figurer: {_REFUSED_FUNCTIONS[name]}."
        return (f"Funktionen {name}() er ikke tilladt i figurer; brug de almindelige tal-, tekst-, dato-, "
                "JSON-, aggregat- og vinduesfunktioner.")
    if "vtable constructor failed" in text:
        name = text.rsplit(":", 1)[-1].strip()
        return (f"«{name}» kan ikke læses i figurer; figurer kan kun læse mock-tabellerne og "
                "json_each/json_tree.")
    if "not authorized" in text or "prohibited" in text:
        return ("Forespørgslen gør noget, der ikke er tilladt: figurer må kun læse mock-tabellerne "
                "og ikke skrive, tilknytte filer eller læse medlemmer og afstemninger.")
    if "interrupted" in text:
        seconds = f"{max_seconds:g}".replace(".", ",")
        return f"Forespørgslen tog mere end {seconds} s og blev stoppet; forenkl den."
    if "too big" in text:
        return f"Forespørgslen laver en værdi større end {_number(MAX_VALUE_BYTES)} bytes; det er ikke tilladt."
    if "pattern too complex" in text:
        return (f"Et LIKE- eller GLOB-mønster er længere end {MAX_LIKE_PATTERN} tegn; brug et kortere mønster "
                "eller sammenlign med = eller IN.")
    if "too many arguments" in text:
        return f"En funktion får for mange argumenter (højst {_LIMITS[sqlite3.SQLITE_LIMIT_FUNCTION_ARG]})."
    if "too many terms in compound" in text:
        return (f"Forespørgslen sætter for mange SELECT sammen med UNION (højst "
                f"{_LIMITS[sqlite3.SQLITE_LIMIT_COMPOUND_SELECT]}); brug en tabel eller en CTE.")
    if "too many columns" in text:
        return f"Forespørgslen giver for mange kolonner (højst {_LIMITS[sqlite3.SQLITE_LIMIT_COLUMN]})."
    if any(part in text for part in ("tree is too large", "stack overflow", "too many SQL variables",
                                     "statement too long", "too many operations", "too complex")):
        return "Forespørgslen er for stor eller for dybt indlejret; del den op eller forenkl den."
    if match := re.match(r"no such table: (.+)", text):
        return f"Tabellen «{match[1]}» findes ikke; figurer kan kun læse mock-tabellerne (se README)."
    if match := re.match(r"no such function: (.+)", text):
        return (f"Funktionen {match[1]}() findes ikke; brug de almindelige tal-, tekst-, dato-, JSON-, aggregat- "
                "og vinduesfunktioner.")
    if match := re.match(r"no such column: (.+)", text):
        return f"Kolonnen «{match[1]}» findes ikke; ret navnet (se kolonnerne på siden Mock-data)."
    if match := re.match(r'near "(.*)": syntax error', text, re.DOTALL):
        return f"SQL-fejl: syntaksfejl ved «{match[1]}»."
    return f"SQL-fejl: {text}."
