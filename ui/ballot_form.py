"""The ballot form: widgets seeded from the draft, the saved ballot or the member's previous round, and
every change kept as a draft at once, so nothing entered is lost by opening a mockup or reloading."""

from __future__ import annotations

import streamlit as st

from katalog import db as database
from katalog.voting.ballots import NO_OPINION, Ballot, ItemBallot, VotingError, save_draft
from katalog.voting.members import Member
from katalog.voting.rounds import Round
from ui import state


def score_options(voting_round: Round) -> list:
    scale = voting_round.settings.scale_obj
    return [*range(scale.low, scale.high + 1), NO_OPINION]


def seed(voting_round: Round, start: Ballot | None) -> None:
    """Put the starting answers into widget state, for keys the session does not hold yet."""
    rid, start = voting_round.id, start or Ballot()
    for uc in voting_round.settings.usecases:
        item = start.items.get(uc, ItemBallot())
        defaults = {state.vote_reason(rid, uc): item.reason, state.vote_recused(rid, uc): item.recused,
                    state.vote_dots(rid, uc): start.dots.get(uc, 0)}
        for criterion in voting_round.settings.criteria:
            score = item.scores.get(criterion.key, "unset")
            defaults[state.vote(rid, uc, criterion.key)] = (None if score == "unset" else
                                                           NO_OPINION if score is None else score)
        for key, value in defaults.items():
            st.session_state.setdefault(key, value)


def from_widgets(voting_round: Round) -> Ballot:
    """The ballot the widgets show now."""
    rid, settings = voting_round.id, voting_round.settings
    if settings.kind == "dots":
        return Ballot(dots={uc: int(st.session_state.get(state.vote_dots(rid, uc)) or 0)
                            for uc in settings.usecases})
    items = {}
    for uc in settings.usecases:
        scores = {}
        for criterion in settings.criteria:
            value = st.session_state.get(state.vote(rid, uc, criterion.key))
            if value is not None:
                scores[criterion.key] = None if value == NO_OPINION else int(value)
        item = ItemBallot(scores=scores, reason=(st.session_state.get(state.vote_reason(rid, uc)) or "")[:600],
                          recused=bool(st.session_state.get(state.vote_recused(rid, uc))))
        if not item.is_empty():
            items[uc] = item
    return Ballot(items=items)


def keep_draft(member: Member, voting_round: Round) -> None:
    """on_change of every ballot widget: store what is entered so far (not counted until saved)."""
    try:
        with database.opened() as db:
            save_draft(db, member.id, voting_round.id, from_widgets(voting_round))
    except VotingError:
        st.session_state[state.DRAFT_FAILED] = True  # the widgets still hold it; the page says so
