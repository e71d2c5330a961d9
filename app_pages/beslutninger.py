"""Beslutninger (chair only): the decision per use-case, with a reason and a date, next to the round's result."""

import streamlit as st

from katalog import db as database
from katalog.voting import decisions as decision_store
from katalog.voting.overview import overview, status_label
from katalog.voting.rounds import current_round
from ui import cached, identity, render

st.title("Beslutninger")
render.require_database()
chair = identity.require_chair()
catalogue = cached.catalogue()
titles = {item.id: item.title for item in catalogue.items}

with database.opened() as db:
    voting_round = current_round(db)
    rows, results = overview(db, voting_round, chair, titles)
st.caption("Beslutningen vises på kortene i kataloget, på use-casens side, i filteret og i det prioriterede "
           "overblik og PDF'en. Hver ændring gemmes med dato; den seneste gælder.")


def _record(usecase_id: str) -> None:
    decision = st.session_state[f"decision-{usecase_id}"]
    reason = st.session_state[f"reason-{usecase_id}"]
    try:
        with database.opened() as db:
            decision_store.record(db, usecase_id, decision, reason, chair_id=chair.id,
                                  round_id=voting_round.id if voting_round else None)
        st.session_state[f"saved-{usecase_id}"] = True
    except decision_store.DecisionError as error:
        st.session_state[f"error-{usecase_id}"] = str(error)


for row in rows:
    with st.container(border=True, key=f"decide-{row.usecase_id}"):
        result = row.result
        rank = result.ranks.get(next(iter(results.methods))) if result and results else None
        st.markdown(f"**{row.usecase_id} · {row.title}**" + (f" · nr. {rank}" if rank else "")
                    + (f" · {status_label(result.consensus)}" if result and results.kind == "score" else ""))
        if row.decision:
            st.caption(f"Nu: **{row.decision.label}** ({row.decision.date}): {row.decision.reason}")
        left, right = st.columns([1, 2])
        current = row.decision.decision if row.decision else None
        options = list(decision_store.DECISIONS)
        left.selectbox("Beslutning", options, format_func=decision_store.DECISIONS.get,
                       key=f"decision-{row.usecase_id}", index=options.index(current) if current else None,
                       placeholder="Vælg …")
        right.text_input("Begrundelse", key=f"reason-{row.usecase_id}",
                         value=row.decision.reason if row.decision else "")
        st.button("Gem beslutning", key=f"save-{row.usecase_id}", on_click=_record, args=(row.usecase_id,),
                  icon=":material/gavel:")
        if st.session_state.pop(f"saved-{row.usecase_id}", False):
            st.success("Beslutningen er gemt.", icon=":material/check_circle:")
        if error := st.session_state.pop(f"error-{row.usecase_id}", None):
            st.error(error)
