"""The PDF: cover, contents with page numbers, every selected use-case, charts as vectors, Danish text."""

import io
import re
import shutil

import pytest
from pypdf import PdfReader

from katalog import db as database
from katalog.content import load_catalogue
from katalog.export import build_html, render_pdf
from katalog.voting import decisions as decision_store
from katalog.voting.ballots import Ballot, ItemBallot, save_ballot
from katalog.voting.members import add_member
from katalog.voting.overview import close, overview_section
from katalog.voting.rounds import create_round, current_round, parse_settings
from tests.conftest import DATA, USECASES


def _vote(db, voting_round, scores_per_member):
    for n, score in enumerate(scores_per_member):
        member, _ = add_member(db, f"Medlem {n}", "Region Syddanmark", "Region")
        items = {uc: ItemBallot(scores={"value": score, "feasibility": score, "maturity": score})
                 for uc in voting_round.settings.usecases}
        items[voting_round.settings.usecases[-1]] = ItemBallot(scores={"value": 1, "feasibility": 1, "maturity": 1})
        save_ballot(db, member.id, voting_round, Ballot(items=items))


def _pdf(path, items, voting_round_id=None):
    with database.opened(path) as db:
        titles = {item.id: item.title for item in items}
        section = overview_section(db, current_round(db), titles)
        decisions = decision_store.current(db)
    pdf = render_pdf(items, path, section, "Alle use-cases", decisions=decisions)
    reader = PdfReader(io.BytesIO(pdf))
    return pdf, reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def pdf_text(built_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("voted") / "catalogue.db"
    shutil.copy(built_db, path)
    items = load_catalogue(USECASES).items
    with database.opened(path) as db:
        chair, _ = add_member(db, "Formand Frida", "Sundhedsdatastyrelsen", "Stat/SDS", role="chair")
        voting_round = create_round(db, "Runde 1", parse_settings({"usecases": [i.id for i in items]}))
        _vote(db, voting_round, [8, 9, 8, 7])
        close(db, voting_round.id)
        decision_store.record(db, items[0].id, "forste_udstilling", "Klar til eSundhed i første udgave",
                              chair_id=chair.id)
    pdf, reader, text = _pdf(path, items)
    return pdf, reader, text, items


def test_pdf_holds_every_title_the_declaration_and_the_overview(pdf_text):
    pdf, reader, text, items = pdf_text
    assert pdf.startswith(b"%PDF")
    def flat_text(value: str) -> str:  # a line may break after a dash: «2019– 2025» in the extracted text
        return re.sub(r"([–-]) ", r"\1", " ".join(value.split()))

    flat = flat_text(text)
    for item in items:
        assert flat_text(item.title) in flat
        for chart in item.charts:  # drawn as images from memory (and a cache), each still under its title
            assert flat_text(chart.title) in flat
    for heading in ("Indhold", "Forbehold ved fortolkning", "Øvrige ord og begreber", "Prioriteret overblik – Runde 1"):
        assert flat_text(heading) in flat
    assert "syntetiske" in flat


def test_pdf_overview_shows_decisions_rank_and_consensus_without_names(pdf_text):
    _, _, text, items = pdf_text
    flat = " ".join(text.split())
    assert "Klar til eSundhed i første udgave" in flat and "Første udstilling" in flat
    assert "Enighed for" in flat and "Enighed imod" in flat  # 4 of 4 in 7–9; the last use-case 4 of 4 in 1–3
    assert "Arbejdsgruppens beslutning" in flat  # on the use-case's own page too
    assert "Medlem 0" not in flat and "Formand Frida" not in flat


def test_pdf_of_a_round_that_hides_its_results_shows_decisions_only(built_db, tmp_path):
    path = tmp_path / "catalogue.db"
    shutil.copy(built_db, path)
    items = load_catalogue(USECASES).items[:2]
    with database.opened(path) as db:
        voting_round = create_round(db, "Hemmelig runde", parse_settings({"usecases": [i.id for i in items]}))
        _vote(db, voting_round, [9, 9, 9])
    _, _, text = _pdf(path, items)
    flat = " ".join(text.split())
    assert "resultater er skjult" in flat
    assert "Enighed" not in flat and "Median" not in flat and "Kvartiler" not in flat


def test_pdf_has_page_numbers_of_total(pdf_text):
    _, reader, _, _ = pdf_text
    total = len(reader.pages)
    assert f"Side 2 af {total}" in reader.pages[1].extract_text()


def test_markdown_html_is_shown_as_text_not_run(built_db):
    item = load_catalogue(DATA / "usecases").get("UC-90")
    html = build_html([item], built_db, None, "test")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert re.search(r"<img src='katalog-chart:[0-9a-f]{64}\.svg'", html)  # the chart as vector graphics (SVG)


def test_an_image_url_in_content_is_not_fetched(built_db, monkeypatch):
    item = load_catalogue(DATA / "usecases").get("UC-90")
    item = item.model_copy(update={"body": "![logo](http://127.0.0.1:9/x.png) ![fil](file:///etc/hostname)"})
    fetched = []
    import urllib.request
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda *a, **k: fetched.append(a))
    assert render_pdf([item], built_db).startswith(b"%PDF")
    assert fetched == []
