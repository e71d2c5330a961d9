"""The PDF's fast paths (katalog/export/pdfcache.py, charts as images drawn in parallel) give the same PDF as the slow
one: a cached chart is never stale after a rebuild or a changed spec, and a hidden value never reaches the
cache or the PDF. No timings are asserted here (`make bench` measures them)."""

import io
import re

import pytest
from pypdf import PdfReader

from katalog.build import build
from katalog.charts import bind, pdf_spec, spec_to_svg
from katalog.content import load_catalogue
from katalog.export import ChartImages, build_html, pdfcache, render_pdf
from tests.conftest import MOCKDATA, USECASES

SENTINEL = 987654.3  # a value only hidden rows carry in the test chart below


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "pdfcache"
    monkeypatch.setenv("KATALOG_PDF_CACHE", str(folder))
    monkeypatch.delenv("KATALOG_PDF_CHARTS", raising=False)
    monkeypatch.delenv("KATALOG_PDF_OVERLAY", raising=False)
    return folder


def _html(items, db, cache=None, views=None):
    images = ChartImages(cache)
    return build_html(items, db, None, "test", views=views, images=images, cache=cache), images


def _flat(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _image_keys(html: str) -> list[str]:
    return re.findall(r"katalog-chart:([0-9a-f]{64})\.svg", html)


def test_a_repeated_export_comes_from_the_cache_and_equals_an_uncached_one(built_db, cache_folder):
    items = load_catalogue(USECASES).items[:2]
    uncached, _ = _html(items, built_db)
    cache = pdfcache.PdfCache(cache_folder)
    first, _ = _html(items, built_db, cache)
    again = pdfcache.PdfCache(cache_folder)
    second, images = _html(items, built_db, again)
    charts = sum(len(item.charts) for item in items)
    assert first == second == uncached
    assert again.hits["charts"] == charts and again.misses["charts"] == 0  # no chart bound the second time
    assert images.pending == {} and all(images.load(k) for k in _image_keys(second))

    pdf = render_pdf(items, built_db, filter_description="test")
    assert render_pdf(items, built_db, filter_description="test") == pdf  # the same document: from the cache
    assert _flat(render_pdf(items, built_db, filter_description="test", cache=False)) == _flat(pdf)


def test_the_pdf_holds_every_use_case_and_chart_title_with_and_without_the_cache(built_db):
    items = load_catalogue(USECASES).items[:3]
    for pdf in (render_pdf(items, built_db), render_pdf(items, built_db), render_pdf(items, built_db, cache=False)):
        flat = _flat(pdf)
        for item in items:
            assert " ".join(item.title.split()) in flat
            for chart in item.charts:
                assert " ".join(chart.title.split()) in flat
        assert "Deklaration" in flat and "Syntetiske data." in flat


def test_a_rebuilt_database_is_never_served_from_the_cache(tmp_path, cache_folder):
    path = tmp_path / "catalogue.db"
    items = [load_catalogue(USECASES).get("UC-01")]
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.01)
    before, _ = _html(items, path, pdfcache.PdfCache(cache_folder))
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.02)  # other counts in every chart
    cache = pdfcache.PdfCache(cache_folder)
    after, images = _html(items, path, cache)
    assert cache.hits["charts"] == 0  # another build: every chart bound again
    assert after == _html(items, path)[0] != before
    assert set(_image_keys(after)).isdisjoint(_image_keys(before))
    # ... and the new values are what is drawn
    chart = items[0].charts[0]
    assert images.images[_image_keys(after)[0]] == spec_to_svg(pdf_spec(bind(chart, {}, path))).encode()


def test_a_changed_spec_or_value_shows_in_the_next_pdf(built_db, cache_folder):
    item = load_catalogue(USECASES).get("UC-01")
    cache = pdfcache.PdfCache(cache_folder)
    before, _ = _html([item], built_db, cache)
    chart = item.charts[0]
    spec = {**chart.spec, "title": "Ændret titel i figuren"}
    changed = item.model_copy(update={"charts": [chart.model_copy(update={"spec": spec}), *item.charts[1:]]})
    after, images = _html([changed], built_db, cache)
    assert after != before and after == _html([changed], built_db)[0]
    assert len(_image_keys(after)) == len(item.charts)  # every chart drawn, none refused
    assert "Ændret titel i figuren".encode() in images.images[_image_keys(after)[0]]
    # another value chosen for the chart: another block, drawn from that value's rows
    view = {chart.id: {"aar": 2022}}
    other, _ = _html([item], built_db, cache, views={item.id: view})
    assert "År: 2022" in other and other != before


def _chart_with_hidden_sentinel(item):
    """UC-01's first chart, its rate replaced by SENTINEL on exactly the rows whose count is hidden."""
    chart = item.charts[0]
    sql = chart.sql.replace("ROUND(1000.0 * patienter / NULLIF(befolkning, 0), 1) AS pr_1000_indbyggere",
                            f"CASE WHEN patienter IS NULL THEN {SENTINEL} "
                            "ELSE ROUND(1000.0 * patienter / NULLIF(befolkning, 0), 1) END AS pr_1000_indbyggere")
    assert sql != chart.sql
    return item.model_copy(update={"charts": [chart.model_copy(update={"sql": sql})]})


def test_a_hidden_value_never_reaches_the_cached_image_or_the_pdf(built_db, cache_folder):
    item = _chart_with_hidden_sentinel(load_catalogue(USECASES).get("UC-01"))
    # KOL among 18–39-year-olds in Region Hovedstaden: a few kommuner's counts are hidden
    view = {"diagnose": "KOL", "region": "Region Hovedstaden", "aar": 2024, "koen": "Alle",
            "aldersgruppe": "18-39"}
    bound = bind(item.charts[0], view, built_db)
    assert 0 < bound.rows.hidden < bound.rows.cells
    views = {item.id: {item.charts[0].id: view}}
    pdf = render_pdf([item], built_db, views=views)
    again = render_pdf([item], built_db, views=views)  # from the cache
    assert again == pdf
    text = _flat(pdf)
    assert "er skjult («skjult»)" in text  # the caption says what is hidden
    sentinels = ("987654", "987.654", "987,654", "987 654")
    assert not any(s in text for s in sentinels)
    # The SVG names every drawn value in its marks' aria-labels (Danish format): a leak would be there.
    svgs = [p.read_text() for p in (cache_folder / "images").iterdir()]
    assert len(svgs) == 1 and "Kommune: Hillerød; Pr. 1.000 indbyggere: 1,5" in svgs[0]
    blocks = [p.read_text() for p in (cache_folder / "charts").iterdir()]
    # The chart as the vector PDF laid onto the page: its text is the SVG's, the hidden value not among it.
    chart_pdfs = [_flat(p.read_bytes()) for p in (cache_folder / "chartpdfs").iterdir()]
    assert len(chart_pdfs) == 1 and "Hillerød" in chart_pdfs[0]
    assert not any(s in data for data in svgs + blocks + chart_pdfs for s in sentinels)


def test_the_cache_can_be_turned_off(built_db, cache_folder, monkeypatch):
    monkeypatch.setenv("KATALOG_PDF_CACHE", "0")
    items = load_catalogue(USECASES).items[:1]
    assert render_pdf(items, built_db).startswith(b"%PDF")
    assert not cache_folder.exists()


def test_charts_laid_onto_the_pages_give_the_pages_weasyprint_would_draw(built_db, monkeypatch):
    """The charts as vector PDFs placed onto the laid-out pages (pikepdf) against WeasyPrint drawing the SVGs
    itself: the same pages with the same words on each, the charts' included (a map, bars and lines)."""
    catalogue = load_catalogue(USECASES)
    items = [catalogue.get("UC-31"), catalogue.get("UC-18")]
    overlaid = render_pdf(items, built_db)
    monkeypatch.setenv("KATALOG_PDF_OVERLAY", "0")
    drawn = render_pdf(items, built_db)
    assert overlaid != drawn
    ours, theirs = PdfReader(io.BytesIO(overlaid)), PdfReader(io.BytesIO(drawn))
    assert len(ours.pages) == len(theirs.pages)
    for number, (mine, other) in enumerate(zip(ours.pages, theirs.pages, strict=True), start=1):
        # The same words (the charts come after the page's running header and footer in the content stream)
        assert sorted(mine.extract_text().split()) == sorted(other.extract_text().split()), f"side {number}"
