"""Every page wired through Streamlit's AppTest: no exception, and the elements a member relies on."""

import json
import re
import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from katalog import db as database
from katalog.content import load_catalogue
from katalog.voting.ballots import Ballot, ItemBallot, ballot_for, save_ballot
from katalog.voting.members import add_member
from katalog.voting.overview import close
from katalog.voting.rounds import create_round, current_round, parse_settings
from tests.conftest import DATA, ROOT, USECASES
from ui import state, texts

APP = str(ROOT / "streamlit_app.py")


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, at.exception
    return at


def open_page(page: str, **query) -> AppTest:
    """Open the app with a query string (as a link would), then go to `page` in the same session."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value  # AppTest applies query params on the first run only
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def open_usecase(usecase_id: str) -> AppTest:
    """The use-case page on its own, as reached by a card's link with ?id=."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "usecase.py"), default_timeout=30)
    at.query_params["id"] = usecase_id
    at.run()
    assert not at.exception, at.exception
    return at


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def card_links(at: AppTest) -> list[str]:
    """The use-case each card links to (the cards are one HTML element)."""
    return [link for element in at.get("html") for link in re.findall(r"href='usecase\?id=([^']+)'",
                                                                      element.proto.body)]


def test_katalog_lists_every_usecase_and_filters_update_the_url():
    at = start()
    items = load_catalogue(USECASES).items
    total = len(items)
    assert f"{total} af {total} use-cases" in markdown_text(at)
    assert card_links(at) == [item.id for item in items[:24]]  # a page of cards at a time
    at.multiselect(key=state.FILTER_FACET["diagnose"]).set_value(["atrieflimren"]).run()
    shown = int(re.search(rf"(\d+) af {total} use-cases", markdown_text(at)).group(1))
    assert 0 < shown < total
    assert card_links(at) == [i.id for i in items if "atrieflimren" in i.diagnoses][:24]
    assert at.query_params["diagnose"] in ("atrieflimren", ["atrieflimren"])


def test_katalog_reads_its_filter_from_a_copied_link():
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["delopgave"] = "2b"
    at.run()
    assert at.multiselect(key=state.FILTER_FACET["delopgave"]).value == ["2b"]
    assert "Delopgave: 2b" in markdown_text(at)


def test_usecase_page_draws_the_chart_with_rows_and_the_declaration():
    at = open_usecase("UC-01")
    charts = at.get("vega_lite_chart")
    assert charts, "no chart drawn"
    spec = json.loads(charts[0].proto.spec)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    text = markdown_text(at)
    for heading in ("Formålet (kort)", "Forbehold ved fortolkning", "Øvrige ord og begreber"):
        assert heading in text
    assert "syntetiske" in "\n".join(i.value for i in at.info)
    at.toggle[0].set_value(True).run()
    assert at.dataframe and at.get("download_button")


def test_usecase_page_with_unknown_id_says_so_and_shows_another():
    at = open_usecase("UC-999")
    assert any("UC-999" in w.value for w in at.warning)
    assert at.get("vega_lite_chart")


def _member(app_env, name="Anna Holm", sector="Region", role="member"):
    db = database.connect(app_env)
    member, token = add_member(db, name, "Region Nordjylland", sector, role=role)
    db.conn.close()
    return member, token


def _open_round(app_env, **settings):
    db = database.connect(app_env)
    voting_round = create_round(db, "Runde 1", parse_settings({"usecases": ["UC-01", "UC-02"]} | settings))
    db.conn.close()
    return voting_round


def test_afstemning_without_a_link_accepts_nothing():
    at = open_page("app_pages/afstemning.py")
    assert "personlige link" in at.info[0].value
    assert not at.segmented_control and not at.button


def test_afstemning_says_when_no_round_is_open(app_env):
    _, token = _member(app_env)
    at = open_page("app_pages/afstemning.py", token=token)
    assert any("ingen afstemningsrunde" in i.value for i in at.info)


def test_afstemning_with_a_link_saves_and_shows_the_ballot(app_env):
    member, token = _member(app_env)
    voting_round = _open_round(app_env)
    at = open_page("app_pages/afstemning.py", token=token)
    assert "Anna Holm" in markdown_text(at)
    assert "token" not in at.query_params  # taken out of the URL
    assert any("2 use-cases mangler" in w.value for w in at.warning)
    for criterion, score in (("value", 8), ("feasibility", 7), ("maturity", "ingen holdning")):
        at.segmented_control(key=state.vote(voting_round.id, "UC-01", criterion)).set_value(score).run()
    next(b for b in at.button if b.label == "Gem min stemmeseddel").click().run()
    assert at.success and not at.exception
    assert any("1 use-case mangler" in w.value for w in at.warning)
    db = database.connect(app_env)
    ballot, _ = ballot_for(db, member.id, voting_round.id)
    db.conn.close()
    assert ballot.items["UC-01"].scores == {"value": 8, "feasibility": 7, "maturity": None}
    assert at.dataframe  # "Din gemte stemmeseddel"


def test_unsaved_scores_survive_a_new_session_as_a_draft(app_env):
    member, token = _member(app_env)
    voting_round = _open_round(app_env)
    at = open_page("app_pages/afstemning.py", token=token)
    at.segmented_control(key=state.vote(voting_round.id, "UC-02", "value")).set_value(3).run()
    again = open_page("app_pages/afstemning.py", token=token)  # a reload, or back from a mockup
    assert again.segmented_control(key=state.vote(voting_round.id, "UC-02", "value")).value == 3
    assert any("ikke er gemt" in i.value for i in again.info)
    db = database.connect(app_env)
    assert ballot_for(db, member.id, voting_round.id) is None  # a draft is not a vote
    db.conn.close()


def test_a_follow_up_round_shows_the_group_and_starts_from_the_members_own_scores(app_env):
    first = _open_round(app_env, hide_results=False)
    member, token = _member(app_env)
    db = database.connect(app_env)
    for n, score in enumerate([8, 7, 9]):
        other, _ = add_member(db, f"Kollega {n}", "KL", "Kommune/KL")
        save_ballot(db, other.id, first, Ballot(items={"UC-01": ItemBallot(scores={"value": score})}))
    save_ballot(db, member.id, first, Ballot(items={"UC-01": ItemBallot(scores={"value": 3}, reason="Svag kobling")}))
    close(db, first.id)
    second = create_round(db, "Runde 2", parse_settings({"usecases": ["UC-01", "UC-02"], "previous_round": first.id}))
    db.conn.close()
    at = open_page("app_pages/afstemning.py", token=token)
    assert at.segmented_control(key=state.vote(second.id, "UC-01", "value")).value == 3  # own earlier score
    feedback = next(e for e in at.expander if "Runde 1" in e.label)
    table = feedback.dataframe[0].value
    row = table[table["Kriterium"] == "Værdi"].iloc[0]
    assert (row["Svar"], row["Median"], row["Din score"]) == (4, "7,5", "3")
    assert "Svag kobling" in "\n".join(m.value for m in feedback.markdown)  # reasons, without names


def test_a_dot_round_counts_points_against_the_budget(app_env):
    voting_round = _open_round(app_env, kind="dots", criteria=[], budget=4, max_per_item=3)
    member, token = _member(app_env)
    at = open_page("app_pages/afstemning.py", token=token)
    at.number_input(key=state.vote_dots(voting_round.id, "UC-01")).set_value(3).run()
    at.number_input(key=state.vote_dots(voting_round.id, "UC-02")).set_value(3).run()
    assert any("6 af 4 point" in e.value for e in at.error)
    next(b for b in at.button if b.label == "Gem min stemmeseddel").click().run()
    assert any("budget" in e.value.lower() or "point" in e.value for e in at.error)
    at.number_input(key=state.vote_dots(voting_round.id, "UC-02")).set_value(1).run()
    next(b for b in at.button if b.label == "Gem min stemmeseddel").click().run()
    db = database.connect(app_env)
    assert ballot_for(db, member.id, voting_round.id)[0].dots == {"UC-01": 3, "UC-02": 1}
    db.conn.close()


def test_afstemning_with_an_empty_ballot_keeps_the_form_and_explains(app_env):
    _, token = _member(app_env, "Bo", "Kommune/KL")
    _open_round(app_env)
    at = open_page("app_pages/afstemning.py", token=token)
    next(b for b in at.button if b.label == "Gem min stemmeseddel").click().run()
    assert any("mindst én" in e.value for e in at.error)
    assert at.segmented_control  # the form is still there


def test_afstemning_with_a_wrong_link_says_it_is_invalid():
    at = open_page("app_pages/afstemning.py", token="forkert")
    assert any("ikke gyldigt" in e.value for e in at.error)


@pytest.mark.parametrize("page", ["app_pages/runder.py", "app_pages/medlemmer.py", "app_pages/beslutninger.py"])
def test_chair_pages_refuse_members_and_strangers(app_env, page):
    _, token = _member(app_env)
    for query in ({}, {"token": token}):
        at = open_page(page, **query)
        assert any("kun for formanden" in e.value for e in at.error)
        assert not at.form and not at.dataframe


def test_the_chair_opens_a_round_from_the_runder_page(app_env):
    _, token = _member(app_env, "Frida Formand", "Stat/SDS", role="chair")
    at = open_page("app_pages/runder.py", token=token)
    at.text_input[0].input("Runde 1: første udstilling")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception and not at.error
    db = database.connect(app_env)
    voting_round = current_round(db)
    db.conn.close()
    assert voting_round.title == "Runde 1: første udstilling" and voting_round.settings.hide_results
    assert len(voting_round.settings.usecases) == len(load_catalogue(database.usecases_dir()).items)


def test_prioriteret_overblik_hides_results_from_members_until_close(app_env):
    voting_round = _open_round(app_env)
    member, token = _member(app_env)
    db = database.connect(app_env)
    save_ballot(db, member.id, voting_round, Ballot(items={"UC-01": ItemBallot(scores={"value": 9})}))
    db.conn.close()
    at = open_page("app_pages/prioritering.py", token=token)
    assert any("skjult" in i.value for i in at.info)
    assert "Median" not in at.dataframe[0].value.columns
    _, chair_token = _member(app_env, "Frida", "Stat/SDS", role="chair")
    chair = open_page("app_pages/prioritering.py", token=chair_token)
    assert "Median" in chair.dataframe[0].value.columns


def test_eksport_makes_a_pdf_for_download():
    at = open_page("app_pages/eksport.py")
    # The whole catalogue: generous, since a busy machine is slow (how fast is make bench's question).
    next(b for b in at.button if b.label == "Lav PDF").click().run(timeout=900)
    assert not at.exception and not at.error
    assert at.get("download_button")
    assert at.session_state[state.EXPORT_PDF][1].startswith(b"%PDF")


def test_problemer_lists_broken_files_while_the_rest_still_render(monkeypatch):
    monkeypatch.setenv("KATALOG_USECASES", str(DATA / "usecases"))
    at = open_page("app_pages/problemer.py")
    table = at.dataframe[0].value
    assert set(table["Fil"]) >= {"UC-91-ukendt-felt.md", "UC-96-url-i-spec.md"}
    assert set(table.columns) == {"Fil", "Felt", "Hvad skal ændres"}
    katalog = start()
    assert katalog.warning and "1 af 1 use-cases" in markdown_text(katalog)


def test_problemer_says_all_is_well_on_the_real_catalogue():
    at = open_page("app_pages/problemer.py")
    assert at.success


def test_mockdata_lists_every_table_and_compares_its_national_figures(app_env):
    at = open_page("app_pages/mockdata.py")
    assert at.title[0].value == "Mock-data"
    assert "syntetiske mock-data" in at.info[0].value
    assert "katalog build --kohorte" in "\n".join(c.value for c in at.caption)  # built without the cohort
    overview = at.table[0].value
    names = {row.split("`")[1] for row in overview["Tabel"]}
    assert names >= {"befolkning", "ap_patienter", "kvalitetsindikatorer"}
    assert set(overview["Niveau"]) == {"Aggregeret (kan bruges i diagrammer)"}
    assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*", rows) for rows in overview["Rækker"])

    at.selectbox(key=state.MOCK_TABLE).set_value("ap_patienter").run()
    assert not at.exception
    text = markdown_text(at)
    assert "Deklaration" in text and "syntetiske" in text and "`niveau`" in "\n".join(c.value for c in at.caption)
    figures = at.table[1].value
    assert list(figures.columns) == ["Emne", "Landstal", "Genereret", "Forlæg", "Afvigelse", "Inden for ±10 %",
                                     "Kilde"]
    assert any(re.fullmatch(r"\d{1,3},\d %", value) for value in figures["Genereret"])  # a share, Danish style
    assert all(re.fullmatch(r"(\*\*:red\[)?([+-]\d+,\d|0,0) %(\]\*\*)?", value) for value in figures["Afvigelse"])
    assert set(figures["Inden for ±10 %"]) <= {":green-badge[ja]", ":red-badge[nej]"}
    assert not at.dataframe  # no rows of any mock table, anywhere on the page


def test_mockdata_on_an_older_database_asks_for_a_rebuild(app_env):
    with sqlite3.connect(app_env) as conn:
        conn.execute("DROP TABLE mock_comparisons")
    at = open_page("app_pages/mockdata.py")
    assert "syntetiske mock-data" in at.info[0].value
    assert "katalog build" in at.error[0].value and "make run" in at.error[0].value
    assert not at.table


def test_mockdata_without_a_database_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setenv("KATALOG_DB", str(tmp_path / "mangler.db"))
    at = AppTest.from_file(str(ROOT / "app_pages" / "mockdata.py"), default_timeout=30).run()
    assert not at.exception
    assert at.error[0].value == texts.NO_DATABASE
