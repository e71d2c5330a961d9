"""Shared fixtures: a catalogue.db built once per session from the real use-cases and mock data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from katalog.build import build

ROOT = Path(__file__).resolve().parent.parent
USECASES = ROOT / "usecases"
MOCKDATA = ROOT / "mockdata"
DATA = Path(__file__).resolve().parent / "data"
# The id a new proposal gets: the next after every use-case in the catalogue (it grows as content is added).
_NUMBERS = [int(m.group(1)) for p in USECASES.glob("*.md") if (m := re.match(r"UC-(\d+)", p.name))]
NEXT_ID = f"UC-{max(_NUMBERS) + 1:02d}"


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """A database built from usecases/ and mockdata/; tests must not write to it."""
    path = tmp_path_factory.mktemp("built") / "catalogue.db"
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=1.0)  # national, whatever $KATALOG_SCALE says
    return path


@pytest.fixture
def writable_db(built_db, tmp_path) -> Path:
    """A private copy of the built database, for tests that vote, add members or rebuild."""
    path = tmp_path / "catalogue.db"
    shutil.copy(built_db, path)
    return path
