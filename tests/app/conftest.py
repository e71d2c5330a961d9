"""AppTest pages read a private copy of the built database, with Streamlit's caches empty before and after."""

import pytest
import streamlit as st


@pytest.fixture(autouse=True)
def app_env(writable_db, monkeypatch):
    monkeypatch.setenv("KATALOG_DB", str(writable_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield writable_db
    st.cache_data.clear()
    st.cache_resource.clear()
