"""A prioritisation round end to end in a real browser: the chair opens a round, two members vote through their
links (one reloads mid-way and keeps identity and unsaved scores), the chair closes the round and records a
decision, and the overview page and the downloaded PDF show them. A member cannot reach the chair's pages."""

import io
import re
import shutil

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from katalog import db as database
from katalog.voting.ballots import ballot_for
from katalog.voting.members import add_member
from katalog.voting.rounds import current_round
from tests.conftest import USECASES as USECASE_FILES
from tests.e2e.conftest import running_app
from tests.e2e.test_browser import TIMEOUT, fresh_page, settled

USECASES = ["UC-01", "UC-02"]


def _score(page: Page, usecase: str, score: str) -> None:
    """Click `score` for every criterion of one use-case, each click a rerun that keeps a draft."""
    box = page.locator(f".st-key-ballot-{usecase}")
    for n in range(3):
        box.get_by_role("radio", name=score, exact=True).nth(n).click()
        settled(page)


def test_a_round_from_opening_to_the_pdf(browser: Browser, server_db, tmp_path, monkeypatch):
    path = tmp_path / "catalogue.db"
    shutil.copy(server_db, path)
    # Six use-cases, so the chair's use-case picker shows every chip and removing four is quick.
    folder = tmp_path / "usecases"
    folder.mkdir()
    for file in sorted(USECASE_FILES.glob("UC-0[1-6]-*.md")):
        shutil.copy(file, folder / file.name)
    monkeypatch.setenv("KATALOG_USECASES", str(folder))  # running_app passes the environment on
    with database.opened(path) as db:
        _, chair_token = add_member(db, "Frida Formand", "Sundhedsdatastyrelsen", "Stat/SDS", role="chair")
        anna, anna_token = add_member(db, "Anna Holm", "Region Nordjylland", "Region")
        bo, bo_token = add_member(db, "Bo Berg", "KL", "Kommune/KL")
        db.conn.execute("DELETE FROM rounds WHERE status = 'open'")  # a clean start whatever the copy holds

    with running_app(path) as url:
        # The chair opens a round for two use-cases, results shown at once so one member is enough to see them.
        chair = fresh_page(browser)
        chair.goto(f"{url}/afstemning?token={chair_token}")
        expect(chair.get_by_text("Frida Formand").first).to_be_visible(timeout=TIMEOUT)
        chair.get_by_role("link", name="Runder").click()
        settled(chair)
        chair.get_by_label("Titel").fill("Runde 1: første udstilling")
        use_cases = chair.get_by_test_id("stMultiSelect").filter(has_text="Use-cases")
        others = use_cases.get_by_label(re.compile(r"^(Remove|Fjern) UC-"))
        expect(others.nth(len(USECASES))).to_be_visible(timeout=TIMEOUT)  # the default: every use-case
        for _ in range(10):  # never loop forever if a chip will not go
            if others.count() <= len(USECASES):
                break
            others.last.click()
        chair.get_by_role("button", name="Åbn runden").click()
        expect(chair.get_by_text("Åben runde: «Runde 1: første udstilling»")).to_be_visible(timeout=TIMEOUT)
        with database.opened(path) as db:
            assert current_round(db).settings.usecases == USECASES

        # Anna scores one use-case, reloads mid-way: still signed in, the unsaved scores still there.
        member = fresh_page(browser)
        member.goto(f"{url}/afstemning?token={anna_token}")
        expect(member.get_by_text("Du stemmer som")).to_be_visible(timeout=TIMEOUT)
        expect(member).not_to_have_url(re.compile("token="))
        _score(member, "UC-01", "8")
        member.reload()
        expect(member.get_by_text("Anna Holm").first).to_be_visible(timeout=TIMEOUT)
        expect(member.get_by_text("ikke er gemt endnu")).to_be_visible(timeout=TIMEOUT)
        chosen = member.locator(".st-key-ballot-UC-01").get_by_role("radio", name="8", exact=True).first
        expect(chosen).to_have_attribute("aria-checked", "true")
        _score(member, "UC-02", "3")
        member.get_by_role("button", name="Gem min stemmeseddel").click()
        expect(member.get_by_text("Din stemmeseddel er gemt")).to_be_visible(timeout=TIMEOUT)

        # A member is refused on the chair's pages, even by typing the address.
        member.goto(f"{url}/runder")
        expect(member.get_by_text("kun for formanden")).to_be_visible(timeout=TIMEOUT)
        expect(member.get_by_role("button", name="Luk runden")).to_have_count(0)

        # Signing out ends the sign-in in this browser, also after a reload.
        member.get_by_role("button", name="Log ud").click()
        expect(member.get_by_text("Ikke logget ind")).to_be_visible(timeout=TIMEOUT)
        member.goto(f"{url}/afstemning")
        expect(member.get_by_text("Ikke logget ind")).to_be_visible(timeout=TIMEOUT)
        expect(member.get_by_text("Anna Holm")).to_have_count(0)

        # Bo votes too.
        other = fresh_page(browser)
        other.goto(f"{url}/afstemning?token={bo_token}")
        expect(other.get_by_text("Du stemmer som")).to_be_visible(timeout=TIMEOUT)
        _score(other, "UC-01", "9")
        _score(other, "UC-02", "2")
        other.get_by_role("button", name="Gem min stemmeseddel").click()
        expect(other.get_by_text("Din stemmeseddel er gemt")).to_be_visible(timeout=TIMEOUT)
        with database.opened(path) as db:
            round_id = current_round(db).id
            assert ballot_for(db, anna.id, round_id)[0].items["UC-01"].scores == {
                "value": 8, "feasibility": 8, "maturity": 8}
            assert ballot_for(db, bo.id, round_id) is not None

        # Members see nothing of the results while the round is open.
        other.get_by_role("link", name="Prioriteret overblik").click()
        expect(other.get_by_text("er skjult, indtil runden lukkes")).to_be_visible(timeout=TIMEOUT)

        # The chair closes the round and records a decision.
        chair.get_by_role("link", name="Runder").click()
        settled(chair)
        chair.get_by_role("button", name="Luk runden").click()
        expect(chair.get_by_text("Opret en runde")).to_be_visible(timeout=TIMEOUT)
        chair.get_by_role("link", name="Beslutninger").click()
        settled(chair)
        box = chair.locator(".st-key-decide-UC-01")
        box.get_by_test_id("stSelectbox").click()
        chair.get_by_role("option", name="Første udstilling").click()
        box.get_by_label("Begrundelse").fill("Kernen i første udstilling på eSundhed")
        box.get_by_label("Begrundelse").press("Enter")
        settled(chair)
        box.get_by_role("button", name="Gem beslutning").click()
        expect(chair.get_by_text("Beslutningen er gemt")).to_be_visible(timeout=TIMEOUT)

        # The overview, now open to members, shows the decision and the rank.
        other.reload()
        expect(other.get_by_role("heading", name="Prioriteret overblik")).to_be_visible(timeout=TIMEOUT)
        table = other.get_by_test_id("stDataFrame").first
        expect(table).to_be_visible(timeout=TIMEOUT)
        expect(other.get_by_text("er skjult")).to_have_count(0)

        # The PDF of the overview carries the decision and the result, and no member's name.
        chair.get_by_role("link", name="Eksport").click()
        settled(chair)
        chair.get_by_text("Kun det prioriterede overblik for en runde").click()
        settled(chair)
        chair.get_by_role("button", name="Lav PDF").click()
        download = chair.get_by_role("button", name="Hent PDF")
        expect(download).to_be_visible(timeout=60_000)
        with chair.expect_download() as info:
            download.click()
        pdf = info.value.path().read_bytes()
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
        assert "Prioriteret overblik – Runde 1: første udstilling (lukket)" in text
        assert "Kernen i første udstilling på eSundhed" in text and "Første udstilling" in text
        assert "2 stemmesedler" in text
        assert "Anna Holm" not in text and "Bo Berg" not in text
