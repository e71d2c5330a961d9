"""Sandkasse: explore the mock tables with widgets or SQL (suppressed as the charts are) and propose a view as a
use-case."""

import streamlit as st

from ui import identity, render
from ui import sandbox_view as sandbox

st.title("Sandkasse")
render.synthetic_note(sandbox.INTRO)
render.require_database()
tables = sandbox.tables_or_stop()
sandbox.keep_choices(tables)
table = sandbox.table_picker(tables)
typed = sandbox.mode_picker() == sandbox.TYPED
exploration = sandbox.sql_box(table) if typed else sandbox.widget_builder(table)
if exploration is not None:
    sandbox.result(exploration, table, typed)
member = identity.current_member()
sandbox.propose(exploration, table, member)
sandbox.my_proposals(member)
