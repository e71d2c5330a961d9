"""Eksport: the filtered catalogue with the prioritised overview, or a round's overview alone, as a PDF."""

import streamlit as st

from katalog import db as database
from katalog.content import filters
from katalog.content.filters import FilterSpec
from katalog.export import ExportError, render_pdf
from katalog.voting import decisions as decision_store
from katalog.voting.overview import overview_section
from katalog.voting.rounds import current_round, list_rounds
from ui import cached, render, state

SCOPES = {"catalogue": "Kataloget med prioriteret overblik", "overview": "Kun det prioriterede overblik for en runde"}

st.title("Eksport til PDF")
render.require_database()
catalogue = cached.catalogue()
with database.opened() as db:
    rounds = list_rounds(db)
    default_round = current_round(db)
scope = st.radio("Hvad skal med?", list(SCOPES), format_func=SCOPES.get, horizontal=True, key="export-scope")
spec: FilterSpec = st.session_state.get(state.CATALOGUE_FILTER, FilterSpec())
voting_round = default_round
if scope == "catalogue":
    everything = st.toggle("Hele kataloget (ignorér filtrene fra Katalog)", key=state.EXPORT_ALL,
                           disabled=spec.is_empty())
    if everything:
        spec = FilterSpec()
    items = filters.apply(catalogue.items, spec, {uc: d.decision for uc, d in cached.decisions().items()})
    description = spec.describe()
    st.markdown(f"PDF'en får **{len(items)} use-cases** ({description}): forside, indholdsfortegnelse, det "
                "prioriterede overblik for den seneste runde og hver use-case med tekst, figurer, deklaration og "
                "arbejdsgruppens beslutning.")
    st.caption("Filtrene sættes på siden **Katalog**. Figurerne vises med deres standardvalg.")
else:
    items = []
    if not rounds:
        st.info("Der er ingen runder endnu.")
        st.stop()
    chosen = st.selectbox("Runde", [r.id for r in rounds], key="export-round",
                          format_func=lambda rid: next(f"{r.title} ({r.status_label})" for r in rounds if r.id == rid))
    voting_round = next(r for r in rounds if r.id == chosen)
    description = f"Prioriteret overblik, {voting_round.title}"
st.caption("En runde, hvis resultater er skjult, til den lukkes, kommer kun med sine beslutninger i PDF'en.")

key = (scope, description, len(items), voting_round.id if voting_round else None)
if st.button("Lav PDF", type="primary", icon=":material/picture_as_pdf:", disabled=scope == "catalogue" and not items):
    titles = {item.id: item.title for item in (items or catalogue.items)}
    with database.opened() as db:
        section = overview_section(db, voting_round, titles, only_titled=scope == "catalogue")
        decisions = decision_store.current(db)
    # The whole catalogue takes a while the first time (figures drawn, pages laid out); later exports reuse the
    # figures (katalog/export/pdfcache.py). Show what is happening rather than a bare spinner.
    with st.status("Laver PDF …", expanded=True) as status:
        bar = st.progress(0.0, text="Forbereder …")

        def progress(share: float, text: str) -> None:
            bar.progress(min(max(share, 0.0), 1.0), text=text)

        try:
            pdf = render_pdf(items, database.db_path(), section, description, decisions=decisions,
                             caveats=cached.adopted_caveats(), progress=progress)
            st.session_state[state.EXPORT_PDF] = (key, pdf)
            status.update(label="PDF'en er klar", state="complete", expanded=False)
        except ExportError as error:
            st.session_state.pop(state.EXPORT_PDF, None)
            status.update(label="PDF'en kunne ikke dannes", state="error", expanded=True)
            st.error(str(error))
made = st.session_state.get(state.EXPORT_PDF)
if made and made[0] == key:  # never offer a PDF made for other choices
    pdf = made[1]
    name = "use-case-katalog.pdf" if scope == "catalogue" else "prioriteret-overblik.pdf"
    st.download_button("Hent PDF", data=pdf, file_name=name, mime="application/pdf", icon=":material/download:",
                       type="primary")
    st.caption(f"{len(pdf) // 1024} KB")
