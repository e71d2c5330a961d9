"""The Use-case page in a real browser: the picker, a view shared by its URL, and no English on screen."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from katalog.content import load_catalogue
from tests.conftest import USECASES
from tests.e2e.test_browser import TIMEOUT, wait_for_app
from ui import texts

ITEMS = {item.id: item for item in load_catalogue(USECASES).items}
UC03 = ITEMS["UC-03"]
CHART = UC03.charts[0]  # forloeb_90_dage_region: diagnose, år, køn, aldersgruppe

# Streamlit's and Vega's own English, as a member would meet it on these pages (visible or read aloud).
ENGLISH_LABELS = {*texts.STREAMLIT_DANISH, "Remove", "Clear", "Show data", "Deploy", "Rerun", "Settings", "Print"}
ENGLISH = re.compile(r"\b(X-axis|Y-axis|[Ll]egend titled|linear scale|discrete scale|Select all|Page not found|"
                     r"Download as|Copy Vega|Fullscreen|Show data|Choose an? option|No results|Running\.\.\.|"
                     r"Made with Streamlit)\b")

_SHOWN = """() => {
  const shown = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.nodeValue.trim(); const p = n.parentElement;
    if (t && p && !p.closest('style, script') && shown(p)) out.push(t);
  }
  for (const e of document.querySelectorAll('[aria-label], [title], [placeholder], [aria-description]')) {
    if (!shown(e) && !e.closest('[data-testid=stVegaLiteChart]')) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'aria-description']) {
      const v = e.getAttribute(a); if (v) out.push(v.trim());
    }
  }
  return out;
}"""


def english_on(page: Page) -> list[str]:
    """Every text a member can see or have read aloud on the page that is Streamlit's or Vega's English."""
    return sorted({text for text in page.evaluate(_SHOWN) if text in ENGLISH_LABELS or ENGLISH.search(text)})


def choose(page: Page, selectbox, option: str) -> None:
    selectbox.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def chart_drawn(page: Page) -> None:
    drawn = page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first
    expect(drawn).to_be_visible(timeout=TIMEOUT)


def test_pick_a_use_case_set_a_parameter_and_share_the_view_by_its_url(page: Page, app_url, browser: Browser):
    page.goto(f"{app_url}/usecase?id=UC-01")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=ITEMS["UC-01"].title)).to_be_visible(timeout=TIMEOUT)

    choose(page, page.get_by_test_id("stSelectbox").filter(has_text=texts.USECASE_PICKER).first,
           f"UC-03 · {UC03.title}")
    expect(page.get_by_role("heading", name=UC03.title)).to_be_visible(timeout=TIMEOUT)
    expect(page).to_have_url(re.compile(r"[?&]id=UC-03"), timeout=TIMEOUT)
    chart_drawn(page)

    year = page.locator(f".st-key-params-UC-03-{CHART.id}").get_by_test_id("stSelectbox").filter(has_text="År")
    choose(page, year, "2022")
    expect(page).to_have_url(re.compile(rf"{CHART.id}\.aar=2022"), timeout=TIMEOUT)
    expect(page.get_by_role("heading", name=UC03.title)).to_be_visible()  # the picker did not jump back
    assert not english_on(page), english_on(page)

    copied = page.url
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = fresh.new_page()
        other.goto(copied)
        wait_for_app(other)
        expect(other.get_by_role("heading", name=UC03.title)).to_be_visible(timeout=TIMEOUT)
        shared = other.locator(f".st-key-params-UC-03-{CHART.id}")
        expect(shared.get_by_role("combobox", name="År")).to_have_value("2022")
        diagnose = next(p.default for p in CHART.params if p.name == "diagnose")
        expect(shared.get_by_role("combobox", name="Diagnose")).to_have_value(str(diagnose))
        chart_drawn(other)
        assert not english_on(other), english_on(other)
    finally:
        fresh.close()


def test_no_english_in_the_chart_menu_the_pickers_or_an_empty_view(page: Page, app_url):
    page.goto(f"{app_url}/usecase?id=UC-01&forekomst_region_koen.aldersgruppe=0-17")
    wait_for_app(page)
    expect(page.get_by_text("KOL diagnosticeres ikke hos børn.")).to_be_visible(timeout=TIMEOUT)
    chart_drawn(page)
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.hover()  # Streamlit's English chart menu (Show data, Download as PNG, Fullscreen) would show now
    toolbars = page.get_by_test_id("stElementToolbar")
    for index in range(toolbars.count()):
        expect(toolbars.nth(index)).to_be_hidden()
    assert not english_on(page), english_on(page)

    picker = page.get_by_test_id("stSelectbox").filter(has_text=texts.USECASE_PICKER).first
    picker.click()
    page.keyboard.type("zzzz")  # no match: Streamlit says "No results"
    expect(page.get_by_text(texts.STREAMLIT_DANISH["No results"])).to_be_visible(timeout=TIMEOUT)
    assert not english_on(page), english_on(page)
    page.keyboard.press("Escape")

    # The catalogue's filters, reached from here: the options are Danish, and there is no «Select all».
    page.get_by_role("link", name=texts.PAGES["katalog"]).click()
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Diagnose").click()
    expect(page.get_by_role("option", name=re.compile(r"^KOL \(\d+\)$"))).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("option", name=re.compile("Select all|Vælg alle"))).to_have_count(0)
    assert not english_on(page), english_on(page)
