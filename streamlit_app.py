"""Entry point: page config, the invite link, and navigation over pages/."""

import streamlit as st

from ui import identity, texts

st.set_page_config(page_title=texts.APP_TITLE, page_icon=":material/menu_book:", layout="wide")
identity.pick_up_invite()
st.navigation([
    st.Page("pages/katalog.py", title=texts.PAGES["katalog"], icon=":material/view_list:", default=True),
    st.Page("pages/usecase.py", title=texts.PAGES["usecase"], icon=":material/bar_chart:", url_path="usecase"),
    st.Page("pages/afstemning.py", title=texts.PAGES["afstemning"], icon=":material/how_to_vote:",
            url_path="afstemning"),
    st.Page("pages/prioritering.py", title=texts.PAGES["prioritering"], icon=":material/leaderboard:",
            url_path="prioritering"),
    st.Page("pages/eksport.py", title=texts.PAGES["eksport"], icon=":material/picture_as_pdf:",
            url_path="eksport"),
    st.Page("pages/problemer.py", title=texts.PAGES["problemer"], icon=":material/report:",
            url_path="problemer"),
]).run()
