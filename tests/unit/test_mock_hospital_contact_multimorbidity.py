"""The mock tables of issue 8: patients also seen in hospital for their diagnosis (the rest known only in almen
praksis), admissions and 30-day readmissions (`sygehuskontakt`), and the number of the five diagnoses
(`multimorbiditet`): calibrated, consistent with the cohort and the other tables, and protected."""

import sqlite3

import numpy as np
import pandas as pd
import pytest

from katalog.mock.cohort import DX_CODES
from katalog.mock.mockdata import ANY_DIAGNOSIS, comparison_frame, generate
from tests.conftest import MOCKDATA

NEW_TOPICS = ("Sygehuskontakt", "Genindlæggelser", "Antal diagnoser")
CHAIN = ("patienter", "patienter_sygehuskontakt", "patienter_indlagt", "patienter_genindlagt_30d")


@pytest.fixture(scope="module")
def national():
    return generate(MOCKDATA, scale=1.0)


@pytest.fixture(scope="module")
def small():
    return generate(MOCKDATA, scale=0.02)


def test_hospital_contacts_readmissions_and_multimorbidity_land_within_ten_percent(national):
    comparisons = comparison_frame(national.comparisons)
    new = comparisons[comparisons["emne"].isin(NEW_TOPICS)]
    # Every diagnosis has its share with a hospital contact, admitted and readmitted, plus the published counts.
    assert len(new) >= 5 * 3 + 4
    off = new[new["afvigelse"].abs() > 0.10]
    assert off.empty, off[["maal", "genereret", "forlaeg", "afvigelse"]].to_string()
    assert set(new["tabel"]) == {"sygehuskontakt", "multimorbiditet"}
    exact = new[new["maal"].str.contains("praksistabellen")]
    assert len(exact) == 1 and exact["afvigelse"].iloc[0] == 0


def test_the_published_anchors_are_met(national):
    frame = {t.name: t.frame for t in national.tables}["sygehuskontakt"]
    y2024 = frame[frame["aar"] == 2024].groupby("diagnose")[list(CHAIN)].sum()
    # Over 10,000 KOL patients admitted for an exacerbation (2022); about 29,000 astma patients in hospital (DrAstma).
    assert 9_000 < y2024.loc["KOL", "patienter_indlagt"] < 11_000
    assert 26_000 < y2024.loc["astma", "patienter_sygehuskontakt"] < 32_000
    # Most astma and diabetes patients are known only in almen praksis; about half with heart failure.
    share = 1 - y2024["patienter_sygehuskontakt"] / y2024["patienter"]
    assert share["astma"] > 0.85 and share["diabetes"] > 0.75
    assert 0.4 < share["hjertesvigt"] < 0.6
    assert share["hjertesvigt"] < share["atrieflimren"] < share["KOL"]


def test_each_count_is_a_part_of_the_one_before_and_the_patients_are_ap_patienters(small):
    frames = {t.name: t.frame for t in small.tables}
    contact = frames["sygehuskontakt"]
    # Each count is a part of the one before it, in every cell.
    for whole, part in zip(CHAIN, CHAIN[1:], strict=False):
        assert (contact[part] <= contact[whole]).all(), part
    # The patients are ap_patienter's, by region and age group, every year and diagnosis.
    patients = frames["ap_patienter"].groupby(["aar", "region", "diagnose", "aldersgruppe"])["patienter"].sum()
    mine = contact.set_index(["aar", "region", "diagnose", "aldersgruppe"])["patienter"]
    pd.testing.assert_series_equal(mine.sort_index(), patients.loc[mine.index].sort_index(), check_names=False)


def test_the_cohort_draws_contacts_within_admissions_and_visits():
    from katalog.mock.cohort import simulate
    from katalog.mock.mockdata import _cohort_inputs, _population, read_inputs

    inputs = read_inputs(MOCKDATA)
    rng = np.random.default_rng(inputs.settings["seed"])
    population = _population(inputs, rng, 0.02)
    cohort = simulate(_cohort_inputs(inputs, population, 0.02), rng)
    py = cohort.years
    mask = py["dx_maske"].to_numpy().astype(int)
    contact = py["sygehus_dx_maske"].to_numpy().astype(int)
    admitted = py["indlagt_dx_maske"].to_numpy().astype(int)
    readmitted = py["genindlagt_dx_maske"].to_numpy().astype(int)
    assert not (contact & ~mask).any(), "a contact for a diagnosis the patient does not have"
    assert not (admitted & ~contact).any() and not (readmitted & ~admitted).any()
    assert (py["indlaeggelser"].to_numpy()[admitted != 0] > 0).all()
    outpatient_only = (contact & ~admitted) != 0
    assert (py["ambulante_besoeg"].to_numpy()[outpatient_only] > 0).all()
    for i, code in enumerate(DX_CODES):
        assert ((contact >> i) & 1).sum() > 0, code


def test_multimorbidity_counts_every_patient_once_and_adds_up(national):
    frames = {t.name: t.frame for t in national.tables}
    mm = frames["multimorbiditet"]
    assert set(mm["antal_diagnoser"]) == {"1", "2", "3+"}
    # Per diagnosis the patients by number of diagnoses add up to ap_patienter's patients.
    by_dx = mm[mm["diagnose"] != ANY_DIAGNOSIS].groupby(["aar", "diagnose"])["patienter"].sum()
    patients = frames["ap_patienter"].groupby(["aar", "diagnose"])["patienter"].sum()
    pd.testing.assert_series_equal(by_dx.sort_index(), patients.sort_index(), check_names=False)
    # «Mindst én af de fem» is each person once: fewer than the sum over diagnoses, and its 2 and 3+ groups
    # weighted by the number of diagnoses give that sum (3+ counts at least three).
    every = mm[mm["diagnose"] == ANY_DIAGNOSIS].groupby(["aar", "antal_diagnoser"])["patienter"].sum().unstack()
    total_pairs = patients.groupby("aar").sum()
    low = every["1"] + 2 * every["2"] + 3 * every["3+"]
    assert (low <= total_pairs).all() and (total_pairs - low < every["3+"]).all()
    # A child with astma rarely has another of the five; heart failure mostly does.
    y = mm[mm["aar"] == 2024].groupby(["diagnose", "antal_diagnoser"])["patienter"].sum()
    alone = {d: y.loc[(d, "1")] / y.loc[d].sum() for d in ("astma", "hjertesvigt")}
    assert alone["astma"] > 0.85 and alone["hjertesvigt"] < 0.5


def test_the_new_counts_are_protected_in_the_national_build(built_db):
    conn = sqlite3.connect(f"file:{built_db}?mode=ro", uri=True)
    columns = dict(conn.execute("SELECT name, count_columns FROM mock_tables WHERE name IN "
                                "('sygehuskontakt', 'multimorbiditet')"))
    assert columns == {"sygehuskontakt": ",".join(CHAIN), "multimorbiditet": "patienter"}
    contact = pd.read_sql("SELECT * FROM sygehuskontakt", conn)
    mm = pd.read_sql("SELECT * FROM multimorbiditet", conn)
    for frame, counts in ((contact, CHAIN), (mm, ("patienter",))):
        for column in counts:
            assert not frame[column].dropna().between(1, 4).any(), column
    # Readmissions in a small region's youngest, and three of the five in children, are small: hidden.
    assert contact["patienter_genindlagt_30d"].isna().any() and mm["patienter"].isna().any()
    # No rest of the chain (known only in almen praksis, ...) is shown as 1-4 by two shown counts.
    for whole, part in zip(CHAIN, CHAIN[1:], strict=False):
        rest = (contact[whole] - contact[part]).dropna()
        assert not rest.between(1, 4).any(), f"{whole} - {part}"
    # Totals are rows of their own and every value the chart SQL reads at the country level is shown.
    land = contact[(contact["niveau"] == "Hele landet") & (contact["aldersgruppe"] == "Alle")]
    assert len(land) == 5 * 7 and land[list(CHAIN)].notna().all().all()
    # The same persons show the same pattern: sygehuskontakt's patients are ap_patienter's (koen Alle).
    patients = pd.read_sql("SELECT aar, diagnose, region, aldersgruppe, patienter FROM ap_patienter "
                           "WHERE niveau IN ('Region', 'Hele landet') AND koen = 'Alle'", conn)
    joined = contact.merge(patients, on=["aar", "diagnose", "region", "aldersgruppe"], suffixes=("", "_ap"))
    assert len(joined) == len(contact)
    assert (joined["patienter"].isna() == joined["patienter_ap"].isna()).all()
    shown = joined["patienter"].notna()
    assert (joined.loc[shown, "patienter"] == joined.loc[shown, "patienter_ap"]).all()
    audited = dict(conn.execute("SELECT key, value FROM mock_build"))
    assert audited["audited"] == "1" and audited["audit_narrowed"] == "0"
