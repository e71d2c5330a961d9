"""The deterministic mock data generator: mockdata/*.csv|yaml in, declared mock tables out.

Same inputs, seed and scale, same tables, byte for byte. Every figure the generator starts from
is a row in a mockdata/ file with its source ("estimat" where it is an assumption). The person-level
cohort (katalog.mock.cohort) is simulated first; the aggregate tables that charts read, like the ones
eSundhed publishes, are derived from it here. `comparisons` sets the generated national figures
next to the published figures (or estimates) they imitate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import expit, logit

from katalog.mock.cohort import DX_CODES, EPOCH, NO_DATE, CohortInputs, age_group_index, nursing_home_rate, simulate
from katalog.mock.mockinfo import format_number

SEXES = ("Kvinder", "Mænd")  # index = koen code (0 women, 1 men)
AGE_GROUPS = ("0-17", "18-39", "40-59", "60-79", "80+")
_AGE_GROUP_STARTS = np.array([0, 18, 40, 60, 80])
AGGREGATE, PERSON = "aggregat", "person"
MIN_SCALE = 0.01  # below this the national figures rest on a handful of synthetic persons
DX_DIAGNOSE = {"T1": "diabetes", "T2": "diabetes", "KOL": "KOL", "astma": "astma", "AF": "atrieflimren",
               "HF": "hjertesvigt"}
DIAGNOSES = ("diabetes", "KOL", "astma", "atrieflimren", "hjertesvigt")
# Index into DIAGNOSES for each cohort code in DX_CODES (type 1 and type 2 are both diabetes).
_DIAGNOSIS_OF_DX = np.array([DIAGNOSES.index(DX_DIAGNOSE[code]) for code in DX_CODES])


@dataclass(frozen=True)
class MockTable:
    name: str
    title: str
    declaration: str
    frame: pd.DataFrame
    indexes: tuple[tuple[str, ...], ...] = ()
    level: str = AGGREGATE  # chart SQL may read aggregate tables only, never the person-level cohort


# Columns that count persons, per aggregate table: what disclosure control protects. Chart SQL that
# reads one must declare `counts`, and a parameter's choices may not be built on them.
COUNT_COLUMNS = {
    "befolkning": ("befolkning",),
    "ap_patienter": ("patienter", "nye_patienter", "doede", "plejehjemsbeboere"),
    "ap_forekomst": ("patienter", "befolkning"),
    "kvalitetsindikatorer": ("opfyldt", "patienter"),
    "praksis_indikatorer": ("opfyldt", "patienter"),
    "praksis": ("tilmeldte", "patienter_med_diagnoserne"),
    "ap_aktivitet": ("patienter",),
    "sygehus_aktivitet": ("patienter",),
    # forloeb as published (katalog.disclosure.protected): the windows within 30, 90 and 365 days and the
    # intervals between.
    "forloeb": ("nye_patienter", *(f"{kind}_{days}" for kind in ("speciallaege", "sygehus")
                                   for days in ("30d", "90d", "365d", "31_90d", "91_365d", "ikke_365d"))),
    "forloeb_tid": ("patienter",),
    "sygehuskontakt": ("patienter", "patienter_sygehuskontakt", "patienter_indlagt", "patienter_genindlagt_30d"),
    "multimorbiditet": ("patienter",),
    "plejehjemsbeboere": ("beboere", "befolkning"),
    "osteoporose": ("patienter", "i_behandling", "befolkning"),
}


@dataclass(frozen=True)
class Comparison:
    """One generated national figure next to the published figure (or estimate) it imitates."""

    table: str
    topic: str
    measure: str
    generated: float
    anchor: float
    unit: str
    source: str

    @property
    def deviation(self) -> float:
        return self.generated / self.anchor - 1 if self.anchor else float("nan")


@dataclass(frozen=True)
class MockData:
    tables: list[MockTable]
    comparisons: list[Comparison]
    scale: float
    seed: int
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    """A quality indicator as a rule on the person-years: who counts, and who meets it."""

    dx: str
    denominator: tuple | None  # (column, op, value) on top of having the diagnosis, or None
    numerator: tuple  # (column, op, value); op "notnull" ignores value


INDICATORS = {
    "hba1c_maalt": Indicator("T2", None, ("hba1c", "notnull", None)),
    "hba1c_53": Indicator("T2", ("hba1c", "notnull", None), ("hba1c", "<=", 53)),
    "hba1c_75": Indicator("T2", ("hba1c", "notnull", None), ("hba1c", ">=", 75)),
    "bt_maalt": Indicator("T2", None, ("systolisk", "notnull", None)),
    "bt_130": Indicator("T2", ("systolisk", "notnull", None), ("systolisk", "<", 130)),
    "ldl_25": Indicator("T2", ("ldl", "notnull", None), ("ldl", "<", 2.5)),
    "uacr_2aar": Indicator("T2", None, ("u_albumin_2aar", "=", 1)),
    "egfr_maalt": Indicator("T2", None, ("egfr", "notnull", None)),
    "fod_2aar": Indicator("T2", None, ("fodundersoegelse_2aar", "=", 1)),
    "oeje_2aar": Indicator("T2", None, ("oejenundersoegelse_2aar", "=", 1)),
    "fev1_maalt": Indicator("KOL", None, ("fev1_pct", "notnull", None)),
    "mrc_maalt": Indicator("KOL", None, ("mrc", "notnull", None)),
    "ryg_maalt": Indicator("KOL", None, ("ryger", "notnull", None)),
    "bmi_maalt": Indicator("KOL", None, ("bmi", "notnull", None)),
    "ryger": Indicator("KOL", ("ryger", "notnull", None), ("ryger", "=", 1)),
    "chads_maalt": Indicator("AF", None, ("cha2ds2_vasc", "notnull", None)),
    "ak_indiceret": Indicator("AF", ("ak_indiceret", "=", 1), ("ak_behandling", "=", 1)),
    "nyha_maalt": Indicator("HF", None, ("nyha", "notnull", None)),
    "ace_arb": Indicator("HF", ("nedsat_ef", "=", 1), ("ace_arb_arni", "=", 1)),
    "betablokker": Indicator("HF", ("nedsat_ef", "=", 1), ("betablokker", "=", 1)),
    "mra": Indicator("HF", ("nedsat_ef", "=", 1), ("mra", "=", 1)),
    "sglt2i": Indicator("HF", ("nedsat_ef", "=", 1), ("sglt2i", "=", 1)),
    "astmakontrol": Indicator("astma", None, ("astmakontrol", "=", 1)),
    "lungefunktion": Indicator("astma", None, ("lungefunktion", "=", 1)),
    "ics": Indicator("astma", None, ("ics", "=", 1)),
}


def _holds(frame: pd.DataFrame, rule: tuple) -> np.ndarray:
    column, op, value = rule
    values = frame[column]
    if op == "notnull":
        return values.notna().to_numpy()
    compare = {"=": values.eq, "<": values.lt, "<=": values.le, ">=": values.ge}[op]
    return compare(value).fillna(False).to_numpy()


# --- inputs -----------------------------------------------------------------------------------


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
    chronic_uptake_regions: pd.DataFrame
    pathways: pd.DataFrame
    indicator_years: pd.DataFrame
    hospital_contact: pd.DataFrame
    osteoporosis: pd.DataFrame


def read_inputs(folder: Path) -> Inputs:
    def csv(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name, dtype={"ydelseskode": str, "icpc": str, "kode": str},
                           keep_default_na=False, na_values=[""])

    return Inputs(
        settings=yaml.safe_load((folder / "generator.yaml").read_text(encoding="utf-8")),
        regions=csv("regioner.csv"),
        kommuner=csv("kommuner.csv").sort_values("kode").reset_index(drop=True),
        ages=csv("aldersfordeling.csv"),
        diagnoses=csv("diagnoser.csv"),
        regional_factors=csv("regionale_faktorer.csv"),
        indicators=csv("indikatorer.csv"),
        activity=csv("aktivitet.csv"),
        fees=csv("honorarer.csv"),
        chronic_uptake=csv("kronikerhonorar.csv"),
        chronic_uptake_regions=csv("kronikerhonorar_regioner.csv"),
        pathways=csv("forloeb.csv"),
        indicator_years=csv("indikatorer_aar.csv"),
        hospital_contact=csv("sygehuskontakt.csv"),
        osteoporosis=csv("osteoporose.csv"),
    )


def _age_starts(ages: pd.DataFrame) -> np.ndarray:
    return np.array([int(label.rstrip("+").split("-")[0]) for label in ages["aldersgruppe"]])


def coarse_age_group(age: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(_AGE_GROUP_STARTS, age, side="right") - 1, 0, len(AGE_GROUPS) - 1)


# --- the generator ------------------------------------------------------------------------------


def generate(folder: Path, *, scale: float = 1.0, cohort_tables: bool = False,
             progress: Callable[[str], None] = lambda _m: None) -> MockData:
    """All mock tables, generated from the inputs in `folder`.

    `scale` shrinks population and cohort alike (0.1 = a tenth of Denmark; shares and rates stay),
    for quick builds; `cohort_tables` adds the person-level cohort as tables of its own.
    """
    if not MIN_SCALE <= scale <= 1:
        raise ValueError(f"Skalaen skal være mellem {MIN_SCALE:g} og 1 (1 = hele landet).")
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    inputs = read_inputs(folder)
    rng = np.random.default_rng(inputs.settings["seed"])
    progress("Befolkning 2019-2025 efter kommune, køn og 5-års aldersgruppe")
    population = _population(inputs, rng, scale)
    lap("befolkning")
    progress("Kohorte: patienter, praksis, dødsfald og nye patienter")
    cohort_inputs = _cohort_inputs(inputs, population, scale)
    cohort = simulate(cohort_inputs, rng)
    lap("kohorte")
    progress(f"Kohorte: {format_number(len(cohort.persons))} personer, {format_number(len(cohort.years))} personår")
    progress("Aggregerede tabeller som på eSundhed")
    context = _Context(inputs, cohort_inputs, population, cohort)
    tables = _aggregate_tables(context, rng)
    lap("aggregater")
    if cohort_tables:
        progress("Kohorten som persontabeller")
        tables += _person_tables(context)
        lap("persontabeller")
    comparisons = _comparisons(context, tables)
    lap("sammenligninger")
    return MockData(tables=tables, comparisons=comparisons, scale=scale, seed=int(inputs.settings["seed"]),
                    seconds=seconds)


def _population(inputs: Inputs, rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """Population by year, kommune, sex and 5-year age group. Older regions and small kommuner have more
    people over 40 and the oldest most; big cities have many young adults (20-34); the country ages a
    little each year. Fitted so every kommune keeps its size and the country its age profile."""
    settings, ages = inputs.settings, inputs.ages
    kommuner = inputs.kommuner
    age_share = ages["andel_befolkning"].to_numpy()
    age_share = age_share / age_share.sum()
    mids = _age_starts(ages) + 2.5
    z = np.maximum(mids - 40, 0) / 40  # 0 up to 40, rising for the old
    young_adults = ((mids > 20) & (mids < 35)).astype(float)
    region_tilt = inputs.regions.set_index("region")["aldershaeldning"].loc[kommuner["region"]].to_numpy()
    size = np.log(kommuner["befolkning_estimat"].to_numpy() / 45_000)
    tilt = region_tilt + settings["kommune_size_age_tilt"] * size
    city = settings["city_young_adults"] * np.maximum(size, 0)
    noise = rng.lognormal(0.0, settings["kommune_age_noise_sd"], size=(len(kommuner), len(age_share)))
    women = ages["andel_kvinder"].to_numpy()
    frames = []
    for year in settings["years"]:
        growth = (1 + settings["population_growth_per_year"]) ** (year - settings["reference_year"])
        ageing = np.exp(settings["ageing_per_year"] * (year - settings["reference_year"]) * (mids - 40) / 40)
        national = age_share * ageing / (age_share * ageing).sum()
        sizes = kommuner["befolkning_estimat"].to_numpy() * growth * scale
        totals = sizes[:, None] * age_share * np.exp(tilt[:, None] * z[None, :] + city[:, None] * young_adults) * noise
        # Iterative proportional fitting: every kommune keeps its size, the country its age profile.
        for _ in range(20):
            totals *= (national * sizes.sum() / totals.sum(axis=0))[None, :]
            totals *= (sizes / totals.sum(axis=1))[:, None]
        for koen, share in enumerate((women, 1 - women)):
            counts = np.round(totals * share).astype(np.int64)
            k, a = np.meshgrid(np.arange(len(kommuner)), np.arange(len(age_share)), indexing="ij")
            frames.append(pd.DataFrame({
                "aar": year, "kommune_nr": k.ravel(), "koen_nr": koen, "age5": a.ravel(), "befolkning": counts.ravel(),
            }))
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["aar", "kommune_nr", "koen_nr", "age5"], kind="stable").reset_index(drop=True)


def _cohort_inputs(inputs: Inputs, population: pd.DataFrame, scale: float) -> CohortInputs:
    ref = inputs.settings["reference_year"]
    pop_ref = population[population["aar"] == ref].rename(
        columns={"kommune_nr": "kommune", "koen_nr": "koen", "befolkning": "n"})[["kommune", "koen", "age5", "n"]]
    regions = list(inputs.regions["region"])
    kommune_region = np.array([regions.index(r) for r in inputs.kommuner["region"]])
    diagnoses = inputs.diagnoses.set_index("kode").loc[list(DX_CODES)].reset_index()
    factors = inputs.regional_factors.set_index(["region", "diagnose"])["faktor"]
    region_factor = np.array([[factors[(r, DX_DIAGNOSE[d])] for d in DX_CODES] for r in regions])
    fees = inputs.fees.set_index("ydelse")["honorar_kr"].astype(float)
    return CohortInputs(
        settings=inputs.settings,
        population=pop_ref.reset_index(drop=True),
        age_starts=_age_starts(inputs.ages),
        mortality=inputs.ages["doede_pr_1000"].to_numpy(dtype=float),
        nursing_home_share=inputs.ages["andel_plejehjem"].to_numpy(dtype=float),
        kommune_region=kommune_region,
        diagnoses=diagnoses,
        region_factor=region_factor,
        activity=inputs.activity.set_index("diagnose"),
        fees=fees,
        uptake=inputs.chronic_uptake.set_index("aar")["andel_tilmeldt"],
        region_uptake_shift=inputs.chronic_uptake_regions.set_index("region")["logit_forskel"].loc[regions].to_numpy(
            dtype=float),
        indicators=inputs.indicators.set_index("kode"),
        pathways=inputs.pathways.set_index("diagnose"),
        indicator_years=inputs.indicator_years,
        region_list_factor=_region_list_factor(inputs.regions),
        scale=scale,
        hospital_contact=inputs.hospital_contact.set_index("kode"),
    )


def _region_list_factor(regions: pd.DataFrame) -> np.ndarray:
    """Listed patients per doctor in each region relative to the country (population over doctors)."""
    per_doctor = regions["tilmeldte_pr_laege"].to_numpy(dtype=float)
    population = regions["befolkning_2024"].to_numpy(dtype=float)
    return per_doctor / (population.sum() / (population / per_doctor).sum())


class _Context:
    """The generated data plus the labels that turn codes into Danish names."""

    def __init__(self, inputs: Inputs, cohort_inputs: CohortInputs, population: pd.DataFrame, cohort):
        self.inputs = inputs
        self.cohort_inputs = cohort_inputs
        self.population = population
        self.cohort = cohort
        self.scale = cohort_inputs.scale
        self.kommune_names = inputs.kommuner["kommune"].to_numpy()
        self.kommune_codes = inputs.kommuner["kode"].to_numpy()
        self.regions = inputs.regions["region"].to_numpy()
        self.kommune_region = cohort_inputs.kommune_region
        self.age5_labels = inputs.ages["aldersgruppe"].to_numpy()
        persons = cohort.persons
        py = cohort.years
        row = py["person_row"].to_numpy()
        self.py_kommune = persons["kommune"].to_numpy()[row]
        self.py_region = self.kommune_region[self.py_kommune]
        self.py_koen = persons["koen"].to_numpy()[row]
        self.py_praksis = persons["praksis"].to_numpy()[row]
        self.py_agegroup = coarse_age_group(py["alder"].to_numpy())
        self.py_age5 = age_group_index(py["alder"].to_numpy(), cohort_inputs.age_starts)
        self._pairs = None
        self.cluster_names: np.ndarray | None = None

    def pairs(self) -> pd.DataFrame:
        """One row per person-year and active diagnosis (a patient with two diagnoses counts in both)."""
        if self._pairs is None:
            py = self.cohort.years
            mask = py["dx_maske"].to_numpy().astype(int)
            new = py["nye_maske"].to_numpy().astype(int)
            frames = []
            for i in range(len(DX_CODES)):
                rows = np.flatnonzero(mask & (1 << i))
                frames.append(pd.DataFrame({
                    "py": rows, "dx": np.int8(i), "ny": ((new[rows] >> i) & 1).astype(np.int8),
                }))
            self._pairs = pd.concat(frames, ignore_index=True)
        return self._pairs


# --- aggregate tables ---------------------------------------------------------------------------

_SYNTHETIC = ("Alle tal er syntetiske: de er dannet af en tilfældig, men reproducerbar kohorte "
              "(katalog/mock/cohort.py, frø og parametre i mockdata/), ikke af rigtige patienter. ")


def _aggregate_tables(c: _Context, rng: np.random.Generator) -> list[MockTable]:
    population = _befolkning(c)
    return [
        population,
        _ap_patienter(c),
        _ap_forekomst(c),
        _kvalitetsindikatorer(c),
        _praksis_indikatorer(c),
        _ap_aktivitet(c),
        _sygehus_aktivitet(c),
        _sygehuskontakt(c),
        _multimorbiditet(c),
        _forloeb(c),
        _forloeb_tid(c),
        _plejehjemsbeboere(c, rng),
        _praksis(c),
        _osteoporose(c, population.frame),
    ]


def _sum_by(keys: dict[str, np.ndarray], values: dict[str, np.ndarray], count: str | None = None) -> pd.DataFrame:
    """Sum `values` over every combination of the integer `keys` that occurs (np.bincount on one
    combined key: many times faster than a pandas groupby over millions of person-years)."""
    arrays = [np.asarray(k, dtype=np.int64) for k in keys.values()]
    dims = tuple(int(a.max()) + 1 if len(a) else 1 for a in arrays)
    flat = np.ravel_multi_index(arrays, dims) if arrays else np.zeros(len(next(iter(values.values()))), np.int64)
    size = int(np.prod(dims))
    seen = np.bincount(flat, minlength=size)
    cells = np.flatnonzero(seen)
    out = dict(zip(keys, (c.astype(np.int64) for c in np.unravel_index(cells, dims)), strict=True))
    if count:
        out[count] = seen[cells].astype(np.int64)
    for name, value in values.items():
        out[name] = np.round(np.bincount(flat, weights=value, minlength=size)[cells]).astype(np.int64)
    return pd.DataFrame(out)


def _labelled(c: _Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Replace code columns (kommune_nr, region_nr, koen_nr, agegroup, dx) by Danish labels."""
    out = frame.copy()
    if "kommune_nr" in out:
        out.insert(out.columns.get_loc("kommune_nr"), "region", c.regions[c.kommune_region[out["kommune_nr"]]])
        out.insert(out.columns.get_loc("kommune_nr"), "kommune", c.kommune_names[out["kommune_nr"]])
        out = out.drop(columns="kommune_nr")
    if "region_nr" in out:
        out.insert(out.columns.get_loc("region_nr"), "region", c.regions[out["region_nr"]])
        out = out.drop(columns="region_nr")
    if "koen_nr" in out:
        out.insert(out.columns.get_loc("koen_nr"), "koen", np.array(SEXES)[out["koen_nr"]])
        out = out.drop(columns="koen_nr")
    if "agegroup" in out:
        out.insert(out.columns.get_loc("agegroup"), "aldersgruppe", np.array(AGE_GROUPS)[out["agegroup"]])
        out = out.drop(columns="agegroup")
    if "diag" in out:
        out.insert(out.columns.get_loc("diag"), "diagnose", np.array(DIAGNOSES)[out["diag"]])
        out = out.drop(columns="diag")
    for column in ("plejehjem", "kronikerhonorar"):
        if column in out and out[column].dtype.kind in "iu":
            out[column] = np.where(out[column] == 1, "Ja", "Nej")
    if "dx" in out:
        codes = np.array(DX_CODES)[out["dx"]]
        out.insert(out.columns.get_loc("dx"), "diagnose", [DX_DIAGNOSE[d] for d in codes])
        icpc = c.cohort_inputs.diagnoses.set_index("kode")["icpc"]
        out.insert(out.columns.get_loc("dx"), "icpc", icpc.loc[codes].to_numpy())
        out = out.drop(columns="dx")
    return out.reset_index(drop=True)


def _befolkning(c: _Context) -> MockTable:
    pop = c.population
    starts = c.cohort_inputs.age_starts
    age5 = pop["age5"].to_numpy()
    n = pop["befolkning"].to_numpy()
    # The 5-year group 15-19 straddles the coarse groups 0-17 and 18-39: it is split by single-year
    # cohorts, so the coarse groups hold the same ages as the patients' (age 18 and 19 in 18-39).
    straddling = int(np.flatnonzero((starts < _AGE_GROUP_STARTS[1]) & (starts + 5 > _AGE_GROUP_STARTS[1]))[0])
    younger = np.where(age5 == straddling, np.round(n * c.inputs.settings["share_15_17_in_15_19"]), n).astype(np.int64)
    split = age5 == straddling
    frame = pd.concat([
        pd.DataFrame({"aar": pop["aar"], "kommune_nr": pop["kommune_nr"], "koen_nr": pop["koen_nr"], "age5": age5,
                      "agegroup": coarse_age_group(starts[age5]), "befolkning": younger}),
        pd.DataFrame({"aar": pop["aar"].to_numpy()[split], "kommune_nr": pop["kommune_nr"].to_numpy()[split],
                      "koen_nr": pop["koen_nr"].to_numpy()[split], "age5": age5[split],
                      "agegroup": coarse_age_group(_AGE_GROUP_STARTS[1:2]).repeat(split.sum()),
                      "befolkning": (n - younger)[split]}),
    ], ignore_index=True).sort_values(["aar", "kommune_nr", "koen_nr", "age5", "agegroup"], kind="stable")
    frame.insert(3, "aldersgruppe5", c.age5_labels[frame["age5"]])
    frame = frame.drop(columns="age5")
    return MockTable(
        "befolkning", "Befolkning",
        "Befolkningen pr. 1. januar efter år, region, kommune, køn og 5-års aldersgruppe (og den grovere "
        "aldersgruppe, som de øvrige tabeller bruger). 5-års gruppen 15-19 år står i to rækker: 15-17 år under "
        "0-17 og 18-19 år under 18-39, delt efter lige store etårige årgange (skøn), så de grove aldersgrupper "
        "rummer de samme aldre som patienterne i de øvrige tabeller. Regionernes tal for 2024 er offentliggjorte "
        "(DST FOLK1A); kommunernes størrelse, alders- og kønsfordeling og udviklingen over årene er skøn "
        "(mockdata/kommuner.csv, aldersfordeling.csv, generator.yaml). " + _SYNTHETIC,
        _labelled(c, frame), (("aar", "region"), ("aar", "kommune")))


def _ap_patienter(c: _Context) -> MockTable:
    pairs = c.pairs()
    py = c.cohort.years
    rows = pairs["py"].to_numpy()
    grouped = _sum_by(
        {"aar": py["aar"].to_numpy()[rows], "kommune_nr": c.py_kommune[rows], "koen_nr": c.py_koen[rows],
         "agegroup": c.py_agegroup[rows], "dx": pairs["dx"].to_numpy()},
        {"nye_patienter": pairs["ny"].to_numpy(), "doede": py["doed"].to_numpy()[rows],
         "plejehjemsbeboere": py["plejehjem"].to_numpy()[rows]}, count="patienter")
    grouped = grouped[["aar", "kommune_nr", "koen_nr", "agegroup", "dx", "patienter", "nye_patienter", "doede",
                       "plejehjemsbeboere"]]
    return MockTable(
        "ap_patienter", "Patienter i almen praksis med de fem diagnoser",
        "Patienter med en aktiv diagnose (ICPC) i almen praksis i året, efter år, region, kommune, køn, "
        "aldersgruppe og diagnose (diabetes deles i type 1, T89, og type 2, T90); nye patienter fik diagnosen i "
        "året, døde døde i året, plejehjemsbeboere boede på plejehjem. En patient med flere af de fem diagnoser "
        "tælles under hver. Tabellen er talt op fra kohorten. Landstal pr. diagnose i 2024 er offentliggjorte tal "
        "eller skøn (mockdata/diagnoser.csv); regional variation (regionale_faktorer.csv), kommunal variation, "
        "køns- og aldersprofiler, nye patienter og dødelighed er skøn. Forholdet mellem mænds og kvinders "
        "forekomst er det samme i alle aldre, så andelen af mænd er lavere blandt de 80+, hvor kvinderne er "
        "flest. Nye KOL-patienter (R95, ca. 9.000 om året "
        "eller ca. 150 pr. 100.000 indbyggere) er omkring tre gange den registrerede forekomst af nye "
        "KOL-tilfælde (50 pr. 100.000 i 2020, regioner.dk 2022). Det er en forskel i definition: registrenes tal "
        "bygger på diagnoser fra sygehus, mens almen praksis også koder de patienter, der får stillet diagnosen "
        "med spirometri i praksis og følges der uden en KOL-diagnose på sygehus (kun omkring halvdelen af alle "
        "med KOL er diagnosticeret). Antallet hænger sammen med 160.000 patienter, et fald på 1,5 % om året og "
        "KOL-patienternes dødelighed. De nye KOL-patienter med en sygehuskontakt inden for et år (tabellen "
        "forloeb) svarer til registrenes tal. " + _SYNTHETIC,
        _labelled(c, grouped), (("aar", "diagnose", "region"), ("aar", "diagnose", "kommune")))


def _ap_forekomst(c: _Context) -> MockTable:
    """Counts, rates per 1,000 and age-standardised rates per year, area and diagnosis, like eSundhed."""
    pairs = c.pairs()
    py = c.cohort.years
    rows = pairs["py"].to_numpy()
    diag = _DIAGNOSIS_OF_DX[pairs["dx"]]
    # Type 1 and type 2 never meet in one person, so diabetes counts each patient once.
    counts = _sum_by({"aar": py["aar"].to_numpy()[rows], "kommune_nr": c.py_kommune[rows], "age5": c.py_age5[rows],
                      "diag": diag}, {}, count="patienter")
    pop = c.population.groupby(["aar", "kommune_nr", "age5"], as_index=False)["befolkning"].sum()
    ref = c.inputs.settings["reference_year"]
    standard = pop[pop["aar"] == ref].groupby("age5")["befolkning"].sum()
    standard = standard / standard.sum()
    full = pop.merge(pd.DataFrame({"diag": range(len(DIAGNOSES))}), how="cross").merge(
        counts, on=["aar", "kommune_nr", "age5", "diag"], how="left").fillna({"patienter": 0})
    full["region_nr"] = c.kommune_region[full["kommune_nr"]]
    out = []
    for level, keys in (("Hele landet", []), ("Region", ["region_nr"]), ("Kommune", ["kommune_nr"])):
        by = ["aar", *keys, "diag", "age5"]
        cells = full.groupby(by, as_index=False)[["patienter", "befolkning"]].sum()
        cells["std"] = cells["patienter"] / cells["befolkning"].where(cells["befolkning"] > 0) * standard.loc[
            cells["age5"]].to_numpy()
        summary = cells.groupby(["aar", *keys, "diag"], as_index=False).agg(
            patienter=("patienter", "sum"), befolkning=("befolkning", "sum"), std=("std", "sum"))
        if level == "Hele landet":
            area, region = "Hele landet", "Hele landet"
        elif level == "Region":
            area = region = c.regions[summary["region_nr"]]
        else:
            area = c.kommune_names[summary["kommune_nr"]]
            region = c.regions[c.kommune_region[summary["kommune_nr"]]]
        out.append(pd.DataFrame({
            "aar": summary["aar"], "niveau": level, "region": region, "omraade": area,
            "diagnose": np.array(DIAGNOSES)[summary["diag"]],
            "patienter": summary["patienter"].astype(np.int64), "befolkning": summary["befolkning"].astype(np.int64),
            "pr_1000": np.round(1000 * summary["patienter"] / summary["befolkning"], 2),
            "pr_1000_aldersstd": np.round(1000 * summary["std"], 2),
        }))
    frame = pd.concat(out, ignore_index=True)
    return MockTable(
        "ap_forekomst", "Forekomst: antal, rate pr. 1.000 og aldersstandardiseret rate",
        "Patienter med diagnosen i almen praksis pr. år for hele landet, hver region og hver kommune, med "
        "befolkningen, raten pr. 1.000 indbyggere og den aldersstandardiserede rate pr. 1.000 (direkte "
        f"standardisering på 5-års aldersgrupper med hele landets befolkning i {ref} som standard), som eSundhed "
        "viser det. Diabetes tæller type 1 og type 2 sammen, hver patient én gang. Talt op fra kohorten og "
        "befolkningstabellen, så de samme offentliggjorte tal og skøn ligger bag som i ap_patienter og "
        "befolkning. " + _SYNTHETIC,
        frame, (("aar", "niveau", "diagnose"), ("omraade", "diagnose")))


def _indicator_rows(c: _Context, by: dict[str, np.ndarray]) -> pd.DataFrame:
    py = c.cohort.years
    mask = py["dx_maske"].to_numpy().astype(int)
    ind = c.inputs.indicators.set_index("kode")
    frames = []
    for code, rule in INDICATORS.items():
        has = (mask & (1 << DX_CODES.index(rule.dx))) != 0
        denominator = has & (_holds(py, rule.denominator) if rule.denominator else True)
        numerator = denominator & _holds(py, rule.numerator)
        rows = np.flatnonzero(denominator)
        grouped = _sum_by({"aar": py["aar"].to_numpy()[rows], **{k: v[rows] for k, v in by.items()}},
                          {"opfyldt": numerator[rows].astype(float)}, count="patienter")
        grouped = grouped[["aar", *by, "opfyldt", "patienter"]]
        grouped.insert(1 + len(by), "diagnose", ind.loc[code, "diagnose"])
        grouped.insert(2 + len(by), "indikator", ind.loc[code, "indikator"])
        standard = ind.loc[code, "standard_pct"]
        grouped.insert(3 + len(by), "standard_pct", float(standard) if pd.notna(standard) else np.nan)
        frames.append(grouped)
    return pd.concat(frames, ignore_index=True)


def _kvalitetsindikatorer(c: _Context) -> MockTable:
    frame = _indicator_rows(c, {"kommune_nr": c.py_kommune})
    return MockTable(
        "kvalitetsindikatorer", "Kvalitetsindikatorer fra indberettede patientværdier",
        "Patienter der opfylder en indikator (opfyldt) ud af patienterne i indikatorens nævner (patienter) "
        "efter år, region, kommune og diagnose, talt op fra de syntetiske patientværdier (HbA1c, blodtryk, LDL, "
        "eGFR, FEV1, MRC, rygestatus, BMI, CHA2DS2-VASc, NYHA, medicin ...). Målopfyldelsen i 2024 er "
        "kalibreret til offentliggjorte tal eller skøn (mockdata/indikatorer.csv); variation mellem praksis og "
        "klynger og udviklingen over tid er skøn (generator.yaml). Standarden er RKKP's/DSAM's, hvor der er "
        "en. SGLT2-hæmmer ved hjertesvigt følger Dansk Hjertesvigtdatabases tal år for år (14 % i 2021, 43 % i "
        "2022, 64 % i 2023; mockdata/indikatorer_aar.csv) og stiger fortsat derefter (skøn). DHD's tal gælder "
        "nye patienter med nedsat uddrivningsfraktion inden for 12 uger efter diagnosen; her er nævneren alle "
        "patienter med hjertesvigt og nedsat uddrivningsfraktion i året, så tallene er kun omtrent "
        "sammenlignelige. " + _SYNTHETIC,
        _labelled(c, frame), (("aar", "indikator", "region"), ("aar", "diagnose", "kommune")))


def _praksis_indikatorer(c: _Context) -> MockTable:
    practices = c.cohort.practices
    frame = _indicator_rows(c, {"praksis": c.py_praksis})
    frame.insert(1, "region", c.regions[practices["region"].to_numpy()[frame["praksis"]]])
    frame.insert(2, "klynge", _cluster_names(c)[frame["praksis"]])
    frame.insert(3, "ydernummer", practices["ydernummer"].to_numpy()[frame["praksis"]])
    frame = frame.drop(columns="praksis")
    return MockTable(
        "praksis_indikatorer", "Kvalitetsindikatorer pr. praksis og kvalitetsklynge (som i ordiprax+)",
        "De samme indikatorer som kvalitetsindikatorer, men pr. praksis (syntetisk ydernummer) og "
        "kvalitetsklynge, så en praksis kan sammenlignes med sin klynge, som i ordiprax+ på det lukkede eSundhed. "
        "Ca. 1.700 praksis (skøn ud fra 1.980 i 2014, SDS) i klynger på ca. 12 (skøn); forskellene mellem "
        "praksis er skøn: hver indikator varierer med en standardafvigelse på ca. 9 point mellem praksis, og med "
        "den tilfældige variation i en praksis' få patienter bliver spredningen 8-12 point (domain.md 8.3, "
        "generator.yaml); bedre praksis ligger bedre på flere indikatorer. " + _SYNTHETIC,
        frame, (("aar", "indikator", "klynge"), ("ydernummer",)))


def _cluster_names(c: _Context) -> np.ndarray:
    """'Klynge Nordjylland 03' per practice, numbered within each region (computed once per build)."""
    if c.cluster_names is None:
        c.cluster_names = _name_clusters(c)
    return c.cluster_names


def _name_clusters(c: _Context) -> np.ndarray:
    practices = c.cohort.practices
    names = []
    counters: dict[int, int] = {}
    cluster_label: dict[int, str] = {}
    for cluster, region in zip(practices["klynge"], practices["region"], strict=True):
        if cluster not in cluster_label:
            counters[region] = counters.get(region, 0) + 1
            short = c.regions[region].removeprefix("Region ")
            cluster_label[cluster] = f"Klynge {short} {counters[region]:02d}"
        names.append(cluster_label[cluster])
    return np.array(names)


_CONTACTS = ("konsultation", "telefon", "email", "video", "aarskontrol", "sygebesoeg", "spirometri")


def _by_diagnosis(c: _Context, keys: tuple[str, ...], values: tuple[str, ...]) -> pd.DataFrame:
    """Patients per year, diagnose and `keys`, with the person-years' `values` summed: a patient counts
    under each of their diagnoses, diabetes once (type 1 and type 2 never meet in one person)."""
    pairs = c.pairs()
    py = c.cohort.years
    rows = pairs["py"].to_numpy()
    key_columns = {
        "aar": lambda: py["aar"].to_numpy()[rows], "region_nr": lambda: c.py_region[rows],
        "diag": lambda: _DIAGNOSIS_OF_DX[pairs["dx"]], "agegroup": lambda: c.py_agegroup[rows],
        "koen_nr": lambda: c.py_koen[rows], "plejehjem": lambda: py["plejehjem"].to_numpy()[rows],
        "kronikerhonorar": lambda: py["kronikerhonorar"].to_numpy()[rows],
    }
    grouped = _sum_by({k: key_columns[k]() for k in keys}, {v: py[v].to_numpy()[rows].astype(float) for v in values},
                      count="patienter")
    return grouped[[*keys, "patienter", *values]]


def _ap_aktivitet(c: _Context) -> MockTable:
    grouped = _by_diagnosis(c, ("aar", "region_nr", "diag", "agegroup", "koen_nr", "plejehjem", "kronikerhonorar"),
                            (*_CONTACTS, "honorar_kr", "kronikerhonorar_kr"))
    grouped = grouped.rename(columns={"honorar_kr": "honorar_ydelser_kr", "kronikerhonorar_kr":
                                      "honorar_kronikerhonorar_kr"})
    return MockTable(
        "ap_aktivitet", "Aktivitet og honorarer i almen praksis (SSR) for patienter med de fem diagnoser",
        "Patienter og deres kontakter i almen praksis efter ydelse (0101 konsultation, 0201 telefon, 0105 e-mail, "
        "4436 video, 0120 årskontrol, sygebesøg, 7113 spirometri) og honorarer i kroner pr. år, region, diagnose, "
        "aldersgruppe, køn, plejehjem ja/nej og kronikerhonorar ja/nej. Patienter på kronikerhonorar (type "
        "2-diabetes og KOL) har deres kontakter registreret, men ydelseshonoraret indgår i det årlige "
        "kronikerhonorar, der betales for den del af året, patienten er tilmeldt (skøn); sygebesøg og "
        "spirometri afregnes stadig. En patient med flere diagnoser tælles under "
        "hver. Kontakter pr. patient, ydelsesmix, takster og tilslutning er skøn eller offentliggjorte "
        "(mockdata/aktivitet.csv, honorarer.csv, kronikerhonorar.csv). Tilslutningen til kronikerhonorar "
        "varierer mellem praksis og lidt mellem regionerne (ca. 63-75 % i 2024); de regionale forskelle er skøn, "
        "intet er offentliggjort (kronikerhonorar_regioner.csv). " + _SYNTHETIC,
        _labelled(c, grouped), (("aar", "diagnose"),))


def _sygehus_aktivitet(c: _Context) -> MockTable:
    grouped = _by_diagnosis(c, ("aar", "region_nr", "diag", "agegroup", "plejehjem", "kronikerhonorar"),
                            ("indlaeggelser", "ambulante_besoeg", "speciallaege_besoeg"))
    return MockTable(
        "sygehus_aktivitet", "Indlæggelser, ambulante besøg og speciallægebesøg",
        "Patienterne i almen praksis og deres somatiske indlæggelser og ambulante besøg (som i LPR) og besøg i "
        "speciallægepraksis (som i SSR) pr. år, region, diagnose, aldersgruppe, plejehjem ja/nej og "
        "kronikerhonorar ja/nej. Ambulante besøg er alle somatiske ambulante besøg uanset årsag, som i SDS' "
        "opgørelse af sygehusbesøg for patienter med type 2-diabetes og KOL: ca. 5 om året for patienter på "
        "kronikerhonorar og 8 for de øvrige (SDS 2020); raterne for de andre diagnoser er skøn (domain.md 6, "
        "mockdata/aktivitet.csv). Har en patient flere diagnoser, sætter den tungeste niveauet. Astmas egne "
        "indlæggelsesrater (0,02 om året for voksne og 0,05 for børn, skøn) gælder derfor patienter med astma "
        "alene; voksne med astma og fx KOL eller hjertesvigt indlægges oftere. " + _SYNTHETIC,
        _labelled(c, grouped), (("aar", "diagnose"),))


# The cohort's bit masks of hospital contacts for the diagnosis itself (katalog.mock.cohort), as published counts.
HOSPITAL_CONTACT_COUNTS = {"patienter_sygehuskontakt": "sygehus_dx_maske", "patienter_indlagt": "indlagt_dx_maske",
                           "patienter_genindlagt_30d": "genindlagt_dx_maske"}


def _sygehuskontakt(c: _Context) -> MockTable:
    pairs = c.pairs()
    py = c.cohort.years
    rows = pairs["py"].to_numpy()
    dx = pairs["dx"].to_numpy().astype(np.int64)
    flags = {column: ((py[mask].to_numpy()[rows].astype(np.int64) >> dx) & 1).astype(float)
             for column, mask in HOSPITAL_CONTACT_COUNTS.items()}
    grouped = _sum_by({"aar": py["aar"].to_numpy()[rows], "region_nr": c.py_region[rows],
                       "diag": _DIAGNOSIS_OF_DX[dx], "agegroup": c.py_agegroup[rows]}, flags, count="patienter")
    grouped = grouped[["aar", "region_nr", "diag", "agegroup", "patienter", *HOSPITAL_CONTACT_COUNTS]]
    return MockTable(
        "sygehuskontakt", "Patienter kendt alene i almen praksis og også på sygehus, indlæggelser og genindlæggelser",
        "Patienterne med diagnosen i almen praksis pr. år, region, diagnose og aldersgruppe, og hvor mange af dem "
        "der i året havde mindst én kontakt på sygehus for selve diagnosen (en indlæggelse eller et ambulant "
        "besøg med diagnosen som aktions- eller bidiagnose, som i LPR: ICD-10 E10/E11, J44, J45, I48 og I50), "
        "hvor mange der var indlagt for diagnosen (som aktionsdiagnose), og hvor mange af dem der blev akut "
        "genindlagt (uanset årsag) "
        "inden for 30 dage efter udskrivelsen fra en sådan indlæggelse. Resten (patienter minus patienter med "
        "sygehuskontakt) er kendt alene i almen praksis i året. En patient med flere diagnoser tælles under hver. "
        "Kun patienter med sygehuskontakt for diagnosen er med i de kliniske databaser og i RUKS; de øvrige ses "
        "først i det nye datagrundlag. Over 10.000 KOL-patienter indlagt med eksacerbation om året (2022) og ca. "
        "29.000 patienter med astma på sygehus (DrAstma) er offentliggjorte tal; de øvrige andele og alle "
        "andele genindlagte er skøn (mockdata/sygehuskontakt.csv). En indlæggelse for diagnosen er altid en af "
        "patientens indlæggelser i sygehus_aktivitet, og en ambulant kontakt for den et af de ambulante besøg. "
        + _SYNTHETIC,
        _labelled(c, grouped), (("aar", "diagnose"),))


ANY_DIAGNOSIS = "Mindst én af de fem"
DIAGNOSIS_COUNTS = ("1", "2", "3+")


def _multimorbiditet(c: _Context) -> MockTable:
    py = c.cohort.years
    mask = py["dx_maske"].to_numpy().astype(np.int64)
    # Type 1 and type 2 diabetes never meet in one person, so the bits set are the number of the five diagnoses.
    n_dx = np.zeros(len(mask), dtype=np.int64)
    for i in range(len(DX_CODES)):
        n_dx += (mask >> i) & 1
    group = np.clip(n_dx, 1, len(DIAGNOSIS_COUNTS)) - 1
    pairs = c.pairs()
    rows = pairs["py"].to_numpy()
    everyone = np.arange(len(py))
    rows_all = np.concatenate([rows, everyone])
    diag = np.concatenate([_DIAGNOSIS_OF_DX[pairs["dx"].to_numpy()], np.full(len(py), len(DIAGNOSES))])
    grouped = _sum_by({"aar": py["aar"].to_numpy()[rows_all], "region_nr": c.py_region[rows_all],
                       "koen_nr": c.py_koen[rows_all], "agegroup": c.py_agegroup[rows_all], "diag5": diag,
                       "antal": group[rows_all]}, {}, count="patienter")
    labels = np.array([*DIAGNOSES, ANY_DIAGNOSIS])
    grouped.insert(grouped.columns.get_loc("diag5"), "diagnose", labels[grouped["diag5"]])
    grouped.insert(grouped.columns.get_loc("antal"), "antal_diagnoser", np.array(DIAGNOSIS_COUNTS)[grouped["antal"]])
    grouped = grouped.drop(columns=["diag5", "antal"])
    return MockTable(
        "multimorbiditet", "Multimorbiditet: patienter efter antal af de fem diagnoser",
        "Patienter i almen praksis pr. år, region, køn, aldersgruppe og diagnose efter, hvor mange af de fem "
        "diagnoser (astma, atrieflimren, diabetes, KOL og hjertesvigt) de har i alt i året: 1 (kun denne), 2 eller "
        f"3 eller flere. Diagnosen «{ANY_DIAGNOSIS}» tæller hver patient én gang (alle med mindst én af de fem). "
        "Diabetes tæller som én diagnose (type 1 og type 2). Andre kroniske sygdomme kendes ikke i mockuppen. "
        "Diagnoserne er trukket uafhængigt inden for kommune, køn og alder, undtagen at atrieflimren, "
        "hjertesvigt og type 2-diabetes mødes oftere end tilfældigt (en fælles kardiometabolisk faktor, og "
        "35-50 % af patienterne med hjertesvigt har også atrieflimren, skøn). Ca. 28 % af KOL-patienterne har "
        "mindst én af de fire andre (SDS 2015: over hver femte KOL-patient har en anden kronisk sygdom; "
        "generator.yaml). " + _SYNTHETIC,
        _labelled(c, grouped), (("aar", "diagnose"),))


def _pathway_frame(c: _Context) -> pd.DataFrame:
    paths = c.cohort.pathways
    persons = c.cohort.persons
    row = paths["person_row"].to_numpy()
    day = paths["diagnosedag"].to_numpy()
    year = (EPOCH + day.astype("timedelta64[D]")).astype("datetime64[Y]").astype(int) + 1970
    born = persons["foedselsaar"].to_numpy()[row]
    diag = _DIAGNOSIS_OF_DX[paths["dx"]]
    return pd.DataFrame({
        "aar": year, "kommune_nr": persons["kommune"].to_numpy()[row], "koen_nr": persons["koen"].to_numpy()[row],
        "agegroup": coarse_age_group(year - born), "diag": diag,
        "spec": paths["dage_til_speciallaege"].to_numpy(), "hosp": paths["dage_til_sygehus"].to_numpy(),
    })


def _forloeb(c: _Context) -> MockTable:
    f = _pathway_frame(c)
    grouped = _sum_by(
        {"aar": f["aar"].to_numpy(), "region_nr": c.kommune_region[f["kommune_nr"]], "koen_nr": f["koen_nr"].to_numpy(),
         "agegroup": f["agegroup"].to_numpy(), "diag": f["diag"].to_numpy()},
        {f"{kind}_{days}d": (f[col] <= days).to_numpy(dtype=float)
         for kind, col in (("speciallaege", "spec"), ("sygehus", "hosp")) for days in (30, 90, 365)},
        count="nye_patienter")
    grouped = grouped[["aar", "region_nr", "koen_nr", "agegroup", "diag", "nye_patienter",
                       *[c_ for c_ in grouped.columns if c_.endswith("d") and c_[-2].isdigit()]]]
    last = c.inputs.settings["years"][-1]
    return MockTable(
        "forloeb", "Forløb fra almen praksis til speciallægepraksis og sygehus",
        "Nye patienter med diagnosen i almen praksis pr. år, region, køn og aldersgruppe, og hvor mange af dem "
        "der har første kontakt med speciallægepraksis eller sygehus inden for 30, 90 og 365 dage efter "
        "diagnosedatoen. Talt op fra kohortens forløb, hvor hver ny diagnose har datoen for første kontakt. "
        "Andele og ventetider er skøn (mockdata/forloeb.csv). Forløb er fulgt til 31.12." f"{last}, så nye "
        f"patienter sidst i {last} har kortere opfølgning. Nye KOL-patienter med en sygehuskontakt inden for et "
        "år svarer omtrent til den registrerede forekomst af nye KOL-tilfælde (50 pr. 100.000 i 2020, "
        "regioner.dk 2022), som bygger på sygehusdiagnoser. " + _SYNTHETIC,
        _labelled(c, grouped), (("aar", "diagnose"),))


def _forloeb_tid(c: _Context) -> MockTable:
    f = _pathway_frame(c)
    frames = []
    for kontakt, col in enumerate(("spec", "hosp")):
        seen = f[f[col].notna()]
        grouped = _sum_by({"aar": seen["aar"].to_numpy(), "region_nr": c.kommune_region[seen["kommune_nr"]],
                           "diag": seen["diag"].to_numpy(),
                           "uge": (seen[col].to_numpy() // 7).astype(np.int64).clip(max=52)}, {}, count="patienter")
        grouped.insert(3, "kontakt", ("Speciallægepraksis", "Sygehus")[kontakt])
        frames.append(grouped)
    grouped = pd.concat(frames, ignore_index=True).sort_values(["aar", "region_nr", "diag", "kontakt", "uge"],
                                                               kind="stable")
    return MockTable(
        "forloeb_tid", "Tid fra diagnose i almen praksis til første kontakt",
        "Nye patienter efter antal uger fra diagnosen i almen praksis til første kontakt med speciallægepraksis "
        "eller sygehus (uge 0 = samme uge), pr. år for diagnosen, region og diagnose. Summen over ugerne er "
        "antallet med en kontakt inden for et år. Talt op fra kohortens forløb; ventetiderne er skøn "
        "(mockdata/forloeb.csv). " + _SYNTHETIC,
        _labelled(c, grouped), (("aar", "diagnose"),))


def _plejehjemsbeboere(c: _Context, rng: np.random.Generator) -> MockTable:
    """Residents 65+: the cohort's patients living in a nursing home, plus residents without any of the
    five diagnoses drawn from the rest of the population, so that every cell's patients in a nursing
    home are a part of its residents and the total follows the declared coverage."""
    pop = c.population
    starts = c.cohort_inputs.age_starts
    old = pop[starts[pop["age5"]] >= 65].reset_index(drop=True)
    rate = np.zeros(len(old))
    for year in np.unique(old["aar"]):
        rows = (old["aar"] == year).to_numpy()
        rate[rows] = nursing_home_rate(c.cohort_inputs, old["age5"].to_numpy()[rows],
                                       old["koen_nr"].to_numpy()[rows] == 1, int(year))
    py = c.cohort.years
    cohort = _sum_by({"aar": py["aar"].to_numpy(), "kommune_nr": c.py_kommune, "koen_nr": c.py_koen,
                      "age5": c.py_age5}, {"residents": py["plejehjem"].to_numpy().astype(float)}, count="patients")
    cells = old.merge(cohort, on=["aar", "kommune_nr", "koen_nr", "age5"], how="left").fillna(
        {"patients": 0, "residents": 0})
    population = cells["befolkning"].to_numpy()
    patients = cells["patients"].to_numpy().astype(np.int64)
    residents = cells["residents"].to_numpy().astype(np.int64)
    others = np.maximum(population - patients, 0)
    share = np.clip((population * rate - residents) / np.maximum(others, 1), 0.0, 1.0)
    frame = pd.DataFrame({
        "aar": old["aar"], "kommune_nr": old["kommune_nr"], "koen_nr": old["koen_nr"],
        "aldersgruppe5": c.age5_labels[old["age5"]],
        "beboere": residents + rng.binomial(others, share), "befolkning": old["befolkning"],
    })
    return MockTable(
        "plejehjemsbeboere", "Plejehjemsbeboere på 65 år og derover",
        "Borgere på 65 år og derover, der bor på plejehjem (plejebolig), og befolkningen i samme gruppe, pr. år, "
        "region, kommune, køn og 5-års aldersgruppe. Omkring 41.000 beboere, 68 % kvinder (Kristeligt Dagblad "
        "2016) og en faldende dækning af de 80+ (plejeboliger svarende til 19,5 % af de 80+ i 2012 og 14 % i "
        "2024, Ældre Sagen) er offentliggjorte. Ældre Sagen tæller alle plejeboliger mod de 80+; her er det "
        "beboerne på 80+, så niveauet er lavere, men faldet på ca. 2,7 % om året er det samme, og antallet af "
        "beboere falder lidt, selv om der bliver flere ældre (DST: 75+ i pleje- og ældreboliger faldt fra "
        "58.000 i 2010 til 51.700 i 2021). Fordelingen på alder og kommuner er skøn "
        "(mockdata/aldersfordeling.csv). Beboerne er kohortens patienter på plejehjem (de bor der med en "
        "højere sandsynlighed end jævnaldrende, generator.yaml) plus beboere uden de fem diagnoser, så "
        "patienterne på plejehjem i ap_patienter altid "
        "er en del af beboerne i samme kommune, køn og alder. En beboer flytter ind, når alderen når den "
        "personlige tærskel, og bliver boende. " + _SYNTHETIC,
        _labelled(c, frame), (("aar", "kommune"),))


def _praksis(c: _Context) -> MockTable:
    practices = c.cohort.practices
    ref = c.inputs.settings["reference_year"]
    py = c.cohort.years
    in_ref = py["aar"].to_numpy() == ref
    patients = np.bincount(c.py_praksis[in_ref], minlength=len(practices))
    frame = pd.DataFrame({
        "ydernummer": practices["ydernummer"], "klynge": _cluster_names(c),
        "kommune_nr": practices["kommune"], "tilmeldte": practices["tilmeldte"],
        "patienter_med_diagnoserne": patients,
    })
    frame = _labelled(c, frame)
    return MockTable(
        "praksis", "Lægepraksis (ydernumre) og kvalitetsklynger",
        f"Syntetiske lægepraksis med ydernummer, kvalitetsklynge, kommune, tilmeldte patienter og patienter med "
        f"mindst én af de fem diagnoser i {ref}. Ca. 1.700 ydernumre (skøn; 1.980 i 2014, SDS) med ca. 3.500 "
        "tilmeldte pr. praksis (skøn) og klynger på ca. 12 praksis (skøn). Listerne er længst, hvor der er få "
        "læger pr. borger: tilmeldte pr. lægekapacitet gik fra 1.563 i Midtjylland til 1.714 i Nordjylland "
        "(SDS 2014, ca. 10 % forskel), de øvrige regioner er skøn inden for spændet (mockdata/regioner.csv). "
        "Ydernumrene er tilfældige. " + _SYNTHETIC,
        frame, (("klynge",),))


# --- person-level tables -----------------------------------------------------------------------


# Its own stream of random numbers, so adding the table changed none of the others.
_OSTEOPOROSIS_STREAM = 31


def _osteoporose(c: _Context, population: pd.DataFrame) -> MockTable:
    """Patients with osteoporosis (a selected other chronic disease, not in the cohort) by kommune, sex and age
    group, with the population: drawn from the population at the age- and sex-specific shares of
    osteoporose.csv, scaled so the country has the published number of diagnosed patients in the reference
    year, with the kommunal variation of the five diagnoses; about half of them in medical treatment."""
    settings = c.inputs.settings
    rng = np.random.default_rng([int(settings["seed"]), _OSTEOPOROSIS_STREAM])
    pop = c.population
    shares = c.inputs.osteoporosis.set_index("aldersgruppe").loc[c.age5_labels]
    by_sex = np.stack([shares["andel_kvinder"].to_numpy(dtype=float), shares["andel_maend"].to_numpy(dtype=float)])
    age5, sex, n = pop["age5"].to_numpy(), pop["koen_nr"].to_numpy(), pop["befolkning"].to_numpy()
    share = by_sex[sex, age5]
    in_ref = (pop["aar"] == settings["reference_year"]).to_numpy()
    level = settings["osteoporosis_diagnosed_2024"] * c.scale / (n * share)[in_ref].sum()
    kommune = rng.lognormal(0.0, settings["kommune_prevalence_noise_sd"], size=len(c.kommune_names))
    patients = rng.binomial(n, np.clip(share * level * kommune[pop["kommune_nr"].to_numpy()], 0.0, 1.0))
    # Treatment varies between kommuner (logit scale) around the national share: an estimate, nothing is published.
    treat = expit(logit(settings["osteoporosis_treated_share"])
                  + rng.normal(0.0, settings["osteoporosis_treated_kommune_sd"], size=len(c.kommune_names)))
    treated = rng.binomial(patients, treat[pop["kommune_nr"].to_numpy()])
    frame = _labelled(c, _sum_by({"aar": pop["aar"].to_numpy(), "kommune_nr": pop["kommune_nr"].to_numpy(),
                                  "koen_nr": sex, "agegroup": coarse_age_group(c.cohort_inputs.age_starts[age5])},
                                 {"patienter": patients, "i_behandling": treated}))
    keys = ["aar", "region", "kommune", "koen", "aldersgruppe"]
    frame = frame.merge(population.groupby(keys, as_index=False)["befolkning"].sum(), on=keys, how="left",
                        validate="one_to_one")
    for column in ("patienter", "i_behandling", "befolkning"):
        frame[column] = frame[column].astype(np.int64)
    return MockTable(
        "osteoporose", "Osteoporose: patienter og medicinsk behandling (udvalgt anden kronisk sygdom)",
        "Patienter med osteoporose (knogleskørhed) pr. år, region, kommune, køn og aldersgruppe, de af dem, der "
        "er i medicinsk behandling for osteoporose, og befolkningen i samme gruppe. Offentliggjort er ca. "
        "175.000 (Videnscenter for Knoglesundhed) til 200.000 (Osteoporoseforeningen) med diagnosen og ca. "
        "90.000 i medicinsk behandling (Osteoporoseforeningen); mockuppen har ca. 187.500 diagnosticerede i 2024 "
        "og 47 % i behandling. Andelene efter køn og alder er skøn (mockdata/osteoporose.csv): næsten ingen før "
        "50 år og mænd ca. 10 år senere end kvinder (Osteoporoseforeningen). Sygdommen rammer hver 3. kvinde og "
        "hver 6. mand over 50, men mænd diagnosticeres sjældnere: ca. 85 % af de nye diagnoser var kvinder "
        "(Vestergaard m.fl., Osteoporosis International 2005: 4.823 mod 862 pr. mio. kvinder og mænd over 50), "
        "og det følger mockuppen. Andelene efter alder er de samme alle år, så "
        "antallet vokser kun med befolkningens aldring; kommunernes variation er den samme som for de fem "
        "diagnoser, og andelen i behandling varierer lidt mellem kommunerne (skøn, generator.yaml). "
        "Patienterne er trukket for sig, ikke i kohorten: tabellen kan ikke kobles "
        "med de fem diagnoser, og sygdommen findes i det nye datagrundlag kun, hvis lægen har kodet den (ICPC "
        "L95). Op mod 500.000-600.000 har osteoporose uden at vide det; de er ikke med. Alle tal er syntetiske: "
        "de er trukket tilfældigt, men reproducerbart (katalog/mock/mockdata.py, frø og parametre i mockdata/), "
        "ikke fra rigtige patienter. ",
        frame, (("aar", "kommune"),))


def _dates(days: np.ndarray) -> np.ndarray:
    out = np.datetime_as_string(EPOCH + np.where(days == NO_DATE, 0, days).astype("timedelta64[D]"))
    return np.where(days == NO_DATE, None, out)


def _person_tables(c: _Context) -> list[MockTable]:
    """The cohort as person-level tables: persons, diagnoses, person-years and pathways (never read by charts)."""
    note = ("Persondata i kohorten er syntetiske og findes kun til analyse og benchmark; diagrammernes SQL kan "
            "ikke læse dem, og de vises ikke i appen. ")
    return [
        MockTable("kohorte_person", "Kohorte: personer",
                  "En række pr. syntetisk patient: køn, fødselsår, bopæl, praksis (ydernummer), "
                  "eventuel dødsdato og eventuel dato for ophør som aktiv patient uden dødsfald (fx bedring, "
                  "opfølgning flyttet til sygehus eller ingen kontakt i 24 måneder). " + note,
                  _cohort_person_frame(c), (("person_id",),), PERSON),
        MockTable("kohorte_diagnose", "Kohorte: diagnoser",
                  "En række pr. patient og diagnose med ICPC-kode og diagnosedato. " + note, _cohort_diagnosis_frame(c),
                  (("person_id",),), PERSON),
        MockTable("kohorte_aar", "Kohorte: personår med aktivitet og patientværdier",
                  "En række pr. patient og år med en aktiv diagnose: diagnoserne (0/1), plejehjem, kronikerhonorar, "
                  "kontakter i almen praksis pr. ydelse, honorarer, indlæggelser, ambulante besøg, "
                  "speciallægebesøg og årets seneste patientværdier (tom = ikke registreret). " + note,
                  _cohort_year_frame(c), (("person_id", "aar"),), PERSON),
        MockTable("kohorte_forloeb", "Kohorte: forløb efter ny diagnose",
                  "En række pr. ny diagnose 2019-2025 med dage til første kontakt med speciallægepraksis og "
                  "sygehus (tom = ingen kontakt inden for et år eller ikke fulgt længe nok). " + note,
                  _cohort_pathway_frame(c), (("person_id",),), PERSON),
    ]


def _cohort_person_frame(c: _Context) -> pd.DataFrame:
    """One row per synthetic person: sex, birth year, home, practice and the dates of death or leaving the list."""
    persons = c.cohort.persons
    practices = c.cohort.practices
    return pd.DataFrame({
        "person_id": persons["person_id"], "koen": np.array(SEXES)[persons["koen"]],
        "foedselsaar": persons["foedselsaar"], "region": c.regions[c.kommune_region[persons["kommune"]]],
        "kommune": c.kommune_names[persons["kommune"]],
        "ydernummer": practices["ydernummer"].to_numpy()[persons["praksis"]],
        "doedsdato": _dates(np.where(persons["doed"], persons["slutdag"], NO_DATE)),
        "ophoert_dato": _dates(np.where(persons["doed"], NO_DATE, persons["slutdag"])),
    })


def _cohort_diagnosis_frame(c: _Context) -> pd.DataFrame:
    """One row per person and diagnosis, with its ICPC code and date."""
    icpc = c.cohort_inputs.diagnoses.set_index("kode")["icpc"]
    diag = c.cohort.diagnoses
    codes = np.array(DX_CODES)[diag["dx"]]
    return pd.DataFrame({
        "person_id": diag["person_id"], "diagnose": [DX_DIAGNOSE[d] for d in codes],
        "icpc": icpc.loc[codes].to_numpy(), "diagnosedato": _dates(diag["diagnosedag"].to_numpy()),
    })


def _cohort_year_frame(c: _Context) -> pd.DataFrame:
    """One row per person and year: the diagnoses as 0/1 columns, then every simulated column but the masks."""
    py = c.cohort.years
    mask = py["dx_maske"].to_numpy().astype(int)
    years = pd.DataFrame({"person_id": c.cohort.persons["person_id"].to_numpy()[py["person_row"]], "aar": py["aar"],
                          "alder": py["alder"]})
    for i, column in enumerate(("type1_diabetes", "type2_diabetes", "kol", "astma", "atrieflimren", "hjertesvigt")):
        years[column] = ((mask >> i) & 1).astype(np.int8)
    for column in py.columns:
        if column not in ("person_row", "aar", "alder", "dx_maske", "nye_maske"):
            years[column] = py[column]
    return years


def _cohort_pathway_frame(c: _Context) -> pd.DataFrame:
    """One row per new diagnosis: days to the first contact with specialist practice and with hospital."""
    icpc = c.cohort_inputs.diagnoses.set_index("kode")["icpc"]
    paths = c.cohort.pathways
    pcodes = np.array(DX_CODES)[paths["dx"]]
    return pd.DataFrame({
        "person_id": c.cohort.persons["person_id"].to_numpy()[paths["person_row"]],
        "diagnose": [DX_DIAGNOSE[d] for d in pcodes], "icpc": icpc.loc[pcodes].to_numpy(),
        "diagnosedato": _dates(paths["diagnosedag"].to_numpy()),
        "dage_til_speciallaege": paths["dage_til_speciallaege"], "dage_til_sygehus": paths["dage_til_sygehus"],
    })


# --- generated figures next to published ones --------------------------------------------------


def _comparisons(c: _Context, tables: list[MockTable]) -> list[Comparison]:
    """The generated national figures next to the published figures (or estimates) they imitate, topic by topic."""
    by_name = {t.name: t.frame for t in tables}
    ref = c.inputs.settings["reference_year"]
    out: list[Comparison] = []

    table_of = {"Befolkning": "befolkning", "Patienter": "ap_patienter", "Køn": "ap_patienter",
                "Alder": "ap_patienter", "Nye patienter": "ap_patienter", "Udvikling": "ap_patienter",
                "Multimorbiditet": "ap_patienter",
                "Indikatorer": "kvalitetsindikatorer", "Kontakter": "ap_aktivitet", "Kronikerhonorar": "ap_aktivitet",
                "Sygehus": "sygehus_aktivitet", "Speciallæge": "sygehus_aktivitet", "Plejehjem": "plejehjemsbeboere",
                "Praksis": "praksis", "Døde": "ap_patienter", "Forløb": "forloeb",
                "Indikatorer over tid": "kvalitetsindikatorer", "Praksisvariation": "praksis_indikatorer",
                "Patientværdier": "kvalitetsindikatorer", "Sygehuskontakt": "sygehuskontakt",
                "Genindlæggelser": "sygehuskontakt", "Antal diagnoser": "multimorbiditet",
                "Osteoporose": "osteoporose"}

    def add(topic, measure, generated, anchor, unit, source):
        out.append(Comparison(table_of[topic], topic, measure, float(generated), float(anchor), unit, source))

    py = c.cohort.years
    py_ref = py[py["aar"] == ref]
    _population_comparisons(c, by_name, add)
    _patient_comparisons(c, by_name, add)
    _change_and_new_patient_comparisons(c, by_name, add)
    _death_comparisons(c, by_name, add)
    _multimorbidity_comparisons(c, py_ref, add)
    _indicator_comparisons(c, by_name, add)
    _practice_variation_comparisons(c, by_name, add)
    _patient_value_comparisons(py_ref, add)
    _contact_comparisons(c, by_name, add)
    _hospital_activity_comparisons(c, by_name, py_ref, add)
    _chronic_fee_comparisons(c, py_ref, add)
    _hospital_and_multimorbidity_comparisons(c, by_name, add)
    _nursing_home_comparisons(c, by_name, py_ref, add)
    _practice_comparisons(c, add)
    _osteoporosis_comparisons(c, by_name, add)
    return out


def _population_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """The population in the reference year: the country, each region, the share of women and the children."""
    ref = c.inputs.settings["reference_year"]
    s = c.scale
    pop = by_name["befolkning"]
    pop_ref = pop[pop["aar"] == ref]
    add("Befolkning", f"Indbyggere i Danmark {ref}", pop_ref["befolkning"].sum(),
        c.inputs.regions["befolkning_2024"].sum() * s, "personer", "DST FOLK1A 1.1.2024")
    for _, region in c.inputs.regions.iterrows():
        add("Befolkning", f"Indbyggere i {region['region']}",
            pop_ref.loc[pop_ref["region"] == region["region"], "befolkning"].sum(), region["befolkning_2024"] * s,
            "personer", region["kilde"])
    add("Befolkning", "Andel kvinder", pop_ref.loc[pop_ref["koen"] == "Kvinder", "befolkning"].sum()
        / pop_ref["befolkning"].sum(), 0.504, "andel", "DST 2012")
    # The coarse group 0-17 holds 18 single-year cohorts, like the patients' ages (not the whole 15-19 group).
    under_20 = pop_ref.loc[pop_ref["aldersgruppe5"].isin(["0-4", "5-9", "10-14", "15-19"]), "befolkning"].sum()
    add("Befolkning", "Indbyggere 0-17 år (18 årgange)", pop_ref.loc[pop_ref["aldersgruppe"] == "0-17",
                                                                        "befolkning"].sum(), under_20 * 18 / 20,
        "personer", "skøn: 18/20 af de 0-19-årige (lige store årgange)")


def _patient_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """Per diagnosis in the reference year: the patients, the share of men and the age profile."""
    ref = c.inputs.settings["reference_year"]
    s = c.scale
    patients = by_name["ap_patienter"]
    p_ref = patients[patients["aar"] == ref]
    for _, dx in c.cohort_inputs.diagnoses.iterrows():
        cells = p_ref[p_ref["icpc"] == dx["icpc"]]
        name = f"{dx['diagnose']} ({dx['icpc']})"
        add("Patienter", f"Patienter med {name}", cells["patienter"].sum(), dx["patienter_2024"] * s, "personer",
            dx["kilde"])
        if dx["kode"] == "astma":
            adults = cells[cells["aldersgruppe"] != "0-17"]
            add("Køn", f"Andel mænd, voksne med {name}", adults.loc[adults["koen"] == "Mænd", "patienter"].sum()
                / adults["patienter"].sum(), dx["andel_maend"], "andel", dx["kilde"])
        else:
            add("Køn", f"Andel mænd med {name}", cells.loc[cells["koen"] == "Mænd", "patienter"].sum()
                / cells["patienter"].sum(), dx["andel_maend"], "andel", dx["kilde"])
        # Age profile on the same bands as the input (using the person-years' exact ages).
        py = c.cohort.years
        in_ref = (py["aar"].to_numpy() == ref) & ((py["dx_maske"].to_numpy() >> DX_CODES.index(dx["kode"])) & 1
                                                  ).astype(bool)
        ages = py["alder"].to_numpy()[in_ref]
        for part in dx["aldersprofil"].split(";"):
            span, share = part.split(":")
            low = int(span.rstrip("+").split("-")[0])
            high = 200 if span.endswith("+") else int(span.split("-")[1])
            if float(share) >= 0.05:
                add("Alder", f"Andel {span} år med {name}", ((ages >= low) & (ages <= high)).mean(), float(share),
                    "andel", dx["kilde"])


def _change_and_new_patient_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """The yearly change per diagnosis, diabetes in all, and the new patients (in practice and seen in hospital)."""
    ref = c.inputs.settings["reference_year"]
    s = c.scale
    patients = by_name["ap_patienter"]
    p_ref = patients[patients["aar"] == ref]
    # Yearly change: patients in the reference year against the year before.
    p_prev = patients[patients["aar"] == ref - 1]
    for _, dx in c.cohort_inputs.diagnoses.iterrows():
        now = p_ref.loc[p_ref["icpc"] == dx["icpc"], "patienter"].sum()
        before = p_prev.loc[p_prev["icpc"] == dx["icpc"], "patienter"].sum()
        add("Udvikling", f"Patienter med {dx['diagnose']} ({dx['icpc']}) {ref} i forhold til {ref - 1}",
            now / before, 1 + dx["aarlig_udvikling"], "indeks", dx["kilde"])
    diabetes = p_ref[p_ref["diagnose"] == "diabetes"]
    add("Patienter", "Patienter med diabetes i alt (T89+T90)", diabetes["patienter"].sum(), 356_000 * s, "personer",
        "diabetes.dk 2023")
    add("Køn", "Andel mænd med diabetes", diabetes.loc[diabetes["koen"] == "Mænd", "patienter"].sum()
        / diabetes["patienter"].sum(), 0.56, "andel", "diabetes.dk 2022")
    t2_new = p_ref.loc[p_ref["icpc"] == "T90", "nye_patienter"].sum()
    add("Nye patienter", "Nye med type 2-diabetes", t2_new, 30_000 * s, "personer",
        "diabetes.dk (over 30.000 nye i 2022)")
    add("Nye patienter", "Nye med atrieflimren", p_ref.loc[p_ref["icpc"] == "K78", "nye_patienter"].sum(),
        20_371 * s, "personer", "AFDK 2021/22 (20.371 incidente)")
    # New KOL patients in general practice are about three times the registered incidence (hospital
    # diagnoses); those with a hospital contact within a year are the comparable figure.
    flow = by_name["forloeb"]
    kol_flow = flow[(flow["aar"] == ref) & (flow["diagnose"] == "KOL")]
    add("Forløb", f"Nye KOL-patienter {ref} med sygehuskontakt inden for et år", kol_flow["sygehus_365d"].sum(),
        50e-5 * c.inputs.regions["befolkning_2024"].sum() * s, "personer",
        "regioner.dk 2022: 50 nye KOL-tilfælde pr. 100.000 indbyggere i 2020 (registrenes definition, "
        "sygehusdiagnoser), gange befolkningen 1.1.2024")


def _death_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """Deaths follow the number of patients: the last year against the year before, per diagnosis."""
    last = max(c.inputs.settings["years"])
    dx_inputs = c.cohort_inputs.diagnoses
    deaths = by_name["ap_patienter"].groupby(["diagnose", "aar"])["doede"].sum()
    for diagnose in DIAGNOSES:
        rows = dx_inputs[dx_inputs["diagnose"] == diagnose]
        change = float((rows["aarlig_udvikling"] * rows["patienter_2024"]).sum() / rows["patienter_2024"].sum())
        add("Døde", f"Døde patienter med {diagnose} {last} i forhold til {last - 1}",
            deaths.loc[(diagnose, last)] / deaths.loc[(diagnose, last - 1)], 1 + change, "indeks",
            "skøn: dødsfaldene følger antallet af patienter (diagnoser.csv)")


def _multimorbidity_comparisons(c: _Context, py_ref: pd.DataFrame, add) -> None:
    """KOL patients with another of the diagnoses, and heart-failure patients with atrieflimren over the years."""
    ref = c.inputs.settings["reference_year"]
    last = max(c.inputs.settings["years"])
    # Multimorbidity: share of KOL patients with at least one of the other four diagnoses.
    mask = py_ref["dx_maske"].to_numpy().astype(int)
    kol = (mask >> DX_CODES.index("KOL")) & 1 == 1
    others = (mask & ~(1 << DX_CODES.index("KOL"))) != 0
    add("Multimorbiditet", "Andel KOL-patienter med mindst én af de andre diagnoser", others[kol].mean(), 0.25,
        "andel", "SDS 2015: over hver femte KOL-patient har en anden kronisk sygdom; 20-25 % er skøn (domain.md 8.2)")
    py = c.cohort.years
    all_years = py["aar"].to_numpy()
    all_mask = py["dx_maske"].to_numpy().astype(int)
    with_hf = (all_mask >> DX_CODES.index("HF")) & 1 == 1
    with_af = (all_mask >> DX_CODES.index("AF")) & 1 == 1
    for year in sorted({min(c.inputs.settings["years"]), ref, last}):
        add("Multimorbiditet", f"Andel af patienter med hjertesvigt, der også har atrieflimren, {year}",
            with_af[with_hf & (all_years == year)].mean(), c.inputs.settings["hf_with_af_share"], "andel",
            "skøn: 35-50 % (generator.yaml)")


def _indicator_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """National attainment of each quality indicator in the reference year, and of those with yearly targets."""
    ref = c.inputs.settings["reference_year"]
    ind = by_name["kvalitetsindikatorer"]
    ind_ref = ind[ind["aar"] == ref].groupby("indikator")[["opfyldt", "patienter"]].sum()
    for _, row in c.inputs.indicators.iterrows():
        got = ind_ref.loc[row["indikator"]]
        add("Indikatorer", f"{row['diagnose']}: {row['indikator']}", got["opfyldt"] / got["patienter"],
            row["maalopfyldelse_2024"], "andel", row["kilde"])
    ind_years = ind.groupby(["indikator", "aar"])[["opfyldt", "patienter"]].sum()
    names = c.inputs.indicators.set_index("kode")
    for _, row in c.inputs.indicator_years.iterrows():
        name = names.loc[row["kode"], "indikator"]
        got = ind_years.loc[(name, row["aar"])]
        add("Indikatorer over tid", f"{names.loc[row['kode'], 'diagnose']}: {name} {row['aar']}",
            got["opfyldt"] / got["patienter"], row["maalopfyldelse"], "andel", row["kilde"])


def _practice_variation_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """The spread of each indicator's attainment between practices, without the chance variation."""
    ref = c.inputs.settings["reference_year"]
    names = c.inputs.indicators.set_index("kode")
    # The spread between practices: the SD of attainment among practices with at least 20 patients in the
    # indicator's denominator, less the chance variation of a practice's few patients (binomial). The
    # indicators on a value's threshold other than HbA1c <= 53 keep the spread of the values.
    by_practice = by_name["praksis_indikatorer"]
    by_practice = by_practice[(by_practice["aar"] == ref) & (by_practice["patienter"] >= 20)]
    share = by_practice["opfyldt"] / by_practice["patienter"]
    chance = (share * (1 - share) / by_practice["patienter"]).groupby(by_practice["indikator"]).mean()
    between = np.sqrt((share.groupby(by_practice["indikator"]).var() - chance).clip(lower=0))
    for code, row in names.iterrows():
        if code in ("hba1c_75", "bt_130", "ldl_25", "ryger") or row["indikator"] not in between:
            continue
        add("Praksisvariation", f"Spredning mellem praksis (SD uden tilfældig variation): {row['diagnose']}: "
            f"{row['indikator']}", between[row["indikator"]], c.inputs.settings["practice_indicator_sd"], "andel",
            "skøn: 9 point mellem praksis; med den tilfældige variation i en praksis 8-12 point (domain.md 8.3)")


def _patient_value_comparisons(py_ref: pd.DataFrame, add) -> None:
    """Adults with type 1 diabetes at HbA1c <= 53 mmol/mol in the reference year."""
    ref_mask = py_ref["dx_maske"].to_numpy().astype(int)
    t1 = ((ref_mask >> DX_CODES.index("T1")) & 1 == 1) & (py_ref["alder"].to_numpy() >= 18) & py_ref["hba1c"].notna(
    ).to_numpy()
    add("Patientværdier", "Andel voksne med type 1-diabetes og HbA1c ≤ 53 mmol/mol (i kohorten)",
        (py_ref["hba1c"].to_numpy()[t1] <= 53).mean(), 0.25, "andel", "type1.dk: 25 % (sygehus, 2019/20)")


def _contact_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """Contacts in general practice per patient and diagnosis in the reference year."""
    ref = c.inputs.settings["reference_year"]
    act = by_name["ap_aktivitet"]
    act_ref = act[act["aar"] == ref]
    contacts = ["konsultation", "telefon", "email", "video", "aarskontrol", "sygebesoeg"]
    for diagnose, row in c.inputs.activity.set_index("diagnose").iterrows():
        cells = act_ref[act_ref["diagnose"] == diagnose]
        add("Kontakter", f"Kontakter i almen praksis pr. patient med {diagnose}",
            cells[contacts].sum().sum() / cells["patienter"].sum(), row["kontakter_pr_patient"], "pr. patient",
            row["kilde"])


def _hospital_activity_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], py_ref: pd.DataFrame,
                                   add) -> None:
    """Admissions, outpatient visits and specialist visits per patient and diagnosis in the reference year."""
    ref = c.inputs.settings["reference_year"]
    hospital = by_name["sygehus_aktivitet"]
    h_ref = hospital[hospital["aar"] == ref]
    ref_mask = py_ref["dx_maske"].to_numpy().astype(int)
    ages = py_ref["alder"].to_numpy()
    astma = (ref_mask >> DX_CODES.index("astma")) & 1 == 1
    alone = (ref_mask & (ref_mask - 1)) == 0
    for diagnose, row in c.inputs.activity.set_index("diagnose").iterrows():
        cells = h_ref[h_ref["diagnose"] == diagnose]
        if diagnose == "astma":
            # Astma's own rates hold for astma alone: with another diagnosis, that one sets the level.
            admissions = py_ref["indlaeggelser"].to_numpy()
            add("Sygehus", "Indlæggelser pr. voksen med astma alene (ingen af de fire andre diagnoser)",
                admissions[astma & alone & (ages >= 18)].mean(), row["indlaeggelser"], "pr. patient", row["kilde"])
            add("Sygehus", "Indlæggelser pr. barn (0-17 år) med astma", admissions[astma & (ages < 18)].mean(),
                row["indlaeggelser_boern"], "pr. patient", row["kilde"])
        else:
            add("Sygehus", f"Indlæggelser pr. patient med {diagnose}", cells["indlaeggelser"].sum()
                / cells["patienter"].sum(), row["indlaeggelser"], "pr. patient", row["kilde"])
        add("Sygehus", f"Ambulante besøg pr. patient med {diagnose}", cells["ambulante_besoeg"].sum()
            / cells["patienter"].sum(), row["ambulante_besoeg"], "pr. patient", row["kilde"])
        add("Speciallæge", f"Besøg i speciallægepraksis pr. patient med {diagnose}",
            cells["speciallaege_besoeg"].sum() / cells["patienter"].sum(), row["speciallaege_besoeg"],
            "pr. patient", row["kilde"])


def _chronic_fee_comparisons(c: _Context, py_ref: pd.DataFrame, add) -> None:
    """Hospital visits on and off kronikerhonorar, and the share of type 2-diabetes and KOL patients on it."""
    ref = c.inputs.settings["reference_year"]
    ref_mask = py_ref["dx_maske"].to_numpy().astype(int)
    t2_or_kol = (ref_mask & ((1 << DX_CODES.index("T2")) | (1 << DX_CODES.index("KOL")))) != 0
    enrolled = py_ref["kronikerhonorar"].to_numpy() == 1
    outpatient = py_ref["ambulante_besoeg"].to_numpy()
    for on, anchor, label in ((True, 5, "på"), (False, 8, "uden")):
        add("Sygehus", f"Ambulante besøg pr. patient med type 2-diabetes eller KOL {label} kronikerhonorar",
            outpatient[t2_or_kol & (enrolled == on)].mean(), anchor, "pr. patient",
            "SDS 2020: lidt over 5 sygehusbesøg om året på kronikerhonorar mod 8 uden")
    add("Kronikerhonorar", "Andel af type 2-diabetes- og KOL-patienter på kronikerhonorar",
        py_ref.loc[t2_or_kol, "kronikerhonorar"].mean(), float(c.inputs.chronic_uptake.set_index("aar").loc[
            ref, "andel_tilmeldt"]), "andel", "SDS 2022 (63 % i 2021); 70 % i 2024 er skøn")
    # Each region against its estimated level (kronikerhonorar_regioner.csv): uptake is the practice's choice.
    national = float(c.inputs.chronic_uptake.set_index("aar").loc[ref, "andel_tilmeldt"])
    regions = c.py_region[(c.cohort.years["aar"] == ref).to_numpy()]
    sources = c.inputs.chronic_uptake_regions.set_index("region")["kilde"]
    for r, region in enumerate(c.regions):
        rows = t2_or_kol & (regions == r)
        level = expit(logit(national) + c.cohort_inputs.region_uptake_shift[r])
        add("Kronikerhonorar", f"Andel af type 2-diabetes- og KOL-patienter på kronikerhonorar i {region}",
            enrolled[rows].mean(), level, "andel", "skøn (mockdata/kronikerhonorar_regioner.csv): "
            + sources[region].removeprefix("estimat: "))


def _nursing_home_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], py_ref: pd.DataFrame, add) -> None:
    """Nursing-home residents: how many, the share of women, the yearly fall, the coverage of the oldest and
    the residents with one of the diagnoses."""
    ref = c.inputs.settings["reference_year"]
    s = c.scale
    homes = by_name["plejehjemsbeboere"]
    h = homes[homes["aar"] == ref]
    add("Plejehjem", "Plejehjemsbeboere på 65+", h["beboere"].sum(), 41_000 * s, "personer",
        "Kristeligt Dagblad 2016 (ca. 41.000)")
    add("Plejehjem", "Andel kvinder blandt beboerne", h.loc[h["koen"] == "Kvinder", "beboere"].sum()
        / h["beboere"].sum(), 0.68, "andel", "Kristeligt Dagblad 2016 (68 %)")
    residents = homes.groupby("aar")["beboere"].sum()
    add("Plejehjem", f"Plejehjemsbeboere {ref} i forhold til {ref - 1}", residents[ref] / residents[ref - 1],
        (51_700 / 58_000) ** (1 / 11), "indeks", "DST: 75+ i pleje- og ældreboliger faldt fra 58.000 (2010) til "
        "51.700 (2021), ca. 1 % om året")
    first = min(c.inputs.settings["years"])
    old = homes[homes["aldersgruppe5"].isin(["80-84", "85+"])].groupby("aar")[["beboere", "befolkning"]].sum()
    coverage = old["beboere"] / old["befolkning"]
    add("Plejehjem", f"Andel af 80+ på plejehjem {ref} i forhold til {first}", coverage[ref] / coverage[first],
        (0.14 / 0.195) ** ((ref - first) / (2024 - 2012)), "indeks",
        "Ældre Sagen: plejeboliger dækkede 19,5 % af 80+ i 2012 og 14 % i 2024")
    patients_in_homes = py_ref["plejehjem"].sum()
    add("Plejehjem", "Andel af beboerne med mindst én af de fem diagnoser", patients_in_homes / h["beboere"].sum(),
        0.55, "andel", "skøn: lidt over halvdelen (Kristeligt Dagblad 2016: ca. halvdelen har en eller flere "
        "kroniske sygdomme; generator.yaml)")


def _practice_comparisons(c: _Context, add) -> None:
    """The number of practices, and listed patients per practice in each region against the country."""
    add("Praksis", "Lægepraksis (ydernumre)", len(c.cohort.practices), 1_700, "praksis",
        "skøn: ca. 1.700 (1.980 i 2014, SDS)")
    practices = c.cohort.practices
    listed = practices.groupby("region")["tilmeldte"].sum() / practices.groupby("region").size()
    national = practices["tilmeldte"].sum() / len(practices)
    factor = _region_list_factor(c.inputs.regions)
    for r, region in enumerate(c.regions):
        add("Praksis", f"Tilmeldte pr. praksis i {region} i forhold til landsgennemsnittet",
            listed[r] / national, factor[r], "indeks", c.inputs.regions.loc[r, "kilde"].split("; ")[-1].replace(
                "tilmeldte pr. lægekapacitet: ", "tilmeldte pr. lægekapacitet i forhold til landet: "))


def _osteoporosis_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """Osteoporosis, the selected other chronic disease: the diagnosed, those in treatment and the share of women."""
    ref = c.inputs.settings["reference_year"]
    s = c.scale
    o = by_name["osteoporose"]
    o_ref = o[o["aar"] == ref]
    diagnosed = o_ref["patienter"].sum()
    add("Osteoporose", f"Patienter med osteoporose {ref}", diagnosed, 187_500 * s, "personer",
        "ca. 175.000 (Videnscenter for Knoglesundhed) til 200.000 (Osteoporoseforeningen) med diagnosen")
    add("Osteoporose", f"Patienter i medicinsk behandling for osteoporose {ref}", o_ref["i_behandling"].sum(),
        90_000 * s, "personer", "Osteoporoseforeningen (fagportal 2023): ca. 90.000 får osteoporosemedicin")
    add("Osteoporose", "Andel kvinder blandt patienterne med osteoporose",
        o_ref.loc[o_ref["koen"] == "Kvinder", "patienter"].sum() / diagnosed, 0.85, "andel",
        "Vestergaard m.fl. 2005: 4.823 mod 862 nye diagnoser pr. mio. kvinder og mænd over 50 (ca. 85 % kvinder)")


def _hospital_and_multimorbidity_comparisons(c: _Context, by_name: dict[str, pd.DataFrame], add) -> None:
    """Patients also seen in hospital for the diagnosis, admissions and readmissions, and the number of the five
    diagnoses, next to sygehuskontakt.csv and the published figures behind it."""
    ref = c.inputs.settings["reference_year"]
    s = c.scale
    contact = by_name["sygehuskontakt"]
    cells = contact[contact["aar"] == ref].groupby("diagnose")[["patienter", *HOSPITAL_CONTACT_COUNTS]].sum()
    rates = c.inputs.hospital_contact
    dx = c.cohort_inputs.diagnoses.set_index("kode")["patienter_2024"]
    source = "skøn (mockdata/sygehuskontakt.csv): "
    for diagnose in DIAGNOSES:
        rows = rates[rates["diagnose"] == diagnose]
        weight = dx.loc[rows["kode"]].to_numpy(dtype=float)
        anchor = {col: float((rows[col].to_numpy(dtype=float) * weight).sum() / weight.sum())
                  for col in ("andel_sygehuskontakt", "andel_indlagt")}
        # Readmissions among the admitted: the codes weighted by their admitted patients.
        admitted = rows["andel_indlagt"].to_numpy(dtype=float) * weight
        anchor["andel_genindlagt_30d"] = float((rows["andel_genindlagt_30d"].to_numpy(dtype=float) * admitted).sum()
                                               / admitted.sum())
        row = cells.loc[diagnose]
        kilde = source + "; ".join(rows["kilde"])
        add("Sygehuskontakt", f"Andel af patienterne med {diagnose} med sygehuskontakt for diagnosen",
            row["patienter_sygehuskontakt"] / row["patienter"], anchor["andel_sygehuskontakt"], "andel", kilde)
        add("Sygehuskontakt", f"Andel af patienterne med {diagnose} indlagt for diagnosen",
            row["patienter_indlagt"] / row["patienter"], anchor["andel_indlagt"], "andel", kilde)
        add("Genindlæggelser", f"Andel af de indlagte med {diagnose} genindlagt inden for 30 dage",
            row["patienter_genindlagt_30d"] / row["patienter_indlagt"], anchor["andel_genindlagt_30d"], "andel",
            kilde)
    add("Sygehuskontakt", f"Patienter med KOL indlagt for KOL {ref}", cells.loc["KOL", "patienter_indlagt"],
        10_000 * s, "personer", "danmarkc.tv: over 10.000 patienter indlagt med KOL-eksacerbation i 2022")
    add("Sygehuskontakt", f"Patienter med astma med sygehuskontakt for astma {ref}",
        cells.loc["astma", "patienter_sygehuskontakt"], 29_000 * s, "personer",
        "DrAstma (rm.dk): ca. 19.000 prævalente og 10.000 incidente patienter (6+ år) om året på sygehus")
    add("Genindlæggelser", "Andel af de indlagte KOL-patienter genindlagt inden for 30 dage",
        cells.loc["KOL", "patienter_genindlagt_30d"] / cells.loc["KOL", "patienter_indlagt"], 0.16, "andel",
        "Dagens Medicin 2022: 16 % af indlæggelsesforløbene for KOL (uddraget afbrudt, tolket som akut "
        "genindlæggelse)")
    mm = by_name["multimorbiditet"]
    kol = mm[(mm["aar"] == ref) & (mm["diagnose"] == "KOL")].groupby("antal_diagnoser")["patienter"].sum()
    add("Antal diagnoser", "Andel KOL-patienter med mindst én af de fire andre diagnoser (multimorbiditet)",
        kol.drop("1").sum() / kol.sum(), 0.25, "andel",
        "SDS 2015: over hver femte KOL-patient har en anden kronisk sygdom; 20-25 % er skøn (domain.md 8.2)")
    everyone = mm[(mm["aar"] == ref) & (mm["diagnose"] == ANY_DIAGNOSIS)]["patienter"].sum()
    add("Antal diagnoser", f"Patienter med mindst én af de fem diagnoser {ref} i forhold til praksistabellen",
        everyone, by_name["praksis"]["patienter_med_diagnoserne"].sum(), "personer",
        "samme patienter talt i praksis (tabellen praksis): skal være ens")


def comparison_frame(comparisons: list[Comparison]) -> pd.DataFrame:
    return pd.DataFrame({
        "tabel": [x.table for x in comparisons],
        "emne": [x.topic for x in comparisons],
        "maal": [x.measure for x in comparisons],
        "genereret": [x.generated for x in comparisons],
        "forlaeg": [x.anchor for x in comparisons],
        "enhed": [x.unit for x in comparisons],
        "afvigelse": [x.deviation for x in comparisons],
        "kilde": [x.source for x in comparisons],
    })
