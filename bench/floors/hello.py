"""Floor for a cold start: the smallest Streamlit page there is."""

import streamlit as st

st.write("Hello world")
