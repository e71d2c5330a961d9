"""Small render helpers shared by pages: a use-case card, a chart with its table, a declaration, mock tables."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from katalog.charts import BoundChart, ChartError
from katalog.mockinfo import MockInfo, NationalFigure, TableInfo, format_number
from katalog.models import SUBTASK_LABELS, Chart, UseCase
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


def card(item: UseCase, decision=None) -> None:
    with st.container(border=True):
        st.markdown(f"**{item.id} · {item.title}**")
        decision_badge(decision)
        st.caption(facts_line(item))
        st.markdown(item.summary)
        st.page_link("app_pages/usecase.py", label="Åbn use-case og mockup", icon=":material/bar_chart:",
                     query_params={"id": item.id})


def chart(item: UseCase, chart: Chart) -> None:
    """Parameter widgets, the chart, its suppression note, and the rows as a table and a CSV."""
    st.subheader(chart.title)
    values = {}
    if chart.params:
        columns = st.columns(min(len(chart.params), 4))
        for index, param in enumerate(chart.params):
            try:
                options = cached.chart_param_options(item.id, chart.id, param.name)
            except ChartError as error:
                st.error(f"Figuren kunne ikke vises: {error}")
                return
            key = state.chart_param(item.id, chart.id, param.name)
            if key in st.session_state and st.session_state[key] not in options:
                del st.session_state[key]
            index_default = options.index(param.default) if param.default in options else 0
            with columns[index % len(columns)]:
                values[param.name] = st.selectbox(param.label, options, index=index_default, key=key)
    try:
        bound: BoundChart = cached.bound_chart(item.id, chart.id, values)
    except ChartError as error:
        st.error(f"Figuren kunne ikke vises: {error}")
        return
    st.vega_lite_chart(bound.spec, theme=None, width="stretch", alt=chart.alt)
    if bound.suppression_note:
        st.caption(bound.suppression_note)
    if st.toggle("Vis data som tabel", key=state.show_table(item.id, chart.id)):
        st.dataframe(bound.table, hide_index=True, width="stretch")
        st.download_button("Hent tabellen som CSV", data=bound.csv(), file_name=f"{item.id}-{chart.id}.csv",
                           mime="text/csv", icon=":material/download:", key=f"csv.{item.id}.{chart.id}")


def declaration(item: UseCase) -> None:
    st.subheader("Deklaration")
    st.caption("Information om opgørelsen, under eSundheds syv overskrifter.")
    with st.container(border=True):
        for heading, text in item.declaration.sections():
            st.markdown(f"**{heading}**")
            st.markdown(text)


def require_database() -> None:
    """Stop the page with a clear message when catalogue.db has not been built."""
    if not cached.db_ready():
        st.error(texts.NO_DATABASE)
        st.stop()


def synthetic_note(text: str = texts.SYNTHETIC) -> None:
    st.info(text, icon=":material/science:")


_MARKDOWN_INLINE = re.compile(r"([\\`*_{}\[\]<>#|$~:])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+>]|\d+\.)(?=\s)", re.MULTILINE)


def plain(text: str) -> str:
    """Text from the database as literal Markdown: no emphasis, links, LaTeX, Streamlit directives or lists."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)[:-1]}\\{m.group(2)[-1]}", text)


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
