"""Prioriteret overblik: per use-case the decision, rank, consensus, scores with spread, the sector view and the
reason — the document the working group hands to its steering group. Hidden results stay hidden."""

import pandas as pd
import streamlit as st

from katalog import db as database
from katalog.voting.methods import RULES, STATUS_LABELS
from katalog.voting.overview import columns_of, overview, overview_records
from katalog.voting.rounds import list_rounds
from ui import cached, identity, render, texts
from ui.voting_view import number, percent

st.title("Prioriteret overblik")
render.require_database()
reader = identity.current_member()
catalogue = cached.catalogue()
titles = {item.id: item.title for item in catalogue.items}

with database.opened() as db:
    rounds = list_rounds(db)
if rounds:
    chosen = st.selectbox("Runde", [r.id for r in rounds], key="overview-round",
                          format_func=lambda rid: next(f"{r.title} ({r.status_label})" for r in rounds if r.id == rid))
    voting_round = next(r for r in rounds if r.id == chosen)
else:
    voting_round = None
    st.info(texts.NO_ROUND, icon=":material/ballot:")
with database.opened() as db:
    rows, results = overview(db, voting_round, reader, titles)

if voting_round is not None and results is None:
    st.info(texts.RESULTS_HIDDEN.format(title=voting_round.title), icon=":material/visibility_off:")
elif results is not None:
    settings = voting_round.settings
    st.markdown(f"Runden **«{voting_round.title}»** ({voting_round.status_label}): **{results.ballots} stemmesedler**."
                + (" Tallene er frosset, da runden blev lukket." if not voting_round.is_open else
                   " Runden er åben, så tallene kan ændre sig."))
    if voting_round.is_open and settings.hide_results:
        st.warning("Kun du som formand ser resultaterne, indtil runden lukkes.", icon=":material/visibility:")
    if results.kind == "score":
        with st.expander("Sådan læses tallene", icon=":material/help:"):
            scale = settings.scale_obj
            st.markdown(
                f"- **Nr.** er rangen efter det vægtede gennemsnit af kriterierne "
                f"({', '.join(f'{c.label.lower()} ×{number(c.weight)}' for c in settings.criteria)}). "
                "**Median**, **Borda** og **Schulze** er samme stemmer talt på andre måder: medianen af hvert "
                "medlems samlede score; Borda giver point efter, hvor højt hvert medlem placerer use-casen; Schulze "
                "sammenligner use-cases parvis. Når metoderne er enige, er rangordenen robust.\n"
                "- **Median** og **kvartiler** viser, hvor medlemmernes samlede scorer "
                f"(skala {scale.low}–{scale.high}) ligger: halvdelen ligger mellem kvartilerne.\n"
                f"- **Øverste/nederste tredjedel** er andelen af svar i {scale.thirds_label().split(' / ')[-1]} og "
                f"{scale.thirds_label().split(' / ')[0]}.\n"
                f"- **Konsensus** efter rundens regel: {RULES[settings.rule].explain(scale)} «Afhænger af reglen» "
                "betyder, at to andre almindelige regler ville give en anden status.\n"
                f"- Use-cases med færre end {settings.quorum} svar vises, men rangeres ikke.\n"
                "- **Sektorer**: median pr. sektor. Sektorer med færre end tre medlemmer vises ikke for sig "
                "(fortroligt), men lægges sammen under «Øvrige sektorer».")
        if results.top_differs:
            st.warning("De øverste pladser er ikke de samme efter alle metoder: se kolonnerne «Rang (median)», "
                       "«Rang (Borda)» og «Rang (Schulze)», før rækkefølgen lægges fast.",
                       icon=":material/compare_arrows:")

records = overview_records(rows, results)
frame = pd.DataFrame(records, columns=columns_of(records)).fillna("")
st.dataframe(frame, hide_index=True, width="stretch")
st.download_button("Hent overblikket som CSV", frame.to_csv(index=False).encode("utf-8-sig"),
                   file_name="prioriteret-overblik.csv", mime="text/csv", icon=":material/download:")

if results is not None and results.kind == "score":
    st.subheader("Pr. use-case")
    for result in results.usecases:
        with st.expander(f"{result.usecase_id} · {titles.get(result.usecase_id, '')}"):
            st.dataframe(pd.DataFrame([{
                "Kriterium": c.label, "Svar": s.n, "Median": number(s.median),
                "Kvartiler": f"{number(s.q1)}–{number(s.q3)}" if s.n else "–", "Gennemsnit": number(s.mean),
                "Øverste tredjedel": percent(s.top_share), "Nederste tredjedel": percent(s.bottom_share)}
                for c in voting_round.settings.criteria if (s := result.criteria.get(c.key)) is not None]),
                hide_index=True)
            st.markdown("**Konsensus efter reglerne:** " + "; ".join(
                f"{RULES[k].label}: {STATUS_LABELS.get(v, v)}" for k, v in result.consensus_by_rule.items()))
            if result.recused:
                st.caption(f"{result.recused} medlem(mer) har erklæret sig inhabile og tæller ikke med.")
            if result.reasons:
                st.markdown("**Begrundelser (uden navn):**\n" + "\n".join(f"- {r}" for r in result.reasons))
