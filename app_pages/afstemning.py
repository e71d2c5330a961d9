"""Afstemning: a member with a personal link scores each use-case; one ballot each, editable."""

import pandas as pd
import streamlit as st

from katalog import db as database
from katalog.voting.ballots import CRITERIA, CRITERIA_HELP, VotingError, ballot_for, current_round, save_ballot
from ui import cached, identity, render, state, texts

st.title("Afstemning")
member = identity.current_member()
if st.session_state.get(state.INVITE_FAILED) and member is None:
    st.error(texts.INVITE_UNKNOWN, icon=":material/link_off:")
if member is None:
    st.info(texts.NEEDS_INVITE, icon=":material/key:")
    st.stop()
render.require_database()

catalogue = cached.catalogue()
with database.opened() as db:
    voting_round = current_round(db)
    saved = ballot_for(db, member.id, voting_round.id)

st.markdown(f"Du stemmer som **{member.name}** ({member.organisation}, {member.sector}) "
            f"i runden «{voting_round.title}».")
options = [texts.NOT_SCORED, 1, 2, 3, 4, 5]

if not voting_round.is_open:
    st.warning(texts.ROUND_CLOSED.format(title=voting_round.title))
else:
    st.markdown(texts.VOTE_INTRO)
    for item in catalogue.items:  # seed widgets from the saved ballot, once per session
        for criterion in CRITERIA:
            key = state.vote(item.id, criterion)
            if key not in st.session_state:
                previous = saved[0].scores.get(item.id) if saved else None
                value = getattr(previous, criterion) if previous else None
                st.session_state[key] = value if value is not None else texts.NOT_SCORED
    with st.form("ballot"):
        for item in catalogue.items:
            with st.container(border=True):
                st.markdown(f"**{item.id} · {item.title}**")
                st.caption(item.summary)
                columns = st.columns(len(CRITERIA))
                for column, (criterion, label) in zip(columns, CRITERIA.items(), strict=True):
                    column.select_slider(label, options, key=state.vote(item.id, criterion),
                                         help=CRITERIA_HELP[criterion])
        submitted = st.form_submit_button("Gem min stemmeseddel", type="primary")
    if submitted:
        # Scores for use-cases not on the form now (e.g. a file with a problem) are kept, not erased.
        kept = {uc: s.model_dump() for uc, s in saved[0].scores.items()} if saved else {}
        scores = kept | {
            item.id: {c: (None if st.session_state[state.vote(item.id, c)] == texts.NOT_SCORED
                          else int(st.session_state[state.vote(item.id, c)])) for c in CRITERIA}
            for item in catalogue.items
        }
        with database.opened() as db:
            try:
                save_ballot(db, member.id, voting_round.id, scores)
                saved = ballot_for(db, member.id, voting_round.id)
                st.success("Din stemmeseddel er gemt. Du kan ændre den, indtil runden lukkes.",
                           icon=":material/check_circle:")
            except VotingError as error:
                st.error(f"{error} Dine valg herover er bevaret.", icon=":material/error:")

st.subheader("Din indsendte stemmeseddel")
if saved is None:
    st.caption("Du har ikke indsendt en stemmeseddel i denne runde endnu.")
else:
    ballot, updated_at = saved
    titles = {item.id: item.title for item in catalogue.items}
    st.caption(f"Senest gemt {updated_at.replace('T', ' ').rstrip('Z')} (UTC).")
    st.dataframe(
        pd.DataFrame([{"Use-case": f"{uc} · {titles.get(uc, '(ikke længere i kataloget)')}",
                       **{label: getattr(s, c) if getattr(s, c) is not None else texts.NOT_SCORED
                          for c, label in CRITERIA.items()}}
                      for uc, s in sorted(ballot.scores.items())]).astype(str),
        hide_index=True, width="stretch",
    )
