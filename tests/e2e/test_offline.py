"""Nothing is fetched from outside at run time: every request of every page goes to the app itself.

Besides the requests the browser makes, every URL the page's elements point at (the tab icon's
<link>, images, scripts, stylesheets) is checked too, since a browser may fetch some of them later
or only when shown (a tab icon in a window).
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.conftest import ROOT
from tests.e2e.test_browser import TIMEOUT, wait_for_app

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
INLINE_SCHEMES = {"data", "blob", "about"}
PATHS = ["/", "/usecase?id=UC-01", "/afstemning", "/prioritering", "/eksport", "/mockdata", "/problemer", "/runder",
         "/medlemmer", "/beslutninger", "/sandkasse", "/forslag"]

_POINTED_AT = """() => [...document.querySelectorAll(
    'link[href], img[src], script[src], source[src], iframe[src], video[src], audio[src], embed[src], '
    + 'object[data], image[href]')]
  .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('data'))
  .map(u => new URL(u, document.baseURI).href)"""


def _outside(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in INLINE_SCHEMES:
        return False
    return parts.hostname not in LOCAL_HOSTS


def test_the_paths_cover_every_page_of_the_app():
    url_paths = re.findall(r'url_path="([^"]+)"', (ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    assert url_paths and {urlsplit(f"/{p}").path for p in url_paths} <= {urlsplit(p).path for p in PATHS}


@pytest.mark.parametrize("path", PATHS)
def test_a_page_fetches_nothing_from_outside(page: Page, app_url, path):
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    page.goto(app_url + path)
    wait_for_app(page)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT)
    if path.startswith("/usecase"):
        page.get_by_test_id("stVegaLiteChart").first.locator("canvas, svg").first.wait_for(timeout=TIMEOUT)
    pointed_at = page.evaluate(_POINTED_AT)
    fetched = sorted({url for url in requested if _outside(url)})
    linked = sorted({url for url in pointed_at if _outside(url)} - set(fetched))
    assert not fetched and not linked, f"{path} fetches {fetched} and points its elements at {linked}"
    assert any(urlsplit(url).hostname in LOCAL_HOSTS for url in requested)  # the recording works
