"""Small counts (1-4) are hidden on each table's full cube, for every view at once, and the audit proves
that nothing published – alone or combined with every other table – narrows a hidden small count."""

import numpy as np
import pandas as pd
import pytest

from katalog.disclosure import HIDDEN, mark_hidden
from katalog.disclosure.audit import audit
from katalog.disclosure.cube import Part, flat, from_frame, primary, suppress, suppress_linked, to_frame, tree

GEO = tree("geografi", {"Fanø": "Syd", "Esbjerg": "Syd", "Varde": "Syd", "Læsø": "Nord", "Aalborg": "Nord",
                        "Syd": "Hele landet", "Nord": "Hele landet"},
           {"omraade": {n: n for n in ("Fanø", "Esbjerg", "Varde", "Læsø", "Aalborg", "Syd", "Nord", "Hele landet")}})
SEX = flat("koen", ("Kvinder", "Mænd"))


def _cube(counts_by_cell: dict, *, name="t", parts=()):
    rows = [{"aar": 2024, "kommune": k, "koen": s, **values} for (k, s), values in counts_by_cell.items()]
    frame = pd.DataFrame(rows)
    measures = [c for c in frame.columns if c not in ("aar", "kommune", "koen")]
    return from_frame(name, frame, ["aar"], [("kommune", GEO), ("koen", SEX)], measures, parts=parts)


def _fano(fano_women=4, fano_men=4):
    """Fanø's women and men are both small; everything else is large."""
    return _cube({("Fanø", "Kvinder"): {"n": fano_women}, ("Fanø", "Mænd"): {"n": fano_men},
                  ("Esbjerg", "Kvinder"): {"n": 300}, ("Esbjerg", "Mænd"): {"n": 280},
                  ("Varde", "Kvinder"): {"n": 120}, ("Varde", "Mænd"): {"n": 110},
                  ("Læsø", "Kvinder"): {"n": 9}, ("Læsø", "Mænd"): {"n": 7},
                  ("Aalborg", "Kvinder"): {"n": 500}, ("Aalborg", "Mænd"): {"n": 520}})


def test_the_cube_has_every_total_and_hides_every_count_of_one_to_four():
    cube = _fano()
    suppress(cube)
    frame = to_frame(cube)
    assert len(frame) == 8 * 3  # 5 kommuner, 2 regions and the country, by Kvinder, Mænd and Alle
    fano = frame[frame["omraade"] == "Fanø"].set_index("koen")["n"]
    shown = frame["n"].dropna()
    assert not ((shown >= 1) & (shown <= 4)).any()
    assert fano[["Kvinder", "Mænd"]].isna().all()
    # Fanø's total of 8 may be shown: with one marker for every hidden cell, x + y = 8 leaves 1..7 open.


def test_the_fano_attack_succeeds_on_per_view_suppression_and_fails_on_the_cube():
    # Per view, as before: the Kvinder view hides Fanø's 4 and the smallest other kommune of its region
    # (Varde); the Mænd view hides Fanø's 4 and Læsø's 7; the Alle view hides nothing. Pooled, Varde's
    # women are Varde's total minus its men, both shown elsewhere, and then Fanø's women are the region's
    # women minus Esbjerg and Varde: exactly 4. The audit, which sees what the attacker sees, says so.
    cube = _fano()
    node = GEO.nodes.index
    pooled = np.zeros(cube.shape, dtype=bool)
    for kommune, sex in (("Fanø", 0), ("Varde", 0), ("Fanø", 1), ("Læsø", 1)):
        pooled[0, node(kommune), sex, 0] = True
    cube.hidden = pooled
    cube.forced = np.zeros(cube.shape, dtype=bool)
    broken = audit({"t": cube}, [], integer=True)
    assert not broken.passed
    recovered = {f.description: (f.low, f.high) for f in broken.narrowed}
    assert recovered["t[aar=2024, geografi=Fanø, koen=Kvinder].n"] == (4, 4)

    protected = _fano()
    suppress_linked({"t": protected}, [])
    report = audit({"t": protected}, [], integer=True)
    assert report.passed, report.summary()
    assert protected.hidden[0, node("Fanø"), :2, 0].all()


def test_a_hidden_count_never_stands_alone_in_a_line_and_zeros_beside_it_are_hidden():
    cube = _cube({("Fanø", "Kvinder"): {"n": 2}, ("Fanø", "Mænd"): {"n": 0}, ("Esbjerg", "Kvinder"): {"n": 40},
                  ("Esbjerg", "Mænd"): {"n": 35}, ("Varde", "Kvinder"): {"n": 50}, ("Varde", "Mænd"): {"n": 0},
                  ("Læsø", "Kvinder"): {"n": 1}, ("Læsø", "Mænd"): {"n": 3}, ("Aalborg", "Kvinder"): {"n": 70},
                  ("Aalborg", "Mænd"): {"n": 66}})
    suppress(cube)
    hidden, values = cube.hidden[..., 0], cube.values[..., 0]
    fano, varde = GEO.nodes.index("Fanø"), GEO.nodes.index("Varde")
    assert hidden[0, fano, 1], "Fanø's 0 men sit beside Fanø's hidden 2 women: a shown 0 would say the 2 is ≥ 1"
    assert not hidden[0, varde, 1] or hidden[0, varde, 0]
    for axis, hierarchy in enumerate(cube.dims, start=1):
        for total, members in hierarchy.groups:
            line = (total, *members)
            counts = np.take(hidden & (values > 0), line, axis=axis).sum(axis=axis)
            assert not (counts == 1).any(), f"a line along {hierarchy.name} has one hidden count"
            zeros_shown = np.take(~hidden & (values == 0), line, axis=axis).any(axis=axis)
            assert not (zeros_shown & (counts > 0)).any(), f"a zero is shown beside a hidden count ({hierarchy.name})"
    assert audit({"t": cube}, []).passed


def test_a_small_rest_of_two_shown_counts_is_protected():
    # 58 of 60 patients have FEV1 measured: the 2 without are a small count of persons, too.
    cells = {(k, s): {"patienter": 60 + i, "opfyldt": 58 + i if k == "Varde" and s == "Kvinder" else 30 + i}
             for i, (k, s) in enumerate((k, s) for k in ("Fanø", "Esbjerg", "Varde", "Læsø", "Aalborg")
                                        for s in ("Kvinder", "Mænd"))}
    cube = _cube(cells, parts=[Part("opfyldt", "patienter")])
    suppress_linked({"t": cube}, [])
    varde, women = GEO.nodes.index("Varde"), 0
    m_met, m_all = cube.measure("opfyldt"), cube.measure("patienter")
    assert cube.hidden[0, varde, women, m_met] or cube.hidden[0, varde, women, m_all]
    assert audit({"t": cube}, []).passed


def test_linked_cubes_share_one_pattern():
    # The same persons in two tables: hidden in one means hidden in the other.
    a, b = _fano(), _fano()
    from katalog.disclosure.cube import Link

    everything = (slice(None), slice(None), slice(None))
    link = Link("a", "b", lambda c: (everything, "n"), lambda c: (everything, "n"))
    b.values[0, GEO.nodes.index("Læsø"), 0, 0] = 9  # equal values only: the link is checked
    suppress_linked({"a": a, "b": b}, [link])
    assert np.array_equal(a.hidden, b.hidden)
    b.values[0, GEO.nodes.index("Læsø"), 0, 0] = 10
    with pytest.raises(ValueError):
        suppress_linked({"a": a, "b": b}, [link])


def test_primary_is_exactly_one_to_four():
    cube = _cube({("Fanø", "Kvinder"): {"n": 0}, ("Fanø", "Mænd"): {"n": 1}, ("Esbjerg", "Kvinder"): {"n": 4},
                  ("Esbjerg", "Mænd"): {"n": 5}, ("Varde", "Kvinder"): {"n": 100}, ("Varde", "Mænd"): {"n": 3},
                  ("Læsø", "Kvinder"): {"n": 2}, ("Læsø", "Mænd"): {"n": 7}, ("Aalborg", "Kvinder"): {"n": 60},
                  ("Aalborg", "Mænd"): {"n": 61}})
    leaves = primary(cube)[0, :5, :2, 0]
    assert leaves.tolist() == [[False, True], [True, False], [False, True], [True, False], [False, False]]


def test_a_view_marks_null_counts_and_what_is_built_on_them_with_one_marker():
    rows = pd.DataFrame({"region": ["A", "B", "C"], "patienter": [None, 90, None],
                         "befolkning": [1000, 2000, 3000], "pr_1000": [None, 45.0, None]})
    result = mark_hidden(rows, counts=["patienter", "befolkning"], derived={"pr_1000": ["patienter"]})
    table = result.for_display()
    assert table["patienter"].tolist() == [HIDDEN, "90", HIDDEN]
    assert table["pr_1000"].tolist() == [HIDDEN, "45", HIDDEN]
    assert result.hidden == 2 and result.cells == 6


def test_display_and_csv_use_danish_numbers_and_keep_years_plain():
    rows = pd.DataFrame({"aar": [2024, 2024], "region": ["A", "B"], "patienter": [12345, 67890],
                         "andel": [0.5734, 0.25]})
    result = mark_hidden(rows, counts=["patienter"], derived={"andel": ["patienter"]})
    shown = result.for_display()
    assert shown["aar"].tolist() == ["2024", "2024"]
    assert shown["patienter"].tolist() == ["12.345", "67.890"]
    assert shown["andel"].tolist() == ["0,573", "0,250"]
    assert result.for_display(grouping=False)["patienter"].tolist() == ["12345", "67890"]


def _indicator(cells: dict):
    """A practice-indicator-like cube: met and in the denominator, by kommune (the only dimension)."""
    frame = pd.DataFrame([{"aar": 2024, "kommune": k, **v} for k, v in cells.items()])
    return from_frame("t", frame, ["aar"], [("kommune", GEO)], ["opfyldt", "patienter"],
                      parts=[Part("opfyldt", "patienter")])


def test_the_rests_of_hidden_parts_protect_each_other_along_a_line():
    # In Fanø and Varde all but one patient meets the indicator: their numerators are hidden (rests of 1),
    # and under Syd's shown totals the two rests add up to 2 – each could only be 0-2. Rests add up along a
    # line like counts, so a third rest is opened (Esbjerg's numerator hidden).
    cube = _indicator({"Fanø": {"opfyldt": 129, "patienter": 130}, "Esbjerg": {"opfyldt": 184, "patienter": 196},
                       "Varde": {"opfyldt": 42, "patienter": 43}, "Læsø": {"opfyldt": 60, "patienter": 70},
                       "Aalborg": {"opfyldt": 372, "patienter": 379}})
    suppress_linked({"t": cube}, [])
    assert cube.hidden[0, GEO.nodes.index("Esbjerg"), cube.measure("opfyldt")]
    assert audit({"t": cube}, []).passed


def test_a_hidden_count_gives_nothing_below_a_part_shown_beside_it():
    # Fanø's 2 patients are hidden, and Esbjerg's 10 beside them in Syd; but Esbjerg's 10 who meet the
    # indicator are shown, so Esbjerg's patients are at least 10 and Fanø's at most 2. A count can give up
    # only what lies above a part shown beside it: another cell is hidden (Varde's 40).
    cube = _indicator({"Fanø": {"opfyldt": 2, "patienter": 2}, "Esbjerg": {"opfyldt": 10, "patienter": 10},
                       "Varde": {"opfyldt": 3, "patienter": 40}, "Læsø": {"opfyldt": 60, "patienter": 70},
                       "Aalborg": {"opfyldt": 372, "patienter": 379}})
    suppress_linked({"t": cube}, [])
    assert cube.hidden[0, GEO.nodes.index("Varde"), cube.measure("patienter")]
    assert audit({"t": cube}, []).passed
