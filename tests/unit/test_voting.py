"""Members, invite tokens and ballots: one editable ballot per member per round, a fair tally."""

import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from katalog import db as database
from katalog.voting.ballots import VotingError, ballot_count, ballot_for, current_round, save_ballot, tally
from katalog.voting.members import MemberError, add_member, hash_token, invite_link, member_for_token


@pytest.fixture
def db(tmp_path):
    connection = database.connect(tmp_path / "votes.db")
    yield connection
    connection.conn.close()


def test_invite_token_is_stored_only_as_a_hash(db):
    member, token = add_member(db, "Anna Holm", "Region Nordjylland", "Region")
    stored = db.conn.execute("SELECT token_hash FROM members").fetchone()[0]
    assert stored == hash_token(token) and token not in stored
    assert member_for_token(db, token) == member
    assert member_for_token(db, token + "x") is None and member_for_token(db, "") is None
    assert invite_link("http://localhost:8501/", token) == f"http://localhost:8501/afstemning?token={token}"


def test_member_needs_a_known_sector(db):
    with pytest.raises(MemberError, match="Sektor"):
        add_member(db, "Bo", "PLO", "Privat")


def test_one_ballot_per_member_and_round_that_can_be_changed(db):
    member, _ = add_member(db, "Anna", "PLO", "Almen praksis")
    voting_round = current_round(db)
    save_ballot(db, member.id, voting_round.id, {"UC-01": {"value": 2, "feasibility": 3}})
    save_ballot(db, member.id, voting_round.id, {"UC-01": {"value": 5, "feasibility": 4},
                                                 "UC-02": {"value": 1, "feasibility": None}})
    assert ballot_count(db, voting_round.id) == 1
    ballot, _ = ballot_for(db, member.id, voting_round.id)
    assert ballot.scores["UC-01"].value == 5 and ballot.scores["UC-02"].feasibility is None


def test_scores_outside_one_to_five_are_refused_and_nothing_is_saved(db):
    member, _ = add_member(db, "Anna", "PLO", "Almen praksis")
    with pytest.raises(VotingError, match="1 til 5"):
        save_ballot(db, member.id, 1, {"UC-01": {"value": 9}})
    with pytest.raises(VotingError, match="mindst én"):
        save_ballot(db, member.id, 1, {"UC-01": {"value": None, "feasibility": None}})
    assert ballot_for(db, member.id, 1) is None


def test_a_closed_round_refuses_ballots(db):
    member, _ = add_member(db, "Anna", "PLO", "Almen praksis")
    save_ballot(db, member.id, 1, {"UC-01": {"value": 3}})
    with db.conn:
        db.conn.execute("UPDATE rounds SET status = 'closed' WHERE id = 1")
    with pytest.raises(VotingError, match="lukket"):
        save_ballot(db, member.id, 1, {"UC-01": {"value": 5}})
    assert ballot_for(db, member.id, 1)[0].scores["UC-01"].value == 3


def test_tally_ranks_by_mean_scores_and_counts_ballots(db):
    ids = ["UC-01", "UC-02", "UC-03"]
    votes = [{"UC-01": {"value": 5, "feasibility": 5}, "UC-02": {"value": 2, "feasibility": 2}},
             {"UC-01": {"value": 3, "feasibility": 4}, "UC-02": {"value": 4}}]
    for n, scores in enumerate(votes):
        member, _ = add_member(db, f"M{n}", "SDS", "Stat")
        save_ballot(db, member.id, 1, scores)
    ranking = tally(db, 1, ids)
    assert [r.usecase_id for r in ranking] == ["UC-01", "UC-02", "UC-03"]
    first, second, unscored = ranking
    assert (first.rank, first.ballots, first.value, first.feasibility) == (1, 2, 4.0, 4.5)
    assert second.value == 3.0 and second.feasibility == 2.0 and second.score == 2.5
    assert unscored.rank is None and unscored.ballots == 0 and unscored.score is None


def test_concurrent_ballots_from_many_members_are_all_kept(tmp_path):
    path = tmp_path / "busy.db"
    setup = database.connect(path)
    members = [add_member(setup, f"M{i}", "Region Sjælland", "Region")[0] for i in range(20)]
    setup.conn.close()

    def vote(member):
        db = database.connect(path)
        try:
            for value in (1, 2, 3, 4, 5):
                save_ballot(db, member.id, 1, {"UC-01": {"value": value, "feasibility": value}})
        finally:
            db.conn.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(vote, members))
    rows = sqlite3.connect(path).execute("SELECT count(*), min(scores) = max(scores) FROM ballots").fetchone()
    assert rows == (20, 1)


def test_migrations_are_idempotent_and_versioned(tmp_path):
    path = tmp_path / "m.db"
    database.connect(path).conn.close()
    db = database.connect(path)
    assert database.schema_version(db) == len(database.MIGRATIONS)
    assert db.conn.execute("SELECT count(*) FROM rounds").fetchone()[0] == 1
