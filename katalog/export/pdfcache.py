"""What the PDF export keeps between runs, in a folder beside the database (`catalogue.db-pdfcache/`).

Five kinds of entry, each a file named by a SHA-256 digest:

- `images/<digest>.img`: a chart as vl-convert drew it (SVG or PNG). The digest is of exactly what was drawn
  (the bound spec with its rows after disclosure control, the width, the format, vl-convert's version), so an
  image can only be reused for the very same spec: a changed or newly hidden value is another spec and image.
- `chartpdfs/<digest>.pdf`: an SVG chart converted to a one-page vector PDF (vl-convert), keyed on the SVG's
  digest and vl-convert's version; pikepdf lays it onto the page (katalog/export/assemble.py, `lay_charts_on`).
- `charts/<digest>.json`: one chart's block in the PDF (heading, image reference, caption or the message of
  an empty or failed chart), keyed on the chart's definition, the values chosen, the database's build and the
  code and map boundaries that bind and draw it. A repeated export skips binding the charts; a rebuild of the
  database, a changed use-case file or changed code is another key.
- `parts/<digest>.pdf` and `partinfo/<digest>.json`: one part of the document (the cover, the contents, the
  overview or one use-case) laid out with its charts laid on, and its anchors and bookmarks, keyed on the part's
  HTML (which names every image by digest), the CSS and the versions of WeasyPrint, pikepdf and vl-convert
  (katalog/export/assemble.py); also the sheet of page numbers, keyed on the pages' number and kinds. After a
  vote or an adopted caveat only the parts that changed are laid out again.
- `documents/<digest>.pdf`: a whole PDF, keyed on its HTML (which names every image by digest), the CSS and
  WeasyPrint's version: the same document asked for again (another member, the same day) is not laid out anew.

Files are written atomically (temporary name, then rename), so two exports at once never read half a file.
Entries not used for a while are removed once a kind has more than its limit. `KATALOG_PDF_CACHE=0` turns
the cache off; `KATALOG_PDF_CACHE=/some/folder` puts it there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from katalog.db import PROJECT_ROOT as ROOT

# What binding and drawing a chart depends on besides the database and the use-case file: this package's code
# and the mock data's definitions, among them the map boundaries (mockdata/geo).
_CODE_FOLDERS = (ROOT / "katalog", ROOT / "mockdata")
LIMITS = {"images": 4000, "chartpdfs": 4000, "charts": 4000, "parts": 4000, "partinfo": 4000, "documents": 40}
SUFFIX = {"images": ".img", "chartpdfs": ".pdf", "charts": ".json", "parts": ".pdf", "partinfo": ".json",
          "documents": ".pdf"}


def digest(*parts: Any) -> str:
    """SHA-256 of the parts as canonical JSON (bytes and str as they are)."""
    sha = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            data = part
        elif isinstance(part, str):
            data = part.encode("utf-8")
        else:
            data = json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The digest of every file the binding and drawing code reads (once per process)."""
    files = []
    for folder in _CODE_FOLDERS:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
                files.append((str(path.relative_to(ROOT)), hashlib.sha256(path.read_bytes()).hexdigest()))
    return digest(files)


def database_fingerprint(db_path: Path) -> str | None:
    """The database's build: the file, SQLite's schema cookie (every `katalog build` drops and creates the mock
    tables, which moves it), the build's settings and each mock table's size and hidden cells. None when the
    database cannot be read (then nothing is cached)."""
    try:
        stat = Path(db_path).stat()
        with contextlib.closing(sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)) as conn:
            schema = conn.execute("PRAGMA schema_version").fetchone()[0]
            build = sorted(conn.execute("SELECT key, value FROM mock_build").fetchall())
            tables = sorted(conn.execute("SELECT name, rows, hidden_cells, count_cells FROM mock_tables").fetchall())
    except (OSError, sqlite3.Error):
        return None
    return digest(str(Path(db_path).resolve()), stat.st_dev, stat.st_ino, schema, build, tables)


class PdfCache:
    """The cache folder; every method fails soft (a cache that cannot be read or written is simply not used)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.hits = dict.fromkeys(SUFFIX, 0)
        self.misses = dict.fromkeys(SUFFIX, 0)

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}{SUFFIX[kind]}"

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
            os.utime(path)  # recently used: kept when the folder is pruned
        except OSError:
            self.misses[kind] += 1
            return None
        self.hits[kind] += 1
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as handle:
                handle.write(data)
            os.replace(handle.name, path)
            self._prune(kind)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(handle.name)

    def _prune(self, kind: str) -> None:
        entries = list((self.folder / kind).glob(f"*{SUFFIX[kind]}"))
        if len(entries) <= LIMITS[kind]:
            return
        entries.sort(key=lambda p: p.stat().st_mtime)
        for path in entries[: len(entries) - LIMITS[kind] * 3 // 4]:
            with contextlib.suppress(OSError):
                path.unlink()

    def get_json(self, kind: str, key: str) -> Any | None:
        data = self.get(kind, key)
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: Any) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False).encode("utf-8"))


def for_database(db_path: Path) -> PdfCache | None:
    """The cache beside `db_path` (or in $KATALOG_PDF_CACHE), or None when it is turned off."""
    setting = os.environ.get("KATALOG_PDF_CACHE", "").strip()
    if setting.lower() in ("0", "off", "nej", "false"):
        return None
    folder = Path(setting) if setting else Path(f"{Path(db_path).resolve()}-pdfcache")
    return PdfCache(folder)
