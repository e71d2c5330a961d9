"""Sandkasse and Forslag wired through AppTest: exploring with widgets and SQL (refusals in Danish, nothing written),
proposing a view, and the chair's page, which refuses everyone else."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from katalog import db as database
from katalog.content import load_catalogue
from katalog.review import proposals
from katalog.voting.members import add_member
from tests.conftest import NEXT_ID, ROOT, USECASES
from ui import sandbox_view as sandbox
from ui import state, texts

APP = str(ROOT / "streamlit_app.py")
SANDKASSE = "app_pages/sandkasse.py"
FORSLAG = "app_pages/forslag.py"


@pytest.fixture(autouse=True)
def app_env(writable_db, tmp_path, monkeypatch):
    folder = tmp_path / "usecases"
    shutil.copytree(USECASES, folder)
    monkeypatch.setenv("KATALOG_DB", str(writable_db))
    monkeypatch.setenv("KATALOG_USECASES", str(folder))
    st.cache_data.clear()
    yield writable_db
    st.cache_data.clear()


def _member(db_path, name="Anna Holm", sector="Region", role="member"):
    with database.opened(db_path) as db:
        return add_member(db, name, "Region Nordjylland", sector, role=role)


def open_page(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    """What a page says in Markdown, captions and HTML (the catalogue's cards)."""
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [h.proto.body for h in at.get("html")])


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def _spec(at: AppTest) -> dict:
    return json.loads(at.get("vega_lite_chart")[0].proto.spec)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_visitor_explores_with_widgets_and_sees_the_chart_table_and_sql():
    at = open_page(SANDKASSE)
    assert at.title[0].value == "Sandkasse"
    assert at.selectbox(key=sandbox.TABLE).value == "ap_patienter"
    assert _spec(at)["encoding"]["y"]["field"] == "region"
    assert list(at.dataframe[0].value.columns) == ["region", "patienter", "befolkning", "pr_1000_indbyggere"]
    assert any("celle i tabellens kube" in c.value for c in at.caption)
    assert any("niveau = 'Region'" in c.value for c in at.code)
    assert any(texts_part in i.value for i in at.info for texts_part in ["personlige link"])  # sign in to propose

    at.multiselect(key=sandbox.widget("ap_patienter", "breakdown")).set_value([sandbox.sb.GEOGRAPHY, "koen"]).run()
    assert not at.exception
    assert _spec(at)["encoding"]["yOffset"]["field"] == "koen"
    assert "koen" in at.dataframe[0].value.columns


def test_hidden_values_are_marked_on_the_page_as_in_the_charts(app_env):
    at = open_page(SANDKASSE)
    at.selectbox(key=sandbox.TABLE).set_value("forloeb").run()
    at.multiselect(key=sandbox.widget("forloeb", "measures")).set_value(["sygehus_30d"]).run()
    at.multiselect(key=sandbox.widget("forloeb", "breakdown")).set_value(["aldersgruppe", "koen"]).run()
    at.selectbox(key=sandbox.widget("forloeb", "held.diagnose")).set_value("hjertesvigt").run()
    at.selectbox(key=sandbox.widget("forloeb", "area")).set_value("Region Nordjylland").run()
    assert not at.exception
    shown = at.dataframe[0].value
    with sqlite3.connect(app_env) as conn:
        cells = conn.execute("SELECT aldersgruppe, koen, sygehus_30d FROM forloeb WHERE region = 'Region Nordjylland' "
                             "AND niveau = 'Region' AND diagnose = 'hjertesvigt' AND aar = (SELECT max(aar) FROM "
                             "forloeb) AND koen <> 'Alle' AND aldersgruppe <> 'Alle'").fetchall()
    hidden = {(a, k) for a, k, v in cells if v is None}
    assert hidden, "the test needs a hidden cell"
    marked = {(a, k) for a, k, v in zip(shown["aldersgruppe"], shown["koen"], shown["sygehus_30d"], strict=True)
              if v == "skjult"}
    assert marked == hidden
    assert any(c.value.startswith("Diskretionering:") for c in at.caption)


def _sql(at: AppTest, sql: str) -> AppTest:
    at.radio(key=sandbox.MODE).set_value(sandbox.TYPED).run()
    at.text_area(key=sandbox.SQL).input(sql)
    at.button(key="sandkasse.run").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("sql", [
    "SELECT name, organisation FROM members",
    "SELECT * FROM ballots",
    "SELECT * FROM reviews",
    "SELECT markdown FROM proposals",
    "SELECT key_hash FROM sign_ins",
    "SELECT * FROM kohorte_person",
    "SELECT * FROM ubeskyttet_ap_patienter",
    "DELETE FROM ap_patienter",
    "UPDATE ap_patienter SET patienter = 3",
    "DROP TABLE members",
    "WITH x AS (SELECT 1) INSERT INTO members (name) SELECT * FROM x",
    "SELECT 1 AS en; DELETE FROM members",
])
def test_the_sql_box_refuses_forbidden_tables_and_writes_in_danish(app_env, sql):
    with sqlite3.connect(app_env) as conn:  # the cohort and the unprotected aggregates, as --kohorte writes them
        conn.execute("CREATE TABLE kohorte_person (person_id INTEGER, koen TEXT)")
        conn.execute("CREATE TABLE ubeskyttet_ap_patienter AS SELECT * FROM ap_patienter LIMIT 5")
    _member(app_env)
    before = _digest(app_env)
    at = _sql(open_page(SANDKASSE), sql)
    message = " ".join(_errors(at))
    assert any(part in message for part in ("ikke er tilladt", "skal begynde med SELECT", "kun være én SELECT",
                                            "kan ikke læses")), message
    assert not at.get("vega_lite_chart") and not at.dataframe
    assert _digest(app_env) == before


def test_the_generated_sql_opens_in_the_sql_box_and_shows_the_same_rows():
    at = open_page(SANDKASSE)
    breakdown = sandbox.widget("ap_patienter", "breakdown")
    at.multiselect(key=breakdown).set_value([sandbox.sb.GEOGRAPHY, "aldersgruppe"]).run()
    built = at.dataframe[0].value
    at.button(key="sandkasse.to_sql").click().run()
    assert not at.exception
    assert at.radio(key=sandbox.MODE).value == sandbox.TYPED
    assert "FROM ap_patienter" in at.text_area(key=sandbox.SQL).value
    assert at.text_input(key=sandbox.sql_param("aar")).value.isdigit()
    assert at.dataframe[0].value.equals(built)
    # Back to the widgets: the view is still the one the member built, and so is the SQL box's text.
    typed = at.text_area(key=sandbox.SQL).value
    at.radio(key=sandbox.MODE).set_value(sandbox.WIDGETS).run()
    assert at.multiselect(key=breakdown).value == [sandbox.sb.GEOGRAPHY, "aldersgruppe"]
    assert at.dataframe[0].value.equals(built)
    at.radio(key=sandbox.MODE).set_value(sandbox.TYPED).run()
    assert at.text_area(key=sandbox.SQL).value == typed


def test_a_member_proposes_the_view_and_sees_it_with_its_status(app_env):
    member, token = _member(app_env)
    at = open_page(SANDKASSE, token=token)
    at.text_input(key="sandkasse.propose.title").input("KOL pr. region")
    at.text_area(key="sandkasse.propose.summary").input("Forekomsten af KOL i regionerne.")
    next(b for b in at.button if b.label == "Foreslå som use-case").click().run()
    assert not at.exception, at.exception
    assert not _errors(at), _errors(at)
    assert any(NEXT_ID in s.value for s in at.success)
    with database.opened(app_env) as db:
        [proposal] = proposals.mine(db, member.id)
    assert proposal.status == "forslag" and proposal.usecase_id == NEXT_ID
    assert "Dine forslag" in [h.value for h in at.subheader]
    assert "Afventer formanden" in _text(at)
    item = proposals.check(proposal.markdown, NEXT_ID)
    assert item.proposer == "Anna Holm (Region Nordjylland)" and item.sectors == ["Region"]


def test_a_proposal_needs_a_title():
    _, token = _member(database.db_path())
    at = open_page(SANDKASSE, token=token)
    next(b for b in at.button if b.label == "Foreslå som use-case").click().run()
    assert any("titel" in e for e in _errors(at))


@pytest.mark.parametrize("who", ["stranger", "member"])
def test_the_proposals_page_refuses_everyone_but_the_chair(app_env, who):
    member, token = _member(app_env)
    with database.opened(app_env) as db:  # a proposal waiting, which nobody but the chair may see or accept
        db.conn.execute("INSERT INTO proposals (member_id, usecase_id, title, markdown) "
                        "VALUES (?, 'UC-07', 'Et hemmeligt forslag', '---')", (member.id,))
        db.conn.commit()
    at = open_page(FORSLAG, **({"token": token} if who == "member" else {}))
    assert [e.value for e in at.error] == [texts.CHAIR_ONLY]
    assert not [b for b in at.button if (b.key or "").startswith(("accept-", "reject-"))]
    assert "Et hemmeligt forslag" not in _text(at)


def test_the_chair_accepts_a_proposal_and_the_catalogue_lists_it(app_env):
    member, _ = _member(app_env)
    _, chair_token = _member(app_env, "Frida Formand", "Stat/SDS", role="chair")
    at = open_page(SANDKASSE)  # the view a member would propose, built the way the page builds it
    exploration = sandbox._explored(str(app_env), sandbox._db_stamp(), "ap_patienter", json.dumps(
        {"table": "ap_patienter", "measures": ["patienter"], "breakdown": ["koen"], "held": {"aar": 2024,
         "diagnose": "astma"}, "only": {}, "level": None, "area": "Hele landet", "regions": [], "aggregate": "sum"}),
        None)
    table = sandbox.sb.table(app_env, "ap_patienter")
    draft = proposals.Draft(
        title="Astma efter køn", summary="Patienter med astma, kvinder og mænd.", subtask="1",
        diagnoses=["astma"], platform="eSundhed", aims=["Forebyggelse"], sectors=["Region"],
        sources=list(table.cube.sources), chart=sandbox.sb.usecase_chart(exploration), table=table.name,
        table_title=table.title, table_declaration=table.declaration, view_text=sandbox.sb.view_text(exploration),
        indicators=sandbox.sb.indicator_lines(exploration))
    folder = database.usecases_dir()
    with database.opened(app_env) as db:
        proposal = proposals.submit(db, folder, member, draft)

    at = open_page(FORSLAG, token=chair_token)
    assert "Anna Holm" in _text(at) and f"{NEXT_ID} · Astma efter køn" in _text(at)
    assert at.get("vega_lite_chart")  # the preview binds the proposed chart
    at.button(key=f"accept-{proposal.id}").click().run()
    assert not at.exception, at.exception
    assert any("accepteret" in s.value for s in at.success)
    assert (folder / proposal.file).exists()
    assert load_catalogue(folder).get(NEXT_ID).title == "Astma efter køn"
    at.switch_page("app_pages/katalog.py").run()
    at.text_input(key=state.FILTER_TEXT).input("Astma efter køn").run()  # the catalogue shows 24 cards a page
    assert f"{NEXT_ID} · Astma efter køn" in _text(at)
