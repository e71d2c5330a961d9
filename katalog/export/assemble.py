"""The PDF in parts: each part of the document laid out on its own (in parallel worker processes when the machine
has the cores), kept in the cache, and joined with pikepdf.

Laying out 131 pages of text is most of what a changed export costs (≈9 s of WeasyPrint on one core). In parts,
two cores lay the catalogue out in about 60 % of that time, and after a vote, a decision or an adopted caveat only
the parts that changed are laid out again: the others come from the cache (`parts/`, keyed on the part's HTML, the
CSS and the versions that lay it out and draw its charts).

What a single WeasyPrint document did across parts is done after the join:
- «Side X af Y» in every footer but the cover's: laid out once on a sheet (`layout.stamp_sheet`) and each stamp
  placed at the foot of its page;
- the contents' page numbers: the contents are laid out last, with the parts' first pages;
- the contents' links, the named destinations (catalogue.pdf#UC-05) and the bookmarks, from each part's anchors
  and bookmark tree, shifted by the pages before it.
A test compares the words on every page with WeasyPrint laying out the whole document (tests/unit/
test_export_speed_paths.py).
"""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import BrokenExecutor, Future
from dataclasses import dataclass

from katalog.export import layout, pdfcache
from katalog.export.layout import LaidOut

LOG = logging.getLogger(__name__)
_PT_PER_PX = 0.75  # WeasyPrint's CSS pixel is 1/96 in; PDF points are 1/72 in
_PT_PER_MM = 72 / 25.4
_PX_PER_MM = 96 / 25.4
_MAX_WORKERS = 4
# The bottom margin (the footer's box) of each kind of page, in mm: (page width, margin height); see document.CSS.
FOOTER = {"portrait": (210.0, 22.0), "wide": (297.0, 18.0)}


@dataclass(frozen=True)
class Part:
    """One part of the document: `kind` is cover, toc, overview or usecase; `html` the whole HTML document of it;
    `images` its charts' URLs with what WeasyPrint is given for each (an empty image of its size, or the chart)."""

    kind: str
    html: str
    images: Mapping[str, bytes]
    overlays: Mapping[str, str]  # URL -> chart key, for each chart laid onto its empty image's place

    @property
    def page_kind(self) -> str:
        """cover (no page number), wide (the overview, landscape) or portrait."""
        return {"cover": "cover", "overview": "wide"}.get(self.kind, "portrait")


Progress = Callable[[float, str], None]
_BROKEN = (BrokenExecutor, OSError)  # the pool, not the job, failed: the work is done in this process instead
ChartPdfs = Callable[[Collection[str]], Mapping[str, bytes]]  # chart keys -> each chart as a one-page PDF


class Parts:
    """Lays parts out, from the cache where it can, in worker processes while it is open (a context manager)."""

    def __init__(self, css: str, versions: Sequence[str], cache: pdfcache.PdfCache | None,
                 progress: Progress | None = None):
        self.css, self.versions, self.cache, self.progress = css, tuple(versions), cache, progress
        self.laid_out_now = 0  # parts not found in the cache (tests and the bench read it)
        self._pool = None
        self._pool_tried = False

    def __enter__(self) -> Parts:
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def key(self, part: Part) -> str:
        return pdfcache.digest("part-v1", part.html, self.css, self.versions, pdfcache.code_fingerprint())

    def cached(self, part: Part) -> LaidOut | None:
        if self.cache is None:
            return None
        key = self.key(part)
        data, pdf = self.cache.get_json("partinfo", key), self.cache.get("parts", key)
        if not isinstance(data, dict) or pdf is None:
            return None
        try:
            return LaidOut.from_json(pdf, data)
        except (KeyError, TypeError, ValueError):
            return None

    def submit(self, function: Callable, *args) -> Future:
        """`function(*args)` in a worker process (done here when there are no workers)."""
        if (pool := self._executor()) is not None:
            try:
                return pool.submit(function, *args)
            except _BROKEN as error:
                self._drop_pool(error)
        future: Future = Future()
        try:
            future.set_result(function(*args))
        except Exception as error:  # raised where the result is read, as from a worker
            future.set_exception(error)
        return future

    @property
    def parallel(self) -> bool:
        """Whether jobs run in worker processes."""
        return self._executor() is not None

    def lay_out_all(self, parts: Sequence[Part], chart_pdfs: ChartPdfs, tell: bool = True) -> list[LaidOut]:
        """Each part laid out (or from the cache), its charts (as one-page PDFs from `chart_pdfs`) laid on, in
        order."""
        done: dict[int, LaidOut] = {}
        for n, part in enumerate(parts):
            if (found := self.cached(part)) is not None:
                done[n] = found
        missing = [n for n in range(len(parts)) if n not in done]
        self.laid_out_now += len(missing)
        jobs = [self._job(parts[n]) for n in missing]
        charts: dict[str, bytes] = {}

        def convert_charts() -> None:  # while the workers lay out
            charts.update(chart_pdfs({key for n in missing for key in parts[n].overlays.values()}))

        for index, laid_out in self._run(jobs, len(done), len(parts), tell, meanwhile=convert_charts):
            n = missing[index]
            done[n] = self._finish(parts[n], laid_out, charts)
        return [done[n] for n in range(len(parts))]

    def lay_out_with_stamps(self, part: Part, stamps: list[tuple[str, float, float]],
                            chart_pdfs: ChartPdfs) -> tuple[LaidOut, bytes]:
        """One part (the contents, laid out last) and the sheet of page numbers (`layout.stamp_sheet`), side by
        side, each from the cache when it is there."""
        stamps_key = pdfcache.digest("stamps-v1", stamps, self.css, self.versions, pdfcache.code_fingerprint())
        laid_out = self.cached(part)
        sheet = self.cache.get("parts", stamps_key) if self.cache is not None else None
        jobs = ([] if laid_out is not None else [self._job(part)]) + (
            [] if sheet is not None else [(layout.stamp_sheet, stamps)])
        for _index, result in self._run(jobs, 0, 1, tell=False):
            if isinstance(result, LaidOut):
                self.laid_out_now += 1
                laid_out = self._finish(part, result, chart_pdfs(set(part.overlays.values())))
            else:
                sheet = result
                if self.cache is not None:
                    self.cache.put("parts", stamps_key, sheet)
        return laid_out, sheet

    def _job(self, part: Part) -> tuple:
        return layout.lay_out, part.html, self.css, dict(part.images)

    def _run(self, jobs: Sequence[tuple], already: int, total: int, tell: bool,
             meanwhile: Callable[[], None] = lambda: None) -> list:
        """(index, result) of each job (a function and its arguments), in the worker processes when there are
        any, else here; when the pool breaks (a killed worker), the jobs without a result are done here. A job's
        own error is raised (it would fail here too). `meanwhile` runs here while the workers work."""
        results: list = []
        meanwhile = _once(meanwhile)
        if self._executor() is not None:
            try:
                self._run_in_pool(jobs, results, meanwhile, lambda: tell and self._tell(already + len(results), total))
                return results
            except _BROKEN as error:
                self._drop_pool(error)
        meanwhile()
        finished = {index for index, _ in results}
        for index, (function, *args) in enumerate(jobs):
            if index not in finished:
                results.append((index, function(*args)))
                if tell:
                    self._tell(already + len(results), total)
        return results

    def _run_in_pool(self, jobs, results: list, meanwhile: Callable[[], None], told: Callable[[], object]) -> None:
        from concurrent.futures import as_completed

        futures = {self._pool.submit(*job): index for index, job in enumerate(jobs)}
        meanwhile()
        for future in as_completed(futures):
            results.append((futures[future], future.result()))
            told()

    def _drop_pool(self, error: BaseException) -> None:
        LOG.warning("PDF workers failed (%s); working in this process", error)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _executor(self):
        if not self._pool_tried:
            self._pool_tried = True
            self._pool = _pool()
        return self._pool

    def _tell(self, done: int, total: int) -> None:
        if self.progress:
            self.progress(done / max(total, 1), f"Sætter siderne op ({done} af {total} dele) …")

    def _finish(self, part: Part, laid_out: LaidOut, charts: Mapping[str, bytes]) -> LaidOut:
        """The part with its charts laid on, stored in the cache."""
        places = [p for p in laid_out.places if p[1] in part.overlays]
        if places:
            laid_out.pdf = lay_charts_on(laid_out.pdf, places, {url: charts[key] for url, key in part.overlays.items()})
        laid_out.places = []
        if self.cache is not None:
            key = self.key(part)
            self.cache.put("parts", key, laid_out.pdf)
            self.cache.put_json("partinfo", key, laid_out.as_json())
        return laid_out


def _once(function: Callable[[], None]) -> Callable[[], None]:
    done = []

    def once() -> None:
        if not done:
            done.append(True)
            function()
    return once


def start_workers() -> None:
    """Start the fork server (it loads WeasyPrint) now, in the background, so that it is ready when the first part
    is laid out; nothing when parts are laid out in this process."""
    if _workers() < 2:
        return
    import threading

    threading.Thread(target=_fork_server, name="katalog-pdf-workers", daemon=True).start()


def _workers() -> int:
    setting = os.environ.get("KATALOG_PDF_WORKERS", "").strip()
    return int(setting) if setting.isdigit() else min(len(os.sched_getaffinity(0)), _MAX_WORKERS)


def _fork_server():
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    # worker_init first: the workers never run this process's main script (under Streamlit, a page)
    context.set_forkserver_preload(["katalog.export.worker_init", "weasyprint", "katalog.export.layout",
                                    "katalog.export.document"])
    try:
        forkserver.ensure_running()
    except (OSError, ValueError) as error:
        LOG.warning("no PDF workers (%s)", error)
        return None
    return context


def _pool():
    """A process pool forked from a server that has WeasyPrint loaded, or None for laying out here (one core, or
    $KATALOG_PDF_WORKERS=1)."""
    workers = _workers()
    if workers < 2:
        return None
    from concurrent.futures import ProcessPoolExecutor

    context = _fork_server()
    return None if context is None else ProcessPoolExecutor(workers, mp_context=context)


# --- joining ------------------------------------------------------------------------------------------------------

def join(parts: Sequence[Part], laid_out: Sequence[LaidOut], stamps_pdf: bytes) -> bytes:
    """The parts as one PDF: pages in order, «Side X af Y» stamped on, the contents linked, bookmarks and named
    destinations for every part."""
    import pikepdf

    starts = _starts(laid_out)
    with contextlib.ExitStack() as opened:
        out = opened.enter_context(pikepdf.open(io.BytesIO(laid_out[0].pdf)))
        for item in laid_out[1:]:
            out.pages.extend(opened.enter_context(pikepdf.open(io.BytesIO(item.pdf))).pages)
        targets = anchors(laid_out)
        _stamp(out, parts, laid_out, stamps_pdf)
        _link_contents(out, laid_out, starts, targets)
        _name_destinations(out, targets)
        _outline(out, laid_out, starts)
        buffer = io.BytesIO()
        out.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def _starts(laid_out: Sequence[LaidOut]) -> list[int]:
    starts, page = [], 0
    for item in laid_out:
        starts.append(page)
        page += item.pages
    return starts


def page_kinds(parts: Sequence[Part], laid_out: Sequence[LaidOut]) -> list[str]:
    return [part.page_kind for part, item in zip(parts, laid_out, strict=True) for _ in range(item.pages)]


def stamps_for(kinds: Sequence[str]) -> list[tuple[str, float, float]]:
    """«Side X af Y» for every page but the cover's, with the size of its page's footer box."""
    total = len(kinds)
    return [(f"Side {n} af {total}", *FOOTER[kind]) for n, kind in enumerate(kinds, start=1) if kind != "cover"]


def _stamp(out, parts, laid_out, stamps_pdf: bytes) -> None:
    """Each page after the cover gets its «Side X af Y»: the stamp's text cut out of the sheet (only its own text
    object, so nothing else is hidden under the page) as a form the size of the footer box, laid at the foot."""
    import pikepdf

    kinds = page_kinds(parts, laid_out)
    with pikepdf.open(io.BytesIO(stamps_pdf)) as sheets:
        texts = [_stamp_texts(sheet) for sheet in sheets.pages]
        resources = [out.copy_foreign(sheet.Resources) for sheet in sheets.pages]
    stamped = [(page, kind) for page, kind in zip(out.pages, kinds, strict=True) if kind != "cover"]
    for index, (page, kind) in enumerate(stamped):  # in the order of `stamps_for`
        sheet, left, top = layout.stamp_cell(index)
        width, height = FOOTER[kind]
        content = (f"1 0 0 -1 0 {height * _PT_PER_MM:.4f} cm {_PT_PER_PX} 0 0 {_PT_PER_PX} 0 0 cm "
                   f"1 0 0 1 {-left * _PX_PER_MM:.4f} {-top * _PX_PER_MM:.4f} cm\n").encode()
        content += pikepdf.unparse_content_stream(texts[sheet].get(_cell_of(left, top), []))
        box = [0, 0, width * _PT_PER_MM, height * _PT_PER_MM]
        form = out.make_stream(content, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=box,
                               Resources=resources[sheet])
        page.add_overlay(form, pikepdf.Rectangle(*box))


def _cell_of(left_mm: float, top_mm: float) -> tuple[int, int]:
    return round(left_mm / layout.STAMP_CELL[0]), round(top_mm / layout.STAMP_CELL[1])


def _stamp_texts(sheet) -> dict[tuple[int, int], list]:
    """The sheet's text objects by the cell they stand in (column, row): each `BT … ET` with the graphics state
    set before it, wrapped in q/Q. Positions are CSS px from the sheet's top-left (WeasyPrint's text matrix)."""
    import pikepdf

    cells: dict[tuple[int, int], list] = {}
    state: list = []
    block: list | None = None
    for instruction in pikepdf.parse_content_stream(sheet):
        operator = str(instruction.operator)
        if block is not None:
            block.append(instruction)
            if operator == "Tm":
                x, y = (float(v) for v in list(instruction.operands)[4:6])
                cell = (int(x / (layout.STAMP_CELL[0] * _PX_PER_MM)), int(y / (layout.STAMP_CELL[1] * _PX_PER_MM)))
            if operator == "ET":
                cells.setdefault(cell, []).extend(
                    [pikepdf.ContentStreamInstruction([], pikepdf.Operator("q")), *state, *block,
                     pikepdf.ContentStreamInstruction([], pikepdf.Operator("Q"))])
                block, state = None, []
        elif operator == "BT":
            block, cell = [instruction], (-1, -1)
        elif operator in ("gs", "rg", "RG", "g", "G"):
            state.append(instruction)
    return cells


def anchors(laid_out: Sequence[LaidOut]) -> dict[str, tuple[int, float, float]]:
    """Each anchor's page in the joined PDF and its point in CSS px (the first of a name wins, as in WeasyPrint)."""
    found: dict[str, tuple[int, float, float]] = {}
    for item, start in zip(laid_out, _starts(laid_out), strict=True):
        for name, page, x, y in item.anchors:
            found.setdefault(name, (start + page, x, y))
    return found


def _destination(out, page: int, x: float, y: float):
    import pikepdf

    target = out.pages[page]
    top = float(target.mediabox[3])
    return pikepdf.Array([target.obj, pikepdf.Name.XYZ, x * _PT_PER_PX, top - y * _PT_PER_PX, 0])


def _link_contents(out, laid_out, starts, anchors) -> None:
    """The contents' entries, laid out as links to `layout.TOC_LINK` addresses, made into links to their pages."""
    import pikepdf

    for item, start in zip(laid_out, starts, strict=True):
        for page_number in sorted({page for _target, page in item.toc_links}):
            page = out.pages[start + page_number]
            for annotation in page.obj.get(pikepdf.Name.Annots, pikepdf.Array()):
                action = annotation.get(pikepdf.Name.A)
                uri = str(action.get(pikepdf.Name.URI, "")) if action is not None else ""
                if not uri.startswith(layout.TOC_LINK) or uri.removeprefix(layout.TOC_LINK) not in anchors:
                    continue
                del annotation[pikepdf.Name.A]
                annotation[pikepdf.Name.Dest] = _destination(out, *anchors[uri.removeprefix(layout.TOC_LINK)])


def _name_destinations(out, anchors) -> None:
    import pikepdf

    names = pikepdf.NameTree.new(out)
    for name, (page, x, y) in sorted(anchors.items()):
        names[name] = _destination(out, page, x, y)
    out.Root.Names = pikepdf.Dictionary(Dests=names.obj)


def _outline(out, laid_out, starts) -> None:
    import pikepdf

    def items(tree, start):
        for label, page, x, y, children in tree:
            top = float(out.pages[start + page].mediabox[3]) - y * _PT_PER_PX
            item = pikepdf.OutlineItem(label, start + page, pikepdf.PageLocation.XYZ, left=x * _PT_PER_PX, top=top)
            item.children.extend(items(children, start))
            yield item

    with out.open_outline() as outline:
        outline.root.clear()
        for item, start in zip(laid_out, starts, strict=True):
            outline.root.extend(items(item.bookmarks, start))


# --- charts laid onto the pages ----------------------------------------------------------------------------------

def lay_charts_on(pdf: bytes, places: Sequence[tuple], charts: Mapping[str, bytes]) -> bytes:
    """Each chart (a one-page PDF) placed on its page over the empty image WeasyPrint laid out:
    places are (page, URL, x, y, width, height) in CSS px from the page's top-left."""
    import pikepdf

    with contextlib.ExitStack() as opened:
        out = opened.enter_context(pikepdf.open(io.BytesIO(pdf)))
        charts_opened = {url: opened.enter_context(pikepdf.open(io.BytesIO(data))) for url, data in charts.items()}
        for page_number, url, x, y, width, height in places:
            page = out.pages[page_number]
            top = float(page.mediabox[3])
            x0, y0 = x * _PT_PER_PX, top - (y + height) * _PT_PER_PX
            page.add_overlay(charts_opened[url].pages[0],
                             pikepdf.Rectangle(x0, y0, x0 + width * _PT_PER_PX, y0 + height * _PT_PER_PX))
        buffer = io.BytesIO()
        out.save(buffer, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()
