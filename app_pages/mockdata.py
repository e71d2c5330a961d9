"""Mock-data: each mock table with its declaration and columns, and its national figures next to their forlæg."""

import streamlit as st

from katalog.mock.mockinfo import MockInfoError
from ui import cached, render, state, texts

st.title("Mock-data")
render.synthetic_note(texts.MOCK_SYNTHETIC)
render.require_database()
try:
    info = cached.mock_info()
except MockInfoError as error:
    st.error(texts.MOCK_OUTDATED, icon=":material/build:")
    st.caption(f"Teknisk årsag: {error}")
    st.stop()

render.mock_build(info)
render.mock_tolerance(info)

st.subheader("Tabellerne")
st.caption(texts.MOCK_TABLES_CAPTION)
render.mock_overview(info)

st.subheader("Deklaration, kolonner og landstal")
names = [table.name for table in info.tables]
if st.session_state.get(state.MOCK_TABLE) not in names:
    st.session_state[state.MOCK_TABLE] = names[0]
titles = {table.name: f"{table.title} ({table.name})" for table in info.tables}
name = st.selectbox("Tabel", names, format_func=titles.get, key=state.MOCK_TABLE)
render.mock_table(info.table(name), info.figures_for(name))
