"""Many members saving at once: 50 processes × 100 ballot writes against one catalogue.db. Nothing is lost and
no «database is locked» reaches a member."""

import multiprocessing
import sqlite3

from katalog import db as database
from katalog.voting.ballots import Ballot, ItemBallot, VotingError, save_ballot
from katalog.voting.members import add_member
from katalog.voting.rounds import create_round, get_round, parse_settings

PROCESSES, WRITES = 50, 100
UCS = [f"UC-{i:02d}" for i in range(1, 7)]


def _writer(path: str, member_id: int, round_id: int, queue) -> None:
    db = database.connect(path)
    errors = []
    try:
        voting_round = get_round(db, round_id)
        for n in range(WRITES):
            score = n % 9 + 1
            ballot = Ballot(items={uc: ItemBallot(scores={"value": score, "feasibility": score, "maturity": score},
                                                  reason=f"skrivning {n}") for uc in UCS})
            try:
                save_ballot(db, member_id, voting_round, ballot)
            except VotingError as error:
                errors.append(str(error))
    finally:
        db.conn.close()
        queue.put((member_id, errors))


def test_fifty_processes_writing_a_hundred_ballots_each_lose_nothing(tmp_path):
    path = tmp_path / "busy.db"
    setup = database.connect(path)
    members = [add_member(setup, f"M{i}", "Org", "Region")[0] for i in range(PROCESSES)]
    voting_round = create_round(setup, "Travl runde", parse_settings({"usecases": UCS}))
    setup.conn.close()

    context = multiprocessing.get_context("fork")  # Linux CI; the parent holds no open connection
    queue = context.Queue()
    workers = [context.Process(target=_writer, args=(str(path), m.id, voting_round.id, queue)) for m in members]
    for worker in workers:
        worker.start()
    reports = [queue.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    assert all(worker.exitcode == 0 for worker in workers)
    assert [errors for _, errors in reports if errors] == []  # no member saw an error
    rows = sqlite3.connect(path).execute("SELECT member_id, scores FROM ballots").fetchall()
    assert len(rows) == PROCESSES
    last = (WRITES - 1) % 9 + 1
    for _, raw in rows:  # every member's last write is the one kept
        ballot = Ballot.model_validate_json(raw)
        item = ballot.items["UC-01"]
        assert item.scores["value"] == last and item.reason == f"skrivning {WRITES - 1}"
