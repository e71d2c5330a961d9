"""The catalogue's search and facet filters, kept in step with the URL so a copied link reproduces the view."""

from __future__ import annotations

import streamlit as st

from katalog.content import filters
from katalog.content.filters import FACETS, FilterSpec
from katalog.content.models import UseCase
from ui import state


def _seed_widgets() -> None:
    """Before the widgets exist: take their values from the URL, else from the last view in this session."""
    widget_keys = [state.FILTER_TEXT, *state.FILTER_FACET.values()]
    if any(key in st.session_state for key in widget_keys):
        return  # the widgets are alive: they are the truth
    url_keys = {facet.key for facet in FACETS} | {filters.SEARCH_KEY}
    if url_keys & set(st.query_params):
        spec = filters.from_query_params({k: st.query_params.get_all(k) for k in st.query_params})
    else:
        spec = st.session_state.get(state.CATALOGUE_FILTER, FilterSpec())
    st.session_state[state.FILTER_TEXT] = spec.text
    for facet in FACETS:
        st.session_state[state.FILTER_FACET[facet.key]] = list(spec.selected.get(facet.key, ()))


def _current() -> FilterSpec:
    selected = {facet.key: tuple(st.session_state.get(state.FILTER_FACET[facet.key], ()))
                for facet in FACETS}
    return FilterSpec(text=st.session_state.get(state.FILTER_TEXT, ""),
                      selected={k: v for k, v in selected.items() if v})


def current() -> FilterSpec:
    """The filters as the widgets will show them (from the URL or the last view on a first visit), before they
    are drawn."""
    _seed_widgets()
    return _current()


def controls(items: list[UseCase], decisions: dict[str, str] | None = None) -> FilterSpec:
    """Search box and one multiselect per facet, each option with the count it would show."""
    _seed_widgets()
    st.text_input("Søg", key=state.FILTER_TEXT, placeholder="fx HbA1c, kommune, kronikerhonorar",
                  icon=":material/search:")
    spec = _current()
    for facet in FACETS:
        counts = filters.facet_counts(items, spec, facet, decisions)
        st.multiselect(
            facet.label,
            facet.options,
            key=state.FILTER_FACET[facet.key],
            format_func=lambda option, f=facet, c=counts: f"{f.option_label(option)} ({c[option]})",
            placeholder="Alle",
            select_all=False,  # Streamlit's «Select all» has no Danish label
        )
    spec = _current()
    st.session_state[state.CATALOGUE_FILTER] = spec
    wanted = filters.to_query_params(spec)
    if {k: st.query_params.get_all(k) for k in st.query_params} != wanted:
        st.query_params.from_dict(wanted)
    return spec
