"""The PDF: Markdown -> HTML, charts -> SVG (vl-convert), WeasyPrint -> PDF. Nothing is fetched."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from markdown_it import MarkdownIt

from katalog.charts import ChartError, bind, empty_message, param_options, to_svg
from katalog.models import DECLARATION_HEADINGS, SUBTASK_LABELS, UseCase

# Raw HTML in use-case Markdown is shown as text, never interpreted.
_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")

SYNTHETIC_NOTE = ("Alle tal i figurer og tabeller er syntetiske mock-data, genereret til at vise visningernes "
                  "form. De er ikke rigtige data fra almen praksis.")

CSS = """
@page { size: A4; margin: 20mm 18mm 22mm;
  @bottom-center { content: "Side " counter(page) " af " counter(pages); font: 9pt 'DejaVu Sans' }
  @top-right { content: string(doctitle); font: 8pt 'DejaVu Sans'; color: #555 } }
@page :first { @bottom-center { content: none } @top-right { content: none } }
html { font: 10pt/1.45 'DejaVu Sans', sans-serif; color: #1a1a1a }
h1 { font-size: 18pt; margin: 0 0 4mm; string-set: doctitle content() }
h2 { font-size: 13pt; margin: 6mm 0 2mm; color: #1f5f8b }
h3 { font-size: 11pt; margin: 4mm 0 1mm }
.cover { page-break-after: always; padding-top: 60mm }
.cover h1 { font-size: 24pt; string-set: none }
.cover .sub { font-size: 13pt; color: #444 }
.cover .meta { margin-top: 30mm; font-size: 10pt; color: #444 }
.synthetic { border-left: 3pt solid #e07b39; padding: 2mm 4mm; background: #fdf3ec; font-size: 9pt }
.toc { page-break-after: always }
.toc ol { list-style: none; padding: 0 }
.toc li { margin: 1.5mm 0 }
.toc a { color: inherit; text-decoration: none }
.toc a::after { content: leader('.') target-counter(attr(href), page) }
.uc { page-break-before: always }
.facts { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 2mm 0 4mm }
.facts th { text-align: left; width: 28%; color: #555; font-weight: normal; padding: 1mm 2mm 1mm 0 }
.facts td { padding: 1mm 0 }
.chart { break-inside: avoid; margin: 3mm 0 }
.chart svg { width: 100%; height: auto; max-height: 110mm }
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


def _refusing_fetcher():
    """A URL fetcher that fetches nothing: the export inlines all it needs, so any URL came from content."""
    from weasyprint.urls import URLFetcher

    class RefuseAll(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"eksporten henter ikke eksterne filer ({url[:80]})")

    return RefuseAll()


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


def build_html(items: Sequence[UseCase], db_path: Path, overview: OverviewSection | None,
               filter_description: str, today: date | None = None,
               decisions: Mapping[str, object] | None = None, views: Views | None = None,
               caveats: Mapping[str, Sequence] | None = None) -> str:
    today = today or date.today()
    decisions = decisions or {}
    views = views or {}
    parts = [
        "<!doctype html><html lang='da'><head><meta charset='utf-8'>",
        "<title>Use-case-katalog: nye data fra almen praksis</title></head><body>",
        "<section class='cover'><h1>Use-case-katalog</h1>",
        "<p class='sub'>Udstilling af nye data fra almen praksis – mockups og use-cases til "
        "arbejdsgruppen under Samlet indsats for data i det nære sundhedsvæsen</p>",
        f"<div class='meta'><p>Udtræk: {_e(filter_description)} ({len(items)} "
        f"use-case{'' if len(items) == 1 else 's'})</p>",
        f"<p>Dannet {today.day}. {_MONTHS[today.month - 1]} {today.year}</p>",
        f"<p class='synthetic'>{_e(SYNTHETIC_NOTE)}</p></div></section>",
        "<section class='toc'><h1>Indhold</h1><ol>",
    ]
    if overview is not None:
        parts.append("<li><a href='#prioritering'>Prioriteret overblik</a></li>")
    parts += [f"<li><a href='#{_e(item.id)}'>{_e(item.id)} {_e(item.title)}</a></li>" for item in items]
    parts.append("</ol></section>")
    if overview is not None:
        parts.append(_overview_html(overview))
    for item in items:
        parts.append(_usecase_html(item, db_path, decisions.get(item.id), views.get(item.id, {}),
                                   (caveats or {}).get(item.id, ())))
    parts.append("</body></html>")
    return "".join(parts)


_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"]


def _usecase_html(item: UseCase, db_path: Path, decision=None,
                  views: Mapping[str, Mapping[str, object]] | None = None, caveats: Sequence = ()) -> str:
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
                out.append(to_svg(bound))
                if bound.suppression_note:
                    caption.append(bound.suppression_note)
            caption.append("Syntetiske data.")
            out.append(f"<p class='caption'>{_e(' '.join(caption))}</p>")
        except ChartError as error:
            out.append(f"<p class='error'>Figuren kunne ikke dannes: {_e(error)}</p>")
        out.append("</div>")
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
               caveats: Mapping[str, Sequence] | None = None) -> bytes:
    """The catalogue (or a filtered part of it) as a PDF, with the prioritised overview first when given and
    each use-case's decision; with no items, the overview alone. `views` gives charts other parameters than
    their defaults (a choice that is not one of the chart's is drawn with the default)."""
    from weasyprint import CSS as WeasyCSS
    from weasyprint import HTML

    document = build_html(items, db_path, overview, filter_description, today, decisions, views, caveats)
    try:
        return HTML(string=document, url_fetcher=_refusing_fetcher()).write_pdf(stylesheets=[WeasyCSS(string=CSS)])
    except Exception as error:  # WeasyPrint raises many kinds; the member needs one message
        raise ExportError(f"PDF'en kunne ikke dannes: {error}") from error
