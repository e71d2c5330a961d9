"""The Streamlit edge: session-state keys, cached wrappers and render helpers; no business rules."""
