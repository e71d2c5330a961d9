"""The mock data generator: recognisable national figures, deterministic, internally consistent."""

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from katalog.mock.cohort import DX_CODES
from katalog.mock.mockdata import comparison_frame, generate
from tests.conftest import MOCKDATA

# The figures issue 3 holds the generator to (±10 % of the anchors in domain.md §8).
HELD_TO_TEN_PERCENT = {"Befolkning", "Patienter", "Køn", "Alder", "Indikatorer", "Kontakter", "Plejehjem", "Praksis",
                       "Sygehus", "Døde", "Forløb", "Indikatorer over tid", "Praksisvariation", "Multimorbiditet",
                       "Patientværdier", "Osteoporose"}


@pytest.fixture(scope="module")
def mock_db(tmp_path_factory) -> Path:
    """The generator's national tables as it hands them to the build, before disclosure control (which
    adds totals and hides small counts), in SQLite with their declarations and the comparisons."""
    mock = generate(MOCKDATA, scale=1.0)
    path = tmp_path_factory.mktemp("mock") / "mock.db"
    conn = sqlite3.connect(path)
    for table in mock.tables:
        table.frame.to_sql(table.name, conn, index=False)
    pd.DataFrame({"name": [t.name for t in mock.tables], "declaration": [t.declaration for t in mock.tables]}
                 ).to_sql("mock_tables", conn, index=False)
    comparison_frame(mock.comparisons).to_sql("mock_comparisons", conn, index=False)
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def comparisons(mock_db) -> pd.DataFrame:
    return pd.read_sql("SELECT * FROM mock_comparisons", sqlite3.connect(mock_db))


def test_national_figures_land_within_ten_percent_of_their_anchors(comparisons):
    held = comparisons[comparisons["emne"].isin(HELD_TO_TEN_PERCENT)]
    off = held[held["afvigelse"].abs() > 0.10]
    assert off.empty, off[["maal", "genereret", "forlaeg", "afvigelse"]].to_string()


def test_the_anchors_cover_every_diagnosis_region_and_indicator(comparisons):
    measures = " ".join(comparisons["maal"])
    for icpc in ("T89", "T90", "R95", "R96", "K78", "K77"):
        assert f"({icpc})" in measures
    for region in ("Hovedstaden", "Midtjylland", "Syddanmark", "Sjælland", "Nordjylland"):
        assert f"Indbyggere i Region {region}" in measures
    assert (comparisons["emne"] == "Indikatorer").sum() == len(pd.read_csv(MOCKDATA / "indikatorer.csv"))
    assert (comparisons["emne"] == "Kontakter").sum() == 5


def test_prevalence_counted_straight_from_the_tables(mock_db):
    conn = sqlite3.connect(mock_db)
    population = conn.execute("SELECT sum(befolkning) FROM befolkning WHERE aar = 2024").fetchone()[0]
    assert abs(population - 5_961_249) / 5_961_249 < 0.01
    patients = dict(conn.execute("SELECT diagnose, sum(patienter) FROM ap_patienter WHERE aar = 2024 "
                                 "GROUP BY diagnose"))
    anchors = {"diabetes": 356_000, "KOL": 160_000, "astma": 300_000, "atrieflimren": 145_000,
               "hjertesvigt": 75_000}
    for diagnosis, anchor in anchors.items():
        assert abs(patients[diagnosis] - anchor) / anchor < 0.10, diagnosis
    forekomst = dict(conn.execute("SELECT diagnose, patienter FROM ap_forekomst WHERE aar = 2024 "
                                  "AND niveau = 'Hele landet'"))
    assert forekomst == patients, "eSundhed-style totals must agree with the patient table"
    assert conn.execute("SELECT count(DISTINCT kommune) FROM befolkning").fetchone()[0] == 98
    assert conn.execute("SELECT count(DISTINCT aldersgruppe5) FROM befolkning").fetchone()[0] == 18


def test_regional_variation_follows_the_declared_factors(mock_db):
    conn = sqlite3.connect(mock_db)
    rates = dict(conn.execute("SELECT omraade, pr_1000_aldersstd FROM ap_forekomst WHERE aar = 2024 "
                              "AND niveau = 'Region' AND diagnose = 'KOL'"))
    # Nordjylland and Sjælland run higher for KOL, Hovedstaden lower (domain.md §8.2).
    assert rates["Region Nordjylland"] > rates["Region Hovedstaden"] * 1.15
    assert rates["Region Sjælland"] > rates["Region Hovedstaden"] * 1.15


def test_prevalence_changes_by_the_declared_yearly_change(comparisons):
    change = comparisons[comparisons["emne"] == "Udvikling"]
    assert len(change) == 6
    off = change[(change["genereret"] - change["forlaeg"]).abs() > 0.01]  # within 1 percentage point a year
    assert off.empty, off[["maal", "genereret", "forlaeg"]].to_string()


def test_adult_diagnoses_have_no_children(mock_db):
    conn = sqlite3.connect(mock_db)
    children = dict(conn.execute("SELECT icpc, sum(patienter) FROM ap_patienter WHERE aldersgruppe = '0-17' "
                                 "GROUP BY icpc"))
    assert set(children) == {"T89", "R96"}, children


def test_regions_differ_in_age_so_standardising_matters(mock_db):
    conn = sqlite3.connect(mock_db)
    rates = {area: (crude, std) for area, crude, std in conn.execute(
        "SELECT omraade, pr_1000, pr_1000_aldersstd FROM ap_forekomst WHERE aar = 2024 AND niveau = 'Region' "
        "AND diagnose = 'hjertesvigt'")}
    crude, std = rates["Region Hovedstaden"]
    assert crude < std * 0.95, "the youngest region's crude rate sits below its age-standardised rate"
    crude, std = rates["Region Sjælland"]
    assert crude > std * 1.05, "and an old region's above"


def test_trends_over_the_years_are_plausible(mock_db):
    conn = sqlite3.connect(mock_db)
    counts = {(d, y): n for d, y, n in conn.execute(
        "SELECT diagnose, aar, patienter FROM ap_forekomst WHERE niveau = 'Hele landet'")}
    assert counts[("diabetes", 2019)] < counts[("diabetes", 2024)], "diabetes is rising"
    assert counts[("KOL", 2019)] > counts[("KOL", 2024)], "registered KOL is falling"
    for diagnosis in ("diabetes", "KOL", "astma", "atrieflimren", "hjertesvigt"):
        series = [counts[(diagnosis, y)] for y in range(2019, 2026)]
        steps = [b / a - 1 for a, b in zip(series, series[1:], strict=False)]
        assert max(abs(s) for s in steps) < 0.08, (diagnosis, series)


def test_practices_differ_and_sit_in_clusters(mock_db):
    conn = sqlite3.connect(mock_db)
    practices, clusters = conn.execute("SELECT count(*), count(DISTINCT klynge) FROM praksis").fetchone()
    assert 1_500 <= practices <= 1_900 and 100 <= clusters <= 200
    shares = [o / p for o, p in conn.execute(
        "SELECT opfyldt, patienter FROM praksis_indikatorer WHERE aar = 2024 "
        "AND indikator = 'FEV1 registreret årligt' AND patienter >= 40")]
    spread = float(np.std(shares))
    assert 0.06 <= spread <= 0.20, f"practice-level SD {spread:.3f} should be 8-12 points (domain.md §8.3)"


def test_kronikerhonorar_moves_fees_but_keeps_contacts(mock_db):
    conn = sqlite3.connect(mock_db)
    rows = {k: (p, c, fee, annual) for k, p, c, fee, annual in conn.execute(
        "SELECT kronikerhonorar, sum(patienter), sum(konsultation + telefon + email), "
        "sum(honorar_ydelser_kr), sum(honorar_kronikerhonorar_kr) FROM ap_aktivitet "
        "WHERE aar = 2024 AND diagnose = 'diabetes' GROUP BY kronikerhonorar")}
    (p_on, c_on, fee_on, annual_on), (p_off, c_off, fee_off, annual_off) = rows["Ja"], rows["Nej"]
    assert c_on / p_on > 0.7 * c_off / p_off, "enrolled patients' contacts are still coded"
    assert fee_on / p_on < 0.5 * fee_off / p_off, "but their service fees go into the annual fee"
    assert annual_on > 0 and annual_off == 0


def test_patients_in_nursing_homes_are_a_part_of_all_residents(mock_db):
    conn = sqlite3.connect(mock_db)
    residents = {(y, r): n for y, r, n in conn.execute(
        "SELECT aar, region, sum(beboere) FROM plejehjemsbeboere GROUP BY 1, 2")}
    # ap_patienter counts a patient once per ICPC code, so this over-counts persons a little.
    patients = {(y, r): n for y, r, n in conn.execute(
        "SELECT aar, region, sum(plejehjemsbeboere) FROM ap_patienter GROUP BY 1, 2")}
    for key, n in patients.items():
        assert n <= residents[key], (key, n, residents[key])
    yearly = [sum(n for (y, _), n in patients.items() if y == year) for year in range(2019, 2026)]
    assert max(yearly) < 1.25 * min(yearly), f"patients in nursing homes should not swing: {yearly}"


def test_deaths_do_not_drop_in_the_last_year(mock_db):
    conn = sqlite3.connect(mock_db)
    deaths = dict(conn.execute("SELECT aar, sum(doede) FROM ap_patienter GROUP BY aar"))
    assert deaths[2025] > 0.9 * deaths[2024] and deaths[2019] > 0.8 * deaths[2024]


def test_heart_failure_and_atrial_fibrillation_meet_more_often_than_chance():
    mock = generate(MOCKDATA, scale=0.05, cohort_tables=True)
    years = next(t.frame for t in mock.tables if t.name == "kohorte_aar")
    y = years[years["aar"] == 2024]
    old = y["alder"] >= 70
    with_hf = y.loc[old & (y["hjertesvigt"] == 1), "atrieflimren"].mean()
    # KOL patients are drawn without regard to the heart, so theirs is the age's everyday AF share.
    kol_only = y.loc[old & (y["kol"] == 1) & (y["hjertesvigt"] == 0), "atrieflimren"].mean()
    assert with_hf > 0.2 and with_hf > 2 * kol_only, (with_hf, kol_only)


def test_nursing_home_residents_are_old_and_mostly_women(mock_db):
    conn = sqlite3.connect(mock_db)
    total, women = conn.execute("SELECT sum(beboere), sum(CASE WHEN koen = 'Kvinder' THEN beboere END) "
                                "FROM plejehjemsbeboere WHERE aar = 2024").fetchone()
    assert 36_000 < total < 46_000 and 0.62 < women / total < 0.74


def test_same_seed_gives_identical_tables():
    first = generate(MOCKDATA, scale=0.03, cohort_tables=True)
    second = generate(MOCKDATA, scale=0.03, cohort_tables=True)
    assert [t.name for t in first.tables] == [t.name for t in second.tables]
    for a, b in zip(first.tables, second.tables, strict=True):
        assert a.frame.equals(b.frame), a.name
    assert comparison_frame(first.comparisons).equals(comparison_frame(second.comparisons))


def test_the_person_level_cohort_is_consistent():
    mock = generate(MOCKDATA, scale=0.03, cohort_tables=True)
    tables = {t.name: t for t in mock.tables}
    persons, diagnoses, years = (tables[n].frame for n in ("kohorte_person", "kohorte_diagnose", "kohorte_aar"))
    assert {t.level for t in mock.tables if t.name.startswith("kohorte_")} == {"person"}
    assert persons["person_id"].is_unique
    # Type 1 and type 2 diabetes never meet in one person.
    icpc = diagnoses.groupby("person_id")["icpc"].agg(set)
    assert not any({"T89", "T90"} <= codes for codes in icpc)
    # Nobody has a person-year after they died, and every person-year has a diagnosis by then.
    merged = years.merge(persons[["person_id", "doedsdato"]], on="person_id")
    died = merged["doedsdato"].notna()
    assert (merged.loc[died, "aar"] <= merged.loc[died, "doedsdato"].str[:4].astype(int)).all()
    flags = years[["type1_diabetes", "type2_diabetes", "kol", "astma", "atrieflimren", "hjertesvigt"]]
    assert (flags.sum(axis=1) >= 1).all()
    # Patient values belong to the diagnosis they are reported for.
    assert years.loc[years["hba1c"].notna(), ["type1_diabetes", "type2_diabetes"]].sum(axis=1).min() == 1
    assert (years.loc[years["fev1_pct"].notna(), "kol"] == 1).all()
    assert (years.loc[years["nyha"].notna(), "hjertesvigt"] == 1).all()
    assert len(DX_CODES) == 6


def test_scale_shrinks_counts_but_keeps_shares():
    small = {t.name: t.frame for t in generate(MOCKDATA, scale=0.05).tables}
    patients = small["ap_patienter"]
    kol = patients[(patients["aar"] == 2024) & (patients["diagnose"] == "KOL")]
    assert abs(kol["patienter"].sum() - 8_000) / 8_000 < 0.1
    assert abs(kol.loc[kol["koen"] == "Mænd", "patienter"].sum() / kol["patienter"].sum() - 0.46) < 0.03


def test_scale_must_be_between_zero_and_one():
    with pytest.raises(ValueError):
        generate(MOCKDATA, scale=0)


# --- the realism review (each point held to its published figure or declared band) ----------------


def _comparison(comparisons: pd.DataFrame, measure: str) -> pd.Series:
    rows = comparisons[comparisons["maal"] == measure]
    assert len(rows) == 1, measure
    return rows.iloc[0]


def _within(row: pd.Series, tolerance: float = 0.10) -> None:
    assert abs(row["genereret"] / row["forlaeg"] - 1) <= tolerance, (row["maal"], row["genereret"], row["forlaeg"])


def test_population_0_17_holds_18_single_year_cohorts_like_the_patients(mock_db, comparisons):
    conn = sqlite3.connect(mock_db)
    by_group = dict(conn.execute("SELECT aldersgruppe, sum(befolkning) FROM befolkning WHERE aar = 2024 GROUP BY 1"))
    under_20 = conn.execute("SELECT sum(befolkning) FROM befolkning WHERE aar = 2024 "
                            "AND aldersgruppe5 IN ('0-4', '5-9', '10-14', '15-19')").fetchone()[0]
    assert abs(by_group["0-17"] / (under_20 * 18 / 20) - 1) < 0.02, (by_group["0-17"], under_20)
    # The 15-19 group is split: 18- and 19-year-olds count among 18-39, as the patients of that age do.
    split = dict(conn.execute("SELECT aldersgruppe, sum(befolkning) FROM befolkning WHERE aar = 2024 "
                              "AND aldersgruppe5 = '15-19' GROUP BY 1"))
    assert abs(split["18-39"] / (split["0-17"] + split["18-39"]) - 0.4) < 0.01, split
    assert sum(by_group.values()) == conn.execute("SELECT sum(befolkning) FROM befolkning WHERE aar = 2024"
                                                  ).fetchone()[0]
    _within(_comparison(comparisons, "Indbyggere 0-17 år (18 årgange)"), 0.02)


def test_outpatient_visits_follow_kronikerhonorar_5_against_8(mock_db, comparisons):
    for label, anchor in (("på", 5), ("uden", 8)):
        row = _comparison(comparisons, f"Ambulante besøg pr. patient med type 2-diabetes eller KOL {label} "
                                       "kronikerhonorar")
        assert row["forlaeg"] == anchor
        _within(row)
    conn = sqlite3.connect(mock_db)
    visits = {k: v / p for k, v, p in conn.execute(
        "SELECT kronikerhonorar, sum(ambulante_besoeg), sum(patienter) FROM sygehus_aktivitet "
        "WHERE aar = 2024 AND diagnose = 'KOL' GROUP BY 1")}
    assert 4 < visits["Ja"] < 6.5 and 6.5 < visits["Nej"] < 10, visits


def test_children_with_astma_are_admitted_more_than_adults(mock_db, comparisons):
    children = _comparison(comparisons, "Indlæggelser pr. barn (0-17 år) med astma")
    adults = _comparison(comparisons, "Indlæggelser pr. voksen med astma alene (ingen af de fire andre diagnoser)")
    assert (children["forlaeg"], adults["forlaeg"]) == (0.05, 0.02)
    _within(children)
    _within(adults)
    conn = sqlite3.connect(mock_db)
    rate = conn.execute("SELECT 1.0 * sum(indlaeggelser) / sum(patienter) FROM sygehus_aktivitet "
                        "WHERE aar = 2024 AND diagnose = 'astma' AND aldersgruppe = '0-17'").fetchone()[0]
    assert 0.045 < rate < 0.055, rate


def test_nursing_home_residents_fall_a_little_although_the_old_grow(mock_db, comparisons):
    conn = sqlite3.connect(mock_db)
    residents = dict(conn.execute("SELECT aar, sum(beboere) FROM plejehjemsbeboere GROUP BY aar"))
    assert residents[2025] < residents[2019], residents
    assert all(residents[y + 1] < 1.01 * residents[y] for y in range(2019, 2025)), residents
    old = dict(conn.execute("SELECT aar, sum(befolkning) FROM befolkning WHERE aldersgruppe = '80+' GROUP BY aar"))
    assert old[2025] > old[2019], "the 80+ grow, so coverage falls"
    _within(_comparison(comparisons, "Plejehjemsbeboere 2024 i forhold til 2023"), 0.02)
    _within(_comparison(comparisons, "Andel af 80+ på plejehjem 2024 i forhold til 2019"), 0.03)


def test_list_sizes_differ_between_regions(mock_db):
    conn = sqlite3.connect(mock_db)
    listed = dict(conn.execute("SELECT region, 1.0 * sum(tilmeldte) / count(*) FROM praksis GROUP BY region"))
    # SDS 2014: 1,563 listed per doctor in Midtjylland, 1,714 in Nordjylland (+9.7 %).
    ratio = listed["Region Nordjylland"] / listed["Region Midtjylland"]
    assert abs(ratio - 1714 / 1563) < 0.03, listed
    assert max(listed.values()) / min(listed.values()) > 1.05, listed


def test_practice_spread_of_indicators_is_8_to_12_points(mock_db, comparisons):
    conn = sqlite3.connect(mock_db)
    for indicator in ("HbA1c ≤ 53 mmol/mol", "FEV1 registreret årligt", "HbA1c målt seneste 12 mdr.",
                      "Årlig astmakontrol"):
        shares = [o / p for o, p in conn.execute(
            "SELECT opfyldt, patienter FROM praksis_indikatorer WHERE aar = 2024 AND indikator = ? "
            "AND patienter >= 40", (indicator,))]
        spread = float(np.std(shares))
        assert 0.08 <= spread <= 0.12, f"{indicator}: practice SD {spread:.3f}, 8-12 points (domain.md §8.3)"
    between = comparisons[comparisons["emne"] == "Praksisvariation"]
    assert len(between) >= 15
    assert (between["afvigelse"].abs() <= 0.10).all(), between[["maal", "genereret"]].to_string()


def test_sglt2i_uptake_rises_like_the_heart_failure_database(mock_db):
    conn = sqlite3.connect(mock_db)
    share = {y: o / p for y, o, p in conn.execute(
        "SELECT aar, sum(opfyldt), sum(patienter) FROM kvalitetsindikatorer WHERE indikator = 'SGLT2-hæmmer' "
        "GROUP BY aar")}
    for year, published in ((2021, 0.14), (2022, 0.43), (2023, 0.64)):  # DHD (ugeskriftet.dk)
        assert abs(share[year] / published - 1) < 0.10, (year, share[year])
    assert share[2019] < 0.10 and all(share[y + 1] > share[y] for y in range(2019, 2025)), share


def test_new_kol_patients_are_explained_against_the_registered_incidence(mock_db, comparisons):
    row = _comparison(comparisons, "Nye KOL-patienter 2024 med sygehuskontakt inden for et år")
    assert abs(row["forlaeg"] - 50e-5 * 5_961_249) < 1  # 50 per 100,000 (regioner.dk 2022)
    _within(row)
    conn = sqlite3.connect(mock_db)
    declaration = conn.execute("SELECT declaration FROM mock_tables WHERE name = 'ap_patienter'").fetchone()[0]
    assert "50 pr. 100.000" in declaration and "definition" in declaration


def test_heart_failure_with_atrial_fibrillation_is_35_to_50_percent_every_year(comparisons):
    rows = comparisons[comparisons["maal"].str.startswith("Andel af patienter med hjertesvigt, der også har "
                                                          "atrieflimren")]
    assert len(rows) == 3
    assert rows["genereret"].between(0.35, 0.50).all(), rows[["maal", "genereret"]].to_string()
    assert rows["genereret"].max() / rows["genereret"].min() < 1.05, "no drift from back-dating"


def test_nursing_home_patients_are_residents_in_every_cell(mock_db):
    conn = sqlite3.connect(mock_db)
    over = conn.execute("""
        WITH beboere AS (
          SELECT aar, kommune, koen, CASE WHEN aldersgruppe5 IN ('80-84', '85+') THEN '80+' ELSE '60-79' END AS ag,
                 sum(beboere) AS beboere
          FROM plejehjemsbeboere GROUP BY 1, 2, 3, 4)
        SELECT count(*) FROM ap_patienter p
        LEFT JOIN beboere b ON b.aar = p.aar AND b.kommune = p.kommune AND b.koen = p.koen AND b.ag = p.aldersgruppe
        WHERE p.plejehjemsbeboere > coalesce(b.beboere, 0)""").fetchone()[0]
    assert over == 0


def test_deaths_follow_the_number_of_patients(mock_db, comparisons):
    deaths = comparisons[comparisons["emne"] == "Døde"]
    assert len(deaths) == 5
    off = deaths[(deaths["genereret"] - deaths["forlaeg"]).abs() > 0.05]
    assert off.empty, off[["maal", "genereret", "forlaeg"]].to_string()
    conn = sqlite3.connect(mock_db)
    rate = {(d, y): n / p for d, y, n, p in conn.execute(
        "SELECT diagnose, aar, sum(doede), sum(patienter) FROM ap_patienter GROUP BY 1, 2")}
    for diagnosis in ("diabetes", "KOL", "astma", "atrieflimren", "hjertesvigt"):
        usual = np.mean([rate[(diagnosis, y)] for y in range(2019, 2025)])
        assert abs(rate[(diagnosis, 2025)] / usual - 1) < 0.05, (diagnosis, rate[(diagnosis, 2025)], usual)


def test_type_1_diabetes_runs_higher_and_the_fee_follows_the_part_year():
    mock = generate(MOCKDATA, scale=0.05, cohort_tables=True)
    tables = {t.name: t.frame for t in mock.tables}
    years = tables["kohorte_aar"]
    y = years[years["aar"] == 2024]
    t1 = y.loc[(y["type1_diabetes"] == 1) & (y["alder"] >= 18), "hba1c"].dropna()
    t2 = y.loc[y["type2_diabetes"] == 1, "hba1c"].dropna()
    assert abs((t1 <= 53).mean() - 0.25) < 0.05 and (t2 <= 53).mean() > 0.5  # type1.dk: 25 % of adults
    # The annual kronikerhonorar is paid for the part of the year a patient is on the list.
    persons = tables["kohorte_person"]
    died = persons.loc[persons["doedsdato"].fillna("").str.startswith("2024-0"), "person_id"]
    enrolled = y[(y["kronikerhonorar"] == 1) & (y["kol"] == 0)]
    part = enrolled.loc[enrolled["person_id"].isin(died), "kronikerhonorar_kr"]
    assert len(part) > 0 and part.max() < 1300


def test_the_share_of_men_is_lower_among_the_oldest(mock_db):
    conn = sqlite3.connect(mock_db)
    share = {(icpc, age): men / total for icpc, age, men, total in conn.execute(
        "SELECT icpc, aldersgruppe, sum(CASE WHEN koen = 'Mænd' THEN patienter END), sum(patienter) "
        "FROM ap_patienter WHERE aar = 2024 GROUP BY 1, 2")}
    for icpc in ("T90", "R95", "K78", "K77"):
        # Women outnumber men among the 80+, so with the same ratio of men's to women's prevalence the
        # share of men falls there.
        assert share[(icpc, "80+")] < share[(icpc, "60-79")] - 0.05, icpc


def test_osteoporosis_is_calibrated_old_mostly_women_and_half_treated(mock_db, comparisons):
    """The selected other chronic disease (UC-31): the published national figures, and the shape behind them."""
    osteo = comparisons[comparisons["emne"] == "Osteoporose"]
    assert len(osteo) == 3 and (osteo["tabel"] == "osteoporose").all()
    frame = pd.read_sql("SELECT * FROM osteoporose", sqlite3.connect(mock_db))
    assert (frame["i_behandling"] <= frame["patienter"]).all() and (frame["patienter"] <= frame["befolkning"]).all()
    y = frame[frame["aar"] == 2024]
    by_age = y.groupby("aldersgruppe")[["patienter", "befolkning"]].sum()
    rate = by_age["patienter"] / by_age["befolkning"]
    assert rate["0-17"] == 0 and rate["18-39"] < 0.001
    assert rate["40-59"] < rate["60-79"] < rate["80+"]
    # Men later and less often, in every age group from 40.
    by_sex = y.groupby(["aldersgruppe", "koen"])[["patienter", "befolkning"]].sum()
    sex_rate = (by_sex["patienter"] / by_sex["befolkning"]).unstack()
    adults = ["40-59", "60-79", "80+"]
    assert (sex_rate.loc[adults, "Mænd"] < sex_rate.loc[adults, "Kvinder"] / 2).all()
    # The same shares every year: the number grows only with the ageing population, a little each year.
    per_year = frame.groupby("aar")["patienter"].sum()
    growth = per_year / per_year.shift(1)
    assert growth.dropna().between(1.0, 1.04).all(), growth.to_dict()
    # Kommuner differ, but within the spread declared for the five diagnoses.
    k = frame[(frame["aar"] == 2024) & (frame["aldersgruppe"] == "60-79") & (frame["koen"] == "Kvinder")]
    k = k.groupby("kommune")[["patienter", "befolkning"]].sum()
    k_rate = k["patienter"] / k["befolkning"]
    assert 0.03 < k_rate.std() / k_rate.mean() < 0.15
