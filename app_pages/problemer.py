"""Problemer: every content problem, with file, field and what to change."""

import pandas as pd
import streamlit as st

from ui import cached, texts

catalogue = cached.catalogue()
st.title("Problemer i use-case-filerne")
if not catalogue.problems:
    st.success(f"Ingen problemer: alle {len(catalogue.items)} use-cases er gyldige.", icon=":material/check:")
    st.stop()
files = {p.path for p in catalogue.problems}
st.markdown(f"**{texts.antal(len(catalogue.problems), 'problem', 'problemer')} i "
            f"{texts.antal(len(files), 'fil', 'filer')}.** Filerne med problemer vises ikke i "
            f"kataloget; de øvrige {len(catalogue.items)} use-cases vises som normalt. Ret filen og "
            "genindlæs siden, eller kør `katalog validate`.")
st.dataframe(
    pd.DataFrame([{"Fil": p.path.name, "Felt": p.field, "Hvad skal ændres": p.message}
                  for p in catalogue.problems]),
    hide_index=True,
    width="stretch",
)
