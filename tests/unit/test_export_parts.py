"""The PDF laid out part by part (katalog/export/assemble.py) against WeasyPrint laying out the whole document:
the same pages with the same words, page numbers, contents, links and bookmarks; after a vote only the overview
is laid out again; workers never run the main script (under Streamlit, the page itself). No timings asserted."""

import io
import os
import re
import sys
import types
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest
from pypdf import PdfReader

from katalog.content import load_catalogue
from katalog.export import ExportError, OverviewSection, assemble, layout, render_pdf
from tests.conftest import USECASES


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    folder = tmp_path / "pdfcache"
    monkeypatch.setenv("KATALOG_PDF_CACHE", str(folder))
    for name in ("KATALOG_PDF_CHARTS", "KATALOG_PDF_OVERLAY", "KATALOG_PDF_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    return folder


def _overview(rank_of_first: str) -> OverviewSection:
    records = [{"Placering": rank_of_first, "Use-case": "Knogleskørhed", "Median": "7"},
               {"Placering": "2", "Use-case": "Hjertesvigt", "Median": "6"}]
    return OverviewSection("Prioriteret overblik – Runde 1 (lukket)", ["Rækkefølgen efter vægtet gennemsnit."],
                           records, ["Placering", "Use-case", "Median"])


def _items():
    catalogue = load_catalogue(USECASES)
    return [catalogue.get("UC-31"), catalogue.get("UC-18")]


def _words(reader: PdfReader) -> list[list[str]]:
    return [sorted(page.extract_text().split()) for page in reader.pages]


def _characters(reader: PdfReader) -> list[str]:
    # Not words: «0%» in a chart is one word when WeasyPrint draws it and two in vl-convert's PDF
    return ["".join(sorted("".join(page.extract_text().split()))) for page in reader.pages]


def _outline(reader: PdfReader, tree=None) -> list:
    out = []
    for entry in reader.outline if tree is None else tree:
        if isinstance(entry, list):
            out.append(_outline(reader, entry))
        else:
            out.append((entry.title, reader.get_destination_page_number(entry)))
    return out


def test_parts_give_the_pages_words_numbers_and_bookmarks_of_the_whole_document(built_db, monkeypatch):
    items = _items()
    parts = PdfReader(io.BytesIO(render_pdf(items, built_db, _overview("1"))))
    monkeypatch.setenv("KATALOG_PDF_OVERLAY", "0")
    whole = PdfReader(io.BytesIO(render_pdf(items, built_db, _overview("1"))))

    assert len(parts.pages) == len(whole.pages) > 6
    total = len(parts.pages)
    for number, (mine, theirs) in enumerate(zip(_characters(parts), _characters(whole), strict=True), start=1):
        assert mine == theirs, f"side {number}"
    for number, page in enumerate(parts.pages, start=1):
        text = page.extract_text()
        stamps = re.findall(r"Side (\d+) af (\d+)", text)
        assert stamps == ([] if number == 1 else [(str(number), str(total))]), f"side {number}"
    assert [p.mediabox.width > p.mediabox.height for p in parts.pages] == \
        [p.mediabox.width > p.mediabox.height for p in whole.pages]  # the overview's pages are landscape
    assert _outline(parts) == _outline(whole)
    assert parts.metadata.title == whole.metadata.title == "Use-case-katalog: nye data fra almen praksis"


def test_the_contents_show_and_link_to_each_part_s_first_page(built_db):
    reader = PdfReader(io.BytesIO(render_pdf(_items(), built_db, _overview("1"))))
    texts = [page.extract_text() for page in reader.pages]
    headings = {"prioritering": "Prioriteret overblik – Runde 1", "UC-31": "UC-31", "UC-18": "UC-18"}
    first_page = {anchor: next(n for n, text in enumerate(texts) if n > 1 and heading in text)
                  for anchor, heading in headings.items()}
    contents = texts[1]
    for anchor, page in first_page.items():
        label = "Prioriteret overblik" if anchor == "prioritering" else anchor
        assert re.search(rf"{label}.*?\.+ ?{page + 1}\b", contents), (anchor, page + 1, contents)
    links = [annotation.get_object() for annotation in reader.pages[1].get("/Annots", [])]
    targets = {reader.get_page_number(link["/Dest"][0]) for link in links if "/Dest" in link}
    assert targets == set(first_page.values())  # (an entry's text, leader and number are links of their own)
    assert not any("/A" in link and "katalog-toc" in str(link["/A"].get("/URI", "")) for link in links)
    names = reader.named_destinations
    assert {name: reader.get_destination_page_number(dest) for name, dest in names.items()
            if name in first_page} == first_page


def test_after_a_vote_only_the_overview_is_laid_out_again(built_db, monkeypatch):
    monkeypatch.setenv("KATALOG_PDF_WORKERS", "1")  # in this process, so the layouts can be counted
    laid_out = []
    lay_out = layout.lay_out

    def counting(document, css, images):
        laid_out.append(re.search(r"<section class='(\w+)'", document).group(1))
        return lay_out(document, css, images)

    monkeypatch.setattr(layout, "lay_out", counting)
    items = _items()
    render_pdf(items, built_db, _overview("1"))
    assert sorted(laid_out) == ["cover", "overview", "toc", "toc", "uc", "uc"]  # contents: guess, then pages
    laid_out.clear()
    changed = render_pdf(items, built_db, _overview("1 (delt)"))
    assert laid_out == ["overview"]  # the contents' pages did not move: from the cache, as are the use-cases
    assert "1 (delt)" in " ".join(page.extract_text() for page in PdfReader(io.BytesIO(changed)).pages)


def test_parts_in_workers_or_here_give_the_same_pages(built_db, monkeypatch, cache_folder):
    items = _items()
    monkeypatch.setenv("KATALOG_PDF_CACHE", "0")
    in_workers = PdfReader(io.BytesIO(render_pdf(items, built_db)))
    monkeypatch.setenv("KATALOG_PDF_WORKERS", "1")
    here = PdfReader(io.BytesIO(render_pdf(items, built_db)))
    assert _words(in_workers) == _words(here)


def test_a_caveat_that_names_a_chart_image_is_text_and_the_export_works(built_db):
    """A member's text is escaped; one that looks like the document's own image address is not taken for one."""
    typed = f"Se <img src='katalog-chart:{'a' * 64}.svg'> og katalog-chart:{'b' * 64}.svg"
    caveats = {"UC-31": [types.SimpleNamespace(text=typed, date="2026-12-08")]}
    reader = PdfReader(io.BytesIO(render_pdf(_items()[:1], built_db, caveats=caveats)))
    assert f"katalog-chart:{'b' * 64}.svg" in "".join(page.extract_text() for page in reader.pages).replace("\n", "")


@pytest.mark.parametrize("how", ["cannot start", "a worker killed"])
def test_a_broken_worker_pool_falls_back_to_working_here(built_db, monkeypatch, how):
    class Broken:
        def submit(self, *args):
            if how == "cannot start":
                raise OSError("ingen /dev/shm")
            future = Future()
            future.set_exception(BrokenProcessPool("en proces døde"))
            return future

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(assemble, "_pool", lambda: Broken())
    monkeypatch.setenv("KATALOG_PDF_CACHE", "0")  # charts are drawn, and pages laid out, after the pool broke
    pdf = render_pdf(_items()[:1], built_db)
    assert "UC-31" in PdfReader(io.BytesIO(pdf)).pages[2].extract_text()


def test_a_layout_error_is_an_export_error_not_a_broken_pool(built_db, monkeypatch):
    monkeypatch.setenv("KATALOG_PDF_WORKERS", "1")
    monkeypatch.setattr(layout, "lay_out", lambda *args: (_ for _ in ()).throw(ValueError("ødelagt CSS")))
    with pytest.raises(ExportError, match="ødelagt CSS"):
        render_pdf(_items()[:1], built_db)


@pytest.mark.skipif(os.cpu_count() == 1, reason="one core: parts are laid out in this process")
def test_a_worker_never_runs_the_main_script(built_db, monkeypatch, tmp_path):
    """Under Streamlit, `__main__` is the page script; multiprocessing would run it in every worker it starts."""
    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'a').write('ran')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    monkeypatch.setenv("KATALOG_PDF_WORKERS", "2")

    with assemble.Parts("", (), None) as laying:
        pids = [pid for _, pid in laying._run([(os.getpid,), (os.getpid,)], 0, 2, tell=False)]
    assert os.getpid() not in pids  # the jobs ran in workers
    assert render_pdf(_items()[:1], built_db).startswith(b"%PDF")
    assert not marker.exists()
    assert sys.modules["__main__"] is page  # the app's own main module is not touched
