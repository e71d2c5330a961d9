"""Faceted search: counts per option, AND across facets, and a lossless trip through the URL."""

from katalog import filters
from katalog.content import load_catalogue
from katalog.filters import FACETS_BY_KEY, FilterSpec
from tests.conftest import USECASES


def items():
    return load_catalogue(USECASES).items


def test_empty_filter_shows_everything():
    assert filters.apply(items(), FilterSpec()) == items()


def test_a_facet_narrows_and_counts_match_what_it_would_show():
    all_items = items()
    counts = filters.facet_counts(all_items, FilterSpec(), FACETS_BY_KEY["diagnose"])
    for diagnosis, count in counts.items():
        shown = filters.apply(all_items, FilterSpec(selected={"diagnose": (diagnosis,)}))
        assert len(shown) == count
        assert all(diagnosis in item.diagnoses for item in shown)


def test_facets_combine_with_and_and_options_with_or():
    all_items = items()
    kol_or_diabetes = filters.apply(all_items, FilterSpec(selected={"diagnose": ("KOL", "diabetes")}))
    kol = filters.apply(all_items, FilterSpec(selected={"diagnose": ("KOL",)}))
    assert len(kol_or_diabetes) >= len(kol)
    narrowed = filters.apply(all_items, FilterSpec(selected={"diagnose": ("KOL",), "sektor": ("Kommune",)}))
    assert all("KOL" in i.diagnoses and "Kommune" in i.sectors for i in narrowed)


def test_free_text_searches_title_body_and_declaration():
    all_items = items()
    target = all_items[0]
    word = target.title.split()[0]
    assert target in filters.apply(all_items, FilterSpec(text=word.upper()))
    assert filters.apply(all_items, FilterSpec(text="zzzqqq")) == []


def test_filter_survives_the_url_and_ignores_unknown_values():
    spec = FilterSpec(text="HbA1c", selected={"diagnose": ("KOL", "diabetes"), "delopgave": ("2b",)})
    params = filters.to_query_params(spec)
    back = filters.from_query_params({**params, "diagnose": [*params["diagnose"], "kræft"], "x": "y"})
    assert back.text == "HbA1c"
    assert set(back.selected["diagnose"]) == {"KOL", "diabetes"} and back.selected["delopgave"] == ("2b",)
    assert "Diagnose" in back.describe()
