"""The catalogue's cards, one HTML element: every text escaped, nothing fetched, a link per card into the app."""

import re
from datetime import date

from katalog.content import load_catalogue
from katalog.voting.decisions import Decision
from tests.conftest import USECASES
from ui.render import card_html


def _item(**changes):
    return load_catalogue(USECASES).get("UC-01").model_copy(update=changes)


def test_a_card_escapes_what_an_author_wrote_and_fetches_nothing():
    item = _item(title="Astma <img src=x onerror=alert(1)>",
                 summary="Se ![kort](https://example.org/kort.png) og <script>alert(1)</script> **her**.")
    html = card_html(item)
    assert "<img" not in html and "<script" not in html
    assert "Astma &lt;img src=x onerror=alert(1)&gt;" in html
    assert not re.search(r"<\w+[^>]*\ssrc=", html)  # an image is at most a link to follow, never fetched
    assert "<strong>her</strong>" in html  # the summary's Markdown is rendered


def test_a_card_links_to_its_page_and_shows_the_chair_s_decision():
    decision = Decision("UC-01", "forste_udstilling", "Kernen i udstillingen.", f"{date(2026, 12, 1)} 10:00",
                        "Formand", None)
    html = card_html(_item(), decision)
    assert "href='usecase?id=UC-01' data-katalog-page" in html
    assert "Første udstilling (2026-12-01)" in html and "title='Kernen i udstillingen.'" in html
