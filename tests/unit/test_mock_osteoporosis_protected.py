"""The selected other chronic disease (`osteoporose`, UC-31) as published: protected like every count table,
its untreated rest included, with totals as rows and its declaration in mock_tables."""

import sqlite3

import pandas as pd


def test_osteoporosis_is_protected_with_its_untreated_rest(built_db):
    conn = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    counts, declaration = conn.execute(
        "SELECT count_columns, declaration FROM mock_tables WHERE name = 'osteoporose'").fetchone()
    assert counts.split(",") == ["patienter", "i_behandling", "befolkning"]
    assert "187.500" in declaration and "Osteoporoseforeningen" in declaration
    frame = pd.read_sql("SELECT * FROM osteoporose", conn)
    for column in ("patienter", "i_behandling"):
        assert not frame[column].dropna().between(1, 4).any(), column
    # Men under 60 in small kommuner are few: hidden, and the untreated rest never shows as 1-4.
    assert frame["patienter"].isna().any() and frame["i_behandling"].isna().any()
    rest = (frame["patienter"] - frame["i_behandling"]).dropna()
    assert not rest.between(1, 4).any()
    # A hidden count hides the rate built on it: the population is public, the patients not.
    assert frame["befolkning"].notna().all()
    # Totals are rows: the country, both sexes, all ages, every year, all shown.
    land = frame[(frame["niveau"] == "Hele landet") & (frame["koen"] == "Alle") & (frame["aldersgruppe"] == "Alle")]
    assert len(land) == 7 and land[["patienter", "i_behandling"]].notna().all().all()
    # The kommune rows of a region add up to the region row wherever all are shown.
    k = frame[(frame["niveau"] == "Kommune") & (frame["koen"] == "Alle") & (frame["aldersgruppe"] == "Alle")
              & (frame["aar"] == 2024)]
    r = frame[(frame["niveau"] == "Region") & (frame["koen"] == "Alle") & (frame["aldersgruppe"] == "Alle")
              & (frame["aar"] == 2024)].set_index("region")["patienter"]
    sums = k.groupby("region")["patienter"].agg(lambda s: s.sum() if s.notna().all() else None).dropna()
    assert len(sums) >= 1
    for region, total in sums.items():
        assert total == r[region]
