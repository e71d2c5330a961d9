"""The PDF export: the catalogue and the prioritised overview as a PDF (see katalog/export/document.py).

Modules: `document` (HTML of the document, the charts as images, `render_pdf`), `layout` (WeasyPrint: one part
laid out, run in worker processes), `assemble` (parts laid out in parallel and from the cache, joined with
pikepdf), `pdfcache` (what is kept between exports), `worker_init` (imported only by the fork server). The names
below are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from katalog.export.document import (  # noqa: F401
        CSS,
        SYNTHETIC_NOTE,
        ChartImages,
        Document,
        ExportError,
        OverviewSection,
        build_document,
        build_html,
        render_pdf,
    )

_FROM_DOCUMENT = {"CSS", "SYNTHETIC_NOTE", "ChartImages", "Document", "ExportError", "OverviewSection",
                  "build_document", "build_html", "render_pdf"}


def __getattr__(name: str) -> Any:
    if name in _FROM_DOCUMENT:
        return getattr(importlib.import_module("katalog.export.document"), name)
    raise AttributeError(f"module 'katalog.export' has no attribute {name!r}")
