"""Reviews on the Use-case page (AppTest): a member reviews a chart view, the chair adopts the missing caveat
into the declaration and withdraws it again; names never reach a member's page."""

from streamlit.testing.v1 import AppTest

from katalog import db as database
from katalog.review.reviews import adopted_caveats, reviews_by
from katalog.voting.members import add_member
from tests.conftest import ROOT

APP = str(ROOT / "streamlit_app.py")
CAVEAT = "Kommuner under 10.000 indbyggere svinger meget fra år til år"


def _usecase_page(token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["token"] = token
    at.run()
    at.switch_page("app_pages/usecase.py").run()
    assert not at.exception, at.exception
    return at


def _everything_shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [df.value.to_string() for df in at.dataframe]
    return "\n".join(parts)


def _people(app_env):
    db = database.connect(app_env)
    member, member_token = add_member(db, "Rikke Region", "Region Sjælland", "Region")
    chair, chair_token = add_member(db, "Frida Formand", "Sundhedsdatastyrelsen", "Stat/SDS", role="chair")
    db.conn.close()
    return member, member_token, chair, chair_token


def test_a_review_is_adopted_into_the_declaration_and_withdrawn_again(app_env):
    member, member_token, chair, chair_token = _people(app_env)
    at = _usecase_page(member_token)
    at.radio[0].set_value("nej")
    next(t for t in at.text_area if t.label.startswith("Et forbehold")).input(CAVEAT)
    next(b for b in at.button if b.label == "Gem vurdering").click().run()
    assert any("vurdering er gemt" in s.value for s in at.success), [e.value for e in at.error]
    db = database.connect(app_env)
    (review,) = reviews_by(db, member.id)
    db.conn.close()
    assert review.recognisable == "nej" and review.missing_caveat == CAVEAT

    chair_page = _usecase_page(chair_token)
    assert "Rikke Region" in _everything_shown(chair_page)  # the chair sees names
    next(b for b in chair_page.button if b.label == "Optag").click().run()
    assert not chair_page.exception
    db = database.connect(app_env)
    assert [c.text for c in adopted_caveats(db, review.usecase_id)] == [CAVEAT]
    db.conn.close()

    db = database.connect(app_env)
    _, other_token = add_member(db, "Ole Andersen", "KL", "Kommune/KL")
    db.conn.close()
    shown = _everything_shown(_usecase_page(other_token))  # another member's view of the same page
    assert "tilføjet af arbejdsgruppen" in shown and "Kommuner under 10.000" in shown
    assert "**1 vurdering** fra 1 medlem:" in shown  # Danish singular, not «1 vurderinger fra 1 medlemmer»
    assert "Rikke Region" not in shown and "Frida Formand" not in shown

    chair_page = _usecase_page(chair_token)
    next(b for b in chair_page.button if b.label == "Træk tilbage").click().run()
    assert "tilføjet af arbejdsgruppen" not in _everything_shown(_usecase_page(other_token))


def test_without_a_link_the_panel_explains_and_saves_nothing(app_env):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/usecase.py").run()
    assert not at.exception
    assert any("personlige link" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Gem vurdering"]


def test_markdown_in_a_review_is_shown_as_text_not_fetched(app_env):
    member, member_token, _, _ = _people(app_env)
    at = _usecase_page(member_token)
    at.radio[0].set_value("delvist")
    hostile = "![x](http://example.org/x.png) [klik](file:///etc/passwd)"
    next(t for t in at.text_area if t.label == "Anden bemærkning").input(hostile)
    next(b for b in at.button if b.label == "Gem vurdering").click().run()
    shown = "\n".join(m.value for m in _usecase_page(member_token).markdown)
    assert "![x](http" not in shown and "](file:" not in shown  # escaped: no image, no link
    assert "example.org" in shown
