"""`katalog build`: deterministic mock data, refreshed in place without losing the group's work."""

import sqlite3

from katalog import db as database
from katalog.build import build
from katalog.members import add_member
from katalog.mockdata import generate
from katalog.voting import ballot_for, save_ballot
from tests.conftest import MOCKDATA, USECASES


def test_same_seed_gives_identical_tables():
    first, second = generate(MOCKDATA), generate(MOCKDATA)
    for a, b in zip(first, second, strict=True):
        assert a.name == b.name and a.frame.equals(b.frame)


def test_national_figures_are_recognisable(built_db):
    conn = sqlite3.connect(built_db)
    population = conn.execute("SELECT sum(befolkning) FROM befolkning WHERE aar = 2024").fetchone()[0]
    assert abs(population - 5_961_249) / 5_961_249 < 0.01
    patients = dict(conn.execute("SELECT diagnose, sum(patienter) FROM ap_patienter WHERE aar = 2024 "
                                 "GROUP BY diagnose"))
    anchors = {"diabetes": 356_000, "KOL": 160_000, "astma": 300_000, "atrieflimren": 145_000,
               "hjertesvigt": 75_000}
    for diagnosis, anchor in anchors.items():
        assert abs(patients[diagnosis] - anchor) / anchor < 0.10, diagnosis
    assert conn.execute("SELECT count(DISTINCT kommune) FROM befolkning").fetchone()[0] == 98


def test_rebuild_keeps_members_and_ballots(writable_db):
    db = database.connect(writable_db)
    member, token = add_member(db, "Anna", "Danske Regioner", "Region")
    save_ballot(db, member.id, 1, {"UC-01": {"value": 4, "feasibility": 2}})
    db.conn.close()

    report = build(writable_db, usecases_dir=USECASES, mockdata_dir=MOCKDATA)

    db = database.connect(writable_db)
    assert ballot_for(db, member.id, 1)[0].scores["UC-01"].value == 4
    assert db.conn.execute("SELECT count(*) FROM members").fetchone()[0] == 1
    assert report.tables["befolkning"] == db.conn.execute("SELECT count(*) FROM befolkning").fetchone()[0]
    db.conn.close()


def test_build_registers_each_mock_table_with_a_declaration(built_db):
    rows = sqlite3.connect(built_db).execute("SELECT name, declaration, rows FROM mock_tables").fetchall()
    assert {name for name, _, _ in rows} >= {"befolkning", "ap_patienter"}
    assert all(len(text) > 50 and count > 0 for _, text, count in rows)
