"""Small counts (1-4) never leave the data layer, and cannot be recovered from what is shown."""

import pandas as pd

from katalog.disclosure import PRIMARY, SECONDARY, suppress_small_counts


def test_counts_of_one_to_four_are_hidden_and_zero_and_five_are_shown():
    rows = pd.DataFrame({"kommune": list("abcdefg"), "n": [0, 1, 2, 3, 4, 5, 100]})
    result = suppress_small_counts(rows, counts=["n"])
    shown = result.data["n"].tolist()
    assert shown[0] == 0 and shown[5] == 5 and shown[6] == 100
    assert all(pd.isna(v) for v in shown[1:5])
    assert result.primary == 4


def test_a_single_hidden_cell_gets_a_secondary_partner_in_its_line():
    rows = pd.DataFrame({"region": ["A", "B", "C", "D"], "n": [3, 50, 20, 400]})
    result = suppress_small_counts(rows, counts=["n"])
    assert result.status["n"].tolist() == [PRIMARY, "", SECONDARY, ""]  # 20 is the smallest other cell
    assert result.secondary == 1


def test_no_hidden_cell_can_be_derived_from_row_or_column_totals():
    rows = pd.DataFrame({
        "region": ["A", "A", "B", "B", "C", "C"],
        "koen": ["K", "M"] * 3,
        "n": [2, 40, 30, 31, 60, 70],
    })
    status = suppress_small_counts(rows, counts=["n"]).status["n"]
    hidden = rows.assign(hidden=status.ne(""))
    for key in ("region", "koen"):
        for _, line in hidden.groupby(key):
            assert line["hidden"].sum() != 1, f"a line by {key} has exactly one hidden cell"


def test_derived_values_are_hidden_with_their_counts():
    rows = pd.DataFrame({"region": ["A", "B", "C"], "patienter": [4, 90, 80],
                         "befolkning": [1000, 2000, 3000], "pr_1000": [4.0, 45.0, 26.7]})
    result = suppress_small_counts(rows, counts=["patienter", "befolkning"],
                                   derived={"pr_1000": ["patienter", "befolkning"]})
    assert pd.isna(result.data["pr_1000"][0]) and pd.isna(result.data["pr_1000"][2])
    assert result.data["pr_1000"][1] == 45.0
    table = result.for_display()
    assert table["patienter"][0] == "<5" and table["patienter"][2] == "–"


def test_nothing_small_means_nothing_hidden():
    rows = pd.DataFrame({"aar": [2023, 2024], "n": [10, 12]})
    result = suppress_small_counts(rows, counts=["n"])
    assert result.hidden == 0 and result.data["n"].tolist() == [10, 12]


def test_display_and_csv_use_danish_numbers_and_keep_years_plain():
    rows = pd.DataFrame({"aar": [2024, 2024], "region": ["A", "B"], "patienter": [12345, 67890],
                         "andel": [0.5734, 0.25]})
    result = suppress_small_counts(rows, counts=["patienter"], derived={"andel": ["patienter"]})
    shown = result.for_display()
    assert shown["aar"].tolist() == ["2024", "2024"]
    assert shown["patienter"].tolist() == ["12.345", "67.890"]
    assert shown["andel"].tolist() == ["0,573", "0,250"]
    assert result.for_display(grouping=False)["patienter"].tolist() == ["12345", "67890"]


def test_a_label_column_next_to_its_key_does_not_defeat_secondary_suppression():
    rows = pd.DataFrame({"region_nr": [1, 2, 3, 4], "region": ["A", "B", "C", "Hele landet"],
                         "n": [3, 50, 60, 113]})
    status = suppress_small_counts(rows, counts=["n"]).status["n"].tolist()
    assert status[0] == PRIMARY and status.count(SECONDARY) >= 1


def test_secondary_partner_prefers_a_count_above_zero():
    rows = pd.DataFrame({"kommune": ["a", "b", "c"], "n": [2, 0, 40]})
    status = suppress_small_counts(rows, counts=["n"]).status["n"].tolist()
    assert status == [PRIMARY, "", SECONDARY]
