"""Use-case: the mockup first (title, summary, the charts with their parameters), then the text and declaration."""

import streamlit as st

from ui import cached, render, review_panel, state, texts

catalogue = cached.catalogue()
ids = [item.id for item in catalogue.items]
if not ids:
    st.title(texts.PAGES["usecase"])
    st.warning(texts.USECASE_NONE)
    st.stop()

render.usecase_page_style()
notes = render.usecase_from_url(ids)
titles = {item.id: f"{item.id} · {item.title}" for item in catalogue.items}
usecase_id = st.selectbox(texts.USECASE_PICKER, ids, format_func=titles.get, key=state.USECASE)
item = catalogue.get(usecase_id)
for note in notes:
    st.warning(note, icon=":material/link_off:")

st.title(item.title)
st.caption(render.facts_line(item))
st.markdown(item.summary)
decision = cached.decisions().get(item.id)
if decision is not None:
    st.info(f"**Arbejdsgruppens beslutning ({decision.date}): {decision.label}.** {decision.reason}",
            icon=":material/gavel:")

views: dict[str, dict] = {}
if not cached.db_ready():
    st.error(texts.NO_DATABASE)
else:
    for chart in item.charts:
        chosen = render.chart(item, chart)
        if chosen is not None:
            views[chart.id] = chosen
            review_panel.panel(item, chart, chosen)
render.usecase_to_url(item, views)
render.synthetic_note(texts.USECASE_SYNTHETIC)
render.usecase_pdf(item, views)

st.divider()
st.header(texts.USECASE_ABOUT)
st.caption(f"Formål: {', '.join(item.aims)} · Sektorer: {', '.join(item.sectors)} · "
           f"Datakilder: {', '.join(item.sources)}")
st.markdown(item.body)
render.declaration(item, cached.adopted_caveats().get(item.id, ()))
if cached.db_ready():
    review_panel.summary(item, options_of=lambda chart_id: render.chart_options(item, chart_id))
