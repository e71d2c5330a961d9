"""The audit of the published pattern: the pathways (forloeb) at small scale, the repair where the line rules
are not enough, and a build that refuses to write what the audit breaks."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from katalog.disclosure.audit import DisclosureError, audit, audit_and_repair
from katalog.disclosure.cube import flat, from_frame, suppress_linked, tree
from katalog.disclosure.protected import PATHWAY_COLUMNS, protect
from katalog.mock.mockdata import generate
from tests.conftest import MOCKDATA

SCALE, YEAR = 0.02, 2024  # a small scale where nearly every pathway count is 1-4


@pytest.fixture(scope="module")
def small_protection():
    tables = [t if "aar" not in t.frame else replace(t, frame=t.frame[t.frame["aar"] == YEAR])
              for t in generate(MOCKDATA, scale=SCALE).tables]
    return protect(tables)


def test_pathways_and_their_new_patients_pass_the_audit_at_small_scale(small_protection):
    # Published as a chain (within 30 ⊂ 90 ⊂ 365 days ⊂ new patients), the audit narrowed 124 of these counts
    # and determined 22 exactly: the rests between the windows were protected only against their own two
    # counts. As a time dimension (intervals for leaves, windows for totals) every line protects them.
    cubes = {name: small_protection.cubes[name] for name in ("ap_patienter_region", "forloeb")}
    links = [link for link in small_protection.links if link.a in cubes and link.b in cubes]
    report = audit(cubes, links)
    assert report.small > 1000
    assert report.passed, report.summary()


def test_published_pathways_add_up_and_hide_every_small_count(small_protection):
    frame = {t.name: t.frame for t in small_protection.tables}["forloeb"]
    assert set(PATHWAY_COLUMNS) < set(frame.columns)
    counts = frame[["nye_patienter", *PATHWAY_COLUMNS]]
    assert not ((counts >= 1) & (counts <= 4)).any().any()
    for kind in ("speciallaege", "sygehus"):
        for total, parts in ((f"{kind}_90d", (f"{kind}_30d", f"{kind}_31_90d")),
                             (f"{kind}_365d", (f"{kind}_90d", f"{kind}_91_365d")),
                             ("nye_patienter", (f"{kind}_365d", f"{kind}_ikke_365d"))):
            shown = frame[[total, *parts]].notna().all(axis=1)
            assert shown.any()
            assert (frame.loc[shown, total] == frame.loc[shown, list(parts)].sum(axis=1)).all()
            # A line with one value hidden gives it away (the total minus the others): only a hidden zero may
            # be alone (zeros beside hidden counts in another line are hidden too, see katalog.disclosure.cube).
            one = frame[frame[[total, *parts]].isna().sum(axis=1) == 1]
            implied = one[total].fillna(0) * 2 - one[[total, *parts]].sum(axis=1)
            assert (implied == 0).all()


GEO = tree("geografi", {"Fanø": "Syd", "Esbjerg": "Syd", "Varde": "Syd", "Læsø": "Nord", "Aalborg": "Nord",
                        "Syd": "Hele landet", "Nord": "Hele landet"},
           {"omraade": {n: n for n in ("Fanø", "Esbjerg", "Varde", "Læsø", "Aalborg", "Syd", "Nord", "Hele landet")}})
SEX = flat("koen", ("Kvinder", "Mænd"))
AGE = flat("alder", ("ung", "midt", "gammel"))
# Kommune x (sex, age): a table the line rules protect line by line, where linear programming over all lines
# together still narrows Fanø's old women (1) to 0-2. Found by a random search over small tables.
_THREE_WAY = {
    ("Kvinder", "ung"): {"Aalborg": 5, "Esbjerg": 8, "Fanø": 19, "Læsø": 6, "Varde": 8},
    ("Kvinder", "midt"): {"Aalborg": 9, "Esbjerg": 1, "Fanø": 18, "Læsø": 8, "Varde": 11},
    ("Kvinder", "gammel"): {"Aalborg": 19, "Esbjerg": 12, "Fanø": 1, "Læsø": 15, "Varde": 9},
    ("Mænd", "ung"): {"Aalborg": 16, "Esbjerg": 3, "Fanø": 6, "Læsø": 11, "Varde": 11},
    ("Mænd", "midt"): {"Aalborg": 11, "Esbjerg": 18, "Fanø": 19, "Læsø": 9, "Varde": 16},
    ("Mænd", "gammel"): {"Aalborg": 1, "Esbjerg": 5, "Fanø": 15, "Læsø": 19, "Varde": 9},
}


def _three_way():
    rows = [{"aar": 2024, "kommune": k, "koen": s, "alder": a, "n": n}
            for (s, a), by_kommune in _THREE_WAY.items() for k, n in by_kommune.items()]
    cube = from_frame("t", pd.DataFrame(rows), ["aar"], [("kommune", GEO), ("koen", SEX), ("alder", AGE)], ["n"])
    suppress_linked({"t": cube}, [])
    return cube


def test_the_repair_hides_what_the_audit_narrows_where_the_line_rules_are_not_enough():
    cube = _three_way()
    before = audit({"t": cube}, [])
    assert not before.passed
    assert "Fanø, koen=Kvinder, alder=gammel" in " ".join(f.description for f in before.narrowed)
    hidden = cube.hidden.copy()
    report, added = audit_and_repair({"t": cube}, [])
    assert report.passed, report.summary()
    assert added > 0 and (cube.hidden | hidden).sum() == cube.hidden.sum(), "the repair only adds hidden cells"
    assert added <= 0.25 * hidden.sum(), "a few cells, not the table"
    assert audit({"t": cube}, []).passed


def test_without_a_repair_the_audit_stops_with_a_danish_message(monkeypatch):
    monkeypatch.setattr("katalog.disclosure.audit.repair_cells", lambda report: {})
    with pytest.raises(DisclosureError, match="Revisionen af diskretioneringen fandt .* Intet er skrevet"):
        audit_and_repair({"t": _three_way()}, [])


def test_a_build_refuses_to_write_a_pattern_the_audit_breaks(tmp_path, monkeypatch):
    import katalog.build
    from katalog.cli import main

    def weak(tables, *, audited=False):
        raise DisclosureError(audit({"t": _three_way()}, []))

    monkeypatch.setattr(katalog.build, "protect", weak)
    path = tmp_path / "catalogue.db"
    with pytest.raises(DisclosureError):
        katalog.build.build(path, mockdata_dir=MOCKDATA, scale=0.01, audited=True)
    assert not path.exists() or "mock_tables" not in {
        n for (n,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    result = CliRunner().invoke(main, ["--db", str(path), "build", "--skala", "0.01"])
    assert result.exit_code == 1
    assert "Revisionen af diskretioneringen" in result.output


def test_the_national_build_audits_every_table_it_writes(built_db):
    # The session's catalogue is built at national scale, where `katalog build` audits every protected table
    # against all the others (and repairs) before writing: the suite checks it passed.
    build = dict(sqlite3.connect(built_db).execute("SELECT key, value FROM mock_build"))
    assert build["audited"] == "1"
    assert int(build["audit_checked"]) > 10_000
    assert build["audit_narrowed"] == "0" and build["audit_exact"] == "0"


def test_the_audit_rule_is_a_width_of_four_values():
    # Two hidden counts of 2 and 3 under a shown 5: each can be 0..5, nothing is narrowed.
    cube = from_frame("t", pd.DataFrame({"aar": 2024, "koen": ["Kvinder", "Mænd"], "n": [2, 3]}), ["aar"],
                      [("koen", SEX)], ["n"])
    suppress_linked({"t": cube}, [])
    assert cube.hidden[0, :2, 0].all() and not cube.hidden[0, 2, 0]
    assert audit({"t": cube}, []).passed
    cube.values[0, :, 0] = np.array([1.0, 1.0, 2.0])  # 1 + 1 = 2: each is 0..2, narrowed
    assert not audit({"t": cube}, []).passed
