"""WeasyPrint's side of a sectioned PDF: one part of the document (the cover, the contents, the overview or one
use-case) laid out on its own, in a worker process or in this one.

A part is laid out without page numbers in its footer (they are stamped on once the whole document's page count is
known, see katalog/export/assemble.py) and with empty images of each chart's size (the charts are laid on
afterwards). What the assembly needs besides the PDF — the pages' anchors, the contents' links, the bookmarks and
where each chart image went — is returned as plain data, so it crosses a process boundary and fits in the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

# Parts are laid out without footers: the page number is stamped on afterwards (`stamp_sheet`).
NO_FOOTER_CSS = "@page { @bottom-center { content: none } } @page wide { @bottom-center { content: none } }"
TOC_LINK = "katalog-toc:"  # the contents' links, made into links to the page once the pages are joined


@dataclass
class LaidOut:
    """One part as WeasyPrint laid it out: the PDF and, per page, what the assembly needs."""

    pdf: bytes
    pages: int
    anchors: list[tuple[str, int, float, float]] = field(default_factory=list)  # name, page, x, y (CSS px)
    toc_links: list[tuple[str, int]] = field(default_factory=list)  # target anchor, page
    bookmarks: list = field(default_factory=list)  # (label, page, x, y, children), WeasyPrint's tree
    places: list[tuple[int, str, float, float, float, float]] = field(default_factory=list)  # page, src, x, y, w, h

    def as_json(self) -> dict:
        return {"pages": self.pages, "anchors": self.anchors, "toc_links": self.toc_links,
                "bookmarks": self.bookmarks, "places": self.places}

    @classmethod
    def from_json(cls, pdf: bytes, data: Mapping) -> LaidOut:
        return cls(pdf, int(data["pages"]), [tuple(a) for a in data["anchors"]],
                   [tuple(t) for t in data["toc_links"]], list(data["bookmarks"]),
                   [tuple(p) for p in data["places"]])


def lay_out(document: str, css: str, images: Mapping[str, bytes]) -> LaidOut:
    """Lay out one part. `images` are the only URLs answered (the part's chart images or their empty stand-ins);
    any other URL is refused, as in the whole-document export."""
    from weasyprint import HTML

    rendered = HTML(string=document, url_fetcher=refusing_fetcher(images)).render(stylesheets=_stylesheets(css))
    out = LaidOut(rendered.write_pdf(), len(rendered.pages))
    for number, page in enumerate(rendered.pages):
        out.anchors += [(name, number, float(point[0]), float(point[1])) for name, point in page.anchors.items()]
        out.toc_links += [(target.removeprefix(TOC_LINK), number) for kind, target, _rect, _box in page.links
                          if kind == "external" and target.startswith(TOC_LINK)]
        out.places += list(_chart_places(number, page._page_box, images))
    out.bookmarks = _plain(rendered.make_bookmark_tree())
    return out


@functools.lru_cache(maxsize=4)
def _stylesheets(css: str) -> list:
    """The parsed style sheets, kept for the worker's next part (parsing them is a tenth of a small part's time)."""
    from weasyprint import CSS

    nothing = refusing_fetcher({})
    return [CSS(string=css, url_fetcher=nothing), CSS(string=NO_FOOTER_CSS, url_fetcher=nothing)]


def _plain(tree) -> list:
    return [[label, int(target[0]), float(target[1]), float(target[2]), _plain(children)]
            for label, target, children, _state in tree]


def _chart_places(number: int, page_box, images: Mapping[str, bytes]):
    """Where WeasyPrint put each chart image on a page: its URL and content box in CSS pixels."""
    stack = [page_box]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if getattr(box, "element_tag", None) == "img" and hasattr(box, "replacement") and element is not None:
            src = element.get("src") or ""
            if src in images:
                yield (number, src, float(box.content_box_x()), float(box.content_box_y()), float(box.width),
                       float(box.height))
        stack.extend(getattr(box, "children", None) or ())


def refusing_fetcher(images: Mapping[str, bytes]):
    """A URL fetcher that answers only `images` (URL -> bytes) and refuses every other URL: the export holds all
    it needs, so any other URL came from content."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OnlyOwnImages(URLFetcher):
        def fetch(self, url, headers=None):
            if url in images:
                body = images[url]
                media_type = "image/png" if body.startswith(b"\x89PNG") else "image/svg+xml"
                return URLFetcherResponse(url, body=body, headers={"Content-Type": media_type})
            raise ValueError(f"eksporten henter ikke eksterne filer ({url[:80]})")

    return OnlyOwnImages()


# --- the page numbers ---------------------------------------------------------------------------------------------
# «Side X af Y» for every page but the cover, each in a box the size of its page's bottom margin (the footer's margin
# box), laid out once on a large sheet; the assembly crops each box out and places it at the foot of its page.

STAMP_CELL = (297.0, 22.0)  # mm: room for the widest page's bottom margin
STAMP_COLUMNS, STAMP_ROWS = 8, 100  # cells on one sheet (2,376 × 2,200 mm, within a PDF page's 5,080 mm)
_STAMP_CSS = """
@page { size: %(w)smm %(h)smm; margin: 0 }
html, body { margin: 0 }
.sheet { position: relative; width: %(w)smm; height: %(h)smm; page-break-after: always }
.sheet:last-child { page-break-after: auto }
.s { position: absolute; display: flex; align-items: center; justify-content: center;
  font: 9pt 'DejaVu Sans' }
"""


def stamp_sheet(stamps: list[tuple[str, float, float]]) -> bytes:
    """A PDF of sheets holding each (text, width mm, height mm) in its cell, in order (`stamp_cell` finds it)."""
    from weasyprint import HTML

    per_sheet = STAMP_COLUMNS * STAMP_ROWS
    width, height = STAMP_CELL[0] * STAMP_COLUMNS, STAMP_CELL[1] * STAMP_ROWS
    sheets = []
    for start in range(0, len(stamps), per_sheet):
        cells = []
        for n, (text, w, h) in enumerate(stamps[start:start + per_sheet]):
            left, top = (n % STAMP_COLUMNS) * STAMP_CELL[0], (n // STAMP_COLUMNS) * STAMP_CELL[1]
            cells.append(f"<div class='s' style='left:{left}mm;top:{top}mm;width:{w}mm;height:{h}mm'>{text}</div>")
        sheets.append("<div class='sheet'>" + "".join(cells) + "</div>")
    css = _STAMP_CSS % {"w": width, "h": height}
    document = f"<!doctype html><html lang='da'><head><style>{css}</style></head><body>{''.join(sheets)}</body></html>"
    return HTML(string=document, url_fetcher=refusing_fetcher({})).write_pdf()


def stamp_cell(index: int) -> tuple[int, float, float]:
    """The sheet and the top-left corner (mm from the sheet's top-left) of the `index`th stamp."""
    sheet, n = divmod(index, STAMP_COLUMNS * STAMP_ROWS)
    return sheet, (n % STAMP_COLUMNS) * STAMP_CELL[0], (n // STAMP_COLUMNS) * STAMP_CELL[1]


def warm() -> bool:
    """Load WeasyPrint and its fonts (run once in a fresh worker, so the first part does not pay for it)."""
    lay_out("<!doctype html><html><body><p>Side 1</p></body></html>", "", {})
    return True
