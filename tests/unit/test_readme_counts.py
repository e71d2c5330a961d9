"""The README's table of use-cases per delopgave and diagnosis is generated from the files, and kept true."""

from katalog.content import counts_markdown, load_catalogue
from tests.conftest import ROOT, USECASES

START, END = "<!-- counts:start -->", "<!-- counts:end -->"


def test_the_readme_counts_the_catalogue_as_it_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme, "README lacks the counts table markers"
    shown = readme.split(START, 1)[1].split(END, 1)[0].strip()
    expected = counts_markdown(load_catalogue(USECASES).items)
    assert shown == expected, f"Update the README's table (between the markers) to:\n{expected}"
