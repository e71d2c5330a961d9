"""The PDF: cover, contents with page numbers, every selected use-case, charts as vectors, Danish text."""

import io

import pytest
from pypdf import PdfReader

from katalog.content import load_catalogue
from katalog.export import build_html, render_pdf
from katalog.voting.ballots import Ranked
from tests.conftest import DATA, USECASES


@pytest.fixture(scope="module")
def pdf_text(built_db):
    items = load_catalogue(USECASES).items
    ranking = [Ranked(1, items[0].id, 3, 4.0, 3.5)]
    pdf = render_pdf(items, built_db, ranking, "Alle use-cases")
    reader = PdfReader(io.BytesIO(pdf))
    return pdf, reader, "\n".join(page.extract_text() for page in reader.pages), items


def test_pdf_holds_every_title_the_declaration_and_the_ranking(pdf_text):
    pdf, reader, text, items = pdf_text
    assert pdf.startswith(b"%PDF")
    flat = " ".join(text.split())
    for item in items:
        assert " ".join(item.title.split()) in flat
    for heading in ("Indhold", "Forbehold ved fortolkning", "Øvrige ord og begreber", "Prioriteret oversigt"):
        assert heading in flat
    assert "syntetiske" in flat


def test_pdf_has_page_numbers_of_total(pdf_text):
    _, reader, _, _ = pdf_text
    total = len(reader.pages)
    assert f"Side 2 af {total}" in reader.pages[1].extract_text()


def test_markdown_html_is_shown_as_text_not_run(built_db):
    item = load_catalogue(DATA / "usecases").get("UC-90")
    html = build_html([item], built_db, None, "test")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<svg" in html  # the chart is inlined as vector graphics


def test_an_image_url_in_content_is_not_fetched(built_db, monkeypatch):
    item = load_catalogue(DATA / "usecases").get("UC-90")
    item = item.model_copy(update={"body": "![logo](http://127.0.0.1:9/x.png) ![fil](file:///etc/hostname)"})
    fetched = []
    import urllib.request
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", lambda *a, **k: fetched.append(a))
    assert render_pdf([item], built_db).startswith(b"%PDF")
    assert fetched == []
