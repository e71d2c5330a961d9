"""Who is using the app. A personal invite link (?token=…) is traded once for a sign-in key kept in a
cookie, so a reload or a bookmark keeps the member signed in; the token leaves the URL at once and is
never written anywhere. Only hashes of tokens and keys are stored. Every run re-reads the member, so a
revoked link or a changed role takes effect at the next click."""

from __future__ import annotations

import json

import streamlit as st

from katalog import db as database
from katalog.voting.members import Member, member_for_sign_in, member_for_token, sign_in, sign_out
from ui import state, texts

TOKEN_PARAM = "token"
COOKIE = "katalog_login"
COOKIE_DAYS = 60


def _set_cookie(value: str, max_age: int) -> None:
    # st.context.cookies is read-only; a script in the page sets the cookie the next connection sends.
    script = (f"document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(value)} + "
              f"'; path=/; max-age={max_age}; SameSite=Strict';")
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind this session (a script run, AppTest)
        return None
    return value if isinstance(value, str) and value else None


def pick_up_invite() -> None:
    """Sign in from an invite link, or recognise a signed-in browser; take the token out of the URL."""
    token = st.query_params.get(TOKEN_PARAM)
    if token:
        del st.query_params[TOKEN_PARAM]  # keep it off shared screens and copied links
    if not token and not st.session_state.get(state.SIGN_IN) and not _cookie():
        st.session_state.pop(state.MEMBER, None)  # a visitor: no database work on this run
        return
    if not database.db_path().exists():
        st.session_state[state.INVITE_FAILED] = bool(token)
        return
    with database.opened() as db:
        if token:
            member = member_for_token(db, token)
            st.session_state[state.INVITE_FAILED] = member is None
            if member is not None:
                st.session_state[state.SIGN_IN] = sign_in(db, member)
                st.session_state[state.COOKIE_PENDING] = True
        key = st.session_state.get(state.SIGN_IN) or _cookie()
        member = member_for_sign_in(db, key)
    if member is None:
        st.session_state.pop(state.MEMBER, None)
        st.session_state.pop(state.SIGN_IN, None)
        return
    st.session_state[state.MEMBER] = member
    st.session_state[state.SIGN_IN] = key
    if st.session_state.pop(state.COOKIE_PENDING, False):
        _set_cookie(key, COOKIE_DAYS * 24 * 3600)


def sign_out_here() -> None:
    """Forget the sign-in in this browser and in the database."""
    key = st.session_state.pop(state.SIGN_IN, None)
    st.session_state.pop(state.MEMBER, None)
    if database.db_path().exists():
        with database.opened() as db:
            sign_out(db, key or _cookie())
    st.session_state[state.SIGNED_OUT] = True


def current_member() -> Member | None:
    return st.session_state.get(state.MEMBER)


def marker() -> None:
    """Who is signed in, on every page (in the sidebar), with a way to sign out."""
    if st.session_state.pop(state.SIGNED_OUT, False):
        _set_cookie("", 0)
    member = current_member()
    with st.sidebar:
        if member is None:
            st.caption(texts.NOT_SIGNED_IN)
            return
        with st.container(border=True, key="signed-in"):
            st.markdown(f":material/person: **{member.name}**  \n{member.organisation} · {member.sector}"
                        + (" · **formand**" if member.is_chair else ""))
            st.button("Log ud", icon=":material/logout:", on_click=sign_out_here, key="sign-out", type="tertiary")


def require_member() -> Member:
    """The signed-in member, or a Danish explanation and a stop."""
    member = current_member()
    if st.session_state.get(state.INVITE_FAILED) and member is None:
        st.error(texts.INVITE_UNKNOWN, icon=":material/link_off:")
    if member is None:
        st.info(texts.NEEDS_INVITE, icon=":material/key:")
        st.stop()
    return member


def require_chair() -> Member:
    """The signed-in chair, or a clear refusal and a stop."""
    member = current_member()
    if member is None or not member.is_chair:
        st.error(texts.CHAIR_ONLY, icon=":material/lock:")
        st.stop()
    return member
