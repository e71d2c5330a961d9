"""Forslag (chair only): use-cases proposed from the sandbox, to preview and accept into the catalogue or reject."""

import streamlit as st

from katalog import db as database
from katalog.review import proposals
from ui import identity, render
from ui import sandbox_view as sandbox

st.title("Forslag")
render.require_database()
chair = identity.require_chair()
st.caption("Use-cases, som medlemmerne har foreslået fra **Sandkasse**. «Acceptér» skriver filen i use-case-mappen, "
           "så den står i kataloget med status «forslag»; filen kontrolleres først som ved `katalog validate`, og "
           "intet overskrives.")
with database.opened() as db:
    items = proposals.every(db)
if not items:
    st.info("Der er ingen forslag endnu. Medlemmerne foreslår use-cases fra siden **Sandkasse**.",
            icon=":material/lightbulb:")
waiting = sum(p.status == "forslag" for p in items)
if items:
    st.markdown(f"**{waiting} af {len(items)} forslag venter på en afgørelse.**")
for proposal in items:
    sandbox.proposal_card(proposal, chair)
