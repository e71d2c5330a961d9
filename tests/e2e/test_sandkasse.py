"""The sandbox end to end in a real browser: a member builds a view, proposes it as a use-case, the chair accepts it
on Forslag, and it appears in the catalogue (a private database and use-case folder)."""

import re
import shutil

from playwright.sync_api import Browser, expect

from katalog import db as database
from katalog.content import load_catalogue
from katalog.review import proposals
from katalog.voting.members import add_member
from tests.conftest import NEXT_ID, USECASES
from tests.e2e.conftest import running_app
from tests.e2e.test_browser import TIMEOUT, fresh_page, settled


def test_a_view_proposed_in_the_sandbox_becomes_a_use_case(browser: Browser, server_db, tmp_path, monkeypatch):
    path = tmp_path / "catalogue.db"
    shutil.copy(server_db, path)
    folder = tmp_path / "usecases"
    shutil.copytree(USECASES, folder)
    monkeypatch.setenv("KATALOG_USECASES", str(folder))  # running_app passes the environment on to the server
    with database.opened(path) as db:
        anna, anna_token = add_member(db, "Anna Holm", "Region Nordjylland", "Region")
        _, chair_token = add_member(db, "Frida Formand", "Sundhedsdatastyrelsen", "Stat/SDS", role="chair")
    title = "KOL pr. 1.000 indbyggere efter region og køn"

    with running_app(path) as url:
        member = fresh_page(browser)
        member.goto(f"{url}/sandkasse?token={anna_token}")
        expect(member.get_by_role("heading", name="Sandkasse")).to_be_visible(timeout=TIMEOUT)
        chart = member.get_by_test_id("stVegaLiteChart").first
        expect(chart.locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT)

        # Break the regions down by sex too: the chart and the table follow.
        member.get_by_test_id("stMultiSelect").filter(has_text="Opdel efter").click()
        member.get_by_role("option", name="Køn", exact=True).click()
        member.keyboard.press("Escape")
        settled(member)
        expect(member.get_by_text("Patienter pr. 1.000 indbyggere efter region og køn")).to_be_visible(timeout=TIMEOUT)
        expect(member.get_by_text("koen <> 'Alle'", exact=False)).to_have_count(1)  # the generated SQL, shown

        member.get_by_label("Titel", exact=True).fill(title)
        member.get_by_label("Kort resumé (til kortet i kataloget)").fill("KOL i regionerne for kvinder og mænd.")
        member.get_by_role("button", name="Foreslå som use-case").click()
        settled(member)
        expect(member.get_by_text("er gemt og venter på formanden")).to_be_visible(timeout=TIMEOUT)
        expect(member.get_by_text("Afventer formanden")).to_be_visible(timeout=TIMEOUT)
        with database.opened(path) as db:
            [proposal] = proposals.mine(db, anna.id)
        assert proposal.usecase_id == NEXT_ID and proposal.title == title

        # The chair sees it with the proposer's name, previews it and accepts it.
        chair = fresh_page(browser)
        chair.goto(f"{url}/forslag?token={chair_token}")
        card = chair.locator(f".st-key-proposal-{proposal.id}")
        expect(card.get_by_text("Anna Holm")).to_be_visible(timeout=TIMEOUT)
        card.get_by_text("Vis forslaget").click()
        expect(card.get_by_test_id("stVegaLiteChart").locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT)
        card.get_by_role("button", name="Acceptér og skriv filen").click()
        settled(chair)
        expect(chair.get_by_text(re.compile(rf"accepteret og skrevet til {NEXT_ID}-"))).to_be_visible(timeout=TIMEOUT)
        assert (folder / proposal.file).read_text(encoding="utf-8") == proposal.markdown
        assert load_catalogue(folder).get(NEXT_ID).status == "forslag"

        chair.get_by_role("link", name="Katalog").click()
        search = chair.get_by_role("textbox", name="Søg")  # the catalogue shows 24 cards a page: search for it
        search.fill(title)
        search.press("Enter")
        expect(chair.get_by_text(f"{NEXT_ID} · {title}")).to_be_visible(timeout=TIMEOUT)
        member.reload()
        expect(member.get_by_text(re.compile(r"^Accepteret"))).to_be_visible(timeout=TIMEOUT)
