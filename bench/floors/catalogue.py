"""Floor for the catalogue: one multiselect in the sidebar, a count line and six bordered containers.

The same selectors as the real catalogue reach it: the multiselect is labelled "Diagnose" with options
"<diagnose> (<count>)", the count line is bold "N af M use-cases", each card's title is bold "UC-NN · …"."""

import streamlit as st

st.set_page_config(page_title="Gulv: katalog", layout="wide")
DIAGNOSES = ["astma", "atrieflimren", "diabetes", "KOL", "hjertesvigt"]
ALL = DIAGNOSES
ITEMS = [("UC-01", "Et minimalt kort nummer 1", ALL), ("UC-02", "Et minimalt kort nummer 2", ALL),
         ("UC-03", "Et minimalt kort nummer 3", ["atrieflimren", "hjertesvigt"]),
         ("UC-04", "Et minimalt kort nummer 4", ["diabetes"]), ("UC-05", "Et minimalt kort nummer 5", ["KOL"]),
         ("UC-06", "Et minimalt kort nummer 6", ["astma", "diabetes", "KOL"])]
counts = {d: sum(d in diagnoses for _, _, diagnoses in ITEMS) for d in DIAGNOSES}

with st.sidebar:
    chosen = st.multiselect("Diagnose", DIAGNOSES, format_func=lambda d: f"{d} ({counts[d]})", placeholder="Alle")
shown = [item for item in ITEMS if not chosen or set(chosen) & set(item[2])]
st.title("Gulv: katalog")
st.markdown(f"**{len(shown)} af {len(ITEMS)} use-cases**")
for uc_id, title, diagnoses in shown:
    with st.container(border=True):
        st.markdown(f"**{uc_id} · {title}**")
        st.caption(", ".join(diagnoses))
        st.markdown("En kort tekst om kortet, på en eller to linjer, som et resumé på et rigtigt kort.")
