"""Medlemmer (chair only): add members and chairs, reissue and revoke their personal links."""

import pandas as pd
import streamlit as st

from katalog import db as database
from katalog.voting.members import ROLES, SECTORS, MemberError, add_member, list_members, reissue, revoke
from ui import identity, render, round_form, state

st.title("Medlemmer")
render.require_database()
chair = identity.require_chair()

new_link = st.session_state.pop(state.NEW_LINK, None)
if new_link:
    name, link = new_link
    st.success(f"Personligt link til **{name}**. Det vises kun denne ene gang; send det direkte til personen.",
               icon=":material/link:")
    st.code(link, language=None)

with st.form("add-member", clear_on_submit=True):
    st.subheader("Tilføj et medlem")
    a, b, c, d = st.columns([2, 2, 2, 1])
    name = a.text_input("Navn")
    organisation = b.text_input("Organisation", placeholder="Fx «Region Midtjylland» eller «PLO»")
    sector = c.selectbox("Sektor", SECTORS)
    role = d.selectbox("Rolle", list(ROLES), format_func=ROLES.get)
    if st.form_submit_button("Opret og lav link", type="primary", icon=":material/person_add:"):
        try:
            with database.opened() as db:
                member, token = add_member(db, name, organisation, sector, role)
            st.session_state[state.NEW_LINK] = (member.name, round_form.link_for(token))
            st.rerun()
        except MemberError as error:
            st.error(str(error))


def _reissue(member_id: int) -> None:
    with database.opened() as db:
        member, token = reissue(db, member_id)
    st.session_state[state.NEW_LINK] = (member.name, round_form.link_for(token))


def _revoke(member_id: int) -> None:
    with database.opened() as db:
        revoke(db, member_id)


st.subheader("Arbejdsgruppen")
with database.opened() as db:
    members = list_members(db, include_revoked=True)
st.dataframe(pd.DataFrame([{"Navn": m.name, "Organisation": m.organisation, "Sektor": m.sector,
                            "Rolle": ROLES[m.role], "Link": "tilbagekaldt" if m.revoked else "aktivt"}
                           for m in members]), hide_index=True, width="stretch")
for m in members:
    with st.container(border=True, key=f"member-{m.id}"):
        left, middle, right = st.columns([3, 1, 1])
        left.markdown(f"{m.label}" + (" · *link tilbagekaldt*" if m.revoked else ""))
        middle.button("Nyt link", key=f"new-link-{m.id}", on_click=_reissue, args=(m.id,), icon=":material/link:",
                      help="Udsted et nyt link; det gamle og alle indlogninger med det holder op med at virke.")
        right.button("Tilbagekald", key=f"revoke-{m.id}", on_click=_revoke, args=(m.id,),
                     icon=":material/link_off:", disabled=m.revoked or m.id == chair.id,
                     help="Linket og indlogningerne holder op med at virke; afgivne stemmer tæller fortsat.")
st.caption("Links gemmes kun som hash. Et medlem, der har mistet sit link, får et nyt med «Nyt link». "
           "Medlemmer kan også oprettes fra kommandolinjen: `katalog member add`.")
