"""Cached reads at the UI edge: parsed content keyed on file stamps, chart rows keyed on the database."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import streamlit as st

from katalog import db as database
from katalog.charts import BoundChart, bind, param_options
from katalog.content import Catalogue, load_catalogue
from katalog.mock import mockinfo


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalogue(folder: str, stamp_key: str) -> Catalogue:
    # A resource, not data: every rerun gets the same parsed catalogue instead of unpickling a fresh copy of
    # its pydantic models (the largest cost per rerun at 1,000 use-cases). Pages never change it.
    return load_catalogue(Path(folder))


def _folder_stamp(folder: Path) -> str:
    """A digest of the name, modification time and size of every use-case file, from one directory scan (a short
    string: Streamlit hashes a cache's arguments on every call, and a tuple of 1,000 stamps cost it ~20 ms)."""
    try:
        with os.scandir(folder) as entries:
            stamps = sorted((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in entries
                            if e.name.endswith(".md") and e.is_file())
    except FileNotFoundError:
        stamps = []
    return hashlib.blake2b(repr(stamps).encode(), digest_size=16).hexdigest()


def catalogue() -> Catalogue:
    """The catalogue, re-read when any use-case file changes."""
    folder = database.usecases_dir()
    return _catalogue(str(folder), _folder_stamp(folder))


def db_ready() -> bool:
    return database.db_path().exists()


@st.cache_data(show_spinner=False, max_entries=256)
def _bound_chart(usecase_id: str, chart_id: str, params_json: str, db_file: str, stamps: tuple) -> BoundChart:
    item = catalogue().get(usecase_id)
    chart = next(c for c in item.charts if c.id == chart_id)
    return bind(chart, json.loads(params_json), Path(db_file))


def data_version(path: Path) -> tuple:
    """What identifies the built mock data: the file, and SQLite's schema version, which every rebuild moves
    (it drops and creates the tables) and ballots, drafts and reviews never do. The files' modification times
    would not do: WAL checkpoints after any vote touch the database file and come and go with the -wal file,
    so every vote would throw the charts out of the cache. About 0.2 ms per run."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return (str(path), conn.execute("PRAGMA schema_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return (str(path), None)


def _content_and_data_stamp(path: Path) -> tuple:
    return (data_version(path), _folder_stamp(database.usecases_dir()))


def bound_chart(usecase_id: str, chart_id: str, params: dict) -> BoundChart:
    """A bound chart; raises katalog.charts.ChartError with a message for the page."""
    path = database.db_path()
    return _bound_chart(usecase_id, chart_id, json.dumps(params, sort_keys=True, ensure_ascii=False), str(path),
                        _content_and_data_stamp(path))


@st.cache_data(show_spinner=False, max_entries=256)
def _options(usecase_id: str, chart_id: str, param_name: str, db_file: str, stamps: tuple) -> list:
    item = catalogue().get(usecase_id)
    chart = next(c for c in item.charts if c.id == chart_id)
    return param_options(next(p for p in chart.params if p.name == param_name), Path(db_file))


def chart_param_options(usecase_id: str, chart_id: str, param_name: str) -> list:
    """A chart parameter's choices, queried once per database and content version, not on every rerun."""
    path = database.db_path()
    return _options(usecase_id, chart_id, param_name, str(path), _content_and_data_stamp(path))


@st.cache_data(show_spinner=False, max_entries=4)
def _mock_info(db_file: str, stamps: tuple) -> mockinfo.MockInfo:
    return mockinfo.read(Path(db_file))


def mock_info() -> mockinfo.MockInfo:
    """Mock tables, build and national figures; raises katalog.mock.mockinfo.MockInfoError for an old database."""
    path = database.db_path()
    return _mock_info(str(path), data_version(path))


def decisions() -> dict:
    """The chair's current decision per use-case (read on every run: they change while the app runs)."""
    if not db_ready():
        return {}
    from katalog.voting import decisions as decision_store

    with database.opened() as db:
        return decision_store.current(db)


def adopted_caveats() -> dict:
    """Caveats the working group adopted, per use-case (read on every run, like decisions)."""
    if not db_ready():
        return {}
    from katalog.review.reviews import caveats_by_usecase

    with database.opened() as db:
        return caveats_by_usecase(db)
