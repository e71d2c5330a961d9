"""Reviews of chart views: a round trip, one per member and view, survival of rebuilds, names only for the
chair, small sectors folded, caveats adopted into the declaration and withdrawn, views that went away."""

import pytest

from katalog import db as database
from katalog.build import build
from katalog.content import load_catalogue
from katalog.review.reviews import (
    ReviewError,
    adopt,
    adopted_caveats,
    delete_review,
    questions,
    review_of,
    reviews_by,
    reviews_csv,
    reviews_for,
    save_review,
    summarise,
    view_exists,
    withdraw,
)
from katalog.voting.members import add_member
from tests.conftest import MOCKDATA, USECASES

VIEW = {"diagnose": "KOL", "aar": 2024}


@pytest.fixture
def db(tmp_path):
    connection = database.connect(tmp_path / "reviews.db")
    yield connection
    connection.conn.close()


def _people(db, sectors):
    return [add_member(db, f"Anmelder {n}", "Org", sector)[0] for n, sector in enumerate(sectors)]


def test_a_review_round_trip_and_one_per_member_and_view(db):
    (anna,) = _people(db, ["Region"])
    save_review(db, anna, "UC-01", "kommuner", VIEW, "nej", deviation="Fanø ligger for højt",
                deviation_source="Regionens egne tal", missing_caveat="Små kommuner svinger meget fra år til år")
    save_review(db, anna, "UC-01", "kommuner", {"aar": 2024, "diagnose": "KOL"}, "delvist")  # same view
    save_review(db, anna, "UC-01", "kommuner", {"diagnose": "astma", "aar": 2024}, "ja")
    mine = reviews_by(db, anna.id)
    assert len(mine) == 2
    review = review_of(db, anna.id, "UC-01", "kommuner", VIEW)
    assert review.recognisable == "delvist" and review.deviation == ""  # the edit replaced the answer


def test_a_review_needs_an_answer_and_an_answer_needs_its_question(db):
    (anna,) = _people(db, ["Region"])
    with pytest.raises(ReviewError, match="Genkendeligt"):
        save_review(db, anna, "UC-01", "kommuner", VIEW, None)
    with pytest.raises(ReviewError, match="spørgsmål"):
        save_review(db, anna, "UC-01", "kommuner", VIEW, "ja", answer="Ja, det gør vi")
    with pytest.raises(ReviewError):
        save_review(db, anna, "UC-01", "kommuner", VIEW, "måske")
    assert reviews_by(db, anna.id) == []


def test_names_reach_only_the_chair_and_small_sectors_are_folded(db):
    members = _people(db, ["Region"] * 3 + ["Almen praksis/PLO"] + ["Kommune/KL"] * 3)
    chair, _ = add_member(db, "Formand", "SDS", "Stat/SDS", role="chair")
    for member, answer in zip(members, ["ja", "ja", "nej", "nej", "delvist", "ja", "ja"], strict=True):
        save_review(db, member, "UC-01", "kommuner", VIEW, answer, comment=f"bemærkning fra {member.sector}")
    assert all(r.reviewer == "" for r in reviews_for(db, "UC-01", members[0]))
    assert {r.reviewer for r in reviews_for(db, "UC-01", chair)} == {m.name for m in members}
    summary = summarise(db, "UC-01")
    assert summary.counts == {"ja": 4, "delvist": 1, "nej": 2}
    # PLO's lone reviewer is folded into «Øvrige», which is too small to show, and so the smallest shown
    # sector is hidden too: the total minus the shown sectors must not give PLO's answer.
    assert summary.by_sector["Øvrige"] is None and "Almen praksis/PLO" not in summary.by_sector
    shown = [counts for counts in summary.by_sector.values() if counts is not None]
    assert len(shown) == 1
    text = repr(summary) + reviews_csv(db)
    assert not any(m.name in text for m in members)


def test_adopting_a_caveat_puts_it_in_force_and_withdrawing_removes_it(db):
    (anna,) = _people(db, ["Region"])
    chair, _ = add_member(db, "Formand", "SDS", "Stat/SDS", role="chair")
    review = save_review(db, anna, "UC-01", "kommuner", VIEW, "nej", missing_caveat="Små kommuner svinger meget")
    with pytest.raises(ReviewError, match="formanden"):
        adopt(db, anna, "UC-01", review.missing_caveat, review.id)
    caveat = adopt(db, chair, "UC-01", review.missing_caveat, review.id)
    assert [c.text for c in adopted_caveats(db, "UC-01")] == ["Små kommuner svinger meget"]
    with pytest.raises(ReviewError, match="allerede"):
        adopt(db, chair, "UC-01", "Små  kommuner svinger meget")
    with pytest.raises(ReviewError, match="optaget"):
        delete_review(db, anna, review.id)  # an adopted caveat keeps its review
    withdraw(db, chair, caveat.id)
    assert adopted_caveats(db, "UC-01") == []
    delete_review(db, anna, review.id)
    assert reviews_by(db, anna.id) == []


def test_a_member_cannot_delete_someone_elses_review(db):
    anna, bo = _people(db, ["Region", "Region"])
    review = save_review(db, anna, "UC-01", "kommuner", VIEW, "ja")
    with pytest.raises(ReviewError):
        delete_review(db, bo, review.id)
    assert reviews_by(db, anna.id)


def test_reviews_and_adopted_caveats_survive_a_rebuild(writable_db):
    db = database.connect(writable_db)
    (anna,) = _people(db, ["Region"])
    chair, _ = add_member(db, "Formand", "SDS", "Stat/SDS", role="chair")
    save_review(db, anna, "UC-01", "kommuner", VIEW, "nej", missing_caveat="Forbehold A")
    adopt(db, chair, "UC-01", "Forbehold A")
    db.conn.close()
    build(writable_db, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.02)
    db = database.connect(writable_db)
    assert review_of(db, anna.id, "UC-01", "kommuner", VIEW).missing_caveat == "Forbehold A"
    assert [c.text for c in adopted_caveats(db, "UC-01")] == ["Forbehold A"]
    db.conn.close()


def test_a_view_that_went_away_is_recognised_and_the_review_kept(db):
    item = load_catalogue(USECASES).items[0]
    chart = item.charts[0]
    defaults = {p.name: p.default for p in chart.params}
    assert view_exists(item, chart.id, defaults)
    assert not view_exists(item, "figur-der-er-fjernet", defaults)
    assert not view_exists(item, chart.id, {**defaults, "ny_parameter": 1})
    assert not view_exists(None, chart.id, defaults)
    options = {p.name: [p.default] for p in chart.params}
    assert defaults and not view_exists(item, chart.id, {k: "ukendt værdi" for k in defaults}, options)
    assert view_exists(item, chart.id, defaults, options)


def test_questions_are_read_from_the_body():
    for item in load_catalogue(USECASES).items:
        found = questions(item)
        assert found and all(q.endswith("?") or len(q) > 10 for q in found), item.id
