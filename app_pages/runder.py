"""Runder (chair only): open a round with its rules fixed in advance, follow participation, close it, and
download the anonymised ballot ledger."""

import json

import pandas as pd
import streamlit as st

from katalog import db as database
from katalog.voting import decisions as decision_store
from katalog.voting import ledger as ledger_store
from katalog.voting.members import reissue
from katalog.voting.overview import close, participation
from katalog.voting.rounds import RoundError, list_rounds
from ui import cached, identity, render, round_form, texts
from ui.voting_view import number

st.title("Runder")
render.require_database()
chair = identity.require_chair()
catalogue = cached.catalogue()

with database.opened() as db:
    rounds = list_rounds(db)
    decisions = decision_store.current(db)
open_round = next((r for r in rounds if r.is_open), None)

if open_round is not None:
    st.subheader(f"Åben runde: «{open_round.title}»")
    settings = open_round.settings
    st.caption(f"{len(settings.usecases)} use-cases · skala {settings.scale} · "
               + ("prikrunde" if settings.kind == "dots" else
                  ", ".join(f"{c.label} ×{number(c.weight)}" for c in settings.criteria))
               + (f" · frist {settings.deadline:%d.%m.%Y}" if settings.deadline else "")
               + (" · resultater skjult til lukning" if settings.hide_results else " · resultater synlige"))
    with database.opened() as db:
        rows, not_voted = participation(db, open_round)
    st.dataframe(pd.DataFrame([{"Sektor": p.sector, "Medlemmer": p.members, "Stemmesedler": p.ballots}
                               for p in rows]), hide_index=True)
    if not_voted:
        with st.expander(f"{texts.antal(len(not_voted), 'medlem', 'medlemmer')} har ikke stemt",
                         icon=":material/person_alert:"):
            st.caption("Links gemmes kun som hash og kan derfor ikke sendes igen. Udsted et nyt link (det gamle "
                       "holder op med at virke) og send det til medlemmet.")
            for member in not_voted:
                left, right = st.columns([3, 1])
                left.markdown(member.label)
                if right.button("Nyt link", key=f"reissue-{member.id}", icon=":material/link:"):
                    with database.opened() as db:
                        _, token = reissue(db, member.id)
                    st.code(round_form.link_for(token), language=None)
    if st.button("Luk runden", type="primary", icon=":material/lock:", key="close-round"):
        with database.opened() as db:
            try:
                close(db, open_round.id)
                st.success("Runden er lukket, og resultatet er frosset. Se **Prioriteret overblik**.")
                st.rerun()
            except RoundError as error:
                st.error(str(error))
else:
    st.subheader("Opret en runde")
    closed = [r for r in rounds if not r.is_open]
    round_form.create(catalogue, decisions, closed)

st.subheader("Alle runder")
if not rounds:
    st.caption("Der er ingen runder endnu.")
for voting_round in rounds:
    with st.container(border=True):
        st.markdown(f"**{voting_round.title}** · {voting_round.status_label} · åbnet {voting_round.opened_at[:10]}"
                    + (f" · lukket {voting_round.closed_at[:10]}" if voting_round.closed_at else ""))
        if voting_round.is_open and voting_round.settings.hide_results:
            st.caption("Stemmeregnskabet kan hentes, når runden er lukket.")
            continue
        with database.opened() as db:
            data = ledger_store.ledger(db, voting_round)
        left, right = st.columns(2)
        left.download_button("Stemmeregnskab (JSON)", json.dumps(data, ensure_ascii=False, indent=2),
                             file_name=f"stemmeregnskab-runde-{voting_round.id}.json", mime="application/json",
                             key=f"ledger-json-{voting_round.id}", icon=":material/download:")
        right.download_button("Stemmeregnskab (CSV)", ledger_store.ledger_csv(data),
                              file_name=f"stemmeregnskab-runde-{voting_round.id}.csv", mime="text/csv",
                              key=f"ledger-csv-{voting_round.id}", icon=":material/download:")
st.caption("Stemmeregnskabet har hver stemmeseddel under en hash uden navn. `katalog recount FIL` genberegner "
           "alle tal i det prioriterede overblik ud fra det.")
