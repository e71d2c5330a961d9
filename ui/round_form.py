"""The chair's form for a new round, and the invite link as the chair's browser reaches the app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from katalog import db as database
from katalog.content import Catalogue
from katalog.voting.decisions import Decision
from katalog.voting.members import invite_link
from katalog.voting.methods import DEFAULT_RULE, RULES, SCALES
from katalog.voting.rounds import DEFAULT_CRITERIA, KINDS, Round, RoundError, create_round, parse_settings


def link_for(token: str) -> str:
    """The personal link at the address this chair uses for the app (scheme, host and port)."""
    url = urlsplit(st.context.url or "http://localhost:8501")
    return invite_link(f"{url.scheme}://{url.netloc}", token)


def _criteria_editor() -> pd.DataFrame:
    frame = pd.DataFrame([{"Nøgle": c.key, "Kriterium": c.label, "Vægt": c.weight, "Forklaring": c.help}
                          for c in DEFAULT_CRITERIA])
    return st.data_editor(frame, num_rows="dynamic", hide_index=True, key="round-criteria", width="stretch",
                          column_config={
                              "Nøgle": st.column_config.TextColumn(help="Små bogstaver uden mellemrum, fx «vaerdi»",
                                                                   required=True),
                              "Vægt": st.column_config.NumberColumn(min_value=0.1, max_value=10, step=0.5,
                                                                    required=True)})


def create(catalogue: Catalogue, decisions: Mapping[str, Decision], closed: Sequence[Round]) -> None:
    titles = {item.id: f"{item.id} · {item.title}" for item in catalogue.items}
    default = [uc for uc in titles if getattr(decisions.get(uc), "decision", None) != "fravalgt"]
    kind = st.radio("Slags runde", list(KINDS), format_func=KINDS.get, horizontal=True, key="round-kind")
    with st.form("new-round"):
        title = st.text_input("Titel", placeholder="Fx «Runde 1: prioritering af første udstilling»")
        usecases = st.multiselect("Use-cases", list(titles), default=default, format_func=titles.get,
                                  help="Som standard alle, der ikke er fravalgt.")
        previous = st.selectbox("Opfølgning på runde", [None, *[r.id for r in closed]],
                                format_func=lambda rid: "Ingen (første runde)" if rid is None else
                                next(r.title for r in closed if r.id == rid),
                                help="Medlemmerne ser gruppens svar fra den runde ved siden af deres egne.")
        left, right = st.columns(2)
        deadline = left.date_input("Frist", value=None, min_value=date.today(), format="DD.MM.YYYY")
        hide = right.toggle("Skjul resultaterne, til runden lukkes", value=True)
        if kind == "score":
            criteria = _criteria_editor()
            a, b, c = st.columns(3)
            scale = a.radio("Skala", list(SCALES), format_func=lambda s: s.replace("-", "–"), horizontal=True)
            quorum = b.number_input("Mindste antal svar for at blive rangeret", 1, 100, 3)
            rule = c.selectbox("Konsensusregel", list(RULES), index=list(RULES).index(DEFAULT_RULE),
                               format_func=lambda key: RULES[key].label)
            budget = max_per_item = None
        else:
            criteria, scale, quorum, rule = None, "1-9", 1, DEFAULT_RULE
            a, b = st.columns(2)
            budget = a.number_input("Point pr. medlem", 1, 100, 10)
            max_per_item = b.number_input("Højst point på én use-case", 1, 100, 3)
        submitted = st.form_submit_button("Åbn runden", type="primary", icon=":material/play_arrow:")
    if not submitted:
        return
    data = {"kind": kind, "usecases": usecases, "scale": scale, "rule": rule, "deadline": deadline,
            "hide_results": hide, "quorum": quorum, "previous_round": previous}
    if criteria is not None:
        data["criteria"] = [{"key": str(r["Nøgle"]).strip(), "label": str(r["Kriterium"]).strip(),
                             "weight": float(r["Vægt"]), "help": str(r["Forklaring"] or "").strip()}
                            for r in criteria.dropna(subset=["Nøgle", "Kriterium", "Vægt"]).to_dict("records")]
    else:
        data |= {"criteria": [], "budget": budget, "max_per_item": max_per_item}
    try:
        settings = parse_settings(data)
        with database.opened() as db:
            create_round(db, title, settings)
    except RoundError as error:
        st.error(f"Runden blev ikke oprettet: {error}", icon=":material/error:")
        return
    st.success(f"Runden «{title}» er åben. Medlemmerne kan stemme på siden **Afstemning**.")
    st.rerun()
