"""Small render helpers shared by pages: the catalogue's cards, a chart with its table, a declaration, mock tables."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from markdown_it import MarkdownIt

from katalog import charts
from katalog.charts import BoundChart, ChartError, geo
from katalog.content import literal_markdown
from katalog.content.models import DECLARATION_HEADINGS, SUBTASK_LABELS, Chart, UseCase
from katalog.mock.mockinfo import MockInfo, NationalFigure, TableInfo, format_number
from ui import cached, state, texts


def facts_line(item: UseCase) -> str:
    return " · ".join([
        f"Delopgave {SUBTASK_LABELS[item.subtask]}",
        ", ".join(item.diagnoses),
        item.platform,
        f"status: {item.status}",
    ])


def decision_badge(decision) -> None:
    """The chair's decision as a badge, with its date and reason on hover."""
    if decision is not None:
        st.badge(f"{decision.label} ({decision.date})", icon=":material/gavel:",
                 color="gray" if decision.decision == "fravalgt" else "blue", help=decision.reason)


# The catalogue's cards are one HTML element, not three Streamlit elements each (a bordered container, the text and a
# page link): on a filter click the browser then replaces one element instead of 72, which is most of what a click
# cost in the browser (profiled: React, its styling and the Markdown renderer for every card). The text is escaped
# and the summary rendered from Markdown without raw HTML or images (nothing is fetched); a card's link opens the
# use-case inside the app (see _PAGE_LINKS), or as a plain link when that script is not there.
_summary_markdown = MarkdownIt("commonmark", {"html": False}).disable("image")
_CARD_CSS = """<style>
.katalog-cards { display: flex; flex-direction: column; gap: 1rem; }
.katalog-card { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: calc(1rem - 1px); }
.katalog-card h3 { font-size: 1rem; font-weight: 600; line-height: 1.6; margin: 0; padding: 0; }
.katalog-card .facts { color: rgba(49, 51, 63, 0.6); font-size: 0.875rem; margin: 0 0 1rem; }
.katalog-card .summary p { margin: 0 0 1rem; }
.katalog-card .decision { display: inline-block; margin: 0.25rem 0; padding: 0.125rem 0.5rem; border-radius: 0.5rem;
  font-size: 0.875rem; background: rgba(28, 131, 225, 0.1); color: #0054a3; }
.katalog-card .decision.fravalgt { background: rgba(49, 51, 63, 0.06); color: rgba(49, 51, 63, 0.7); }
.katalog-card a.open { display: inline-flex; align-items: center; gap: 0.5rem; padding: 0.25rem 0.5rem;
  margin-left: -0.5rem; border-radius: 0.5rem; color: inherit; text-decoration: none; font-size: 0.875rem; }
.katalog-card a.open:hover { background: rgba(151, 166, 195, 0.15); }
.katalog-card a.open .icon { font-family: 'Material Symbols Rounded'; font-size: 1.1rem; line-height: 1;
  font-weight: 400; font-feature-settings: 'liga'; user-select: none; }
</style>"""
_CHART_ICON = "<span class='icon' aria-hidden='true'>bar_chart</span>"  # Streamlit's own icon font, as :material/…:


def card_html(item: UseCase, decision=None) -> str:
    """One use-case's card: title, the chair's decision, facts, summary and a link to its page."""
    e = html.escape
    badge = ""
    if decision is not None:
        kind = " fravalgt" if decision.decision == "fravalgt" else ""
        badge = (f"<div><span class='decision{kind}' title='{e(decision.reason)}'>"
                 f"{e(decision.label)} ({e(decision.date)})</span></div>")
    link = f"usecase?{urlencode({'id': item.id})}"
    return (f"<article class='katalog-card' aria-label='{e(item.id)}'><h3>{e(item.id)} · {e(item.title)}</h3>{badge}"
            f"<p class='facts'>{e(facts_line(item))}</p>"
            f"<div class='summary'>{_summary_markdown.render(item.summary)}</div>"
            f"<a class='open' href='{e(link)}' data-katalog-page>{_CHART_ICON}{e(texts.OPEN_USECASE)}</a></article>")


def cards(items: Sequence[UseCase], decisions: dict) -> None:
    """The catalogue's cards, as one element."""
    if items:
        st.html(_CARD_CSS + "<div class='katalog-cards'>"
                + "".join(card_html(item, decisions.get(item.id)) for item in items) + "</div>")


def chart(item: UseCase, chart: Chart) -> dict | None:
    """Parameter widgets, the chart (or why it is empty), its suppression note, and the rows as a table and a CSV.

    Returns the parameter values shown (None when the chart failed), for the URL and the PDF."""
    st.subheader(chart.title)
    try:
        options = {p.name: cached.chart_param_options(item.id, chart.id, p.name) for p in chart.params}
    except ChartError as error:
        st.error(texts.CHART_FAILED.format(error=error))
        return None
    values = {}
    if chart.params:
        columns = st.container(key=f"params-{item.id}-{chart.id}").columns(min(len(chart.params), 5))
        for index, param in enumerate(chart.params):
            key = state.chart_param(item.id, chart.id, param.name)
            choices = options[param.name]
            if st.session_state.get(key) not in choices:  # new, or a choice that a rebuild removed
                st.session_state[key] = param.default if param.default in choices else choices[0]
            with columns[index % len(columns)]:
                values[param.name] = st.selectbox(param.label, choices, key=key)
    try:
        bound: BoundChart = cached.bound_chart(item.id, chart.id, values)
    except ChartError as error:
        st.error(texts.CHART_FAILED.format(error=error))
        return None
    if bound.empty_kind:
        message = charts.empty_message(bound, options, lambda other: cached.bound_chart(item.id, chart.id, other))
        st.info(message, icon=":material/info:")
    else:
        st.vega_lite_chart(bound.spec, theme=None, width="stretch", alt=chart.alt)
        if chart.map:
            st.caption(geo.ATTRIBUTION)
        if bound.mostly_hidden:
            st.warning(charts.mostly_hidden_message(bound, options), icon=":material/visibility_off:")
        elif bound.suppression_note:
            st.caption(bound.suppression_note)
    if st.toggle(texts.CHART_SHOW_TABLE, key=state.show_table(item.id, chart.id)):
        st.dataframe(bound.labelled_table, hide_index=True, width="stretch")
        st.download_button(texts.CHART_CSV, data=bound.csv(), file_name=f"{item.id}-{chart.id}.csv",
                           mime="text/csv", icon=":material/download:", key=f"csv.{item.id}.{chart.id}")
    return dict(bound.params)


def chart_options(item: UseCase, chart_id: str) -> dict[str, list] | None:
    """A chart's parameter options, or None when the chart is gone or its options cannot be read."""
    chart = next((c for c in item.charts if c.id == chart_id), None)
    if chart is None:
        return None
    try:
        return {p.name: cached.chart_param_options(item.id, chart.id, p.name) for p in chart.params}
    except ChartError:
        return None


def usecase_pdf(item: UseCase, views: dict[str, dict]) -> None:
    """A button that makes a PDF of this use-case with the charts as the member set them, then offers it."""
    from katalog import db as database
    from katalog.export import ExportError, render_pdf

    made_for = (item.id, json.dumps(views, sort_keys=True, ensure_ascii=False, default=str))
    button, caption = st.columns([1, 3], vertical_alignment="center")
    caption.caption(texts.USECASE_PDF_HELP)
    slot = button.empty()
    made = st.session_state.get(state.USECASE_PDF)
    if not (made and made[0] == made_for):  # never offer a PDF made for other choices
        if not slot.button(texts.USECASE_PDF_MAKE, icon=":material/picture_as_pdf:", disabled=not cached.db_ready(),
                           width="stretch", key=f"pdf.{item.id}"):
            return
        with button, st.spinner(texts.USECASE_PDF_BUSY):
            try:
                pdf = render_pdf([item], database.db_path(), filter_description=f"{item.id}, {texts.USECASE_PDF_VIEWS}",
                                 decisions=cached.decisions(), views={item.id: views},
                                 caveats=cached.adopted_caveats())
            except ExportError as error:
                st.error(str(error))
                return
        made = (made_for, pdf)
        st.session_state[state.USECASE_PDF] = made
    slot.download_button(texts.USECASE_PDF_GET, data=made[1], file_name=f"{item.id}.pdf", mime="application/pdf",
                         icon=":material/download:", type="primary", width="stretch", key=f"pdf-get.{item.id}")


# Streamlit's chart and table toolbars ("Show data", "Download as PNG", "Copy Vega-Lite spec", "Fullscreen") and
# the table's column menu ("Sort ascending" …) exist only in English; the page offers its own Danish table and CSV.
_HIDE_ENGLISH_CONTROLS = """
[data-testid="stElementToolbar"], [data-testid="stDataFrameColumnMenu"] { display: none !important; }
"""
# The mockup first: a title that leaves room for the charts above the fold, on a laptop and a phone.
_COMPACT_TITLE = """
[data-testid="stMain"] h1 { font-size: 2.1rem; padding-top: 0.5rem; }
[data-testid="stMain"] h2 { font-size: 1.7rem; }
[data-testid="stMain"] h3 { font-size: 1.45rem; }
@media (max-width: 640px) {
  [data-testid="stMain"] h1 { font-size: 1.55rem; }
  [data-testid="stMain"] h3 { font-size: 1.2rem; }
  /* a chart's parameters two by two on a phone, not five rows of their own */
  [class*="st-key-params-"] [data-testid="stHorizontalBlock"] { flex-flow: row wrap; gap: 0 0.75rem; }
  [class*="st-key-params-"] [data-testid="stColumn"] { flex: 1 1 calc(50% - 0.75rem); min-width: calc(50% - 0.75rem); }
}
"""


def usecase_page_style() -> None:
    st.html(f"<style>{_HIDE_ENGLISH_CONTROLS}{_COMPACT_TITLE}</style>")


_DANISH_CHROME = """<script>
(() => {
  if (window.katalogDanishChrome) return;  // once per browser tab, however many pages call it
  window.katalogDanishChrome = true;
  const exact = new Map(Object.entries(EXACT));
  const patterns = PATTERNS.map(([source, target]) => [new RegExp(source), target]);
  const danish = (text) => {
    const trimmed = text.trim();
    if (exact.has(trimmed)) return exact.get(trimmed);
    for (const [pattern, target] of patterns) if (pattern.test(trimmed)) return trimmed.replace(pattern, target);
    return null;
  };
  // The catalogue's own words (Markdown, charts, tables) are never touched, only Streamlit's around them; the
  // labels Streamlit puts on them (a heading's link) are its own.
  const content = "[data-testid=stMarkdownContainer], [data-testid=stVegaLiteChart], .stDataFrame";
  const names = ["aria-label", "title", "placeholder"];
  const translate = (root) => {
    if (!root || !root.isConnected) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement?.closest(content)) continue;
      const text = danish(node.nodeValue);
      if (text !== null) node.nodeValue = text;
    }
    for (const element of [root, ...root.querySelectorAll("[aria-label], [title], [placeholder]")]) {
      for (const name of names) {
        const value = element.getAttribute(name);
        const text = value && danish(value);
        if (text) element.setAttribute(name, text);
      }
    }
  };
  const pending = new Set();
  const flush = () => { const roots = [...pending]; pending.clear(); roots.forEach(translate); };
  const later = (node) => {
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    if (!element) return;
    if (!pending.size) requestAnimationFrame(flush);
    pending.add(element);
  };
  translate(document.body);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "childList") change.addedNodes.forEach(later);
      else later(change.target);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: names});
})();
</script>"""


# A card's link (`data-katalog-page`, see card_html) opens its page inside the app, as Streamlit's own page links do:
# the address is pushed and Streamlit is told the address changed, as by the browser's back button (its `popstate`
# handler finds the page by its path and runs it with the query). A click with a modifier key (new tab) is left to the
# browser, and without this script the link still opens the page, as a new page load.
_PAGE_LINKS = """<script>
(() => {
  if (window.katalogPageLinks) return;
  window.katalogPageLinks = true;
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest("a[data-katalog-page]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
        || event.altKey || link.origin !== window.location.origin) return;
    event.preventDefault();
    window.history.pushState(null, "", link.href);
    window.dispatchEvent(new PopStateEvent("popstate"));
  });
})();
</script>"""


def browser_scripts() -> None:
    """Put Streamlit's own interface texts (menus, buttons, screen-reader labels, "Page not found") in Danish in
    the browser, and let the catalogue's card links open their page inside the app. Once loaded they work until
    the page is reloaded, whatever page is shown; a second call adds nothing."""
    script = _DANISH_CHROME.replace("EXACT", json.dumps(texts.STREAMLIT_DANISH, ensure_ascii=False)).replace(
        "PATTERNS", json.dumps(texts.STREAMLIT_DANISH_PATTERNS, ensure_ascii=False)) + _PAGE_LINKS
    # The script takes no space; and the page starts right under Streamlit's header bar instead of 6rem down, so a
    # use-case's first chart is above the fold on a laptop. The script is in the sidebar: in the main area, ahead of
    # the page, its (hidden) element made every filter click in the catalogue slower to show (measured, bench/).
    st.html('<style>[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:first-child) '
            '{ display: none; } [data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }</style>')
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)


def _query() -> dict[str, str]:
    return {key: st.query_params.get(key) for key in st.query_params}


def _fingerprint(query: dict[str, str]) -> str:
    return json.dumps(sorted(query.items()), ensure_ascii=False)


def usecase_from_url(ids: list[str]) -> list[str]:
    """Before the widgets exist: when the URL is not the one this page last wrote (a link was opened, or the
    page reached from elsewhere), take the use-case and every chart's parameters from it.

    Otherwise the widgets are the truth, so the picker can switch use-case. Returns a Danish note for each
    part of the link that could not be shown."""
    query = _query()
    if st.session_state.get(state.USECASE_URL) == _fingerprint(query) and st.session_state.get(state.USECASE) in ids:
        return []
    notes = []
    wanted = query.get("id")
    if wanted in ids:
        chosen = wanted
    else:
        if wanted:
            notes.append(texts.USECASE_UNKNOWN.format(wanted=wanted))
        last = st.session_state.get(state.USECASE_LAST)
        chosen = last if last in ids and not wanted else ids[0]
    st.session_state[state.USECASE] = chosen
    item = cached.catalogue().get(chosen)
    try:
        views, more = charts.view_from_query(
            item.charts, query, lambda c, p: cached.chart_param_options(item.id, c.id, p.name))
    except ChartError:
        return notes  # the chart says what is wrong where it is drawn
    for chart_id, values in views.items():
        for name, value in values.items():
            st.session_state[state.chart_param(item.id, chart_id, name)] = value
    return notes + more


def usecase_to_url(item: UseCase, views: dict[str, dict]) -> None:
    """After the widgets: the URL says which use-case and which choices are shown (only those off their
    default), so a copied link shows a colleague the same view."""
    query = _query()
    wanted = {"id": item.id, **charts.view_to_query(item.charts, views)}
    others = {k: v for k, v in query.items() if k != "id" and not charts.is_view_key(k)}
    if {k: v for k, v in query.items() if k not in others} != wanted:
        st.query_params.from_dict({**others, **wanted})
    st.session_state[state.USECASE_URL] = _fingerprint({**others, **wanted})
    st.session_state[state.USECASE_LAST] = item.id


def declaration(item: UseCase, adopted: Sequence = ()) -> None:
    """The seven headings; caveats the working group adopted follow the file's own under «Forbehold ved
    fortolkning», marked with their date (their text is shown literally: members typed it)."""
    st.subheader("Deklaration")
    st.caption("Information om opgørelsen, under eSundheds syv overskrifter.")
    with st.container(border=True):
        for key, (heading, text) in zip(DECLARATION_HEADINGS, item.declaration.sections(), strict=True):
            st.markdown(f"**{heading}**")
            st.markdown(text)
            if key == "caveats" and adopted:
                st.markdown("\n".join(f"- {plain(c.text)} *(tilføjet af arbejdsgruppen {c.date})*" for c in adopted),
                            help="Forbehold, som arbejdsgruppen har optaget efter medlemmernes vurderinger.")


def require_database() -> None:
    """Stop the page with a clear message when catalogue.db has not been built."""
    if not cached.db_ready():
        st.error(texts.NO_DATABASE)
        st.stop()


def synthetic_note(text: str = texts.SYNTHETIC) -> None:
    st.info(text, icon=":material/science:")


def plain(text: str) -> str:
    """Text from the database as literal Markdown: no emphasis, links, LaTeX, Streamlit directives or lists."""
    return literal_markdown(text)


def mock_build(info: MockInfo) -> None:
    """The build's scale and seed, and whether the person-level cohort is in it."""
    build = info.build
    if build.scale >= 1:
        st.markdown(texts.MOCK_SCALE_ALL.format(seed=build.seed))
    else:
        st.markdown(texts.MOCK_SCALE_PART.format(scale=build.scale_text, factor=f"{build.scale:g}".replace(".", ","),
                                                 seed=build.seed))
    person_tables = [t for t in info.tables if not t.is_aggregate]
    if build.cohort and person_tables:
        st.caption(texts.MOCK_COHORT_IN.format(n=len(person_tables)))
    else:
        st.caption(texts.MOCK_COHORT_OUT)


def _right(frame: pd.DataFrame, columns: Sequence[str]):
    """Numbers right-aligned, heading included (st.table sets text-align inline, hence !important)."""
    headings = [{"selector": f"th.col{frame.columns.get_loc(c)}", "props": "text-align: right !important"}
                for c in columns]
    return frame.style.set_properties(subset=list(columns), **{"text-align": "right !important"}).set_table_styles(
        headings)


def mock_overview(info: MockInfo) -> None:
    """Every mock table: title, name, rows, level, and how many national figures it has (never its rows)."""
    rows = []
    for table in info.tables:
        figures = info.figures_for(table.name)
        outside = sum(f.within_tolerance is False for f in figures)
        rows.append({
            "Tabel": f"{plain(table.title)}  \n`{table.name}`",
            "Rækker": format_number(table.rows),
            "Niveau": texts.MOCK_LEVELS.get(table.level, plain(table.level)),
            "Skjulte antal": table.hidden_text,
            "Landstal med forlæg": str(len(figures)) if figures else "–",
            "Uden for ±10 %": (f":red-badge[{outside}]" if outside else "0") if figures else "–",
        })
    st.table(_right(pd.DataFrame(rows), ["Rækker", "Skjulte antal", "Landstal med forlæg", "Uden for ±10 %"]),
             hide_index=True)


def mock_tolerance(info: MockInfo) -> None:
    """One line saying which national figures are more than ±10 % from their forlæg."""
    outside = info.outside_tolerance
    if outside:
        measures = "; ".join(f"{plain(f.measure)} ({f.deviation_text}, `{f.table}`)" for f in outside)
        st.warning(texts.MOCK_OUTSIDE.format(n=len(outside), total=len(info.figures), measures=measures),
                   icon=":material/warning:")
    elif info.figures:
        st.success(texts.MOCK_ALL_INSIDE.format(total=len(info.figures)), icon=":material/check:")


def _inside_badge(figure: NationalFigure) -> str:
    inside = figure.within_tolerance
    return "–" if inside is None else ":green-badge[ja]" if inside else ":red-badge[nej]"


def mock_table(table: TableInfo, figures: Sequence[NationalFigure]) -> None:
    """One table's declaration and columns, and its national figures next to their forlæg."""
    st.markdown(f"**{plain(table.title)}** · `{table.name}` · {format_number(table.rows)} rækker · "
                f"{texts.MOCK_LEVELS.get(table.level, plain(table.level))}")
    with st.container(border=True):
        st.markdown("**Deklaration**")
        st.markdown(plain(table.declaration))
        st.markdown(f"**Kolonner ({len(table.columns)})**")
        st.caption(", ".join(f"`{c.name}` ({texts.MOCK_COLUMN_TYPES.get(c.type, plain(c.type.lower()))})"
                             for c in table.columns))
    st.markdown("**Landstal og forlæg**")
    if not figures:
        st.caption(texts.MOCK_NO_FIGURES if table.is_aggregate else texts.MOCK_NO_FIGURES_PERSON)
        return
    st.caption(texts.MOCK_COMPARE_CAPTION)
    several_topics = len({f.topic for f in figures}) > 1
    frame = pd.DataFrame([{
        **({"Emne": plain(f.topic)} if several_topics else {}),
        "Landstal": plain(f.measure),
        "Genereret": f.generated_text,
        "Forlæg": f.anchor_text,
        "Afvigelse": f.deviation_text if f.within_tolerance is not False else f"**:red[{f.deviation_text}]**",
        "Inden for ±10 %": _inside_badge(f),
        "Kilde": plain(f.source),
    } for f in figures])
    st.table(_right(frame, ["Genereret", "Forlæg", "Afvigelse"]), hide_index=True)
