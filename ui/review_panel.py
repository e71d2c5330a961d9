"""Reviews on the Use-case page: under each chart a signed-in member's review of the exact view, and for
the use-case a summary everyone sees (no names), with the chair's names and adoption of caveats."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from katalog import db as database
from katalog.content import literal_markdown as plain
from katalog.content.models import Chart, UseCase
from katalog.review import reviews as review_store
from katalog.voting.members import Member
from ui import cached, identity, state, texts

NO_QUESTION = "(intet spørgsmål)"


def _key(item: UseCase, chart: Chart, name: str) -> str:
    return f"review.{item.id}.{chart.id}.{name}"


def panel(item: UseCase, chart: Chart, params: Mapping) -> None:
    """«Din vurdering af visningen»: tied to the chart's current parameters."""
    member = identity.current_member()
    label = "Din vurdering af denne visning" if member else "Vurdér visningen (kræver dit personlige link)"
    opened = st.session_state.get(_key(item, chart, "open"), False)  # stays open once used, to show the result
    with st.expander(label, icon=":material/rate_review:", expanded=opened):
        if member is None:
            st.caption("Log ind med dit personlige link for at sige, om billedet er genkendeligt, og hvilke "
                       "forbehold deklarationen mangler.")
            return
        with database.opened() as db:
            existing = review_store.review_of(db, member.id, item.id, chart.id, params)
        labels = {p.name: p.label for p in chart.params}
        st.caption("Vurderingen gælder præcis denne visning: "
                   + (plain(", ".join(f"{labels.get(k, k)} = {v}" for k, v in params.items())) or "standardvisningen")
                   + (f". Senest gemt {existing.updated_at[:10]}." if existing else "."))
        _form(item, chart, params, member, existing)


def _form(item: UseCase, chart: Chart, params: Mapping, member: Member, existing) -> None:
    questions = [NO_QUESTION, *review_store.questions(item)]
    view = review_store.view_key(params)
    with st.form(f"review-{item.id}-{chart.id}-{abs(hash(view))}"):
        answer = st.radio("Genkendeligt?", list(review_store.RECOGNISABLE), format_func=review_store.RECOGNISABLE.get,
                          index=list(review_store.RECOGNISABLE).index(existing.recognisable)
                          if existing and existing.recognisable else None, horizontal=True)
        left, right = st.columns([2, 1])
        deviation = left.text_area("Hvad afviger fra det, du kender?", value=existing.deviation if existing else "",
                                   height=80)
        source = right.text_input("Fra hvilken kilde?", value=existing.deviation_source if existing else "",
                                  placeholder="Fx regionens egne opgørelser")
        caveat = st.text_area("Et forbehold, som deklarationen mangler",
                              value=existing.missing_caveat if existing else "", height=80)
        question = st.selectbox("Svar på et af use-casens spørgsmål", questions,
                                index=questions.index(existing.question) if existing and existing.question in
                                questions else 0)
        reply = st.text_area("Dit svar", value=existing.answer if existing else "", height=80)
        comment = st.text_area("Anden bemærkning", value=existing.comment if existing else "", height=68)
        saved = st.form_submit_button("Gem vurdering", icon=":material/save:", on_click=st.session_state.__setitem__,
                                      args=(_key(item, chart, "open"), True))  # before the run: the panel stays open
    if not saved:
        return
    try:
        with database.opened() as db:
            review_store.save_review(db, member, item.id, chart.id, params, answer, deviation=deviation,
                                     deviation_source=source, missing_caveat=caveat,
                                     question="" if question == NO_QUESTION else question, answer=reply,
                                     comment=comment)
        st.success("Din vurdering er gemt. Du kan ændre den her, så længe visningen findes.",
                   icon=":material/check_circle:")
    except review_store.ReviewError as error:
        st.error(f"{error} Det, du har skrevet, står stadig i felterne.", icon=":material/error:")


def summary(item: UseCase, options_of=None) -> None:
    """Arbejdsgruppens vurderinger: counts by sector and texts without names; the chair sees names and
    adopts or withdraws caveats."""
    reader = identity.current_member()
    with database.opened() as db:
        overview = review_store.summarise(db, item.id, item)
        adopted = review_store.adopted_caveats(db, item.id)
        named = review_store.reviews_for(db, item.id, reader) if reader and reader.is_chair else []
        own = [r for r in review_store.reviews_by(db, reader.id) if r.usecase_id == item.id] if reader else []
    st.subheader("Arbejdsgruppens vurderinger")
    if not overview.reviews:
        st.caption("Ingen har vurderet visningerne endnu.")
    else:
        _counts(overview)
        _texts(overview, item, reader, adopted)
    if adopted and reader and reader.is_chair:
        _withdrawals(adopted, reader)
    if named:
        with st.expander("Vurderinger med navn (kun formanden)", icon=":material/lock:"):
            st.dataframe(pd.DataFrame([{
                "Navn": r.reviewer, "Sektor": r.sector, "Visning": r.view_text(item),
                "Genkendeligt": review_store.RECOGNISABLE.get(r.recognisable or "", "–"),
                "Bemærkning": " · ".join(t for t in (r.deviation, r.missing_caveat, r.answer, r.comment) if t)}
                for r in named]), hide_index=True, width="stretch")
    if own:
        _own(own, item, reader, options_of)
    if overview.reviews:
        csv_button()


def _counts(overview: review_store.Summary) -> None:
    labels = review_store.RECOGNISABLE
    st.markdown(f"**{texts.antal(overview.reviews, 'vurdering', 'vurderinger')}** fra "
                f"{texts.antal(overview.reviewers, 'medlem', 'medlemmer')}: "
                + ", ".join(f"{labels[k].lower()} {n}" for k, n in overview.counts.items()) + ".")
    rows = [{"Sektor": sector, **({labels[k]: str(n) for k, n in counts.items()} if counts else
                                  dict.fromkeys(labels.values(), "fortroligt"))}
            for sector, counts in overview.by_sector.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption("Sektorer med færre end tre medlemmer, der har vurderet, er lagt sammen under «Øvrige»; en gruppe, "
               "der ville kunne regnes ud af de andre, vises som fortroligt.")


def _texts(overview, item: UseCase, reader: Member | None, adopted) -> None:
    in_force = {c.text for c in adopted}
    if overview.deviations:
        st.markdown("**Det afviger fra det, medlemmerne kender:**\n" + "\n".join(
            f"- {plain(text)}" + (f" *(kilde: {plain(source)})*" if source else "") + f" — {plain(view)}"
            for view, text, source in overview.deviations))
    if overview.caveats:
        st.markdown("**Forbehold, som deklarationen mangler:**")
        for review_id, view, text in overview.caveats:
            left, right = st.columns([5, 1])
            left.markdown(f"- {plain(text)} — {plain(view)}" + (" **(optaget i deklarationen)**"
                                                                if " ".join(text.split()) in in_force else ""))
            if reader and reader.is_chair and " ".join(text.split()) not in in_force:
                right.button("Optag", key=f"adopt-{review_id}", on_click=_adopt,
                             args=(reader, item.id, text, review_id), icon=":material/playlist_add:",
                             help="Optag forbeholdet i deklarationen under «Forbehold ved fortolkning», markeret "
                             "som tilføjet af arbejdsgruppen.")
    if overview.answers:
        st.markdown("**Svar på spørgsmålene:**\n" + "\n".join(f"- *{plain(q)}* {plain(a)}"
                                                                 for q, a in overview.answers))
    if overview.comments:
        st.markdown("**Bemærkninger:**\n" + "\n".join(f"- {plain(text)} — {plain(view)}"
                                                      for view, text in overview.comments))


def _adopt(chair: Member, usecase_id: str, text: str, review_id: int) -> None:
    try:
        with database.opened() as db:
            review_store.adopt(db, chair, usecase_id, text, review_id)
    except review_store.ReviewError as error:
        st.session_state[state.REVIEW_ERROR] = str(error)


def _withdraw(chair: Member, caveat_id: int) -> None:
    with database.opened() as db:
        review_store.withdraw(db, chair, caveat_id)


def _withdrawals(adopted, chair: Member) -> None:
    if error := st.session_state.pop(state.REVIEW_ERROR, None):
        st.error(error)
    with st.expander("Optagne forbehold (kun formanden kan trække dem tilbage)", icon=":material/playlist_add_check:"):
        for caveat in adopted:
            left, right = st.columns([5, 1])
            left.markdown(f"- {plain(caveat.text)} *(optaget {caveat.date})*")
            right.button("Træk tilbage", key=f"withdraw-{caveat.id}", on_click=_withdraw, args=(chair, caveat.id),
                         icon=":material/undo:")


def _own(own, item: UseCase, member: Member, options_of) -> None:
    with st.expander(f"Dine vurderinger af denne use-case ({len(own)})", icon=":material/person:"):
        for review in own:
            exists = review_store.view_exists(item, review.chart_id, review.params,
                                              options_of(review.chart_id) if options_of else None)
            left, right = st.columns([5, 1])
            left.markdown(f"{plain(review.view_text(item))}: "
                          f"{review_store.RECOGNISABLE.get(review.recognisable or '', '–')}"
                          + ("" if exists else " · *visningen findes ikke længere; vurderingen er bevaret*"))
            right.button("Slet", key=f"delete-review-{review.id}", on_click=_delete, args=(member, review.id),
                         icon=":material/delete:")
        st.caption("En vurdering ændres ved at åbne visningen igen og gemme. Slet kun, hvis den skal væk helt.")


def _delete(member: Member, review_id: int) -> None:
    try:
        with database.opened() as db:
            review_store.delete_review(db, member, review_id)
    except review_store.ReviewError as error:
        st.session_state[state.REVIEW_ERROR] = str(error)


def csv_button() -> None:
    """Every review for the minutes, without names."""
    catalogue = cached.catalogue()
    with database.opened() as db:
        data = review_store.reviews_csv(
            db, exists=lambda r: review_store.view_exists(catalogue.get(r.usecase_id), r.chart_id, r.params))
    st.download_button("Hent alle vurderinger som CSV (til referatet, uden navne)", data.encode("utf-8-sig"),
                       file_name="vurderinger.csv", mime="text/csv", icon=":material/download:")
