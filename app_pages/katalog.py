"""Katalog: every use-case as a card, with free-text search and facet filters."""

import streamlit as st

from katalog.content import filters
from ui import cached, filterbar, render, state, texts

PAGE = 24

catalogue = cached.catalogue()
st.title("Use-case-katalog")
st.caption("Mockups og use-cases for første udstilling af nye data fra almen praksis (delopgave 1) "
           "og for senere leverancer (delopgave 2a–c).")
if catalogue.problems:
    broken = texts.antal(len({p.path for p in catalogue.problems}), "use-case-fil", "use-case-filer")
    st.warning(texts.PROBLEMS_BANNER.format(files=broken),
               icon=":material/report:")

decisions = cached.decisions()
decision_keys = {uc: d.decision for uc, d in decisions.items()}


def count_line(spec: filters.FilterSpec) -> tuple[list, str]:
    items = filters.apply(catalogue.items, spec, decision_keys)
    return items, f"**{len(items)} af {len(catalogue.items)} use-cases** · {spec.describe()}"


# The answer to a filter click first: the count is drawn before the filters and the cards are sent (the filters'
# values are known before their widgets are drawn), so a member sees it as soon as the browser has it.
spec = filterbar.current()
items, line = count_line(spec)
count = st.empty()
count.markdown(line)
with st.sidebar:
    st.header("Filtre")
    if (checked := filterbar.controls(catalogue.items, decision_keys)) != spec:  # not expected; then redrawn
        spec = checked
        items, line = count_line(spec)
        count.markdown(line)
if not items:
    st.info("Ingen use-cases passer til filtrene. Fjern et filter eller ret søgningen.")
# A page of cards at a time, as one element: a catalogue of hundreds stays quick to filter.
shown = st.session_state.get(state.CARDS_SHOWN, PAGE)
render.cards(items[:shown], decisions)
if len(items) > shown:
    st.caption(f"Viser {shown} af {len(items)}. Brug søgning og filtre for at finde en bestemt use-case.")
    st.button(f"Vis {min(PAGE, len(items) - shown)} mere", icon=":material/expand_more:", key="more-cards",
              on_click=lambda: st.session_state.__setitem__(state.CARDS_SHOWN, shown + PAGE))
