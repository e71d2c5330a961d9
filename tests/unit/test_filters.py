"""Faceted search: counts per option, AND across facets, and a lossless trip through the URL."""

from katalog.content import filters, load_catalogue
from katalog.content.filters import FACETS_BY_KEY, FilterSpec
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


def test_the_index_gives_what_matching_each_item_gives_for_any_filter():
    """The bit index behind apply and facet_counts against the plain definition (`matches`), for seeded random
    filters of search words, facet values and the chair's decisions."""
    import random

    all_items = items()
    rng = random.Random(7)
    words = ["kommune", "HbA1c", "sygehus", "KOL", "region", "zzz", ""]
    for _ in range(150):
        selected = {}
        for facet in rng.sample(filters.FACETS, rng.randint(0, 3)):
            selected[facet.key] = tuple(rng.sample(facet.options, rng.randint(1, min(2, len(facet.options)))))
        spec = FilterSpec(text=rng.choice(words), selected=selected)
        decisions = {item.id: rng.choice(list(filters.DECISIONS)) for item in rng.sample(all_items, 5)}
        expected = [item for item in all_items if filters.matches(item, spec, decisions=decisions)]
        assert filters.apply(all_items, spec, decisions) == expected
        for facet in filters.FACETS:
            counts = dict.fromkeys(facet.options, 0)
            for item in all_items:
                if filters.matches(item, spec, ignore=facet.key, decisions=decisions):
                    for value in facet.values(item, decisions):
                        counts[value] += 1
            assert filters.facet_counts(all_items, spec, facet, decisions) == counts, (spec, facet.key)
