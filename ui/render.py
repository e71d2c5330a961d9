"""Small render helpers shared by pages: a use-case card, a chart with its table, a declaration."""

from __future__ import annotations

import streamlit as st

from katalog.charts import BoundChart, ChartError, param_options
from katalog.db import db_path
from katalog.models import SUBTASK_LABELS, Chart, UseCase
from ui import cached, state, texts


def facts_line(item: UseCase) -> str:
    return " · ".join([
        f"Delopgave {SUBTASK_LABELS[item.subtask]}",
        ", ".join(item.diagnoses),
        item.platform,
        f"status: {item.status}",
    ])


def card(item: UseCase) -> None:
    with st.container(border=True):
        st.markdown(f"**{item.id} · {item.title}**")
        st.caption(facts_line(item))
        st.markdown(item.summary)
        st.page_link("pages/usecase.py", label="Åbn use-case og mockup", icon=":material/bar_chart:",
                     query_params={"id": item.id})


def chart(item: UseCase, chart: Chart) -> None:
    """Parameter widgets, the chart, its suppression note, and the rows as a table and a CSV."""
    st.subheader(chart.title)
    values = {}
    if chart.params:
        columns = st.columns(min(len(chart.params), 4))
        for index, param in enumerate(chart.params):
            try:
                options = param_options(param, db_path())
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


def synthetic_note() -> None:
    st.info(texts.SYNTHETIC, icon=":material/science:")
