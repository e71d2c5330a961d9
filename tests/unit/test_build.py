"""`katalog build`: deterministic mock data, refreshed in place without losing the group's work."""

import sqlite3

from katalog import db as database
from katalog.build import build
from katalog.voting.ballots import Ballot, ItemBallot, ballot_for, draft_for, save_ballot, save_draft
from katalog.voting.decisions import current, record
from katalog.voting.members import add_member, member_for_sign_in, member_for_token, sign_in
from katalog.voting.rounds import create_round, parse_settings
from tests.conftest import MOCKDATA, USECASES


def test_rebuild_keeps_members_rounds_ballots_drafts_and_decisions(writable_db):
    db = database.connect(writable_db)
    member, token = add_member(db, "Anna", "Danske Regioner", "Danske Regioner")
    chair, _ = add_member(db, "Formand", "SDS", "Stat/SDS", role="chair")
    voting_round = create_round(db, "Runde 1", parse_settings({"usecases": ["UC-01", "UC-02"]}))
    save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": ItemBallot(scores={"value": 4})}))
    save_draft(db, member.id, voting_round.id, Ballot(items={"UC-02": ItemBallot(scores={"value": 7})}))
    record(db, "UC-02", "analysemiljo", "For fint opdelt til eSundhed", chair_id=chair.id)
    key = sign_in(db, member)
    db.conn.close()

    report = build(writable_db, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.05, cohort=True)

    db = database.connect(writable_db)
    assert ballot_for(db, member.id, voting_round.id)[0].items["UC-01"].scores == {"value": 4}
    assert draft_for(db, member.id, voting_round.id).items["UC-02"].scores == {"value": 7}
    assert current(db)["UC-02"].reason == "For fint opdelt til eSundhed"
    assert member_for_sign_in(db, key) == member and member_for_token(db, token) == member
    assert db.conn.execute("SELECT count(*) FROM members").fetchone()[0] == 2
    assert report.tables["befolkning"] == db.conn.execute("SELECT count(*) FROM befolkning").fetchone()[0]
    assert dict(db.conn.execute("SELECT key, value FROM mock_build"))["scale"] == "0.05"
    db.conn.close()


def test_a_rebuild_without_the_cohort_drops_the_old_person_tables(tmp_path):
    path = tmp_path / "catalogue.db"
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.02, cohort=True)
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.02, cohort=False)
    names = {n for (n,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "kohorte_aar" not in names and "ap_patienter" in names


def test_build_registers_each_mock_table_with_a_declaration(built_db):
    rows = sqlite3.connect(built_db).execute("SELECT name, declaration, rows, level FROM mock_tables").fetchall()
    assert {name for name, *_ in rows} >= {"befolkning", "ap_patienter", "ap_forekomst", "kvalitetsindikatorer",
                                           "praksis_indikatorer", "ap_aktivitet", "sygehus_aktivitet", "forloeb",
                                           "plejehjemsbeboere", "praksis"}
    assert all(len(text) > 100 and count > 0 for _, text, count, _ in rows)
    assert all("syntetiske" in text for _, text, _, _ in rows), "every table must say its numbers are synthetic"
    assert all(("estimat" in text or "skøn" in text) for _, text, _, _ in rows), "and which inputs are estimates"
    assert {level for *_, level in rows} == {"aggregat"}, "the default build writes no person-level tables"
