"""Every page wired through Streamlit's AppTest: no exception, and the elements a member relies on."""

import json
import re
import sqlite3

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from katalog import db as database
from katalog.voting.ballots import ballot_for
from katalog.voting.members import add_member
from tests.conftest import DATA, ROOT
from ui import state, texts

APP = str(ROOT / "streamlit_app.py")


@pytest.fixture(autouse=True)
def app_env(writable_db, monkeypatch):
    monkeypatch.setenv("KATALOG_DB", str(writable_db))
    st.cache_data.clear()
    yield writable_db
    st.cache_data.clear()


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


def test_katalog_lists_every_usecase_and_filters_update_the_url():
    at = start()
    total = len([c for c in at.get("page_link")])
    assert total >= 4
    assert f"{total} af {total} use-cases" in markdown_text(at)
    at.multiselect(key=state.FILTER_FACET["diagnose"]).set_value(["atrieflimren"]).run()
    shown = len(at.get("page_link"))
    assert 0 < shown < total
    assert f"{shown} af {total} use-cases" in markdown_text(at)
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


def test_afstemning_without_a_link_accepts_nothing():
    at = open_page("app_pages/afstemning.py")
    assert "personlige link" in at.info[0].value
    assert not at.get("form_submit_button") and not at.select_slider


def test_afstemning_with_a_link_saves_and_shows_the_ballot(app_env):
    db = database.connect(app_env)
    member, token = add_member(db, "Anna Holm", "Region Nordjylland", "Region")
    db.conn.close()
    at = open_page("app_pages/afstemning.py", token=token)
    assert "Anna Holm" in markdown_text(at)
    assert "token" not in at.query_params  # taken out of the URL
    at.select_slider(key=state.vote("UC-01", "value")).set_value(5)
    at.select_slider(key=state.vote("UC-01", "feasibility")).set_value(4)
    at.get("form_submit_button")[0].click()
    at.run()
    assert at.success and not at.exception
    db = database.connect(app_env)
    ballot, _ = ballot_for(db, member.id, 1)
    db.conn.close()
    assert ballot.scores["UC-01"].value == 5 and ballot.scores["UC-01"].feasibility == 4
    assert at.dataframe  # "Din indsendte stemmeseddel"


def test_afstemning_with_an_empty_ballot_keeps_the_form_and_explains(app_env):
    db = database.connect(app_env)
    _, token = add_member(db, "Bo", "KL", "Kommune")
    db.conn.close()
    at = open_page("app_pages/afstemning.py", token=token)
    at.get("form_submit_button")[0].click()
    at.run()
    assert any("mindst én" in e.value for e in at.error)
    assert at.select_slider  # the form is still there


def test_afstemning_with_a_wrong_link_says_it_is_invalid():
    at = open_page("app_pages/afstemning.py", token="forkert")
    assert any("ikke gyldigt" in e.value for e in at.error)


def test_prioritering_shows_the_ranking_table():
    at = open_page("app_pages/prioritering.py")
    assert at.dataframe
    assert "0 stemmesedler" in markdown_text(at)


def test_eksport_makes_a_pdf_for_download():
    at = open_page("app_pages/eksport.py")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.get("download_button")
    assert at.session_state[state.EXPORT_PDF][2].startswith(b"%PDF")


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
