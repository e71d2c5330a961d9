"""Eksport: the filtered catalogue and the prioritised overview as a PDF."""

import streamlit as st

from katalog import db as database
from katalog import filters
from katalog.export import ExportError, render_pdf
from katalog.filters import FilterSpec
from katalog.voting.ballots import current_round, tally
from ui import cached, render, state

st.title("Eksport til PDF")
render.require_database()
catalogue = cached.catalogue()
spec: FilterSpec = st.session_state.get(state.CATALOGUE_FILTER, FilterSpec())
everything = st.toggle("Hele kataloget (ignorér filtrene fra Katalog)", key=state.EXPORT_ALL,
                       disabled=spec.is_empty())
if everything:
    spec = FilterSpec()
items = filters.apply(catalogue.items, spec)
st.markdown(f"PDF'en får **{len(items)} use-cases** ({spec.describe()}): forside, indholdsfortegnelse, "
            "hver use-case med tekst, figurer og deklaration, og den prioriterede oversigt.")
st.caption("Filtrene sættes på siden **Katalog**. Figurerne vises med deres standardvalg.")

if st.button("Lav PDF", type="primary", icon=":material/picture_as_pdf:", disabled=not items):
    with database.opened() as db:
        ranking = tally(db, current_round(db).id, [item.id for item in items])
    with st.spinner("Laver PDF …"):
        try:
            pdf = render_pdf(items, database.db_path(), ranking, spec.describe())
            st.session_state[state.EXPORT_PDF] = (spec.describe(), len(items), pdf)
        except ExportError as error:
            st.session_state.pop(state.EXPORT_PDF, None)
            st.error(str(error))
made = st.session_state.get(state.EXPORT_PDF)
if made and made[:2] == (spec.describe(), len(items)):  # never offer a PDF made for other filters
    pdf = made[2]
    st.download_button("Hent PDF", data=pdf, file_name="use-case-katalog.pdf", mime="application/pdf",
                       icon=":material/download:", type="primary")
    st.caption(f"{len(pdf) // 1024} KB")
