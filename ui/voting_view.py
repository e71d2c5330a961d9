"""Pieces of the Afstemning page: the round's rules in plain Danish, the inputs, the group's feedback from
the round before, and the member's own saved ballot."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from katalog.content import Catalogue
from katalog.voting.ballots import NO_OPINION, Ballot
from katalog.voting.members import Member
from katalog.voting.methods import ConsensusRule, Summary
from katalog.voting.overview import decimal_text
from katalog.voting.results import RoundResults
from katalog.voting.rounds import Round
from ui import ballot_form, state, texts

number = decimal_text  # one decimal, Danish comma, «–» for none (the overview's own formatting)


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


def round_explainer(voting_round: Round, rule: ConsensusRule) -> None:
    settings = voting_round.settings
    scale = settings.scale_obj
    if settings.kind == "dots":
        st.markdown(f"Fordel op til **{settings.budget} point** over de use-cases, du helst vil have med; højst "
                    f"**{settings.max_per_item}** på én. Du behøver ikke bruge alle point.")
    else:
        weights = ", ".join(f"**{c.label.lower()}** (vægt {number(c.weight)})" for c in settings.criteria)
        st.markdown(f"Giv hver use-case en score fra **{scale.low}** (lav) til **{scale.high}** (høj) for {weights}, "
                    f"eller vælg «{NO_OPINION}». Skalaen læses i tredjedele: {scale.thirds_label()}.")
    with st.expander("Sådan tælles stemmerne", icon=":material/info:"):
        if settings.kind == "score":
            st.markdown(f"- **Konsensusregel** (fastlagt før runden åbnede): {rule.explain(scale)}\n"
                        f"- En use-case rangeres først, når mindst **{settings.quorum}** har scoret den.\n"
                        "- Sektorer med færre end tre medlemmer vises ikke for sig (fortroligt), men lægges sammen.")
        st.markdown("- Resultaterne er " + ("**skjult, indtil runden lukkes**." if settings.hide_results else
                                            "synlige for alle undervejs."))
        for criterion in settings.criteria:
            if criterion.help:
                st.markdown(f"- **{criterion.label}**: {criterion.help}")


def missing_note(lacking: list[str], titles: Mapping[str, str]) -> None:
    if not lacking:
        st.success("Du har svaret på alle use-cases i runden.", icon=":material/task_alt:")
        return
    names = ", ".join(lacking[:12]) + (" …" if len(lacking) > 12 else "")
    missing = texts.antal(len(lacking), "use-case", "use-cases")
    st.warning(f"**{missing} mangler stadig en score** (eller «{NO_OPINION}») på mindst ét kriterium: "
               f"{names}.", icon=":material/pending_actions:")


def usecase_heading(uc: str, titles: Mapping[str, str], catalogue: Catalogue) -> None:
    if uc not in titles:
        st.markdown(f"**{uc}** · (ikke længere i kataloget)")
        return
    st.markdown(f"**{uc} · {titles[uc]}**")
    item = catalogue.get(uc)
    st.caption(item.summary)
    st.page_link("app_pages/usecase.py", label="Se mockup og deklaration", icon=":material/bar_chart:",
                 query_params={"id": uc})


def score_inputs(voting_round: Round, uc: str, member: Member) -> None:
    rid, settings = voting_round.id, voting_round.settings
    recused = st.session_state.get(state.vote_recused(rid, uc), False)
    for criterion in settings.criteria:  # one row each: 1–9 and «ingen holdning» need the width
        st.segmented_control(criterion.label, ballot_form.score_options(voting_round),
                                 key=state.vote(rid, uc, criterion.key), help=criterion.help or None,
                                 disabled=recused, on_change=ballot_form.keep_draft, args=(member, voting_round))
    left, right = st.columns([3, 1])
    left.text_input("Kort begrundelse (valgfri; vises uden navn)", key=state.vote_reason(rid, uc), max_chars=600,
                    on_change=ballot_form.keep_draft, args=(member, voting_round))
    right.checkbox("Jeg er inhabil", key=state.vote_recused(rid, uc), on_change=ballot_form.keep_draft,
                   args=(member, voting_round),
                   help="Erklær en interessekonflikt: din score tæller ikke med for denne use-case.")


def dot_input(voting_round: Round, uc: str, member: Member) -> None:
    st.number_input("Point", min_value=0, max_value=voting_round.settings.max_per_item, step=1,
                    key=state.vote_dots(voting_round.id, uc), on_change=ballot_form.keep_draft,
                    args=(member, voting_round))


def dot_budget(ballot: Ballot, voting_round: Round) -> None:
    used = sum(ballot.dots.values())
    budget = voting_round.settings.budget
    (st.error if used > budget else st.info)(f"Du har brugt **{used} af {budget} point**.",
                                              icon=":material/toll:")


def feedback(results: RoundResults, uc: str, previous: Round, earlier: Ballot | None) -> None:
    """The group's answers in the round before, split by sector, with the member's own earlier score marked."""
    result = results.get(uc)
    if result is None or results.kind != "score":
        return
    own = earlier.items.get(uc) if earlier else None
    with st.expander(f"Gruppens svar i runden «{previous.title}»", icon=":material/groups:"):
        rows = []
        for criterion in previous.settings.criteria:
            summary = result.criteria.get(criterion.key)
            mine = own.scores.get(criterion.key, "–") if own and not own.recused else "–"
            rows.append(_feedback_row(criterion.label, summary, NO_OPINION if mine is None else str(mine)))
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        sectors = {s: v for s, v in result.sectors.items()}
        if sectors:
            st.caption("Samlet score pr. sektor (median og kvartiler); sektorer med færre end tre medlemmer er lagt "
                       "sammen og vises kun, hvis de tilsammen er mindst tre.")
            st.dataframe(pd.DataFrame([{"Sektor": s, "Median": number(v.median) if v else texts.CONFIDENTIAL,
                                        "Kvartiler": f"{number(v.q1)}–{number(v.q3)}" if v else ""}
                                       for s, v in sectors.items()]), hide_index=True)
        if result.reasons:
            st.markdown("**Begrundelser (uden navn):**\n" + "\n".join(f"- {r}" for r in result.reasons))


def _feedback_row(label: str, summary: Summary | None, mine) -> dict:
    if summary is None or not summary.n:
        return {"Kriterium": label, "Svar": 0, "Median": "–", "Kvartiler": "–", "Fordeling": "", "Din score": mine}
    bars = " ".join(f"{point}:{'▮' * count or '·'}" for point, count in summary.distribution.items())
    return {"Kriterium": label, "Svar": summary.n, "Median": number(summary.median),
            "Kvartiler": f"{number(summary.q1)}–{number(summary.q3)}", "Fordeling": bars, "Din score": mine}


def own_ballot(saved: tuple[Ballot, str] | None, voting_round: Round, titles: Mapping[str, str]) -> None:
    st.subheader("Din gemte stemmeseddel")
    if saved is None:
        st.caption("Du har ikke gemt en stemmeseddel i denne runde endnu.")
        return
    ballot, updated_at = saved
    st.caption(f"Senest gemt {updated_at.replace('T', ' ').rstrip('Z')} (UTC).")
    if voting_round.settings.kind == "dots":
        rows = [{"Use-case": f"{uc} · {titles.get(uc, '(ikke længere i kataloget)')}", "Point": str(points)}
                for uc, points in sorted(ballot.dots.items())]
    else:
        rows = [{"Use-case": f"{uc} · {titles.get(uc, '(ikke længere i kataloget)')}",
                 **{c.label: ("inhabil" if item.recused else _answer(item.scores, c.key))
                    for c in voting_round.settings.criteria}, "Begrundelse": item.reason}
                for uc, item in sorted(ballot.items.items())]
    st.dataframe(pd.DataFrame(rows).astype(str), hide_index=True, width="stretch")


def _answer(scores: Mapping[str, int | None], key: str) -> str:
    if key not in scores:
        return texts.NOT_SCORED
    return NO_OPINION if scores[key] is None else str(scores[key])
