"""Who is using the app: a member identified by the token in their personal invite link."""

from __future__ import annotations

import streamlit as st

from katalog import db as database
from katalog.voting.members import Member, member_for_token
from ui import state

TOKEN_PARAM = "token"


def pick_up_invite() -> None:
    """Trade a ?token= in the URL for the member in this session, and take the token out of the URL."""
    token = st.query_params.get(TOKEN_PARAM)
    if not token:
        return
    del st.query_params[TOKEN_PARAM]  # keep it off shared screens and copied links
    if not database.db_path().exists():
        st.session_state[state.INVITE_FAILED] = True
        return
    with database.opened() as db:
        member = member_for_token(db, token)
    if member is None:
        st.session_state[state.INVITE_FAILED] = True
    else:
        st.session_state[state.MEMBER] = member
        st.session_state.pop(state.INVITE_FAILED, None)


def current_member() -> Member | None:
    return st.session_state.get(state.MEMBER)
