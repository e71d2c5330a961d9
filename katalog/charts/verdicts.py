"""The Vega-Lite schema's verdict on each author spec, kept beside the database between processes.

Checking a spec against the Vega-Lite schema (through Altair) is what loading the catalogue costs: importing
Altair and validating some sixty specs took most of a cold start to the first card. A verdict depends only on
the spec and the schema, so it is kept in `<database>-vegalite.json` (`catalogue.db-vegalite.json`, next to
the database and ignored by git), keyed by a digest of the spec and Altair's version; `katalog build` fills
it, and a fresh server then loads the catalogue without importing Altair at all.

Only the schema's verdict is kept. The security checks (keys that load data or link out) are cheap and run on
every load, so a stale or edited file can never let a forbidden spec through; at worst it could wrongly pass
a spec the schema refuses, and the chart's binding validates the bound spec again before it is drawn.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

from katalog import db as database

# An entry is the spec's error message, or "" when the schema accepts it. Bounded: content changes add entries.
MAX_ENTRIES = 5_000
_SUFFIX = "-vegalite.json"


def path() -> Path:
    """Where the verdicts live: beside the database (`catalogue.db-vegalite.json`)."""
    where = database.db_path()
    return where.with_name(where.name + _SUFFIX)


@functools.cache
def _schema_version() -> str:
    return metadata.version("altair")  # the Vega-Lite schema ships with Altair: a new Altair, new verdicts


def key(spec_json: str) -> str:
    """The digest a verdict is kept under: the spec's canonical JSON and the schema's version."""
    return hashlib.blake2b(f"{_schema_version()}\n{spec_json}".encode(), digest_size=16).hexdigest()


_loaded: dict[Path, dict[str, str]] = {}


def _verdicts() -> dict[str, str]:
    where = path()
    if where not in _loaded:
        try:
            data = json.loads(where.read_text(encoding="utf-8"))
            _loaded[where] = {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
        except (OSError, ValueError, AttributeError):
            _loaded[where] = {}  # absent or unreadable: every spec is validated again, nothing is lost
    return _loaded[where]


def get(digest: str) -> str | None:
    """The kept verdict ("" = valid, else the error message), or None when this spec was never checked."""
    return _verdicts().get(digest)


def put(digest: str, verdict: str) -> None:
    """Keep a verdict, written atomically (a reader never sees half a file); a read-only folder is no error."""
    verdicts = _verdicts()
    if verdicts.get(digest) == verdict:
        return
    verdicts[digest] = verdict
    while len(verdicts) > MAX_ENTRIES:
        verdicts.pop(next(iter(verdicts)))  # the oldest first: dicts keep insertion order
    where = path()
    with contextlib.suppress(OSError):
        where.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where.parent, prefix=where.name, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(verdicts, out, ensure_ascii=False)
            os.chmod(temporary, 0o644)  # not secret: the server may run as another user than the build
            os.replace(temporary, where)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
