"""What only a real browser shows: filters in the URL, a drawn chart, a vote counted, a PDF downloaded."""

import io
import re
import shutil

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from katalog import db as database
from katalog.content import load_catalogue
from katalog.voting.members import add_member
from tests.conftest import USECASES
from tests.e2e.conftest import running_app

TIMEOUT = 20_000


def wait_for_app(page: Page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT)


def settled(page: Page) -> None:
    """After a click: let its rerun start, then wait for it to end."""
    page.wait_for_timeout(200)
    wait_for_app(page)


def fresh_page(browser) -> Page:
    """A page in a context of its own (its own cookies: another person), at laptop size."""
    return browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()


def test_filter_changes_the_count_and_the_url(page: Page, app_url):
    total = len(load_catalogue(USECASES).items)
    page.goto(app_url + "/")
    expect(page.get_by_text(f"{total} af {total} use-cases")).to_be_visible(timeout=TIMEOUT)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stMultiSelect").filter(has_text="Diagnose").click()
    page.get_by_role("option", name=re.compile(r"^atrieflimren \(\d+\)")).click()
    page.keyboard.press("Escape")
    expect(page.get_by_text(re.compile(rf"^\d+ af {total} use-cases"))).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text(f"{total} af {total} use-cases")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"diagnose=atrieflimren"), timeout=TIMEOUT)

    # The copied link reproduces the view in a fresh page.
    copied = page.url
    fresh = page.context.new_page()
    fresh.goto(copied)
    expect(fresh.get_by_text(re.compile(rf"^\d+ af {total} use-cases"))).to_be_visible(timeout=TIMEOUT)
    expect(fresh.get_by_text("Diagnose: atrieflimren")).to_be_visible()


def test_open_a_usecase_and_see_the_chart_drawn(page: Page, app_url):
    first = load_catalogue(USECASES).items[0]
    page.goto(app_url + "/?diagnose=diabetes")
    expect(page.get_by_text(re.compile(r"^\d+ af \d+ use-cases"))).to_be_visible(timeout=TIMEOUT)
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("link", name="Åbn use-case og mockup").first.click()
    expect(page.get_by_role("heading", name=first.title)).to_be_visible(timeout=TIMEOUT)
    assert page.url.endswith(f"/usecase?id={first.id}")
    assert page.evaluate("window.__sameDocument === true")  # opened inside the app: no new page load
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible(timeout=TIMEOUT)
    # Vega draws marks into an SVG or canvas inside the element; wait until it has real size.
    drawn = chart.locator("canvas, svg").first
    expect(drawn).to_be_visible(timeout=TIMEOUT)
    box = drawn.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    expect(page.get_by_text("Forbehold ved fortolkning")).to_be_visible()
    page.go_back()  # back to the catalogue, with its filter
    expect(page.get_by_text("Diagnose: diabetes")).to_be_visible(timeout=TIMEOUT)
    assert page.evaluate("window.__sameDocument === true")


def test_download_the_pdf_with_the_usecase_titles(page: Page, app_url):
    items = load_catalogue(USECASES).items
    page.goto(app_url + "/")
    wait_for_app(page)
    page.get_by_role("link", name="Eksport").click()
    page.get_by_role("button", name="Lav PDF").click()
    download_button = page.get_by_role("button", name="Hent PDF")
    expect(download_button).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_button.click()
    pdf = info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    for item in items:
        assert " ".join(item.title.split()) in text


def test_mockdata_page_draws_its_tables_with_badges_and_aligned_numbers(page: Page, app_url):
    page.goto(app_url + "/")
    wait_for_app(page)
    page.get_by_role("link", name="Mock-data").click()
    expect(page.get_by_role("heading", name="Mock-data")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("syntetiske mock-data")).to_be_visible()
    tables = page.get_by_test_id("stTable")
    expect(tables).to_have_count(2, timeout=TIMEOUT)
    comparisons = tables.nth(1)
    expect(comparisons.get_by_role("columnheader", name="Forlæg")).to_be_visible()
    # The cells' Markdown is drawn: a badge saying "ja", never the source ":green-badge[ja]".
    expect(comparisons.get_by_text("ja", exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile(r":(green|red)-badge\["))).to_have_count(0)
    count = comparisons.locator("td").filter(has_text=re.compile(r"^\d{1,3}(\.\d{3})+$")).first
    assert count.evaluate("cell => getComputedStyle(cell).textAlign") == "right"


def test_an_invite_link_works_as_the_first_request_to_a_fresh_server(page: Page, server_db, tmp_path):
    """The link a member gets by mail is often the first thing a restarted server sees."""
    db_path = tmp_path / "catalogue.db"
    shutil.copy(server_db, db_path)
    db = database.connect(db_path)
    _, token = add_member(db, "Frede Først", "KL", "Kommune")
    db.conn.close()
    with running_app(db_path) as url:
        page.goto(f"{url}/afstemning?token={token}")
        expect(page.get_by_text("Frede Først").first).to_be_visible(timeout=TIMEOUT)  # signed in
        expect(page.get_by_text("ingen afstemningsrunde")).to_be_visible()  # a fresh database has no round
        expect(page.get_by_role("link", name="Mock-data")).to_be_visible()  # the app's own navigation
