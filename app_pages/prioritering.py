"""Prioritering: the use-cases ranked from the submitted ballots."""

import pandas as pd
import streamlit as st

from katalog import db as database
from katalog.voting.ballots import CRITERIA, ballot_count, current_round, format_score, tally
from ui import cached, render

st.title("Prioritering")
render.require_database()
catalogue = cached.catalogue()
with database.opened() as db:
    voting_round = current_round(db)
    ranking = tally(db, voting_round.id, [item.id for item in catalogue.items])
    ballots = ballot_count(db, voting_round.id)

status = "åben" if voting_round.is_open else "lukket"
st.markdown(f"Runden «{voting_round.title}» ({status}): **{ballots} stemmesedler** indsendt.")
st.caption("Rangeret efter gennemsnittet af use-casens gennemsnitlige scorer for "
           f"{' og '.join(c.lower() for c in CRITERIA.values())} (1–5). «Stemmesedler» er antallet af "
           "medlemmer, der har scoret use-casen. Stemmesedlerne vises ikke enkeltvis, men hvor kun ét medlem "
           "har scoret en use-case, er gennemsnittet vedkommendes score.")
titles = {item.id: item.title for item in catalogue.items}
table = pd.DataFrame([{
    "Nr.": str(r.rank) if r.rank else "–",
    "Use-case": f"{r.usecase_id} · {titles[r.usecase_id]}",
    **{label: format_score(getattr(r, c)) for c, label in CRITERIA.items()},
    "Samlet": format_score(r.score),
    "Stemmesedler": r.ballots,
} for r in ranking])
st.dataframe(table, hide_index=True, width="stretch")
if not ballots:
    st.info("Der er ingen stemmesedler endnu. Medlemmerne stemmer på siden **Afstemning** via deres "
            "personlige link.")
