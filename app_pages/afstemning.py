"""Afstemning: a signed-in member scores each use-case of the open round (or spreads points in a dot round);
one ballot each, editable until the round closes; unsaved answers are kept as a draft."""

from datetime import date

import streamlit as st

from katalog import db as database
from katalog.voting.ballots import NO_OPINION, VotingError, ballot_for, draft_for, missing, save_ballot
from katalog.voting.methods import RULES
from katalog.voting.results import RoundResults
from katalog.voting.rounds import current_round, get_round
from ui import ballot_form, cached, identity, render, state, texts, voting_view

st.title("Afstemning")
render.require_database()
member = identity.require_member()
catalogue = cached.catalogue()
titles = {item.id: item.title for item in catalogue.items}

with database.opened() as db:
    voting_round = current_round(db)
    if voting_round is None:
        st.info(texts.NO_ROUND, icon=":material/ballot:")
        st.stop()
    saved = ballot_for(db, member.id, voting_round.id)
    draft = draft_for(db, member.id, voting_round.id)
    previous = get_round(db, voting_round.settings.previous_round) if voting_round.settings.previous_round else None
    earlier = ballot_for(db, member.id, previous.id) if previous else None

settings = voting_round.settings
st.markdown(f"Du stemmer som **{member.label}** i runden **«{voting_round.title}»** ({voting_round.status_label}"
            + (f", frist {settings.deadline:%d.%m.%Y}" if settings.deadline else "") + ").")
if not voting_round.is_open:
    st.warning(texts.ROUND_CLOSED.format(title=voting_round.title), icon=":material/lock:")
    voting_view.own_ballot(saved, voting_round, titles)
    st.stop()

voting_view.round_explainer(voting_round, RULES[settings.rule])
if settings.deadline and settings.deadline < date.today():
    st.warning(f"Fristen var {settings.deadline:%d.%m.%Y}. Du kan stadig gemme, indtil formanden lukker runden.",
               icon=":material/schedule:")
# A draft first, then the saved ballot; a follow-up round starts from the member's answers in the round before.
start = draft or (saved[0] if saved else None) or (earlier[0] if earlier else None)
ballot_form.seed(voting_round, start)
if draft is not None:
    st.info("Du har ændringer, der ikke er gemt endnu (de er bevaret herunder). Husk at gemme.",
            icon=":material/edit_note:")
if st.session_state.pop(state.DRAFT_FAILED, False):
    st.warning("Dine seneste valg kunne ikke mellemlagres, men de står stadig herunder. Gem stemmesedlen.")

previous_results = (RoundResults.from_json(previous.snapshot) if previous is not None and previous.snapshot
                    else None)
current = ballot_form.from_widgets(voting_round)
lacking = missing(current, voting_round)
if settings.kind == "score":
    voting_view.missing_note(lacking, titles)

for uc in settings.usecases:
    with st.container(border=True, key=f"ballot-{uc}"):
        voting_view.usecase_heading(uc, titles, catalogue)
        if previous_results is not None:
            voting_view.feedback(previous_results, uc, previous, earlier[0] if earlier else None)
        if settings.kind == "dots":
            voting_view.dot_input(voting_round, uc, member)
        else:
            voting_view.score_inputs(voting_round, uc, member)

if settings.kind == "dots":
    voting_view.dot_budget(current, voting_round)
if st.button("Gem min stemmeseddel", type="primary", icon=":material/save:"):
    with database.opened() as db:
        try:
            save_ballot(db, member.id, voting_round, ballot_form.from_widgets(voting_round))
            saved = ballot_for(db, member.id, voting_round.id)
            missing = texts.antal(len(lacking), "use-case", "use-cases")
            st.success("Din stemmeseddel er gemt. Du kan ændre den, indtil runden lukkes."
                       + (f" Der mangler stadig svar på {missing}." if lacking else ""),
                       icon=":material/check_circle:")
        except VotingError as error:
            st.error(f"{error} Dine valg herover er bevaret.", icon=":material/error:")
st.caption(f"«{NO_OPINION.capitalize()}» tæller ikke med i resultatet. Erklærer du dig inhabil, tæller du ikke "
           "med for den use-case, og det vises som inhabil.")
voting_view.own_ballot(saved, voting_round, titles)
