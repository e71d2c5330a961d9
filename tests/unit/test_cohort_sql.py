"""The aggregate tables derived twice, by the generator and as SQL over the person-level cohort, agree (before
disclosure control: `katalog build --kohorte` writes them as `ubeskyttet_<table>` beside the cohort)."""

import sqlite3

import pandas as pd
import pytest

from katalog.build import UNPROTECTED_PREFIX, build
from katalog.mock.cohort_sql import shadow_with_cohort_views, view_definitions
from tests.conftest import MOCKDATA, USECASES


@pytest.fixture(scope="module")
def cohort_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cohort") / "catalogue.db"
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.02, cohort=True)
    return path


@pytest.mark.parametrize("table", sorted(view_definitions(MOCKDATA)))
def test_the_cohort_view_gives_the_same_table(cohort_db, table):
    conn = sqlite3.connect(cohort_db)
    stored = pd.read_sql(f"SELECT * FROM main.[{UNPROTECTED_PREFIX}{table}]", conn)
    shadow_with_cohort_views(conn, MOCKDATA)
    derived = pd.read_sql(f"SELECT * FROM [{table}]", conn)  # the TEMP view shadows the table
    assert list(derived.columns) == list(stored.columns)
    keys = [c for c in stored.columns
            if not pd.api.types.is_numeric_dtype(stored[c]) or c in ("aar", "uge", "ydernummer")]
    stored = stored.sort_values(keys).reset_index(drop=True)
    derived = derived.sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(derived, stored, check_dtype=False, atol=0.011)
