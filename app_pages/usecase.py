"""Use-case: the text, the mockup chart(s) with their parameters, the rows, and the declaration."""

import streamlit as st

from ui import cached, render, state, texts

catalogue = cached.catalogue()
ids = [item.id for item in catalogue.items]
if not ids:
    st.title("Use-case")
    st.warning("Kataloget har ingen gyldige use-cases. Se siden **Problemer**.")
    st.stop()

wanted = st.query_params.get("id")
if wanted in ids and st.session_state.get(state.USECASE) != wanted:
    st.session_state[state.USECASE] = wanted
elif st.session_state.get(state.USECASE) not in ids:
    st.session_state[state.USECASE] = ids[0]
if wanted and wanted not in ids:
    st.warning(f"Use-casen «{wanted}» findes ikke (eller har problemer). Vælg en anden herunder.")

titles = {item.id: f"{item.id} · {item.title}" for item in catalogue.items}
usecase_id = st.selectbox("Use-case", ids, format_func=titles.get, key=state.USECASE)
st.query_params["id"] = usecase_id
item = catalogue.get(usecase_id)

st.title(item.title)
st.caption(render.facts_line(item))
decision = cached.decisions().get(item.id)
if decision is not None:
    st.info(f"**Arbejdsgruppens beslutning ({decision.date}): {decision.label}.** {decision.reason}",
            icon=":material/gavel:")
st.markdown(f"**{item.summary}**")
st.caption(f"Formål: {', '.join(item.aims)} · Sektorer: {', '.join(item.sectors)} · "
           f"Datakilder: {', '.join(item.sources)}")
render.synthetic_note()
st.markdown(item.body)

if not cached.db_ready():
    st.error(texts.NO_DATABASE)
else:
    for chart in item.charts:
        render.chart(item, chart)

render.declaration(item)
