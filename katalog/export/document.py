"""The PDF's document: Markdown -> HTML, charts -> SVG (vl-convert), laid out by WeasyPrint. Nothing is fetched.

Each chart is an SVG image (`<img src="katalog-chart:<digest>.svg">`) that WeasyPrint gets from memory, not
markup inlined in the HTML: WeasyPrint's HTML parser and box layout then never see the SVG's thousands of
elements. Charts not in the cache (katalog/export/pdfcache.py) are drawn in parallel once the HTML is built.
The document is laid out part by part (the cover, the contents, the overview, each use-case), in parallel and from
the cache, each with an empty image of each chart's size; the charts, as vector PDFs, are placed onto the pages
with pikepdf, because WeasyPrint draws an SVG far more slowly (katalog/export/assemble.py).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

from markdown_it import MarkdownIt

from katalog.charts import PDF_WIDTH, ChartError, bind, empty_message, param_options, pdf_spec, spec_to_png, spec_to_svg
from katalog.charts.geo import ATTRIBUTION as MAP_ATTRIBUTION
from katalog.content.models import DECLARATION_HEADINGS, SUBTASK_LABELS, UseCase
from katalog.export import assemble, layout, pdfcache
from katalog.export.layout import TOC_LINK

# Raw HTML in use-case Markdown is shown as text, never interpreted.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

SYNTHETIC_NOTE = ("Alle tal i figurer og tabeller er syntetiske mock-data, genereret til at vise visningernes "
                  "form. De er ikke rigtige data fra almen praksis.")

CSS = """
@page { size: A4; margin: 20mm 18mm 22mm;
  @bottom-center { content: "Side " counter(page) " af " counter(pages); font: 9pt 'DejaVu Sans' }
  @top-right { content: string(doctitle); font: 8pt 'DejaVu Sans'; color: #555 } }
@page cover { @bottom-center { content: none } @top-right { content: none } }
html { font: 10pt/1.45 'DejaVu Sans', sans-serif; color: #1a1a1a }
body { margin: 0 8px }
h1 { font-size: 18pt; margin: 0 0 4mm; string-set: doctitle content() }
h2 { font-size: 13pt; margin: 6mm 0 2mm; color: #1f5f8b }
h3 { font-size: 11pt; margin: 4mm 0 1mm }
.cover { page: cover; page-break-after: always; padding-top: 60mm }
.cover h1 { font-size: 24pt; string-set: none }
.cover .sub { font-size: 13pt; color: #444 }
.cover .meta { margin-top: 30mm; font-size: 10pt; color: #444 }
.synthetic { border-left: 3pt solid #e07b39; padding: 2mm 4mm; background: #fdf3ec; font-size: 9pt }
.toc { page-break-after: always }
.toc ol { list-style: none; padding: 0 }
.toc li { margin: 1.5mm 0 }
.toc a { color: inherit; text-decoration: none }
.toc a[href^='#']::after { content: leader('.') target-counter(attr(href), page) }
.toc a[data-page]::after { content: leader('.') attr(data-page) }
.uc { page-break-before: always }
.facts { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 2mm 0 4mm }
.facts th { text-align: left; width: 28%; color: #555; font-weight: normal; padding: 1mm 2mm 1mm 0 }
.facts td { padding: 1mm 0 }
.chart { break-inside: avoid; margin: 3mm 0 }
.chart svg, .chart img { width: 100%; height: auto; max-height: 110mm }
.chart .caption { font-size: 8.5pt; color: #444 }
.chart .error { color: #a00 }
.chart .empty { border-left: 3pt solid #8c8c8c; padding: 2mm 4mm; background: #f4f6f8 }
.declaration { background: #f4f6f8; padding: 2mm 5mm 3mm; margin-top: 4mm }
.declaration h3 { font-size: 10pt; margin: 3mm 0 0.5mm }
.declaration p { margin: 0.5mm 0 }
.declaration ul.adopted { margin: 1mm 0; padding-left: 5mm }
@page wide { size: A4 landscape; margin: 15mm 12mm 18mm;
  @bottom-center { content: "Side " counter(page) " af " counter(pages); font: 9pt 'DejaVu Sans' }
  @top-right { content: string(doctitle); font: 8pt 'DejaVu Sans'; color: #555 } }
.overview { page: wide; page-break-before: always }
table.ranking { border-collapse: collapse; width: 100%; font-size: 7pt; line-height: 1.3 }
table.ranking th { background: #eef2f5; vertical-align: bottom }
table.ranking th, table.ranking td { border-bottom: 0.5pt solid #ccc; padding: 1mm 1.2mm; text-align: left;
  vertical-align: top }
table.ranking tr { break-inside: avoid }
.overview .intro { font-size: 8.5pt }
.decision { border-left: 3pt solid #1f5f8b; padding: 1mm 3mm; background: #eef4f8; font-size: 9pt }
"""


class ExportError(Exception):
    """The PDF could not be made; the message says why."""


Progress = Callable[[float, str], None]  # share done (0–1), what is being done (Danish)

_IMAGE_URL = "katalog-chart:"
_MAX_WORKERS = 4
# How charts are drawn into the PDF: "svg" (vector) or "png" (2x raster; WeasyPrint embeds it far faster than it
# draws an SVG element by element). $KATALOG_PDF_CHARTS overrides.
CHART_FORMAT = "svg"
_FORMATS = ("svg", "png")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


class ChartImages:
    """The chart images of one document: each distinct spec drawn once, taken from the cache when it is there,
    the rest drawn as soon as they are added — in the PDF's worker processes when `submit` is given (each has its
    own vl-convert, whose conversions one process runs one at a time), else by `draw_pending` in threads; served
    to WeasyPrint by URL. A chart to be laid onto the pages (`overlay`) is converted to a one-page PDF as well."""

    def __init__(self, cache: pdfcache.PdfCache | None = None, image_format: str | None = None, *,
                 submit: Callable | None = None, overlay: bool = False):
        self.cache = cache
        self.format = image_format or os.environ.get("KATALOG_PDF_CHARTS") or CHART_FORMAT
        if self.format not in _FORMATS:
            raise ValueError(f"KATALOG_PDF_CHARTS skal være en af: {', '.join(_FORMATS)}")
        self.images: dict[str, bytes] = {}
        self.pending: dict[str, dict] = {}
        self.submit, self.overlay = submit, overlay and self.format == "svg"
        self.drawing: dict[str, object] = {}  # key -> the future of (image, PDF or None)
        self.pdfs: dict[str, bytes] = {}
        self._renderer = ("vl-convert", _version("vl-convert-python"), self.format)

    def add(self, spec: dict, alt: str) -> tuple[str, str]:
        """The `<img>` for a spec as the PDF draws it (see `charts.pdf_spec`), and its key."""
        key = pdfcache.digest("chart-image-v1", self._renderer, spec)
        if key not in self.images and key not in self.pending and key not in self.drawing and not self.load(key):
            if self.submit is not None:
                self.drawing[key] = (self.submit(draw_chart, spec, self.format, self.overlay), spec)
            else:
                self.pending[key] = spec
        return f"<img src='{_IMAGE_URL}{key}.{self.format}' alt='{_e(alt)}'>", key

    def load(self, key: str) -> bool:
        """Whether the image is at hand (drawn, or read from the cache now)."""
        if key in self.images:
            return True
        data = self.cache.get("images", key) if self.cache is not None else None
        if data is not None:
            self.images[key] = data
        return data is not None

    def draw_pending(self, progress: Progress | None = None) -> None:
        """Every image added is drawn (and kept in the cache) when this returns."""
        if not self.pending and not self.drawing:
            return
        if progress:
            progress(1.0, f"Tegner {len(self.pending) + len(self.drawing)} figurer …")
        drawn = [(key, _result_or_here(future, spec, self.format, self.overlay))
                 for key, (future, spec) in self.drawing.items()]
        keys = list(self.pending)
        drawn += zip(keys, _in_threads(lambda spec: draw_chart(spec, self.format, self.overlay),
                                       [self.pending[k] for k in keys]), strict=True)
        for key, (image, pdf) in drawn:
            self.images[key] = image
            if self.cache is not None:
                self.cache.put("images", key, image)
            if pdf is not None:
                self.pdfs[key] = pdf
                if self.cache is not None:
                    self.cache.put("chartpdfs", _chart_pdf_key(key), pdf)
        self.pending.clear()
        self.drawing.clear()

    def stand_ins(self, keys: Collection[str]) -> tuple[dict[str, bytes], dict[str, str]]:
        """What WeasyPrint is given for each chart of a part, by URL: an empty SVG of the chart's size, the chart
        to be laid on afterwards (the second mapping: URL -> key); a PNG chart, or an SVG whose size cannot be read,
        as it is (WeasyPrint then draws it)."""
        stand_ins, overlays = {}, {}
        for key in keys:
            url, image = f"{_IMAGE_URL}{key}.{self.format}", self.images[key]
            size = _svg_size(image) if self.format == "svg" else None
            if size is None:
                stand_ins[url] = image
                continue
            width, height = size
            stand_ins[url] = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                              f'viewBox="0 0 {width} {height}"></svg>').encode()
            overlays[url] = key
        return stand_ins, overlays

    def chart_pdfs(self, keys: Collection[str]) -> dict[str, bytes]:
        """Each SVG chart as a one-page vector PDF (vl-convert, text kept as text): converted when it was drawn,
        from the cache, or converted now in parallel."""
        out: dict[str, bytes] = {}
        missing = []
        for key in keys:
            data = self.pdfs.get(key)
            if data is None and self.cache is not None:
                data = self.cache.get("chartpdfs", _chart_pdf_key(key))
            if data is None:
                missing.append(key)
            else:
                out[key] = data
        converted = _in_threads(lambda key: svg_to_pdf(self.images[key]), missing)
        for key, data in zip(missing, converted, strict=True):
            out[key] = data
            if self.cache is not None:
                self.cache.put("chartpdfs", _chart_pdf_key(key), data)
        return out


def draw_chart(spec: dict, image_format: str, as_pdf: bool) -> tuple[bytes, bytes | None]:
    """A chart drawn by vl-convert (SVG or PNG), with its one-page vector PDF when `as_pdf` (an SVG chart to be
    laid onto the pages). Run in the PDF's worker processes."""
    image = spec_to_svg(spec).encode("utf-8") if image_format == "svg" else spec_to_png(spec)
    return image, svg_to_pdf(image) if as_pdf else None


def _result_or_here(future, spec: dict, image_format: str, as_pdf: bool) -> tuple[bytes, bytes | None]:
    """A chart drawn in a worker, or drawn here when the worker pool broke (a killed worker)."""
    from concurrent.futures import BrokenExecutor

    try:
        return future.result()
    except BrokenExecutor:
        return draw_chart(spec, image_format, as_pdf)


def svg_to_pdf(svg: bytes) -> bytes:
    import vl_convert

    return vl_convert.svg_to_pdf(svg.decode("utf-8"))


def _chart_pdf_key(key: str) -> str:
    return pdfcache.digest("chart-pdf-v1", _version("vl-convert-python"), key)


def _in_threads(work: Callable, items: Sequence) -> list:
    """`work` on each item, in a thread pool when there is more than one (vl-convert releases the GIL)."""
    workers = min(len(items), os.cpu_count() or 1, _MAX_WORKERS)
    if workers <= 1:
        return [work(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(work, items))


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")
_SVG_SIZE = re.compile(rb'\b(width|height)="([0-9.]+)(?:px)?"')


def _svg_size(svg: bytes) -> tuple[str, str] | None:
    root = _SVG_ROOT.search(svg[:4000])
    sizes = dict(_SVG_SIZE.findall(root.group(0))) if root else {}
    if b"width" not in sizes or b"height" not in sizes:
        return None
    return sizes[b"width"].decode(), sizes[b"height"].decode()


def _e(text: object) -> str:
    return html.escape(str(text))


@dataclass(frozen=True)
class OverviewSection:
    """The prioritised overview as the PDF shows it: heading, plain-Danish notes and one row per use-case."""

    heading: str
    intro: Sequence[str] = ()
    records: Sequence[Mapping[str, str]] = ()
    columns: Sequence[str] = field(default_factory=list)


# The parameters each chart is drawn with: use-case id -> chart id -> parameter name -> value.
Views = Mapping[str, Mapping[str, Mapping[str, object]]]


@dataclass
class Document:
    """The document's HTML in its parts: the head, the cover, the contents' entries (anchor, label), the overview
    and one section per use-case. `html()` is the whole document; the PDF is laid out part by part
    (katalog/export/assemble.py)."""

    head: str
    cover: str
    contents: list[tuple[str, str]]
    overview: str | None
    usecases: list[str]

    def html(self) -> str:
        overview = self.overview or ""
        return self.head + self.cover + self.contents_html() + overview + "".join(self.usecases) + _END

    def contents_html(self, pages: Mapping[str, str] | None = None) -> str:
        """The contents; without `pages` WeasyPrint finds each entry's page (one document), with them each entry
        shows its page and links to an address the join makes into a link to it (`layout.TOC_LINK`)."""
        out = ["<section class='toc'><h1>Indhold</h1><ol>"]
        for anchor, label in self.contents:
            if pages is None:
                out.append(f"<li><a href='#{_e(anchor)}'>{_e(label)}</a></li>")
            else:
                out.append(f"<li><a href='{TOC_LINK}{_e(anchor)}' data-page='{_e(pages.get(anchor, ''))}'>"
                           f"{_e(label)}</a></li>")
        out.append("</ol></section>")
        return "".join(out)


_END = "</body></html>"


def build_html(items: Sequence[UseCase], db_path: Path, overview: OverviewSection | None,
               filter_description: str, today: date | None = None,
               decisions: Mapping[str, object] | None = None, views: Views | None = None,
               caveats: Mapping[str, Sequence] | None = None, *, images: ChartImages | None = None,
               cache: pdfcache.PdfCache | None = None, progress: Progress | None = None) -> str:
    """The whole document's HTML (see `build_document`)."""
    return build_document(items, db_path, overview, filter_description, today, decisions, views, caveats,
                          images=images, cache=cache, progress=progress).html()


def build_document(items: Sequence[UseCase], db_path: Path, overview: OverviewSection | None,
                   filter_description: str, today: date | None = None,
                   decisions: Mapping[str, object] | None = None, views: Views | None = None,
                   caveats: Mapping[str, Sequence] | None = None, *, images: ChartImages | None = None,
                   cache: pdfcache.PdfCache | None = None, progress: Progress | None = None) -> Document:
    """The document. Its charts are `<img>` references into `images` (drawn before this returns); with a `cache`,
    a chart block made before for the same chart, values, database build and code is reused without binding the
    chart again."""
    images = images if images is not None else ChartImages(cache)
    blocks = _ChartBlocks(cache, db_path)
    today = today or date.today()
    decisions = decisions or {}
    views = views or {}
    head = ("<!doctype html><html lang='da'><head><meta charset='utf-8'>"
            "<title>Use-case-katalog: nye data fra almen praksis</title></head><body>")
    cover = "".join([
        "<section class='cover'><h1>Use-case-katalog</h1>",
        "<p class='sub'>Udstilling af nye data fra almen praksis – mockups og use-cases til "
        "arbejdsgruppen under Samlet indsats for data i det nære sundhedsvæsen</p>",
        f"<div class='meta'><p>Udtræk: {_e(filter_description)} ({len(items)} "
        f"use-case{'' if len(items) == 1 else 's'})</p>",
        f"<p>Dannet {today.day}. {_MONTHS[today.month - 1]} {today.year}</p>",
        f"<p class='synthetic'>{_e(SYNTHETIC_NOTE)}</p></div></section>",
    ])
    contents = [("prioritering", "Prioriteret overblik")] if overview is not None else []
    contents += [(item.id, f"{item.id} {item.title}") for item in items]
    sections = []
    for n, item in enumerate(items):
        if progress:
            progress(n / max(len(items), 1), f"Figurer til {item.id} ({n + 1} af {len(items)}) …")
        sections.append(_usecase_html(item, db_path, decisions.get(item.id), views.get(item.id, {}),
                                      (caveats or {}).get(item.id, ()), images=images, blocks=blocks))
    images.draw_pending(progress)
    blocks.store()  # after drawing: a stored block's images are in the cache
    return Document(head, cover, contents, _overview_html(overview) if overview is not None else None, sections)


class _ChartBlocks:
    """One chart's block of HTML (heading, image, caption or message), cached per chart definition, values,
    database build and code; see katalog/export/pdfcache.py."""

    def __init__(self, cache: pdfcache.PdfCache | None, db_path: Path):
        self.cache = cache
        build = pdfcache.database_fingerprint(db_path) if cache is not None else None
        self.context = None if build is None else (build, pdfcache.code_fingerprint(), PDF_WIDTH)
        self.new: list[tuple[str, dict]] = []

    def key(self, chart, values: Mapping[str, object]) -> str | None:
        if self.context is None:
            return None
        return pdfcache.digest("chart-block-v1", self.context, chart.model_dump(mode="json"), dict(values))

    def get(self, key: str | None, images: ChartImages) -> str | None:
        if key is None:
            return None
        block = self.cache.get_json("charts", key)
        if not isinstance(block, dict) or not all(images.load(k) for k in block.get("images", [])):
            return None  # an image pruned from the cache: the block is made again
        return block.get("html")

    def add(self, key: str | None, block_html: str, image_keys: list[str]) -> None:
        if key is not None:
            self.new.append((key, {"html": block_html, "images": image_keys}))

    def store(self) -> None:
        for key, block in self.new:
            self.cache.put_json("charts", key, block)
        self.new.clear()


_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"]


def _usecase_html(item: UseCase, db_path: Path, decision=None,
                  views: Mapping[str, Mapping[str, object]] | None = None, caveats: Sequence = (), *,
                  images: ChartImages | None = None, blocks: _ChartBlocks | None = None) -> str:
    images = images if images is not None else ChartImages()
    blocks = blocks if blocks is not None else _ChartBlocks(None, db_path)
    facts = [
        ("Delopgave", SUBTASK_LABELS[item.subtask]),
        ("Diagnoser", ", ".join(item.diagnoses)),
        ("Platform", item.platform),
        ("Status", item.status),
        ("Formål", ", ".join(item.aims)),
        ("Sektorer", ", ".join(item.sectors)),
        ("Datakilder", ", ".join(item.sources)),
    ]
    out = [f"<section class='uc'><h1 id='{_e(item.id)}'>{_e(item.id)} {_e(item.title)}</h1>",
           f"<p><strong>{_e(item.summary)}</strong></p><table class='facts'>"]
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts]
    out.append("</table>")
    if decision is not None:
        out.append(f"<p class='decision'><strong>Arbejdsgruppens beslutning ({_e(decision.date)}): "
                   f"{_e(decision.label)}.</strong> {_e(decision.reason)}</p>")
    out.append(_markdown.render(item.body))
    for chart in item.charts:
        block_key = blocks.key(chart, (views or {}).get(chart.id, {}))
        if (block := blocks.get(block_key, images)) is not None:
            out.append(block)
            continue
        block_start, image_keys = len(out), []
        out.append(f"<div class='chart'><h3>{_e(chart.title)}</h3>")
        try:
            bound = bind(chart, (views or {}).get(chart.id, {}), db_path)
            settings = ", ".join(f"{p.label}: {bound.params[p.name]}" for p in chart.params)
            caption = [f"Figuren viser: {chart.alt}"]
            if settings:
                caption.append(f"Valgt: {settings}.")
            if bound.empty_kind:
                options = {p.name: param_options(p, db_path) for p in chart.params}
                message = empty_message(bound, options, lambda v, c=chart: bind(c, v, db_path))
                out.append(f"<p class='empty'>{_e(message)}</p>")
            else:
                image, image_key = images.add(pdf_spec(bound), chart.alt)
                out.append(image)
                image_keys.append(image_key)
                if chart.map:  # the boundaries' licence asks for it under every map
                    out.append(f"<p class='caption'>{_e(MAP_ATTRIBUTION)}</p>")
                if bound.suppression_note:
                    caption.append(bound.suppression_note)
            caption.append("Syntetiske data.")
            out.append(f"<p class='caption'>{_e(' '.join(caption))}</p>")
        except ChartError as error:
            out.append(f"<p class='error'>Figuren kunne ikke dannes: {_e(error)}</p>")
        out.append("</div>")
        blocks.add(block_key, "".join(out[block_start:]), image_keys)
    out.append("<div class='declaration'><h2>Deklaration</h2>")
    for key, (heading, text) in zip(DECLARATION_HEADINGS, item.declaration.sections(), strict=True):
        out.append(f"<h3>{_e(heading)}</h3>{_markdown.render(text)}")
        if key == "caveats" and caveats:  # typed by members: escaped text, never Markdown
            out.append("<ul class='adopted'>" + "".join(
                f"<li>{_e(c.text)} <em>(tilføjet af arbejdsgruppen {_e(c.date)})</em></li>" for c in caveats)
                + "</ul>")
    out.append("</div></section>")
    return "".join(out)


def _overview_html(overview: OverviewSection) -> str:
    columns = list(overview.columns) or list(dict.fromkeys(k for r in overview.records for k in r))
    out = [f"<section class='overview'><h1 id='prioritering'>{_e(overview.heading)}</h1>"]
    out += [f"<p class='intro'>{_e(line)}</p>" for line in overview.intro]
    if overview.records:
        out.append("<table class='ranking'><thead><tr>")
        out += [f"<th>{_e(c)}</th>" for c in columns]
        out.append("</tr></thead><tbody>")
        for record in overview.records:
            out.append("<tr>" + "".join(f"<td>{_e(record.get(c, ''))}</td>" for c in columns) + "</tr>")
        out.append("</tbody></table>")
    out.append("</section>")
    return "".join(out)


def render_pdf(items: Sequence[UseCase], db_path: Path, overview: OverviewSection | None = None,
               filter_description: str = "Alle use-cases", today: date | None = None,
               decisions: Mapping[str, object] | None = None, *, views: Views | None = None,
               caveats: Mapping[str, Sequence] | None = None, cache: bool = True,
               progress: Progress | None = None) -> bytes:
    """The catalogue (or a filtered part of it) as a PDF, with the prioritised overview first when given and
    each use-case's decision; with no items, the overview alone. `views` gives charts other parameters than
    their defaults (a choice that is not one of the chart's is drawn with the default).

    With `cache` (and unless $KATALOG_PDF_CACHE=0), chart blocks, chart images, laid-out parts and whole documents
    are kept beside the database (katalog/export/pdfcache.py); `progress` is told what is being done."""
    store = pdfcache.for_database(db_path) if cache else None
    in_parts = _in_parts()
    if in_parts:
        assemble.start_workers()  # the fork server loads WeasyPrint and the chart code meanwhile
    with assemble.Parts(CSS, _versions(), store, progress) as laying:
        # Charts are drawn in the workers when there are any, else in threads here (draw_pending).
        images = ChartImages(store, submit=laying.submit if in_parts and laying.parallel else None,
                             overlay=in_parts)
        try:
            document = build_document(items, db_path, overview, filter_description, today, decisions, views,
                                      caveats, images=images, cache=store, progress=progress)
        except (OSError, RuntimeError, ValueError) as error:  # a chart could not be drawn (vl-convert, a worker)
            raise ExportError(f"PDF'en kunne ikke dannes: {error}") from error
        whole = document.html()
        key = pdfcache.digest("pdf-v3", whole, CSS, _versions(), in_parts)
        if store is not None and (pdf := store.get("documents", key)) is not None:
            if progress:
                progress(1.0, "PDF'en er klar (samme indhold som sidst).")
            return pdf
        if progress:
            progress(0.0, "Sætter siderne op …")
        try:
            pdf = _write_in_parts(document, images, laying) if in_parts else _write_whole(whole, images)
        except Exception as error:  # WeasyPrint and pikepdf raise many kinds; the member needs one message
            raise ExportError(f"PDF'en kunne ikke dannes: {error}") from error
    if store is not None:
        store.put("documents", key, pdf)
    return pdf


def _versions() -> tuple[str, ...]:
    return _version("weasyprint"), _version("pikepdf"), _version("vl-convert-python")


def _in_parts() -> bool:
    """The PDF laid out part by part with the charts laid on (katalog/export/assemble.py); KATALOG_PDF_OVERLAY=0
    has WeasyPrint lay out and draw the whole document in one piece instead (slower; the reference in tests)."""
    return os.environ.get("KATALOG_PDF_OVERLAY") != "0"


def _write_whole(document: str, images: ChartImages) -> bytes:
    from weasyprint import CSS as WeasyCSS
    from weasyprint import HTML

    own = {f"{_IMAGE_URL}{key}.{images.format}": image for key, image in images.images.items()}
    rendered = HTML(string=document, url_fetcher=layout.refusing_fetcher(own)).render(
        stylesheets=[WeasyCSS(string=CSS, url_fetcher=layout.refusing_fetcher({}))])
    return rendered.write_pdf()


def _write_in_parts(document: Document, images: ChartImages, laying: assemble.Parts) -> bytes:
    """Cover, overview and use-cases laid out each on its own (in parallel, from the cache where they are), then
    the contents with their pages, then the page numbers; joined by `assemble.join`."""
    def part(kind: str, section: str) -> assemble.Part:
        stand_ins, overlays = images.stand_ins([k for k in _IMAGE_KEY.findall(section) if k in images.images])
        return assemble.Part(kind, document.head + section + _END, stand_ins, overlays)

    body = [part("cover", document.cover)]
    body += [part("overview", document.overview)] if document.overview is not None else []
    body += [part("usecase", section) for section in document.usecases]
    # The contents are laid out beside the rest with stand-in numbers, for their number of pages; then with the
    # pages (the same number of pages, unless a number made an entry wrap: then once more).
    digits = len(str(4 * len(body)))
    guess = part("toc", document.contents_html(dict.fromkeys((a for a, _ in document.contents), "0" * digits)))
    *laid, contents = laying.lay_out_all([*body, guess], images.chart_pdfs)
    for _ in range(3):
        # The contents with their pages, and the page numbers for that many pages, side by side.
        toc = part("toc", document.contents_html(_first_pages(laid, contents)))
        parts, pages = [body[0], toc, *body[1:]], [laid[0], contents, *laid[1:]]
        final, stamps = laying.lay_out_with_stamps(toc, assemble.stamps_for(assemble.page_kinds(parts, pages)),
                                                   images.chart_pdfs)
        if final.pages == contents.pages:
            break
        contents = final
    else:
        raise RuntimeError("indholdsfortegnelsens sidetal blev ikke stabile")
    return assemble.join(parts, [laid[0], final, *laid[1:]], stamps)


def _first_pages(laid: Sequence, contents: object) -> dict[str, str]:
    """Each anchor's page number in the joined PDF, with the contents (laid out) after the cover."""
    return {name: str(page + 1) for name, (page, _x, _y) in assemble.anchors([laid[0], contents, *laid[1:]]).items()}


# A chart image in a part: only the document's own `src` attributes (text a member typed is escaped, so a quote
# cannot appear in it), and only images the document holds.
_IMAGE_KEY = re.compile(r"<img src='katalog-chart:([0-9a-f]{64})\.")
