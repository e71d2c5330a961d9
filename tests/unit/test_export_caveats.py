"""An adopted caveat appears in the PDF's declaration, marked as the working group's, and leaves it when withdrawn;
reviewers' names never reach the PDF."""

import io
import shutil

from pypdf import PdfReader

from katalog import db as database
from katalog.content import load_catalogue
from katalog.export import render_pdf
from katalog.review.reviews import adopt, caveats_by_usecase, save_review, withdraw
from katalog.voting.members import add_member
from tests.conftest import USECASES

CAVEAT = "Små kommuner svinger meget fra år til år"


def _text(path, items) -> str:
    with database.opened(path) as db:
        caveats = caveats_by_usecase(db)
    pdf = render_pdf(items, path, caveats=caveats)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_an_adopted_caveat_is_in_the_pdf_until_it_is_withdrawn(built_db, tmp_path):
    path = tmp_path / "catalogue.db"
    shutil.copy(built_db, path)
    items = load_catalogue(USECASES).items[:1]
    with database.opened(path) as db:
        member, _ = add_member(db, "Rikke Region", "Region Sjælland", "Region")
        chair, _ = add_member(db, "Frida Formand", "SDS", "Stat/SDS", role="chair")
        review = save_review(db, member, items[0].id, items[0].charts[0].id, {}, "nej", missing_caveat=CAVEAT)
        caveat = adopt(db, chair, items[0].id, CAVEAT, review.id)
    text = _text(path, items)
    assert f"{CAVEAT} (tilføjet af arbejdsgruppen" in text
    assert "Rikke Region" not in text and "Frida Formand" not in text
    with database.opened(path) as db:
        withdraw(db, chair, caveat.id)
    assert CAVEAT not in _text(path, items)
