"""Members, chairs and links; rounds with settings fixed in advance; ballots, drafts, recusal and dot rounds;
results hidden until close; a frozen snapshot; decisions; the ledger and its recount; migrations in place."""

import json
import sqlite3

import pytest

from katalog import db as database
from katalog.voting import decisions as decision_store
from katalog.voting import ledger as ledger_store
from katalog.voting.ballots import (
    Ballot,
    ItemBallot,
    VotingError,
    ballot_count,
    ballot_for,
    discard_draft,
    draft_for,
    missing,
    save_ballot,
    save_draft,
)
from katalog.voting.members import (
    MemberError,
    add_member,
    hash_token,
    invite_link,
    member_for_sign_in,
    member_for_token,
    reissue,
    revoke,
    sign_in,
    sign_out,
)
from katalog.voting.overview import HiddenResults, close, overview, overview_records, round_results
from katalog.voting.results import FOLDED
from katalog.voting.rounds import RoundError, create_round, current_round, get_round, parse_settings

UCS = ["UC-01", "UC-02", "UC-03"]


@pytest.fixture
def db(tmp_path):
    connection = database.connect(tmp_path / "votes.db")
    yield connection
    connection.conn.close()


def _round(db, **settings):
    return create_round(db, "Runde 1", parse_settings({"usecases": UCS} | settings))


def _scores(value, feasibility=None, maturity=None, **extra):
    return ItemBallot(scores={k: v for k, v in
                              {"value": value, "feasibility": feasibility, "maturity": maturity}.items()
                              if v is not None}, **extra)


def _members(db, sectors):
    return [add_member(db, f"M{i}", "Org", sector)[0] for i, sector in enumerate(sectors)]


# ----------------------------------------------------------------------------------- members and links

def test_invite_token_is_stored_only_as_a_hash(db):
    member, token = add_member(db, "Anna Holm", "Region Nordjylland", "Region")
    stored = db.conn.execute("SELECT token_hash FROM members").fetchone()[0]
    assert stored == hash_token(token) and token not in stored
    assert member_for_token(db, token) == member
    assert member_for_token(db, token + "x") is None and member_for_token(db, "") is None
    assert invite_link("http://localhost:8501/", token) == f"http://localhost:8501/afstemning?token={token}"


def test_member_needs_a_known_sector_and_short_forms_are_understood(db):
    with pytest.raises(MemberError, match="Sektor"):
        add_member(db, "Bo", "PLO", "Privat")
    assert add_member(db, "Bo", "PLO", "plo")[0].sector == "Almen praksis/PLO"
    assert add_member(db, "Kim", "KL", "Kommune")[0].sector == "Kommune/KL"


def test_reissue_and_revoke_stop_the_old_link_and_every_sign_in(db):
    member, token = add_member(db, "Anna", "Region H", "Region")
    key = sign_in(db, member)
    assert member_for_sign_in(db, key) == member
    _, new_token = reissue(db, member.id)
    assert member_for_token(db, token) is None and member_for_sign_in(db, key) is None
    assert member_for_token(db, new_token).id == member.id
    key = sign_in(db, member)
    revoke(db, member.id)
    assert member_for_token(db, new_token) is None and member_for_sign_in(db, key) is None


def test_sign_in_key_is_stored_hashed_and_sign_out_forgets_it(db):
    member, _ = add_member(db, "Anna", "Region H", "Region")
    key = sign_in(db, member)
    assert key not in json.dumps(db.conn.execute("SELECT * FROM sign_ins").fetchall())
    sign_out(db, key)
    assert member_for_sign_in(db, key) is None


def test_chair_role(db):
    chair, _ = add_member(db, "Formand", "SDS", "Stat/SDS", role="chair")
    member, _ = add_member(db, "Anna", "Region H", "Region")
    assert chair.is_chair and not member.is_chair
    with pytest.raises(MemberError, match="Rollen"):
        add_member(db, "X", "Y", "Andet", role="admin")


# -------------------------------------------------------------------------------------------- rounds

def test_a_fresh_database_has_no_round_until_the_chair_opens_one(db):
    assert current_round(db) is None
    voting_round = _round(db)
    assert current_round(db) == voting_round and voting_round.is_open
    settings = voting_round.settings
    assert [c.label for c in settings.criteria] == ["Værdi", "Gennemførlighed", "Datamodenhed"]
    assert (settings.scale, settings.rule, settings.hide_results) == ("1-9", "andel-70-15", True)


def test_round_settings_are_checked_with_a_message_naming_the_field(db):
    with pytest.raises(RoundError, match="rule"):
        parse_settings({"usecases": UCS, "rule": "flertal"})
    with pytest.raises(RoundError, match="mindst én use-case"):
        create_round(db, "Tom", parse_settings({}))
    with pytest.raises(RoundError, match="titel"):
        create_round(db, " ", parse_settings({"usecases": UCS}))


def test_only_one_round_is_open_and_a_follow_up_needs_a_closed_one(db):
    first = _round(db)
    with pytest.raises(RoundError, match="allerede en åben"):
        _round(db)
    with pytest.raises(RoundError, match="lukket runde"):
        create_round(db, "Runde 2", parse_settings({"usecases": UCS, "previous_round": first.id}))
    close(db, first.id)
    second = create_round(db, "Runde 2", parse_settings({"usecases": UCS, "previous_round": first.id}))
    assert second.settings.previous_round == first.id


def test_closing_freezes_a_snapshot_that_the_database_refuses_to_change(db):
    voting_round = _round(db, hide_results=False)
    (member,) = _members(db, ["Region"])
    save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(7, 8, 9)}))
    closed = close(db, voting_round.id)
    assert closed.snapshot["usecases"][0]["usecase_id"] == "UC-01"
    with pytest.raises(sqlite3.IntegrityError, match="lukket"), db.conn:
        db.conn.execute("UPDATE rounds SET snapshot = '{}' WHERE id = ?", (voting_round.id,))
    with pytest.raises(sqlite3.IntegrityError, match="lukket"), db.conn:
        db.conn.execute("UPDATE ballots SET scores = '{}'")
    with pytest.raises(RoundError, match="lukket"):
        close(db, voting_round.id)
    assert get_round(db, voting_round.id).snapshot == closed.snapshot


# ------------------------------------------------------------------------------------------- ballots

def test_one_ballot_per_member_and_round_that_can_be_changed(db):
    voting_round = _round(db)
    (member,) = _members(db, ["Almen praksis/PLO"])
    save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(2, 3)}))
    save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(5, 4), "UC-02": _scores(1)}))
    assert ballot_count(db, voting_round.id) == 1
    ballot, _ = ballot_for(db, member.id, voting_round.id)
    assert ballot.items["UC-01"].scores == {"value": 5, "feasibility": 4}


def test_scores_off_the_scale_unknown_use_cases_and_empty_ballots_are_refused(db):
    voting_round = _round(db, scale="1-5")
    (member,) = _members(db, ["Region"])
    with pytest.raises(VotingError, match="1 til 5"):
        save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(9)}))
    with pytest.raises(VotingError, match="ikke med i runden"):
        save_ballot(db, member.id, voting_round, Ballot(items={"UC-99": _scores(3)}))
    with pytest.raises(VotingError, match="mindst én"):
        save_ballot(db, member.id, voting_round, Ballot())
    assert ballot_for(db, member.id, voting_round.id) is None


def test_a_closed_round_refuses_ballots_and_keeps_the_last_one(db):
    voting_round = _round(db)
    (member,) = _members(db, ["Region"])
    save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(3)}))
    close(db, voting_round.id)
    with pytest.raises(VotingError, match="lukket"):
        save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(5)}))
    assert ballot_for(db, member.id, voting_round.id)[0].items["UC-01"].scores == {"value": 3}


def test_missing_lists_use_cases_without_an_answer_per_criterion(db):
    voting_round = _round(db)
    ballot = Ballot(items={"UC-01": ItemBallot(scores={"value": 7, "feasibility": None, "maturity": 5}),
                           "UC-02": _scores(7),
                           "UC-03": ItemBallot(recused=True)})
    assert missing(ballot, voting_round) == ["UC-02"]  # «ingen holdning» and recusal are answers


def test_a_draft_survives_until_the_ballot_is_saved(db):
    voting_round = _round(db)
    (member,) = _members(db, ["Region"])
    draft = Ballot(items={"UC-01": _scores(6, reason="Vigtig for kommunerne")})
    save_draft(db, member.id, voting_round.id, draft)
    assert draft_for(db, member.id, voting_round.id) == draft
    assert ballot_count(db, voting_round.id) == 0  # a draft is not a vote
    save_ballot(db, member.id, voting_round, draft)
    assert draft_for(db, member.id, voting_round.id) is None
    save_draft(db, member.id, voting_round.id, draft)
    discard_draft(db, member.id, voting_round.id)
    assert draft_for(db, member.id, voting_round.id) is None


def test_a_recused_member_is_not_counted_and_their_scores_are_not_kept(db):
    voting_round = _round(db, hide_results=False, quorum=1)
    members = _members(db, ["Region"] * 4)
    for member in members[:3]:
        save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(8, 8, 8)}))
    save_ballot(db, members[3].id, voting_round,
                Ballot(items={"UC-01": ItemBallot(scores={"value": 1}, recused=True)}))
    stored, _ = ballot_for(db, members[3].id, voting_round.id)
    assert stored.items["UC-01"].recused and stored.items["UC-01"].scores == {}
    result = round_results(db, get_round(db, voting_round.id), None).get("UC-01")
    assert (result.ballots, result.recused, result.total.median) == (3, 1, 8)


def test_dot_round_checks_the_budget_and_ranks_by_points(db):
    voting_round = _round(db, kind="dots", budget=5, max_per_item=3, hide_results=False, criteria=[])
    a, b = _members(db, ["Region", "Region"])
    with pytest.raises(VotingError):
        save_ballot(db, a.id, voting_round, Ballot(dots={"UC-01": 4}))  # over the maximum per use-case
    with pytest.raises(VotingError):
        save_ballot(db, a.id, voting_round, Ballot(dots={"UC-01": 3, "UC-02": 3}))  # over the budget
    save_ballot(db, a.id, voting_round, Ballot(dots={"UC-01": 3, "UC-02": 2}))
    save_ballot(db, b.id, voting_round, Ballot(dots={"UC-02": 3}))
    results = round_results(db, voting_round, None)
    assert [(r.usecase_id, r.points, r.ranks["points"]) for r in results.usecases[:2]] == [
        ("UC-02", 5, 1), ("UC-01", 3, 2)]


# ------------------------------------------------------------------------------------------- results

def _vote_all(db, voting_round, table):
    """table: sector -> list of (UC-01 value, UC-02 value) per member."""
    for sector, rows in table.items():
        for value1, value2 in rows:
            (member,) = _members(db, [sector])
            items = {"UC-01": _scores(value1, value1, value1), "UC-02": _scores(value2, value2, value2)}
            save_ballot(db, member.id, voting_round, Ballot(items=items))


def test_hidden_results_are_for_the_chair_until_the_round_closes(db):
    voting_round = _round(db)
    chair, _ = add_member(db, "Formand", "SDS", "Stat/SDS", role="chair")
    _vote_all(db, voting_round, {"Region": [(9, 1)] * 3})
    (member,) = _members(db, ["Region"])
    for reader in (None, member):
        with pytest.raises(HiddenResults):
            round_results(db, voting_round, reader)
        rows, results = overview(db, voting_round, reader, {uc: uc for uc in UCS})
        assert results is None and all(row.result is None for row in rows)
        assert all("Median" not in r and "Nr." not in r for r in overview_records(rows, results))
    assert round_results(db, voting_round, chair).get("UC-01").total.median == 9
    close(db, voting_round.id)
    assert round_results(db, get_round(db, voting_round.id), member).get("UC-01").total.median == 9


def test_overview_gives_consensus_rank_and_sector_view_with_small_sectors_kept_confidential(db):
    voting_round = _round(db, hide_results=False)
    _vote_all(db, voting_round, {"Region": [(9, 2), (8, 3), (9, 1)], "Kommune/KL": [(7, 2), (8, 2), (9, 3)],
                                 "Almen praksis/PLO": [(2, 9)]})
    results = round_results(db, voting_round, None)
    first, second = results.get("UC-01"), results.get("UC-02")
    assert first.ranks["weighted_mean"] == 1 and second.ranks["weighted_mean"] == 2
    # UC-01: 6 of 7 in 7–9 (86 %), 1 of 7 in 1–3 (14 %): consensus for under the 70/15 rule
    assert first.consensus == "for" and second.consensus == "imod"
    assert set(first.sectors) == {"Region", "Kommune/KL", FOLDED}
    assert first.sectors[FOLDED] is None  # PLO's lone member is folded and not shown
    assert results.get("UC-03").ranks.get("weighted_mean") is None  # nobody scored it


def test_decisions_keep_their_history_and_need_a_reason(db):
    chair, _ = add_member(db, "Formand", "SDS", "Stat/SDS", role="chair")
    with pytest.raises(decision_store.DecisionError, match="begrundelse"):
        decision_store.record(db, "UC-01", "fravalgt", " ", chair_id=chair.id)
    with pytest.raises(decision_store.DecisionError):
        decision_store.record(db, "UC-01", "måske", "fordi", chair_id=chair.id)
    decision_store.record(db, "UC-01", "senere_2a", "Afventer data", chair_id=chair.id)
    latest = decision_store.record(db, "UC-01", "forste_udstilling", "Klar til udstilling", chair_id=chair.id)
    assert decision_store.current(db)["UC-01"] == latest and latest.label == "Første udstilling"
    assert [d.decision for d in decision_store.history(db, "UC-01")] == ["forste_udstilling", "senere_2a"]


# ---------------------------------------------------------------------------------- ledger and recount

def test_ledger_names_no_one_and_its_recount_agrees_with_the_overview(db):
    voting_round = _round(db, hide_results=False)
    _vote_all(db, voting_round, {"Region": [(9, 2), (8, 3), (6, 1)], "Kommune/KL": [(7, 2), (4, 8), (9, 3)],
                                 "Stat/SDS": [(2, 9), (5, 5)]})
    closed = close(db, voting_round.id)
    data = ledger_store.ledger(db, closed)
    text = json.dumps(data, ensure_ascii=False) + ledger_store.ledger_csv(data)
    names = [row[0] for row in db.conn.execute("SELECT name FROM members")]
    assert not any(f'"{name}"' in text or f",{name}," in text for name in names)
    assert "Stat/SDS" not in text  # two voters: folded with the other small sectors
    assert json.loads(json.dumps(ledger_store.recount(data).to_json())) == closed.snapshot
    hashes = {entry["stemmeseddel"] for entry in data["stemmesedler"]}
    assert len(hashes) == 8


def test_ledger_hashes_differ_between_rounds(db):
    first = _round(db, hide_results=False)
    (member,) = _members(db, ["Region"])
    save_ballot(db, member.id, first, Ballot(items={"UC-01": _scores(5)}))
    close(db, first.id)
    second = create_round(db, "Runde 2", parse_settings({"usecases": UCS, "hide_results": False}))
    save_ballot(db, member.id, second, Ballot(items={"UC-01": _scores(5)}))
    a = ledger_store.ledger(db, get_round(db, first.id))["stemmesedler"][0]["stemmeseddel"]
    b = ledger_store.ledger(db, second)["stemmesedler"][0]["stemmeseddel"]
    assert a != b


# ----------------------------------------------------------------------------------------- migrations

def test_migrations_are_idempotent_and_versioned(tmp_path):
    path = tmp_path / "m.db"
    database.connect(path).conn.close()
    db = database.connect(path)
    assert database.schema_version(db) == len(database.MIGRATIONS)


def test_a_first_schema_database_migrates_in_place_without_losing_a_row(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in database._statements(database.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO members (name, organisation, sector, token_hash) VALUES ('Anna', 'KL', 'Kommune', 'h')")
    conn.execute("INSERT INTO ballots (member_id, round_id, scores, updated_at) VALUES "
                 "(1, 1, '{\"scores\": {\"UC-01\": {\"value\": 4, \"feasibility\": 2}}}', '2026-01-01T00:00:00Z')")
    conn.commit()
    conn.close()
    db = database.connect(path)
    assert db.conn.execute("SELECT sector, role FROM members").fetchone() == ("Kommune/KL", "member")
    voting_round = current_round(db)
    assert voting_round.settings.scale == "1-5" and [c.key for c in voting_round.settings.criteria] == [
        "value", "feasibility"]
    ballot, _ = ballot_for(db, 1, voting_round.id)
    assert ballot.items["UC-01"].scores == {"value": 4, "feasibility": 2}


def test_an_empty_round_ranks_nothing_and_says_so(db):
    voting_round = _round(db, hide_results=False)
    results = round_results(db, voting_round, None)
    assert results.ballots == 0 and not results.top_differs
    assert all(r.ballots == 0 and r.ranks.get("weighted_mean") is None and r.consensus == "for få"
               for r in results.usecases)
    rows, _ = overview(db, voting_round, None, {uc: uc for uc in UCS})
    assert {r["Nr."] for r in overview_records(rows, results)} == {"ikke rangeret (for få svar)"}


def test_a_lone_voter_is_never_a_consensus_and_is_below_the_default_quorum(db):
    voting_round = _round(db, hide_results=False)
    (member,) = _members(db, ["Region"])
    save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": _scores(9, 9, 9)}))
    result = round_results(db, voting_round, None).get("UC-01")
    assert result.ballots == 1 and result.consensus == "for få" and not result.quorum_met
    assert result.ranks.get("weighted_mean") is None
    assert set(result.sectors.values()) == {None}  # one voter's sector is never shown apart


def test_a_follow_up_round_shows_rank_changes(db):
    first = _round(db, hide_results=False, quorum=1)
    _vote_all(db, first, {"Region": [(9, 2), (8, 3), (9, 1)]})
    close(db, first.id)
    second = create_round(db, "Runde 2", parse_settings({"usecases": UCS, "previous_round": first.id,
                                                         "hide_results": False, "quorum": 1}))
    _vote_all(db, second, {"Region": [(2, 9), (3, 8), (1, 9)]})
    rows, results = overview(db, second, None, {uc: uc for uc in UCS})
    changes = {r["Use-case"]: r.get("Ændring") for r in overview_records(rows, results)}
    assert changes["UC-02"] == "↑1" and changes["UC-01"] == "↓1"
