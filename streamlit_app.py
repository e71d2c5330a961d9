"""Entry point: page config, who is signed in, and navigation over app_pages/."""

import streamlit as st

from ui import identity, perf, render, texts

# An emoji tab icon is drawn as an inline SVG; a ":material/...:" one is fetched from fonts.gstatic.com.
st.set_page_config(page_title=texts.APP_TITLE, page_icon="📖", layout="wide")
identity.pick_up_invite()
member = identity.current_member()
# Chair pages are reachable by everyone's URL (and refuse them there), but listed only for the chair.
chair_visibility = "visible" if member is not None and member.is_chair else "hidden"
pages = {
    "": [
        st.Page("app_pages/katalog.py", title=texts.PAGES["katalog"], icon=":material/view_list:", default=True),
        st.Page("app_pages/usecase.py", title=texts.PAGES["usecase"], icon=":material/bar_chart:",
                url_path="usecase"),
        st.Page("app_pages/afstemning.py", title=texts.PAGES["afstemning"], icon=":material/how_to_vote:",
                url_path="afstemning"),
        st.Page("app_pages/prioritering.py", title=texts.PAGES["prioritering"], icon=":material/leaderboard:",
                url_path="prioritering"),
        st.Page("app_pages/eksport.py", title=texts.PAGES["eksport"], icon=":material/picture_as_pdf:",
                url_path="eksport"),
        st.Page("app_pages/mockdata.py", title=texts.PAGES["mockdata"], icon=":material/dataset:",
                url_path="mockdata"),
        st.Page("app_pages/sandkasse.py", title="Sandkasse", icon=":material/science:", url_path="sandkasse"),
        st.Page("app_pages/problemer.py", title=texts.PAGES["problemer"], icon=":material/report:",
                url_path="problemer"),
    ],
    "Formand": [
        st.Page("app_pages/runder.py", title=texts.PAGES["runder"], icon=":material/ballot:", url_path="runder",
                visibility=chair_visibility),
        st.Page("app_pages/medlemmer.py", title=texts.PAGES["medlemmer"], icon=":material/group:",
                url_path="medlemmer", visibility=chair_visibility),
        st.Page("app_pages/beslutninger.py", title=texts.PAGES["beslutninger"], icon=":material/gavel:",
                url_path="beslutninger", visibility=chair_visibility),
        st.Page("app_pages/forslag.py", title="Forslag", icon=":material/lightbulb:", url_path="forslag",
                visibility=chair_visibility),
    ],
}
page = st.navigation(pages)
identity.marker()
render.browser_scripts()  # Streamlit's own labels in Danish, and in-app card links, on every page
try:
    page.run()
finally:
    perf.freeze_long_lived()  # once per process, after the first run has imported and cached what lasts
