"""Floor for a use-case: one select above one Vega-Lite chart whose data follow the select."""

import pandas as pd
import streamlit as st

st.set_page_config(page_title="Gulv: figur", layout="wide")
PLACES = ["Aalborg", "Brønderslev", "Frederikshavn", "Hjørring", "Jammerbugt", "Læsø", "Mariagerfjord", "Morsø",
          "Rebild", "Thisted", "Vesthimmerland"]
year = st.selectbox("År", list(range(2019, 2026)), index=5)
rows = pd.DataFrame({"kommune": PLACES, "pr_1000": [50 + (i * 37 + year * 13) % 50 for i in range(len(PLACES))]})
st.vega_lite_chart(rows, {
    "mark": "bar",
    "encoding": {"y": {"field": "kommune", "type": "nominal", "sort": "-x", "title": "Kommune"},
                 "x": {"field": "pr_1000", "type": "quantitative", "title": "Pr. 1.000 indbyggere"}},
}, theme=None, width="stretch")
