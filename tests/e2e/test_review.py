"""Reviewing a mockup in a real browser: a member says a chart view is not recognisable and names a missing
caveat, the chair adopts the caveat, and the declaration shows it, marked as the working group's, with its date."""

import shutil

from playwright.sync_api import Browser, expect

from katalog import db as database
from katalog.review.reviews import adopted_caveats
from katalog.voting.members import add_member
from tests.e2e.conftest import running_app
from tests.e2e.test_browser import TIMEOUT, fresh_page, settled

CAVEAT = "Små kommuner svinger meget fra år til år; se flere år sammen"


def test_a_missing_caveat_from_a_review_reaches_the_declaration(browser: Browser, server_db, tmp_path):
    path = tmp_path / "catalogue.db"
    shutil.copy(server_db, path)
    with database.opened(path) as db:
        _, member_token = add_member(db, "Rikke Region", "Region Sjælland", "Region")
        _, chair_token = add_member(db, "Frida Formand", "Sundhedsdatastyrelsen", "Stat/SDS", role="chair")

    with running_app(path) as url:
        member = fresh_page(browser)
        member.goto(f"{url}/usecase?id=UC-01&token={member_token}")
        expect(member.get_by_text("Rikke Region").first).to_be_visible(timeout=TIMEOUT)
        member.get_by_text("Din vurdering af denne visning").first.click()
        form = member.get_by_test_id("stForm").first
        form.get_by_text("Nej", exact=True).click()
        form.get_by_label("Et forbehold, som deklarationen mangler").fill(CAVEAT)
        form.get_by_role("button", name="Gem vurdering").click()
        expect(member.get_by_text("Din vurdering er gemt")).to_be_visible(timeout=TIMEOUT)

        chair = fresh_page(browser)
        chair.goto(f"{url}/usecase?id=UC-01&token={chair_token}")
        expect(chair.get_by_text("Arbejdsgruppens vurderinger")).to_be_visible(timeout=TIMEOUT)
        chair.get_by_role("button", name="Optag").first.click()
        settled(chair)
        with database.opened(path) as db:
            assert [c.text for c in adopted_caveats(db, "UC-01")] == [CAVEAT]

        member.reload()
        expect(member.get_by_text("Forbehold ved fortolkning")).to_be_visible(timeout=TIMEOUT)
        expect(member.get_by_text(f"{CAVEAT} (tilføjet af arbejdsgruppen")).to_be_visible(timeout=TIMEOUT)
        expect(member.get_by_text("Frida Formand")).to_have_count(0)  # the chair acted; no name on a member's page
