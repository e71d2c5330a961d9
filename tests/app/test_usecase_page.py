"""The Use-case page through AppTest: the picker, the view in the URL, empty views, the table, the PDF."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from katalog.content import load_catalogue
from tests.conftest import ROOT, USECASES
from ui import state

PAGE = str(ROOT / "app_pages" / "usecase.py")
ITEMS = {item.id: item for item in load_catalogue(USECASES).items}
UC01 = ITEMS["UC-01"]
KOMMUNER, REGIONER = UC01.charts[0], UC01.charts[1]


def open_link(**query) -> AppTest:
    """The page as a copied link opens it: a fresh session with the link's query string."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def param(at: AppTest, item_id: str, chart_id: str, name: str):
    return at.selectbox(key=state.chart_param(item_id, chart_id, name))


def query(at: AppTest) -> dict[str, str]:
    return {key: value if isinstance(value, str) else value[-1] for key, value in at.query_params.items()}


def test_the_picker_switches_use_case_and_the_url_follows():
    at = open_link(id="UC-01")
    assert at.title[0].value == UC01.title
    at.selectbox(key=state.USECASE).set_value("UC-03").run()
    assert at.title[0].value == ITEMS["UC-03"].title
    assert query(at)["id"] == "UC-03"
    at.run()  # a rerun (any other click) keeps the choice: the URL does not pull it back
    assert at.title[0].value == ITEMS["UC-03"].title
    at.selectbox(key=state.USECASE).set_value("UC-02").run()
    assert at.title[0].value == ITEMS["UC-02"].title and query(at)["id"] == "UC-02"


def test_chart_parameters_round_trip_through_the_url():
    at = open_link(id="UC-01")
    param(at, "UC-01", KOMMUNER.id, "aar").set_value(2022).run()
    param(at, "UC-01", KOMMUNER.id, "diagnose").set_value("astma").run()
    param(at, "UC-01", REGIONER.id, "aldersgruppe").set_value("60-79").run()
    link = query(at)
    assert link == {"id": "UC-01", f"{KOMMUNER.id}.aar": "2022", f"{KOMMUNER.id}.diagnose": "astma",
                    f"{REGIONER.id}.aldersgruppe": "60-79"}
    again = open_link(**link)
    assert param(again, "UC-01", KOMMUNER.id, "aar").value == 2022
    assert param(again, "UC-01", KOMMUNER.id, "diagnose").value == "astma"
    assert param(again, "UC-01", REGIONER.id, "aldersgruppe").value == "60-79"
    assert param(again, "UC-01", REGIONER.id, "diagnose").value == "KOL"  # not in the link: its default
    assert query(again) == link
    assert not again.warning


def test_a_link_with_values_that_do_not_exist_says_so_in_danish_and_shows_defaults():
    at = open_link(id="UC-01", **{f"{KOMMUNER.id}.aar": "1999", "findes.ikke": "1"})
    warnings = "\n".join(w.value for w in at.warning)
    assert "«1999»" in warnings and "«findes.ikke»" in warnings
    assert param(at, "UC-01", KOMMUNER.id, "aar").value == 2024
    assert query(at) == {"id": "UC-01"}  # the link is tidied to what is shown


def test_an_empty_choice_says_in_danish_what_is_missing_and_why():
    at = open_link(id="UC-01")
    param(at, "UC-01", REGIONER.id, "aldersgruppe").set_value("0-17").run()  # the chart's default diagnose is KOL
    infos = "\n".join(i.value for i in at.info)
    assert "Diagnose «KOL» sammen med Aldersgruppe «0-17»" in infos
    assert "KOL diagnosticeres ikke hos børn." in infos
    assert len(at.get("vega_lite_chart")) == len(UC01.charts) - 1  # no bare "0" axis instead


def test_the_table_has_danish_headings():
    at = open_link(id="UC-01")
    at.toggle(key=state.show_table("UC-01", KOMMUNER.id)).set_value(True).run()
    headings = list(at.dataframe[0].value.columns)
    assert "Patienter pr. 1.000 indbyggere" in headings and "Kommune" in headings
    assert not any("_" in heading for heading in headings)


def test_the_page_makes_a_pdf_of_this_use_case_with_the_chosen_views():
    at = open_link(id="UC-01", **{f"{KOMMUNER.id}.aar": "2021"})
    at.button(key="pdf.UC-01").click().run()
    assert not at.exception, at.exception
    made = at.session_state[state.USECASE_PDF]
    assert made[0][0] == "UC-01" and '"aar": 2021' in made[0][1] and made[1].startswith(b"%PDF")
    assert any(b.label == "Hent PDF" for b in at.get("download_button"))
    param(at, "UC-01", KOMMUNER.id, "aar").set_value(2020).run()
    assert not at.get("download_button")  # never a PDF made for other choices
