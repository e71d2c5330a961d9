"""The deterministic mock data generator: mockdata/*.csv|yaml in, aggregate mock tables out.

Same inputs and seed, same tables, byte for byte. Every figure the generator starts from is a
row in a mockdata/ file with its source ("estimat" where it is an assumption).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SEXES = ("Kvinder", "Mænd")
AGE_GROUPS = ("0-17", "18-39", "40-59", "60-79", "80+")
_AGE_COLUMNS = dict(zip(AGE_GROUPS, ("andel_0_17", "andel_18_39", "andel_40_59", "andel_60_79", "andel_80"),
                        strict=True))
# Diagnoses whose patients GPs move onto the annual kronikerhonorar (OK18).
CHRONIC_FEE_DIAGNOSES = ("diabetes", "KOL")


@dataclass(frozen=True)
class MockTable:
    name: str
    title: str
    declaration: str
    frame: pd.DataFrame
    indexes: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Inputs:
    settings: dict
    regions: pd.DataFrame
    kommuner: pd.DataFrame
    ages: pd.DataFrame
    diagnoses: pd.DataFrame
    regional_factors: pd.DataFrame
    indicators: pd.DataFrame
    activity: pd.DataFrame
    fees: pd.DataFrame
    chronic_uptake: pd.DataFrame
    pathways: pd.DataFrame


def read_inputs(folder: Path) -> Inputs:
    def csv(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name, dtype={"ydelseskode": str, "icpc": str}, keep_default_na=False,
                           na_values=[""])

    return Inputs(
        settings=yaml.safe_load((folder / "generator.yaml").read_text(encoding="utf-8")),
        regions=csv("regioner.csv"),
        kommuner=csv("kommuner.csv"),
        ages=csv("aldersfordeling.csv"),
        diagnoses=csv("diagnoser.csv"),
        regional_factors=csv("regionale_faktorer.csv"),
        indicators=csv("indikatorer.csv"),
        activity=csv("aktivitet.csv"),
        fees=csv("honorarer.csv"),
        chronic_uptake=csv("kronikerhonorar.csv"),
        pathways=csv("forloeb.csv"),
    )


def generate(folder: Path) -> list[MockTable]:
    """All mock tables, generated from the inputs in `folder`."""
    inputs = read_inputs(folder)
    rng = np.random.default_rng(inputs.settings["seed"])
    population = _population(inputs, rng)
    patients = _patients(inputs, population, rng)
    return [
        MockTable(
            "befolkning",
            "Befolkning",
            "Befolkningen pr. 1. januar efter år, region, kommune, køn og aldersgruppe. Regionernes tal for "
            "2024 er offentliggjorte (DST FOLK1A); kommunernes størrelse, alders- og kønsfordeling og "
            "udviklingen over årene er skøn (mockdata/kommuner.csv, aldersfordeling.csv, generator.yaml).",
            population,
            (("aar", "region"), ("aar", "kommune")),
        ),
        MockTable(
            "ap_patienter",
            "Patienter i almen praksis med de fem diagnoser",
            "Antal patienter med en aktiv diagnose (ICPC) i almen praksis efter år, region, kommune, køn, "
            "aldersgruppe og diagnose. Landstal pr. diagnose følger offentliggjorte tal eller skøn "
            "(mockdata/diagnoser.csv); regional variation er skøn (regionale_faktorer.csv); fordelingen på "
            "kommuner følger befolkningen med tilfældig variation. En patient kan have flere diagnoser.",
            patients,
            (("aar", "diagnose", "region"), ("aar", "diagnose", "kommune")),
        ),
        MockTable(
            "kvalitetsindikatorer",
            "Kvalitetsindikatorer fra indberettede patientværdier",
            "Antal patienter der opfylder en indikator (opfyldt) ud af patienterne i indikatorens nævner "
            "(patienter) efter år, region, kommune og diagnose. National målopfyldelse 2024 er skøn eller "
            "offentliggjort (mockdata/indikatorer.csv); kommunal variation og udvikling over tid er skøn.",
            _indicators(inputs, patients, rng),
            (("aar", "indikator", "region"),),
        ),
        MockTable(
            "ap_aktivitet",
            "Aktivitet i almen praksis (SSR) for patienter med de fem diagnoser",
            "Kontakter efter ydelse og honorarer i kroner pr. år, region, diagnose og aldersgruppe, for "
            "patienterne i ap_patienter. Kontakter pr. patient, ydelsesmix og takster er skøn eller "
            "offentliggjorte (mockdata/aktivitet.csv, honorarer.csv); patienter på kronikerhonorar "
            "(type 2-diabetes og KOL) har kontakter, men deres ydelseshonorar indgår i det årlige "
            "kronikerhonorar (kronikerhonorar.csv).",
            _activity(inputs, patients, rng),
            (("aar", "diagnose"),),
        ),
        MockTable(
            "forloeb",
            "Forløb fra almen praksis til speciallæge og sygehus",
            "Nye patienter med diagnosen i almen praksis pr. år, region, køn og aldersgruppe, og hvor mange "
            "af dem der har kontakt med speciallægepraksis eller sygehus inden for 90 dage. Antal nye "
            "pr. år er offentliggjort eller skøn, andelene er skøn (mockdata/forloeb.csv).",
            _pathways(inputs, population, rng),
            (("aar", "diagnose"),),
        ),
    ]


def _population(inputs: Inputs, rng: np.random.Generator) -> pd.DataFrame:
    settings, ages = inputs.settings, inputs.ages
    kommuner = inputs.kommuner.sort_values("kode").reset_index(drop=True)
    age_share = ages["andel_befolkning"].to_numpy()
    noise = rng.lognormal(0.0, settings["kommune_age_noise_sd"], size=(len(kommuner), len(age_share)))
    shares = age_share * noise
    shares /= shares.sum(axis=1, keepdims=True)
    women = ages["andel_kvinder"].to_numpy()
    rows = []
    for year in settings["years"]:
        growth = (1 + settings["population_growth_per_year"]) ** (year - settings["reference_year"])
        for k, kommune in kommuner.iterrows():
            total = kommune["befolkning_estimat"] * growth
            for a, age in enumerate(AGE_GROUPS):
                for sex, share in (("Kvinder", women[a]), ("Mænd", 1 - women[a])):
                    rows.append((year, kommune["region"], kommune["kommune"], sex, age,
                                 int(round(total * shares[k, a] * share))))
    return pd.DataFrame(rows, columns=["aar", "region", "kommune", "koen", "aldersgruppe", "befolkning"])


def _patients(inputs: Inputs, population: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    settings = inputs.settings
    reference = settings["reference_year"]
    national = population.groupby(["aar", "koen", "aldersgruppe"])["befolkning"].transform("sum")
    factors = inputs.regional_factors.set_index(["region", "diagnose"])["faktor"]
    kommune_names = sorted(population["kommune"].unique())
    frames = []
    for _, dx in inputs.diagnoses.iterrows():
        diagnosis = dx["diagnose"]
        kommune_noise = dict(zip(kommune_names, rng.lognormal(
            0.0, settings["kommune_prevalence_noise_sd"], size=len(kommune_names)), strict=True))
        total = dx["patienter_2024"] * (1 + dx["aarlig_udvikling"]) ** (population["aar"] - reference)
        age_share = population["aldersgruppe"].map({a: dx[c] for a, c in _AGE_COLUMNS.items()})
        sex_share = np.where(population["koen"] == "Mænd", dx["andel_maend"], 1 - dx["andel_maend"])
        # Patients in a national (year, sex, age) cell, spread over kommuner by population share,
        # tilted by region and kommune.
        tilt = population["region"].map(lambda r, d=diagnosis: factors[(r, d)]) * population["kommune"].map(
            kommune_noise)
        expected = total * age_share * sex_share * population["befolkning"] / national * tilt
        expected = np.minimum(expected.to_numpy(), population["befolkning"].to_numpy() * 0.6)
        frame = population[["aar", "region", "kommune", "koen", "aldersgruppe"]].copy()
        frame["diagnose"] = diagnosis
        frame["icpc"] = dx["icpc"]
        frame["patienter"] = rng.poisson(expected)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _indicators(inputs: Inputs, patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    settings = inputs.settings
    by_kommune = patients.groupby(["aar", "region", "kommune", "diagnose"], as_index=False)["patienter"].sum()
    kommuner = sorted(by_kommune["kommune"].unique())
    rows = []
    for _, ind in inputs.indicators.iterrows():
        cells = by_kommune[by_kommune["diagnose"] == ind["diagnose"]]
        effect = dict(zip(kommuner, rng.normal(0, settings["kommune_indicator_noise_sd"], len(kommuner)),
                          strict=True))
        base = ind["maalopfyldelse_2024"]
        for cell in cells.itertuples(index=False):
            denominator = int(rng.binomial(cell.patienter, ind["andel_af_patienter"]))
            trend = settings["indicator_trend_per_year"] * (cell.aar - settings["reference_year"])
            # Indicators where a low share is good (HbA1c >= 75) improve by falling.
            direction = -1 if base < 0.2 else 1
            p = float(np.clip(base + direction * trend + effect[cell.kommune] * min(base, 1 - base) * 2,
                              0.005, 0.995))
            rows.append((cell.aar, cell.region, cell.kommune, ind["diagnose"], ind["indikator"],
                         ind["standard_pct"] if pd.notna(ind["standard_pct"]) else None,
                         int(rng.binomial(denominator, p)), denominator))
    return pd.DataFrame(rows, columns=["aar", "region", "kommune", "diagnose", "indikator", "standard_pct",
                                       "opfyldt", "patienter"])


def _activity(inputs: Inputs, patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    cells = patients.groupby(["aar", "region", "diagnose", "aldersgruppe"], as_index=False)["patienter"].sum()
    activity = inputs.activity.set_index("diagnose")
    fee = inputs.fees.set_index("ydelse")["honorar_kr"]
    uptake = inputs.chronic_uptake.set_index("aar")["andel_tilmeldt"]
    age_factor = dict(zip(AGE_GROUPS, (0.7, 0.8, 0.95, 1.1, 1.3), strict=True))  # estimat: flere kontakter med alderen
    services = ("konsultation", "telefon", "email", "video")
    rows = []
    for cell in cells.itertuples(index=False):
        a = activity.loc[cell.diagnose]
        n = int(cell.patienter)
        enrolled = int(rng.binomial(n, uptake[cell.aar])) if cell.diagnose in CHRONIC_FEE_DIAGNOSES else 0
        contacts = {s: int(rng.poisson(n * a["kontakter_pr_patient"] * a[f"andel_{s}"] *
                                       age_factor[cell.aldersgruppe])) for s in services}
        contacts["aarskontrol"] = int(rng.binomial(n, min(a["aarskontrol_pr_patient"], 1.0)))
        home_rate = a["sygebesoeg_pr_patient"] * (3 if cell.aldersgruppe == "80+" else 1)
        contacts["sygebesoeg"] = int(rng.poisson(n * home_rate))
        billed_share = 1 - enrolled / n if n else 1.0
        # Enrolled patients' contacts are still coded but paid through the annual fee (sygebesøg is not).
        service_fees = sum(contacts[s] * fee[s] * billed_share for s in (*services, "aarskontrol"))
        service_fees += contacts["sygebesoeg"] * fee["sygebesoeg"]
        rows.append((cell.aar, cell.region, cell.diagnose, cell.aldersgruppe, n, enrolled,
                     *(contacts[s] for s in (*services, "aarskontrol", "sygebesoeg")),
                     int(round(service_fees)), int(enrolled * a["kronikerhonorar_kr"])))
    return pd.DataFrame(rows, columns=[
        "aar", "region", "diagnose", "aldersgruppe", "patienter", "patienter_kronikerhonorar",
        "konsultation", "telefon", "email", "video", "aarskontrol", "sygebesoeg",
        "honorar_ydelser_kr", "honorar_kronikerhonorar_kr"])


def _pathways(inputs: Inputs, population: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    shares = population.groupby(["aar", "region", "koen", "aldersgruppe"], as_index=False)["befolkning"].sum()
    rows = []
    for _, dx in inputs.diagnoses.iterrows():
        path = inputs.pathways.set_index("diagnose").loc[dx["diagnose"]]
        for year, cells in shares.groupby("aar"):
            age_share = cells["aldersgruppe"].map({a: dx[c] for a, c in _AGE_COLUMNS.items()})
            sex_share = np.where(cells["koen"] == "Mænd", dx["andel_maend"], 1 - dx["andel_maend"])
            national = cells.groupby(["koen", "aldersgruppe"])["befolkning"].transform("sum")
            expected = path["nye_pr_aar"] * age_share * sex_share * cells["befolkning"] / national
            new = rng.poisson(expected.to_numpy())
            specialist = rng.binomial(new, path["andel_speciallaege_90d"])
            hospital = rng.binomial(new, path["andel_sygehus_90d"])
            for cell, n, s, h in zip(cells.itertuples(index=False), new, specialist, hospital, strict=True):
                rows.append((year, cell.region, cell.koen, cell.aldersgruppe, dx["diagnose"], int(n), int(s),
                             int(h)))
    return pd.DataFrame(rows, columns=["aar", "region", "koen", "aldersgruppe", "diagnose", "nye_patienter",
                                       "speciallaege_90d", "sygehus_90d"])
