"""The synthetic person-level cohort: GP patients with the five diagnoses, simulated 2019–2025.

Deterministic from the seed and the parameter files in mockdata/ (read by katalog.mock.mockdata).
Everything is vectorised numpy: a national cohort (≈1.3 million persons over 2019–2025, ≈6 million
person-years) takes about 20 s. The aggregate tables that charts read are derived from it in
katalog.mock.mockdata; the cohort itself is never readable by chart SQL.

How the cohort comes about:
1. The reference-year population (kommune × sex × 5-year age group) is expanded to virtual
   persons with a cardiometabolic factor, so atrieflimren, hjertesvigt and type 2-diabetes meet in
   the same persons more often than chance (multimorbidity).
2. Each diagnosis picks its reference-year patients cell by cell, with the national count,
   sex and age profile, regional factor and kommune noise of diagnoser.csv.
3. Each patient gets a diagnosis date (duration ~ prevalence / incidence; atrieflimren and
   hjertesvigt often on one date), a risk of death, a practice in the home kommune (regions with
   fewer doctors have longer lists) and a nursing-home propensity (a place once old enough, kept).
4. Earlier years get the patients who died before the reference year (copies of likely
   decedents, moved back in time, as many as the diagnoses' growth gives); the year after gets new
   patients like the reference year's: new persons, or a new diagnosis for a patient who already has
   the others, so multimorbidity and deaths per patient stay as they are.
5. Every person-year gets contacts (SSR), fees, hospital and specialist activity and the
   reported patient values, with practice-level variation in what gets measured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

DX_CODES = ("T1", "T2", "KOL", "astma", "AF", "HF")
CHILDHOOD_DIAGNOSES = ("T1", "astma")
NO_DATE = np.int32(2**31 - 1)
EPOCH = np.datetime64("2019-01-01")


def day_of(year: int, month: int = 1, day: int = 1) -> int:
    return int((np.datetime64(f"{year:04d}-{month:02d}-{day:02d}") - EPOCH).astype(int))


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class Cohort:
    persons: pd.DataFrame  # person_id, koen, foedselsaar, kommune, praksis, plejehjem_u, slutdag, doed
    diagnoses: pd.DataFrame  # person_id, dx, diagnosedag
    years: pd.DataFrame  # one row per person and year with an active diagnosis
    pathways: pd.DataFrame  # one row per new diagnosis: days to first specialist and hospital contact
    practices: pd.DataFrame  # praksis, ydernummer, klynge, kommune, tilmeldte


@dataclass(frozen=True)
class CohortInputs:
    """What the simulation needs, already read and checked by katalog.mock.mockdata."""

    settings: dict
    population: pd.DataFrame  # reference year: kommune (index), koen (0 women, 1 men), age5 (index), n
    age_starts: np.ndarray  # first age of each 5-year group
    mortality: np.ndarray  # per 1,000 and year, per 5-year group
    nursing_home_share: np.ndarray  # per 5-year group
    kommune_region: np.ndarray  # region index per kommune index
    diagnoses: pd.DataFrame  # diagnoser.csv, in DX_CODES order
    region_factor: np.ndarray  # [region, dx]
    activity: pd.DataFrame  # aktivitet.csv indexed by diagnose
    fees: pd.Series  # honorar_kr by ydelse
    uptake: pd.Series  # kronikerhonorar share by year
    indicators: pd.DataFrame  # indikatorer.csv indexed by kode
    pathways: pd.DataFrame  # forloeb.csv indexed by diagnose
    indicator_years: pd.DataFrame  # indikatorer_aar.csv: kode, aar, maalopfyldelse (yearly targets)
    region_list_factor: np.ndarray  # per region: listed patients per practice relative to the country
    scale: float
    hospital_contact: pd.DataFrame | None = None  # sygehuskontakt.csv indexed by kode (DX_CODES)
    region_uptake_shift: np.ndarray | None = None  # per region: kronikerhonorar uptake on the logit scale


def simulate(inputs: CohortInputs, rng: np.random.Generator) -> Cohort:
    s = inputs.settings
    ref = int(s["reference_year"])
    years = [int(y) for y in s["years"]]
    persons, dx_day = _reference_patients(inputs, rng)
    practices = _practices(inputs, persons, rng)
    persons["praksis"] = _assign_practice(persons["kommune"].to_numpy(), practices, rng)
    # A fixed propensity per person: as the person ages, the nursing-home rate rises past it, so a
    # resident moves in at some age and stays (evaluated per year in _person_years).
    persons["plejehjem_u"] = rng.random(len(persons)).astype(np.float32)
    persons, dx_day = _deaths_and_history(inputs, persons, dx_day, rng, ref, years)
    persons["person_id"] = np.arange(1, len(persons) + 1, dtype=np.int32)
    diag = _diagnosis_rows(persons, dx_day)
    person_years = _person_years(inputs, persons, dx_day, practices, rng, years)
    pathways = _pathways(inputs, persons, dx_day, rng, years)
    if inputs.hospital_contact is not None:
        # A stream of its own, so the hospital contacts for the diagnoses leave every other draw as it was.
        own = np.random.default_rng([int(s["seed"]), 8])
        person_years = _hospital_for_diagnoses(inputs, person_years, own, ref)
    return Cohort(persons=persons, diagnoses=diag, years=person_years, pathways=pathways, practices=practices)


# --- 1-2: the reference-year patients ---------------------------------------------------------


def _age_profile(spec: str, age_starts: np.ndarray) -> np.ndarray:
    """'0-39:0.03;40-59:0.24;...' -> band index per 5-year group and the bands' shares."""
    bands = []
    for part in spec.split(";"):
        span, share = part.split(":")
        low = int(span.rstrip("+").split("-")[0])
        bands.append((low, float(share)))
    bands.sort()
    lows = np.array([b[0] for b in bands])
    band_of = np.searchsorted(lows, age_starts, side="right") - 1
    return band_of, np.array([b[1] for b in bands])


def _cell_expectations(inputs: CohortInputs, dx: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """Expected patients per population cell (kommune, sex, age5) in the reference year."""
    pop = inputs.population
    n = pop["n"].to_numpy(dtype=float)
    age5 = pop["age5"].to_numpy()
    men = pop["koen"].to_numpy() == 1
    kommune = pop["kommune"].to_numpy()
    region = inputs.kommune_region[kommune]
    dx_index = DX_CODES.index(dx["kode"])
    mids = inputs.age_starts + 2.5
    n_kommuner = len(inputs.kommune_region)
    kommune_noise = rng.lognormal(0.0, inputs.settings["kommune_prevalence_noise_sd"], n_kommuner)
    weight = (n * np.exp(dx["aldersgradient"] * mids[age5]) * inputs.region_factor[region, dx_index]
              * kommune_noise[kommune])
    if dx["kode"] not in CHILDHOOD_DIAGNOSES:
        weight = weight * (inputs.age_starts[age5] >= 20)  # KOL, AF, HF and type 2 are adult diagnoses
    band_of, band_share = _age_profile(dx["aldersprofil"], inputs.age_starts)
    band = band_of[age5]
    children = inputs.age_starts[age5] < 18
    child_share = pd.notna(dx["andel_maend_boern"])
    # The same ratio between men's and women's prevalence in every age band (not the same share of
    # men): where women outnumber men, among the oldest, the share of men is lower. The ratio is solved
    # so the patients' share of men is the declared one.
    adult = ~(children & child_share)
    men_w = np.bincount(band[adult & men], weights=weight[adult & men], minlength=len(band_share))
    women_w = np.bincount(band[adult & ~men], weights=weight[adult & ~men], minlength=len(band_share))
    adult_part = (men_w + women_w) / np.maximum(np.bincount(band, weights=weight, minlength=len(band_share)), 1e-12)
    size = band_share * adult_part

    def share_of_men(ratio: float) -> np.ndarray:
        return ratio * men_w / np.maximum(ratio * men_w + women_w, 1e-12)

    low, high = -6.0, 6.0
    for _ in range(50):
        mid = (low + high) / 2
        low, high = (mid, high) if (size * share_of_men(np.exp(mid))).sum() / size.sum() < dx["andel_maend"] else (
            low, mid)
    men_share = np.where(adult, share_of_men(np.exp((low + high) / 2))[band],
                         dx["andel_maend_boern"] if child_share else 0.0)
    # Iterative proportional fitting: age bands and the sex split both match the profile.
    for _ in range(4):
        totals = np.bincount(band, weights=weight, minlength=len(band_share))
        weight = weight * (band_share / np.maximum(totals, 1e-12) * weight.sum())[band]
        group = band * 2 + men
        totals = np.bincount(group, weights=weight, minlength=2 * len(band_share))
        band_totals = totals.reshape(-1, 2).sum(axis=1)
        target = np.where(men, men_share, 1 - men_share) * band_totals[band]
        weight = weight * target / np.maximum(totals[group], 1e-12)
    return dx["patienter_2024"] * inputs.scale * weight / weight.sum()


def _lift_with_af(lift: np.ndarray, has_af: np.ndarray, p_cell: np.ndarray, cell: np.ndarray, counts: np.ndarray,
                  target: float) -> np.ndarray:
    """Heart failure's lift, raised for persons with atrieflimren by the factor that makes `target` of the
    heart-failure patients have atrieflimren too, and normalised within each population cell so the
    cell keeps its expected number of patients (the factor is solved on the cells' sums)."""
    with_af = np.bincount(cell, weights=lift * has_af, minlength=len(counts))
    without = np.bincount(cell, weights=lift * ~has_af, minlength=len(counts))
    expected = p_cell * counts
    factor = 1.0
    for _ in range(50):
        share = (expected * factor * with_af / np.maximum(without + factor * with_af, 1e-12)).sum() / expected.sum()
        if abs(share - target) < 1e-6:
            break
        factor *= (target / (1 - target)) / max(share / (1 - share), 1e-12)
    # A few corrections on the persons for the cap on a person's probability (0.9).
    for _ in range(3):
        w = lift * np.where(has_af, factor, 1.0) * (counts / np.maximum(without + factor * with_af, 1e-12))[cell]
        p = np.minimum(p_cell[cell] * w, 0.9)
        share = p[has_af].sum() / max(p.sum(), 1e-12)
        if abs(share - target) < 1e-3:
            break
        factor *= (target / (1 - target)) / max(share / (1 - share), 1e-12)
    return w


def _reference_patients(inputs: CohortInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """The reference year's patients: who has which diagnosis, their sex, birth year and kommune, and the
    diagnosis dates (NO_DATE where a person does not have a diagnosis)."""
    pop = inputs.population
    ref = int(inputs.settings["reference_year"])
    cell, chosen = _chosen_diagnoses(inputs, rng)
    age = _ages_within_group(inputs, cell, rng)
    persons = pd.DataFrame({
        "koen": pop["koen"].to_numpy()[cell].astype(np.int8),
        "foedselsaar": (ref - age).astype(np.int16),
        "kommune": pop["kommune"].to_numpy()[cell].astype(np.int16),
    })
    years_ago = _years_since_diagnosis(inputs, chosen, age, rng)
    end_ref = day_of(ref + 1) - 1
    dx_day = np.where(chosen, end_ref - np.floor(np.nan_to_num(years_ago) * 365.25), NO_DATE).astype(np.int32)
    return persons, dx_day


def _chosen_diagnoses(inputs: CohortInputs, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Which virtual persons of the reference-year population have which diagnoses: the population cell of
    each person with at least one, and their diagnoses (persons × DX_CODES)."""
    s = inputs.settings
    pop = inputs.population
    counts = pop["n"].to_numpy()
    cell = np.repeat(np.arange(len(pop)), counts)
    frailty = rng.standard_normal(len(cell)).astype(np.float32)
    cardio = rng.standard_normal(len(cell)).astype(np.float32)
    beta = s["multimorbidity_frailty"]
    loadings = s["cardiometabolic_loading"]
    chosen = np.zeros((len(cell), len(DX_CODES)), dtype=bool)
    for _, dx in inputs.diagnoses.iterrows():
        i = DX_CODES.index(dx["kode"])
        p_cell = _cell_expectations(inputs, dx, rng) / np.maximum(counts, 1)
        load = loadings.get(dx["kode"], 0.0)
        # A shared frailty and a cardiometabolic factor (atrieflimren, hjertesvigt, type 2-diabetes)
        # make diagnoses meet in the same persons more often than chance; mean lift 1 keeps the counts.
        lift = np.exp(beta * frailty - beta * beta / 2 + load * cardio - load * load / 2)
        if dx["kode"] == "HF":
            lift = _lift_with_af(lift, chosen[:, DX_CODES.index("AF")], p_cell, cell, counts, s["hf_with_af_share"])
        p = np.minimum(p_cell[cell] * lift, 0.9)
        pick = rng.random(len(cell)) < p
        if dx["kode"] == "T2":  # type 1 (drawn first) and type 2 diabetes exclude each other
            pick &= ~chosen[:, DX_CODES.index("T1")]
        chosen[:, i] = pick
    keep = chosen.any(axis=1)
    return cell[keep], chosen[keep]


def _ages_within_group(inputs: CohortInputs, cell: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each patient's age in the reference year within their 5-year group (the oldest, open group tails off)."""
    age5 = inputs.population["age5"].to_numpy()[cell]
    start = inputs.age_starts[age5]
    oldest = age5 == len(inputs.age_starts) - 1
    within = np.where(oldest, np.floor(rng.exponential(4.5, len(cell))).clip(0, 19),
                      np.floor(rng.random(len(cell)) * 5))
    return (start + within).astype(int)


def _years_since_diagnosis(inputs: CohortInputs, chosen: np.ndarray, age: np.ndarray,
                           rng: np.random.Generator) -> np.ndarray:
    """Years from each diagnosis to the end of the reference year (NaN where not chosen), with atrieflimren and
    hjertesvigt often on one date."""
    s = inputs.settings
    # Diagnosis dates: duration since diagnosis ~ exponential(prevalence / incidence), not before age 0
    # (type 1 diabetes and astma) or 18 (the rest).
    years_ago = np.full(chosen.shape, np.nan)
    for _, dx in inputs.diagnoses.iterrows():
        i = DX_CODES.index(dx["kode"])
        rows = np.flatnonzero(chosen[:, i])
        # Exponential durations with P(shorter than a year) = new / patients, so the reference year
        # gets the declared number of new patients.
        mean_years = -1.0 / np.log(1.0 - dx["nye_2024"] / dx["patienter_2024"])
        onset = 0 if dx["kode"] in CHILDHOOD_DIAGNOSES else 18
        room = np.maximum(age[rows] - onset, 0) + rng.random(len(rows))
        years_ago[rows, i] = np.minimum(rng.exponential(mean_years, len(rows)), room)
    # Atrieflimren and hjertesvigt are often found together (one at the admission or work-up for the
    # other). Independent dates would make a patient with both have the second one only recently, so
    # going back in time the share of heart-failure patients with atrieflimren would fall. A share of
    # the pairs gets one date for both, drawn from either diagnosis (so both keep their durations).
    af, hf = DX_CODES.index("AF"), DX_CODES.index("HF")
    pair = np.flatnonzero(chosen[:, af] & chosen[:, hf])
    together = pair[rng.random(len(pair)) < s["af_hf_same_onset_share"]]
    common = np.where(rng.random(len(together)) < 0.5, years_ago[together, af], years_ago[together, hf])
    years_ago[together, af] = years_ago[together, hf] = common
    return years_ago


# --- 3: practices, kvalitetsklynger, nursing homes ------------------------------------------------


def _practices(inputs: CohortInputs, persons: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    s = inputs.settings
    pop = inputs.population.groupby("kommune")["n"].sum()
    # Practices list more patients where there are fewer doctors per citizen (the regions' factors).
    list_size = s["listed_per_practice"] * inputs.region_list_factor[inputs.kommune_region[pop.index.to_numpy()]]
    per_kommune = np.maximum(1, np.round(pop.to_numpy() / inputs.scale / list_size)).astype(int)
    kommune = np.repeat(pop.index.to_numpy(), per_kommune)
    size = rng.lognormal(0.0, 0.5, len(kommune))
    listed = size / np.bincount(kommune, weights=size)[kommune] * pop.to_numpy()[np.searchsorted(pop.index, kommune)]
    region = inputs.kommune_region[kommune]
    order = np.lexsort((kommune, region))
    kommune, region, listed = kommune[order], region[order], listed[order]
    cluster = np.zeros(len(kommune), dtype=np.int32)
    next_cluster = 0
    for r in np.unique(region):
        rows = np.flatnonzero(region == r)
        n_clusters = max(1, round(len(rows) / s["practices_per_cluster"]))
        cluster[rows] = next_cluster + (np.arange(len(rows)) * n_clusters // len(rows))
        next_cluster += n_clusters
    quality = (rng.normal(0, s["practice_quality_sd"], len(kommune))
               + rng.normal(0, s["cluster_quality_sd"], next_cluster)[cluster])
    ydernummer = np.sort(rng.choice(np.arange(100000, 999999), size=len(kommune), replace=False))
    return pd.DataFrame({
        "praksis": np.arange(len(kommune), dtype=np.int32),
        "ydernummer": ydernummer.astype(np.int32),
        "klynge": cluster,
        "kommune": kommune.astype(np.int16),
        "region": region.astype(np.int8),
        "tilmeldte": np.round(listed).astype(np.int32),
        "kvalitet": quality.astype(np.float32),
        "uptake_shift": rng.normal(0, 0.6, len(kommune)).astype(np.float32),
        "contact_style": rng.lognormal(0, 0.12, len(kommune)).astype(np.float32),
    })


def _assign_practice(kommune: np.ndarray, practices: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """A practice in the patient's kommune, chosen in proportion to the practices' list sizes."""
    pk = practices["kommune"].to_numpy()
    order = np.lexsort((practices["praksis"].to_numpy(), pk))
    pk_sorted = pk[order]
    listed = practices["tilmeldte"].to_numpy()[order].astype(float)
    cum = np.cumsum(listed)
    first = np.searchsorted(pk_sorted, kommune, side="left")
    last = np.searchsorted(pk_sorted, kommune, side="right") - 1
    before = np.where(first > 0, cum[np.maximum(first - 1, 0)], 0.0)
    target = before + rng.random(len(kommune)) * (cum[last] - before)
    pick = np.clip(np.searchsorted(cum, target, side="right"), first, last)
    return practices["praksis"].to_numpy()[order][pick].astype(np.int32)


def nursing_home_rate(inputs: CohortInputs, age5: np.ndarray, men: np.ndarray, year: int) -> np.ndarray:
    """Share of the population in a nursing home, by age group, sex (women weigh more) and year (the
    coverage of the old falls a little every year)."""
    s = inputs.settings
    n_groups = len(inputs.nursing_home_share)
    women = s["nursing_home_women_factor"]
    pop = inputs.population
    # Normalise so the sex factor moves residents between the sexes without changing the total.
    share_women = np.bincount(pop["age5"], weights=pop["n"] * (pop["koen"] == 0), minlength=n_groups) / np.maximum(
        np.bincount(pop["age5"], weights=pop["n"], minlength=n_groups), 1)
    norm = share_women * women + (1 - share_women)
    trend = (1 + s["nursing_home_coverage_trend_per_year"]) ** (year - int(s["reference_year"]))
    return inputs.nursing_home_share[age5] * np.where(men, 1.0, women) / norm[age5] * trend


def age_group_index(age: np.ndarray, age_starts: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(age_starts, age, side="right") - 1, 0, len(age_starts) - 1)


# --- 4: deaths, earlier years, the year after -------------------------------------------------


def _hazard(inputs: CohortInputs, age: np.ndarray, men: np.ndarray, dx_mask: np.ndarray) -> np.ndarray:
    excess = inputs.diagnoses["overdoedelighed"].to_numpy()
    worst = np.where(dx_mask, excess[None, :], 1.0).max(axis=1)
    base = inputs.mortality[age_group_index(age, inputs.age_starts)] / 1000
    return np.minimum(base * np.where(men, inputs.settings["men_mortality_factor"], 1.0) * worst, 0.6)


def _exposure(latest: np.ndarray, year: int) -> np.ndarray:
    """The share of `year` a patient is at risk of ending: all of it, or the rest after the latest diagnosis
    in it (a patient with a diagnosis dated in the year was alive and on the list until then)."""
    start, end = day_of(year), day_of(year + 1) - 1
    lo = np.clip(latest, start, end + 1)
    return (end - lo + 1) / (end - start + 1)


def _exit_rates(inputs: CohortInputs, dx_day: np.ndarray, hazard: np.ndarray, exposure: np.ndarray,
                ref: int) -> np.ndarray:
    """Per patient, the yearly chance of leaving the active patient list alive (remission, follow-up
    moved to hospital, no contact within the 'aktiv patient' window): a rate per diagnosis, the lowest of
    a patient's diagnoses applying, solved so that each diagnosis's prevalence changes by its declared
    yearly change (new - deaths - leavers = change). A patient with a diagnosis dated in the year is at
    risk for the rest of it only (`exposure`)."""
    has = dx_day != NO_DATE
    patients = has.sum(axis=0)
    new = (has & (dx_day >= day_of(ref))).sum(axis=0)
    change = inputs.diagnoses.set_index("kode").loc[list(DX_CODES), "aarlig_udvikling"].to_numpy()
    endings = new - change * patients  # deaths and leavers the reference year needs, per diagnosis
    # Patients grouped by their set of diagnoses (a bit mask): the rate depends on the set only.
    n_dx = len(DX_CODES)
    mask = has.astype(np.int64) @ (1 << np.arange(n_dx))
    contains = ((np.arange(1 << n_dx)[:, None] >> np.arange(n_dx)) & 1).astype(bool)
    exposure_by_mask = np.bincount(mask, weights=exposure, minlength=1 << n_dx)
    rates = np.zeros(n_dx)
    by_mask = np.zeros(1 << n_dx)
    for _ in range(50):
        by_mask = np.where(contains, rates[None, :], np.inf).min(axis=1)
        by_mask[0] = 0.0
        got = np.bincount(mask, weights=np.minimum(hazard + by_mask[mask], 0.9) * exposure,
                          minlength=1 << n_dx) @ contains
        if np.abs(endings - got).max() < 0.5:
            break
        room = np.maximum(exposure_by_mask @ (contains & (rates[None, :] == by_mask[:, None])), 1e-9)
        rates = np.where(patients > 0, np.maximum(rates + (endings - got) / room, 0.0), 0.0)
    return by_mask[mask]


def _deaths_and_history(inputs, persons, dx_day, rng, ref, years):
    """Each patient's last day as a patient (`slutdag`: death or leaving the list alive, `doed` says
    which) in the reference year and after; earlier years get the patients who ended before, and later
    years the new patients."""
    men = persons["koen"].to_numpy() == 1
    age = ref - persons["foedselsaar"].to_numpy()
    has = dx_day != NO_DATE
    latest = np.where(has, dx_day, -(2**31)).max(axis=1)
    hazard = _hazard(inputs, age, men, has)
    exposure_ref = _exposure(latest, ref)
    exit_rate = _exit_rates(inputs, dx_day, hazard, exposure_ref, ref)
    ending = np.minimum(hazard + exit_rate, 0.9)
    end, died = _endings_from_reference_year(inputs, age, men, has, latest, hazard, exposure_ref, exit_rate, rng,
                                             ref, years)
    persons["slutdag"] = end
    persons["doed"] = died
    persons, dx_day = _earlier_years(inputs, persons, dx_day, hazard, ending, exposure_ref, rng, ref, years)
    # Later years: new patients like the reference year's (ending like them in their first year).
    for year in [y for y in years if y > ref]:
        persons, dx_day = _new_patients(inputs, persons, dx_day, ending, hazard, rng, ref, year)
    return persons, dx_day


def _endings_from_reference_year(inputs, age, men, has, latest, hazard, exposure_ref, exit_rate, rng, ref, years):
    """Which reference-year patients end (die or leave the list) in the reference year or after, on which day
    (NO_DATE if never), and whether by death."""
    end = np.full(len(age), NO_DATE, dtype=np.int32)
    died = np.zeros(len(age), dtype=bool)
    # After the reference year the survivors age, and the frailest have died: their mortality rises with
    # age but is scaled, per heaviest diagnosis, to the reference year's deaths per patient, as the earlier
    # years' patients (copies of the reference year's) have it. So deaths follow the number of patients
    # instead of jumping or dipping in the last year.
    excess = inputs.diagnoses["overdoedelighed"].to_numpy()
    heaviest = np.where(has, excess[None, :], 0.0).argmax(axis=1)
    groups = len(DX_CODES)
    ref_rate = np.bincount(heaviest, weights=hazard * exposure_ref, minlength=groups) / np.maximum(
        np.bincount(heaviest, weights=exposure_ref, minlength=groups), 1e-12)
    for year in [y for y in years if y >= ref]:
        active = end == NO_DATE
        hazard_now = hazard
        if year > ref:
            aged = _hazard(inputs, age + (year - ref), men, has)
            got = np.bincount(heaviest[active], weights=aged[active], minlength=groups)
            want = ref_rate * np.bincount(heaviest[active], minlength=groups)
            hazard_now = np.minimum(aged * (want / np.maximum(got, 1e-12))[heaviest], 0.6)
        ending_now = np.minimum(hazard_now + exit_rate, 0.9)
        # Diagnosed before the year starts, or during it (then only the rest of the year is at risk).
        exposure = _exposure(latest, year)
        ends = active & (exposure > 0) & (rng.random(len(age)) < ending_now * exposure)
        by_death = rng.random(len(age)) < hazard_now / np.maximum(ending_now, 1e-12)
        lo = np.maximum(day_of(year), np.minimum(latest, day_of(year + 1) - 1))
        when = lo + np.floor(rng.random(len(age)) * (day_of(year + 1) - lo)).astype(np.int32)
        end = np.where(ends, when, end).astype(np.int32)
        died |= ends & by_death
    return end, died


def _earlier_years(inputs, persons, dx_day, hazard, ending, exposure_ref, rng, ref, years):
    """The patients who ended in the years before the reference year, appended as copies of likely leavers
    moved back in time."""
    extra_persons, extra_dx = [], []
    # Earlier years: as many endings each year as the reference year has, drawn from likely leavers,
    # fewer the further back a diagnosis has grown since (deaths follow the number of patients).
    has = dx_day != NO_DATE
    change = inputs.diagnoses["aarlig_udvikling"].to_numpy()
    growth = (has * change[None, :]).sum(axis=1) / np.maximum(has.sum(axis=1), 1)
    for year in [y for y in years if y < ref]:
        shift = ref - year
        weights = ending * exposure_ref * (1 + growth) ** (year - ref)
        pick = rng.choice(len(persons), size=int(round(weights.sum())), p=weights / weights.sum())
        copy = persons.iloc[pick].copy()
        copy["foedselsaar"] = (copy["foedselsaar"] - shift).astype(np.int16)
        days = dx_day[pick].copy()
        moved = np.where(days != NO_DATE, days - np.int32(round(shift * 365.25)), NO_DATE).astype(np.int32)
        last_dx = np.where(moved != NO_DATE, moved, -(2**31)).max(axis=1)
        when = day_of(year) + np.floor(rng.random(len(pick)) * (day_of(year + 1) - day_of(year))).astype(np.int32)
        copy["slutdag"] = np.maximum(when, last_dx + 1).astype(np.int32)
        copy["doed"] = rng.random(len(pick)) < hazard[pick] / np.maximum(ending[pick], 1e-12)
        extra_persons.append(copy)
        extra_dx.append(moved)
    return pd.concat([persons, *extra_persons], ignore_index=True), np.vstack([dx_day, *extra_dx])


def _new_patients(inputs, persons, dx_day, ending, hazard, rng, ref, year):
    """The new patients of a year after the reference year: the reference year's new patients, drawn
    again. One who already had other diagnoses before is a patient already: the new diagnoses go to a
    patient on the list at the start of the year with the same diagnoses, sex and age group (so the
    other diagnoses are not counted twice and multimorbidity among new patients is kept); the others
    come as new persons."""
    n_ref = len(ending)  # the reference-year persons come first
    pick, new_days, prior = _new_patient_templates(dx_day[:n_ref], rng, ref, year)
    wants, recipient = _recipients(inputs, persons, dx_day, pick, prior, rng, n_ref, ref, year)
    persons, dx_day = _give_new_diagnoses(inputs, persons, dx_day, recipient, new_days[wants], ending, hazard, rng,
                                          ref, year)
    fresh = np.setdiff1d(np.arange(len(pick)), wants)
    days = new_days[fresh]
    copy = _new_persons(persons, pick[fresh], days, ending, hazard, rng, year - ref, year)
    return pd.concat([persons, copy], ignore_index=True), np.vstack([dx_day, days])


def _new_patient_templates(ref_days, rng, ref, year):
    """The reference year's new patients drawn again for `year`: who (row in the reference year), their new
    diagnoses' dates moved to `year`, and the diagnoses they already had (a bit mask)."""
    start_ref = day_of(ref)
    shift = year - ref
    bits = 1 << np.arange(len(DX_CODES))
    is_new = (ref_days >= start_ref) & (ref_days != NO_DATE)
    templates = np.flatnonzero(is_new.any(axis=1))
    pick = rng.choice(templates, size=len(templates))
    new_days = np.where(is_new[pick], ref_days[pick] + np.int32(round(shift * 365.25)), NO_DATE).astype(np.int32)
    prior = ((ref_days[pick] < start_ref) & ~is_new[pick]).astype(np.int64) @ bits
    return pick, new_days, prior


def _recipients(inputs, persons, dx_day, pick, prior, rng, n_ref, ref, year):
    """Which drawn new patients with earlier diagnoses go to a patient already on the list (their index in
    `pick`), and to whom: same diagnoses held, sex and age group, matched without replacement in random order."""
    start = day_of(year)
    bits = 1 << np.arange(len(DX_CODES))
    n_ages = len(inputs.age_starts)
    koen = persons["koen"].to_numpy().astype(np.int64)
    born = persons["foedselsaar"].to_numpy().astype(int)

    def key(mask, sex, age):
        return (mask * 2 + sex) * n_ages + age_group_index(age, inputs.age_starts)

    # Recipients: on the list at the start of the year, matched without replacement in random order.
    end = persons["slutdag"].to_numpy()
    held = ((dx_day < start) & (dx_day != NO_DATE)).astype(np.int64) @ bits
    candidates = np.flatnonzero(((end == NO_DATE) | (end >= start)) & (held > 0))
    candidates = candidates[candidates < n_ref]
    candidates = candidates[rng.permutation(len(candidates))]
    cand_key = key(held[candidates], koen[candidates], year - born[candidates])
    order = np.argsort(cand_key, kind="stable")
    candidates, cand_key = candidates[order], cand_key[order]
    wants = np.flatnonzero(prior > 0)
    want_key = key(prior[wants], koen[pick[wants]], ref - born[pick[wants]])
    order = np.argsort(want_key, kind="stable")
    wants, want_key = wants[order], want_key[order]
    rank = np.arange(len(wants)) - np.searchsorted(want_key, want_key, side="left")
    first_cand = np.searchsorted(cand_key, want_key, side="left")
    available = np.searchsorted(cand_key, want_key, side="right") - first_cand
    matched = rank < available
    return wants[matched], candidates[first_cand[matched] + rank[matched]]


def _give_new_diagnoses(inputs, persons, dx_day, recipient, days, ending, hazard, rng, ref, year):
    """The new diagnoses added to their recipients, whose ending in the rest of the year is drawn again."""
    start, year_end = day_of(year), day_of(year + 1) - 1
    koen = persons["koen"].to_numpy().astype(np.int64)
    born = persons["foedselsaar"].to_numpy().astype(int)
    end = persons["slutdag"].to_numpy()
    held_before = (dx_day[recipient] < start) & (dx_day[recipient] != NO_DATE)
    dx_day = dx_day.copy()
    dx_day[recipient] = np.where(days != NO_DATE, days, dx_day[recipient])
    # Like a reference-year patient with a diagnosis dated in the year, a recipient was on the list
    # until the new diagnosis and may end only after it, now with the new diagnosis's mortality: the
    # ending drawn for this year is drawn again for the rest of the year.
    age, men = ref - born[recipient], koen[recipient] == 1  # mortality at the reference year's age
    hazard_now = _hazard(inputs, age, men, held_before | (days != NO_DATE))
    ending_now = np.minimum(hazard_now + np.maximum(ending[recipient] - hazard[recipient], 0.0), 0.9)
    latest = np.where(days != NO_DATE, days, -(2**31)).max(axis=1)
    redraw = (end[recipient] == NO_DATE) | (end[recipient] <= year_end)
    ends = redraw & (rng.random(len(recipient)) < ending_now * (year_end - latest + 1) / 365.25)
    died = ends & (rng.random(len(recipient)) < hazard_now / np.maximum(ending_now, 1e-12))
    when = latest + np.floor(rng.random(len(recipient)) * (year_end - latest + 1)).astype(np.int32)
    persons = persons.copy()
    persons.loc[recipient, "slutdag"] = np.where(redraw, np.where(ends, when, NO_DATE), end[recipient]).astype(
        np.int32)
    persons.loc[recipient, "doed"] = np.where(redraw, died, persons["doed"].to_numpy()[recipient])
    return persons, dx_day


def _new_persons(persons, source, days, ending, hazard, rng, shift, year):
    """The drawn new patients without earlier diagnoses, as new persons with only the new diagnoses; like
    everyone else, they may die or leave the list in the rest of the year."""
    year_end = day_of(year + 1) - 1
    copy = persons.iloc[source].copy()
    copy["foedselsaar"] = (copy["foedselsaar"] + shift).astype(np.int16)
    latest = np.where(days != NO_DATE, days, -(2**31)).max(axis=1)
    ends = rng.random(len(source)) < ending[source] * (year_end - latest + 1) / 365.25
    when = latest + np.floor(rng.random(len(source)) * (year_end - latest + 1)).astype(np.int32)
    copy["slutdag"] = np.where(ends, when, NO_DATE).astype(np.int32)
    copy["doed"] = ends & (rng.random(len(source)) < hazard[source] / np.maximum(ending[source], 1e-12))
    return copy


def _diagnosis_rows(persons: pd.DataFrame, dx_day: np.ndarray) -> pd.DataFrame:
    row, dx = np.nonzero(dx_day != NO_DATE)
    return pd.DataFrame({
        "person_id": persons["person_id"].to_numpy()[row],
        "dx": dx.astype(np.int8),
        "diagnosedag": dx_day[row, dx],
    })


# --- 5: person-years: activity, fees, hospital, patient values -----------------------------------


def _level(active: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Per patient, the highest rate among their active diagnoses."""
    out = np.zeros(len(active))
    for i, rate in enumerate(rates):
        np.maximum(out, np.where(active[:, i], rate, 0.0), out=out)
    return out


def _calibrate(active: np.ndarray, rates: np.ndarray, factor: np.ndarray, extra, only: dict | None = None
               ) -> np.ndarray:
    """Multipliers m so that each diagnosis's patients average rates[i] of level(m * rates) * factor + extra."""
    m = np.ones(len(rates))
    only = only or {}
    for _ in range(5):
        value = _level(active, rates * m) * factor + extra
        for i in range(len(rates)):
            who = active[:, i] & only.get(i, True)
            if who.any() and rates[i] > 0:
                m[i] *= rates[i] / max(value[who].mean(), 1e-9)
    return m


def _calibrated_intercept(target: float, effects: np.ndarray, weights: np.ndarray) -> float:
    """The logit intercept c with weighted mean of expit(c + effects) equal to target."""
    c = float(_logit(target))
    w = weights / max(weights.sum(), 1e-12)
    for _ in range(30):
        p = _expit(c + effects)
        mean = float((w * p).sum())
        slope = float((w * p * (1 - p)).sum())
        if slope <= 0 or abs(mean - target) < 1e-12:
            break
        c -= (mean - target) / slope
    return c


def _weighted_sd(values: np.ndarray, weights: np.ndarray) -> float:
    w = weights / max(weights.sum(), 1e-12)
    mean = (w * values).sum()
    return float(np.sqrt((w * (values - mean) ** 2).sum()))


def _spread_scale(target: float, effects: np.ndarray, weights: np.ndarray, target_sd: float) -> float:
    """The factor k on the practices' logit effects that makes their attainment (mean `target`) spread
    with standard deviation `target_sd` between practices (weighted by patients)."""
    def sd(k: float) -> float:
        return _weighted_sd(_expit(_calibrated_intercept(target, k * effects, weights) + k * effects), weights)

    low, high = 0.0, 1.0
    while sd(high) < target_sd and high < 64:
        low, high = high, high * 2
    for _ in range(20):
        mid = (low + high) / 2
        low, high = (mid, high) if sd(mid) < target_sd else (low, mid)
    return (low + high) / 2


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.vectorize(math.erf)(np.asarray(x, dtype=float) / math.sqrt(2)))


def _value_spread_scale(threshold: float, mean: float, sd: float, effects: np.ndarray, weights: np.ndarray,
                        target_sd: float) -> float:
    """For a normally distributed patient value (total SD `sd`) and a practice shift k * effects, the k
    that makes the share below `threshold` spread with `target_sd` between practices; the patients' own
    variation shrinks so the total SD stays."""
    spread = _weighted_sd(effects, weights)

    def share_sd(k: float) -> float:
        within = math.sqrt(max(sd * sd - (k * spread) ** 2, 1e-9))
        return _weighted_sd(_normal_cdf((threshold - mean - k * effects) / within), weights)

    low, high = 0.0, 0.95 * sd / max(spread, 1e-9)
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (mid, high) if share_sd(mid) < target_sd else (low, mid)
    return (low + high) / 2


@dataclass(frozen=True)
class _Panel:
    """What every year of the person-years shares: the persons and their practices, the draws that last
    across years, the indicators' calibration and (once calibrated on the reference year) the activity levels."""

    inputs: CohortInputs
    years: list
    ref: int
    dx_day: np.ndarray
    end_day: np.ndarray  # last day as a patient (death or leaving the list)
    died: np.ndarray
    men: np.ndarray
    born: np.ndarray
    praksis: np.ndarray
    home_u: np.ndarray
    practices: pd.DataFrame
    quality: np.ndarray
    style: np.ndarray
    ind_noise: np.ndarray  # per practice and indicator
    ind_col: dict
    uptake_draw: np.ndarray  # per person from here on
    hfref: np.ndarray
    chads_extra: np.ndarray
    smoker_draw: np.ndarray
    hba1c_person: np.ndarray
    previous: dict  # this year's two-yearly examinations, for next year
    seen_before: np.ndarray  # whether last year's examinations are in `previous`
    intercept: dict
    spread: dict
    year_intercept: dict
    hba1c_k: float
    hba1c_effects: np.ndarray
    hba1c_within: float
    met: np.ndarray  # the highest nursing-home rate met so far, by year, sex and age
    rates: dict  # activity rates per diagnosis, from aktivitet.csv
    multiplier: dict | None = None
    child_factor: float = 1.0


def _person_years(inputs, persons, dx_day, practices, rng, years) -> pd.DataFrame:
    """One row per person and year with an active diagnosis: contacts, fees, hospital and specialist activity
    and the reported patient values."""
    panel = _panel(inputs, persons, dx_day, practices, rng, years)
    reference = _design(panel, panel.ref)
    panel = _with_activity_levels(panel, reference)
    frames = [_year_rows(panel, reference if year == panel.ref else _design(panel, year), rng) for year in years]
    return pd.concat(frames, ignore_index=True)


def _panel(inputs, persons, dx_day, practices, rng, years) -> _Panel:
    """The fixed traits of persons and practices, the draws that last across years (drawn first, in this
    order) and the calibrations that need no draws."""
    s = inputs.settings
    v = s["values"]
    ref = int(s["reference_year"])
    n_persons = len(persons)
    quality = practices["kvalitet"].to_numpy()
    ind_noise = rng.normal(0, s["indicator_noise_sd"], (len(practices), len(inputs.indicators))).astype(np.float32)
    ind_col = {code: j for j, code in enumerate(inputs.indicators.index)}
    # Per-person constants that last across years.
    uptake_draw = rng.random(n_persons)
    hfref = rng.random(n_persons) < v["hfref_share"]
    chads_extra = (rng.random(n_persons) < 0.6).astype(int) + 2 * (rng.random(n_persons) < 0.1) + (
        rng.random(n_persons) < 0.15)
    smoker_draw = rng.random(n_persons)
    hba1c_person = rng.standard_normal(n_persons)
    end_day = persons["slutdag"].to_numpy()
    praksis = persons["praksis"].to_numpy()
    weights = _patients_per_practice(dx_day, end_day, praksis, len(practices), ref)
    intercept, spread, year_intercept = _indicator_intercepts(inputs, quality, ind_noise, ind_col, weights)
    hba1c_k, hba1c_effects, hba1c_within = _hba1c_practice_shift(inputs, quality, ind_noise, ind_col, weights)
    act = inputs.activity
    dx_names = inputs.diagnoses["diagnose"].to_numpy()
    rates = {name: np.array([act.loc[d, name] for d in dx_names], dtype=float) for name in (
        "kontakter_pr_patient", "aarskontrol", "sygebesoeg", "indlaeggelser", "ambulante_besoeg",
        "speciallaege_besoeg")}
    return _Panel(
        inputs=inputs, years=years, ref=ref, dx_day=dx_day, end_day=end_day, died=persons["doed"].to_numpy(),
        men=persons["koen"].to_numpy() == 1, born=persons["foedselsaar"].to_numpy().astype(int), praksis=praksis,
        home_u=persons["plejehjem_u"].to_numpy(), practices=practices, quality=quality,
        style=practices["contact_style"].to_numpy(), ind_noise=ind_noise, ind_col=ind_col, uptake_draw=uptake_draw,
        hfref=hfref, chads_extra=chads_extra, smoker_draw=smoker_draw, hba1c_person=hba1c_person,
        previous={code: np.zeros(n_persons, dtype=bool) for code in ("uacr_2aar", "fod_2aar", "oeje_2aar")},
        seen_before=np.zeros(n_persons, dtype=bool), intercept=intercept, spread=spread,
        year_intercept=year_intercept, hba1c_k=hba1c_k, hba1c_effects=hba1c_effects, hba1c_within=hba1c_within,
        met=_nursing_home_met(inputs, years), rates=rates)


def _patients_per_practice(dx_day, end_day, praksis, n_practices, ref) -> dict:
    """Reference-year patients per practice and diagnosis: the weights the practice-level intercepts are
    calibrated on, so national attainment lands on indikatorer.csv."""
    active_ref = (dx_day <= day_of(ref + 1) - 1) & ((end_day >= day_of(ref)) | (end_day == NO_DATE))[:, None]
    return {
        d: np.bincount(praksis[active_ref[:, DX_CODES.index(d)]], minlength=n_practices).astype(float)
        for d in DX_CODES
    }


def _indicator_intercepts(inputs, quality, ind_noise, ind_col, patients_per_practice) -> tuple[dict, dict, dict]:
    """Per indicator, the logit intercept and the scale of the practice effects, and the intercept per year
    for an indicator with yearly targets."""
    dx_for_indicator = {"diabetes": "T2", "KOL": "KOL", "atrieflimren": "AF", "hjertesvigt": "HF", "astma": "astma"}
    # Each indicator's practice effects are scaled so attainment spreads between practices by the
    # declared SD; an indicator with yearly targets (indikatorer_aar.csv) gets an intercept per year,
    # the others follow the common trend from the reference year's target.
    intercept, spread, year_intercept = {}, {}, {}
    target_sd = inputs.settings["practice_indicator_sd"]
    for code, row in inputs.indicators.iterrows():
        effects = quality + ind_noise[:, ind_col[code]]
        weights = patients_per_practice[dx_for_indicator[row["diagnose"]]]
        target = row["maalopfyldelse_2024"]
        spread[code] = _spread_scale(target, effects, weights, target_sd)
        intercept[code] = _calibrated_intercept(target, spread[code] * effects, weights)
        for _, y in inputs.indicator_years[inputs.indicator_years["kode"] == code].iterrows():
            year_intercept[(code, int(y["aar"]))] = _calibrated_intercept(y["maalopfyldelse"], spread[code] * effects,
                                                                          weights)
    return intercept, spread, year_intercept


def _hba1c_practice_shift(inputs, quality, ind_noise, ind_col, patients_per_practice) -> tuple:
    """HbA1c's practice shift on the log scale (its scale, the practice effects and the patients' own SD),
    sized so the share <= 53 mmol/mol spreads between practices by the indicators' SD."""
    v = inputs.settings["values"]
    target_sd = inputs.settings["practice_indicator_sd"]
    hba1c_effects = quality + ind_noise[:, ind_col["hba1c_53"]]
    hba1c_k = _value_spread_scale(math.log(53.5), v["hba1c_log_median"], v["hba1c_log_sd"], hba1c_effects,
                                  patients_per_practice["T2"], target_sd)
    hba1c_within = math.sqrt(v["hba1c_log_sd"] ** 2 - (hba1c_k * _weighted_sd(hba1c_effects,
                                                                             patients_per_practice["T2"])) ** 2)
    return hba1c_k, hba1c_effects, hba1c_within


def _nursing_home_met(inputs, years) -> np.ndarray:
    """The nursing-home rate a person has met at the highest since the first year, by year, sex and age:
    a resident moves in when it passes their propensity, and stays (coverage falls a little every year)."""
    ages = np.arange(131)
    met = np.zeros((len(years), 2, len(ages)))
    for k, year in enumerate(years):
        for sex in (0, 1):
            now = nursing_home_rate(inputs, age_group_index(ages, inputs.age_starts), np.full(len(ages), sex == 1),
                                    year) * (ages >= 65)
            before = np.concatenate([[0.0], met[k - 1, sex, :-1]]) if k else 0.0
            met[k, sex] = np.maximum(now, before)
    return met


def _design(m: _Panel, year: int) -> dict:
    """Who is a patient in `year`, and the factors their activity rates depend on (no random draws)."""
    s = m.inputs.settings
    start, end = day_of(year), day_of(year + 1) - 1
    listed = (m.end_day == NO_DATE) | (m.end_day >= start)
    active = (m.dx_day <= end) & listed[:, None]
    rows = np.flatnonzero(active.any(axis=1))
    a = active[rows]
    age = year - m.born[rows]
    men = m.men[rows]
    p = m.praksis[rows]
    first = np.where(a, m.dx_day[rows], NO_DATE).min(axis=1)
    stop = np.minimum(np.where(m.end_day[rows] == NO_DATE, end, m.end_day[rows]), end)
    exposure = np.clip((stop - np.maximum(first, start) + 1) / (end - start + 1), 0.02, 1.0)
    n_dx = a.sum(axis=1)
    home_rate = m.met[m.years.index(year), men.astype(int), np.clip(age, 0, m.met.shape[2] - 1)]
    in_home = (age >= 65) & (m.home_u[rows] < np.minimum(home_rate * s["nursing_home_cohort_factor"], 0.9))
    t2, kol = a[:, DX_CODES.index("T2")], a[:, DX_CODES.index("KOL")]
    # Kronikerhonorar (type 2-diabetes and KOL): a patient enrolled once stays enrolled.
    # The region's shift (an estimate) moves whole regions; each practice's own shift moves it within its region.
    uptake = float(m.inputs.uptake.loc[year])
    shift = m.practices["uptake_shift"].to_numpy()[p]
    if m.inputs.region_uptake_shift is not None:
        shift = shift + m.inputs.region_uptake_shift[m.practices["region"].to_numpy()[p]]
    enrolled = (t2 | kol) & (m.uptake_draw[rows] < _expit(_logit(uptake) + shift))
    aars_p = _level(a, m.rates["aarskontrol"])
    syg_rate = np.where(in_home, 1.5, _level(a, m.rates["sygebesoeg"]) * np.where(age >= 80, 2.0, 1.0))
    child_astma = a[:, DX_CODES.index("astma")] & (age < 18) & (n_dx == 1)
    return {
        "year": year, "start": start, "end": end, "rows": rows, "a": a, "age": age, "men": men, "p": p,
        "exposure": exposure, "n_dx": n_dx, "in_home": in_home, "enrolled": enrolled, "aars_p": aars_p,
        "syg_rate": syg_rate,
        # The most contact-heavy diagnosis sets the level; more diagnoses, age, sex, a nursing home
        # and the practice's style add to it.
        "contacts": (1 + 0.15 * (n_dx - 1)) * (0.75 + 0.006 * age) * np.where(men, 0.92, 1.08)
        * np.where(in_home, s["nursing_home_contact_factor"], 1.0) * m.style[p] * exposure,
        "contacts_extra": aars_p * np.minimum(exposure * 2, 1) + syg_rate * exposure,
        "child_astma": child_astma,
        "indlaeggelser": (0.7 + 0.006 * age) * np.where(in_home, s["nursing_home_admission_factor"], 1.0)
        * exposure,
        # Type 2-diabetes and KOL patients on kronikerhonorar have 5 hospital visits a year against 8.
        "ambulante_besoeg": np.where(enrolled, s["kronikerhonorar_hospital_factor"], 1.0) * exposure,
        "speciallaege_besoeg": exposure,
    }


def _with_activity_levels(m: _Panel, reference: dict) -> _Panel:
    """Per-diagnosis multipliers, calibrated on the reference year so that each diagnosis's patients
    average the rate in aktivitet.csv, and the factor for children's astma admissions."""
    rates = m.rates
    # Astma admissions: the rate of adults with astma alone (with another diagnosis, that one sets the
    # level), and children with astma alone get their own factor.
    astma_alone = {DX_CODES.index("astma"): (reference["age"] >= 18) & (reference["n_dx"] == 1)}
    multiplier = {
        "kontakter_pr_patient": _calibrate(reference["a"], rates["kontakter_pr_patient"], reference["contacts"],
                                           reference["contacts_extra"]),
        **{name: _calibrate(reference["a"], rates[name], reference[name], 0.0,
                            astma_alone if name == "indlaeggelser" else {})
           for name in ("indlaeggelser", "ambulante_besoeg", "speciallaege_besoeg")},
    }
    children = reference["child_astma"]
    child_level = (_level(reference["a"], rates["indlaeggelser"] * multiplier["indlaeggelser"])
                   * reference["indlaeggelser"])[children].mean() if children.any() else 1.0
    child_factor = float(m.inputs.activity.loc["astma", "indlaeggelser_boern"]) / max(child_level, 1e-12)
    return replace(m, multiplier=multiplier, child_factor=child_factor)


def _year_rows(m: _Panel, d: dict, rng) -> pd.DataFrame:
    """One year's person-year rows: every draw in its fixed order, then the columns."""
    a = d["a"]
    t2 = a[:, DX_CODES.index("T2")]
    y = {**d, "n": len(d["rows"]), "nan": np.full(len(d["rows"]), np.nan, dtype=np.float32),
         "trend": m.inputs.settings["indicator_trend_per_year"] * (d["year"] - m.ref),
         "t2": t2, "kol": a[:, DX_CODES.index("KOL")], "dm": t2 | a[:, DX_CODES.index("T1")],
         "astma": a[:, DX_CODES.index("astma")], "af": a[:, DX_CODES.index("AF")], "hf": a[:, DX_CODES.index("HF")]}
    drawn = _contact_draws(m, y, rng)
    drawn |= _spirometry_draws(m, y, rng)
    drawn |= _fees(m, y, drawn)
    drawn |= _hospital_draws(m, y, rng)
    drawn |= _measured_value_draws(m, y, rng)
    drawn |= _two_year_examinations(m, y, rng)
    drawn |= _smoking_and_bmi_draws(m, y, rng)
    drawn |= _kol_af_hf_draws(m, y, rng, drawn["fev1_measured"])
    drawn |= _astma_draws(m, y, rng)
    return _year_frame(m, y, drawn)


def _probability(m: _Panel, y: dict, code: str) -> np.ndarray:
    """Each patient's chance of meeting indicator `code` by their practice (computed per practice, then looked up)."""
    base = m.year_intercept.get((code, y["year"]), m.intercept[code] + y["trend"])
    return _expit(base + m.spread[code] * (m.quality + m.ind_noise[:, m.ind_col[code]]))[y["p"]]


def _chance(m: _Panel, y: dict, rng, code: str, who: np.ndarray) -> np.ndarray:
    """Who of `who` meets indicator `code` this year (one draw per patient)."""
    return who & (rng.random(y["n"]) < _probability(m, y, code))


def _rate(m: _Panel, y: dict, name: str) -> np.ndarray:
    """Each patient's expected count of activity `name` this year, at the calibrated level."""
    factor = y["contacts" if name == "kontakter_pr_patient" else name]
    value = _level(y["a"], m.rates[name] * m.multiplier[name]) * factor
    return np.where(y["child_astma"], m.child_factor, 1.0) * value if name == "indlaeggelser" else value


def _contact_draws(m: _Panel, y: dict, rng) -> dict:
    """Contacts in general practice by kind, the annual check-up and home visits."""
    lam = _rate(m, y, "kontakter_pr_patient")
    mix = m.inputs.activity.iloc[0]
    konsultation = rng.poisson(lam * mix["andel_konsultation"])
    telefon = rng.poisson(lam * mix["andel_telefon"])
    email = rng.poisson(lam * mix["andel_email"])
    video = rng.poisson(lam * mix["andel_video"])
    aarskontrol = (rng.random(y["n"]) < y["aars_p"] * np.minimum(y["exposure"] * 2, 1)).astype(np.int16)
    sygebesoeg = rng.poisson(y["syg_rate"] * y["exposure"])
    return {"konsultation": konsultation, "telefon": telefon, "email": email, "video": video,
            "aarskontrol": aarskontrol, "sygebesoeg": sygebesoeg}


def _spirometry_draws(m: _Panel, y: dict, rng) -> dict:
    """Whose lung function is measured (FEV1 for KOL, lung function for astma) and so who has a spirometry."""
    fev1_measured = _chance(m, y, rng, "fev1_maalt", y["kol"])
    lung_measured = _chance(m, y, rng, "lungefunktion", y["astma"])
    spirometri = (fev1_measured | lung_measured).astype(np.int16)
    return {"fev1_measured": fev1_measured, "lung_measured": lung_measured, "spirometri": spirometri}


def _fees(m: _Panel, y: dict, drawn: dict) -> dict:
    """The year's fees for the services drawn and the kronikerhonorar, in the year's prices (no draws)."""
    fee, act = m.inputs.fees, m.inputs.activity
    t2, kol, enrolled = y["t2"], y["kol"], y["enrolled"]
    index = (1 + m.inputs.settings["fee_index_per_year"]) ** (y["year"] - m.ref)
    service_fees = (drawn["konsultation"] * fee["konsultation"] + drawn["telefon"] * fee["telefon"]
                    + drawn["email"] * fee["email"] + drawn["video"] * fee["video"]
                    + drawn["aarskontrol"] * fee["aarskontrol"])
    billed = (np.where(enrolled, 0, service_fees) + drawn["sygebesoeg"] * fee["sygebesoeg"]
              + drawn["spirometri"] * fee["spirometri"])
    # The annual fee is paid for the part of the year the patient is on the list.
    chronic_fee = np.where(t2 & kol & enrolled, fee["kronikerhonorar_begge"],
                           np.where(enrolled & t2, act.loc["diabetes", "kronikerhonorar_kr"],
                                    np.where(enrolled & kol, act.loc["KOL", "kronikerhonorar_kr"], 0))) * y["exposure"]
    return {"honorar_kr": np.round(billed * index).astype(np.int32),
            "kronikerhonorar_kr": np.round(chronic_fee * index).astype(np.int32)}


def _hospital_draws(m: _Panel, y: dict, rng) -> dict:
    """Hospital (LPR-like) admissions and outpatient visits, and visits to specialist practice (SSR)."""
    admissions = rng.poisson(_rate(m, y, "indlaeggelser"))
    outpatient = rng.poisson(_rate(m, y, "ambulante_besoeg"))
    specialist = rng.poisson(_rate(m, y, "speciallaege_besoeg"))
    return {"admissions": admissions, "outpatient": outpatient, "specialist": specialist}


def _measured_value_draws(m: _Panel, y: dict, rng) -> dict:
    """Whose HbA1c, blood pressure, LDL and eGFR are measured, and the values."""
    v = m.inputs.settings["values"]
    n, nan, p, dm = y["n"], y["nan"], y["p"], y["dm"]
    quality = m.quality
    hba1c_measured = _chance(m, y, rng, "hba1c_maalt", dm)
    # Better practices, lower HbA1c; type 1 runs higher (a quarter of adults at <= 53 mmol/mol).
    practice_shift = -m.hba1c_k * m.hba1c_effects[p]
    median = np.where(y["a"][:, DX_CODES.index("T1")], v["hba1c_t1_log_median"], v["hba1c_log_median"])
    hba1c = np.where(hba1c_measured, np.round(np.exp(
        median + practice_shift + m.hba1c_within * (0.8 * m.hba1c_person[y["rows"]] + 0.6 * rng.standard_normal(n))
        - 0.004 * (y["year"] - m.ref))), nan)
    bp_measured = _chance(m, y, rng, "bt_maalt", dm | y["hf"] | y["af"])
    systolic = np.where(bp_measured, np.round(rng.normal(v["systolic_mean"] - 2 * quality[p], v["systolic_sd"], n)),
                        nan)
    diastolic = np.where(bp_measured, np.round(rng.normal(v["diastolic_mean"], v["diastolic_sd"], n)), nan)
    ldl_measured = dm & (rng.random(n) < v["ldl_measured"])
    ldl = np.where(ldl_measured, np.round(np.exp(rng.normal(v["ldl_log_median"] - 0.05 * quality[p],
                                                            v["ldl_log_sd"], n)), 1), nan)
    egfr_measured = _chance(m, y, rng, "egfr_maalt", dm | y["hf"])
    egfr = np.where(egfr_measured, np.clip(np.round(rng.normal(v["egfr_mean"] - 0.3 * (y["age"] - 65), v["egfr_sd"],
                                                               n)), 8, 130), nan)
    return {"hba1c": hba1c, "systolic": systolic, "diastolic": diastolic, "ldl": ldl, "egfr": egfr}


def _two_year_examinations(m: _Panel, y: dict, rng) -> dict:
    """Which diabetes patients had urine albumin, feet and eyes examined within two years (this year or last)."""
    n, rows, dm = y["n"], y["rows"], y["dm"]
    two_year = {}
    for code in ("uacr_2aar", "fod_2aar", "oeje_2aar"):
        p2 = _probability(m, y, code)
        yearly = 1 - np.sqrt(1 - p2)
        this_year = dm & (rng.random(n) < yearly)
        # In the first year in the data, last year's examination happened with the same chance if
        # the patient already had diabetes then, never before the diagnosis.
        diabetes_day = np.minimum(m.dx_day[rows, DX_CODES.index("T1")], m.dx_day[rows, DX_CODES.index("T2")])
        first_time = ~m.seen_before[rows]
        earlier = first_time & (diabetes_day < y["start"]) & (rng.random(n) < yearly)
        last_year = np.where(first_time, earlier, m.previous[code][rows])
        two_year[code] = np.where(dm, this_year | (last_year & dm), False)
        m.previous[code][rows] = this_year
    m.seen_before[rows] = True
    return {"two_year": two_year}


def _smoking_and_bmi_draws(m: _Panel, y: dict, rng) -> dict:
    """Whose smoking status and BMI are registered, and the values."""
    v = m.inputs.settings["values"]
    n, nan, kol, dm = y["n"], y["nan"], y["kol"], y["dm"]
    # KOL patients' registrations follow the KOL indicators; the others' are estimates.
    smoking_registered = _chance(m, y, rng, "ryg_maalt", kol) | (
        dm & ~kol & (rng.random(n) < v["diabetes_smoking_registered"])) | (
        (y["af"] | y["hf"] | y["astma"]) & ~kol & ~dm & (rng.random(n) < v["other_smoking_registered"]))
    smoker_share = np.where(kol, m.inputs.indicators.loc["ryger", "maalopfyldelse_2024"],
                            np.where(dm, v["diabetes_smokers"], v["other_smokers"]))
    ryger = np.where(smoking_registered, (m.smoker_draw[y["rows"]] < smoker_share).astype(np.float32), nan)
    bmi_registered = _chance(m, y, rng, "bmi_maalt", kol) | (dm & ~kol & (rng.random(n) < 0.85))
    bmi = np.where(bmi_registered, np.round(rng.normal(np.where(kol & ~dm, 25.5, v["bmi_mean"]), v["bmi_sd"], n),
                                            1), nan)
    return {"ryger": ryger, "bmi": bmi}


def _kol_af_hf_draws(m: _Panel, y: dict, rng, fev1_measured: np.ndarray) -> dict:
    """KOL's FEV1 and MRC, atrieflimren's CHA2DS2-VASc and anticoagulation, hjertesvigt's NYHA and medicines."""
    v = m.inputs.settings["values"]
    n, nan, age, men = y["n"], y["nan"], y["age"], y["men"]
    kol, af, hf, dm = y["kol"], y["af"], y["hf"], y["dm"]
    fev1 = np.where(fev1_measured, np.clip(np.round(rng.normal(v["fev1_mean"], v["fev1_sd"], n)), 12, 120), nan)
    mrc = np.where(_chance(m, y, rng, "mrc_maalt", kol), rng.choice(5, n, p=v["mrc_shares"]) + 1, nan)
    chads_score = (np.where(age >= 75, 2, np.where(age >= 65, 1, 0)) + (~men) + hf + dm
                   + m.chads_extra[y["rows"]]).astype(np.float32)
    chads = np.where(_chance(m, y, rng, "chads_maalt", af), chads_score, nan)
    indicated = af & (chads_score >= np.where(men, 2, 3))
    oac = np.where(af, np.where(indicated, _chance(m, y, rng, "ak_indiceret", indicated),
                                rng.random(n) < v["oac_without_indication"]), False)
    nyha = np.where(_chance(m, y, rng, "nyha_maalt", hf), rng.choice(4, n, p=v["nyha_shares"]) + 1, nan)
    reduced = hf & m.hfref[y["rows"]]
    medicine = {code: np.where(hf, _chance(m, y, rng, code, reduced) | (hf & ~reduced & (rng.random(n) < 0.3)), False)
                for code in ("ace_arb", "betablokker", "mra", "sglt2i")}
    return {"fev1": fev1, "mrc": mrc, "chads": chads, "oac": oac, "indicated": indicated, "nyha": nyha,
            "reduced": reduced, "medicine": medicine}


def _astma_draws(m: _Panel, y: dict, rng) -> dict:
    """Which astma patients had their astma control and are treated with inhaled steroids (ICS)."""
    astma_control = _chance(m, y, rng, "astmakontrol", y["astma"])
    ics = _chance(m, y, rng, "ics", y["astma"])
    return {"astma_control": astma_control, "ics": ics}


def _flag(mask: np.ndarray, who: np.ndarray, nan: np.ndarray) -> np.ndarray:
    """1/0 for `who`, empty for the rest."""
    return np.where(who, mask.astype(np.float32), nan)


def _year_frame(m: _Panel, y: dict, x: dict) -> pd.DataFrame:
    """The year's rows: the person-year's keys and status, then the activity and the patient values."""
    rows, a, start, end = y["rows"], y["a"], y["start"], y["end"]
    dm, af, hf, astma, nan = y["dm"], y["af"], y["hf"], y["astma"], y["nan"]
    two_year, medicine = x["two_year"], x["medicine"]
    return pd.DataFrame({
        "person_row": rows.astype(np.int32),
        "aar": np.full(y["n"], y["year"], dtype=np.int16),
        "alder": y["age"].astype(np.int16),
        "dx_maske": (a * (1 << np.arange(len(DX_CODES)))).sum(axis=1).astype(np.int8),
        "nye_maske": (a & (m.dx_day[rows] >= start)).dot(1 << np.arange(len(DX_CODES))).astype(np.int8),
        "doed": (m.died[rows] & (m.end_day[rows] >= start) & (m.end_day[rows] <= end)).astype(np.int8),
        "plejehjem": y["in_home"].astype(np.int8),
        "kronikerhonorar": y["enrolled"].astype(np.int8),
        "konsultation": x["konsultation"].astype(np.int16),
        "telefon": x["telefon"].astype(np.int16),
        "email": x["email"].astype(np.int16),
        "video": x["video"].astype(np.int16),
        "aarskontrol": x["aarskontrol"],
        "sygebesoeg": x["sygebesoeg"].astype(np.int16),
        "spirometri": x["spirometri"],
        "honorar_kr": x["honorar_kr"],
        "kronikerhonorar_kr": x["kronikerhonorar_kr"],
        "indlaeggelser": x["admissions"].astype(np.int16),
        "ambulante_besoeg": x["outpatient"].astype(np.int16),
        "speciallaege_besoeg": x["specialist"].astype(np.int16),
        "hba1c": x["hba1c"].astype(np.float32),
        "systolisk": x["systolic"].astype(np.float32),
        "diastolisk": x["diastolic"].astype(np.float32),
        "ldl": x["ldl"].astype(np.float32),
        "egfr": x["egfr"].astype(np.float32),
        "u_albumin_2aar": _flag(two_year["uacr_2aar"], dm, nan),
        "fodundersoegelse_2aar": _flag(two_year["fod_2aar"], dm, nan),
        "oejenundersoegelse_2aar": _flag(two_year["oeje_2aar"], dm, nan),
        "bmi": x["bmi"].astype(np.float32),
        "ryger": x["ryger"].astype(np.float32),
        "fev1_pct": x["fev1"].astype(np.float32),
        "mrc": x["mrc"].astype(np.float32),
        "cha2ds2_vasc": x["chads"].astype(np.float32),
        "ak_behandling": _flag(x["oac"], af, nan),
        "ak_indiceret": _flag(x["indicated"], af, nan),
        "nedsat_ef": _flag(x["reduced"], hf, nan),
        "nyha": x["nyha"].astype(np.float32),
        "ace_arb_arni": _flag(medicine["ace_arb"], hf, nan),
        "betablokker": _flag(medicine["betablokker"], hf, nan),
        "mra": _flag(medicine["mra"], hf, nan),
        "sglt2i": _flag(medicine["sglt2i"], hf, nan),
        "astmakontrol": _flag(x["astma_control"], astma, nan),
        "lungefunktion": _flag(x["lung_measured"], astma, nan),
        "ics": _flag(x["ics"], astma, nan),
    })


# --- pathways ---------------------------------------------------------------------------------


def _pathways(inputs, persons, dx_day, rng, years) -> pd.DataFrame:
    horizon = day_of(years[-1] + 1) - 1
    first_day = day_of(years[0])
    death = np.where(persons["doed"].to_numpy(), persons["slutdag"].to_numpy(), NO_DATE)
    frames = []
    for _, dx in inputs.diagnoses.iterrows():
        i = DX_CODES.index(dx["kode"])
        rows = np.flatnonzero((dx_day[:, i] != NO_DATE) & (dx_day[:, i] >= first_day))
        start = dx_day[rows, i]
        path = inputs.pathways.loc[dx["diagnose"]]
        out = {"person_row": rows.astype(np.int32), "dx": np.full(len(rows), i, dtype=np.int8), "diagnosedag": start}
        for kind in ("speciallaege", "sygehus"):
            share, median = path[f"andel_{kind}_1aar"], path[f"median_dage_{kind}"]
            rate = np.log(2) / median
            u = rng.random(len(rows))
            # Truncated exponential: every contact falls within the first year.
            days = np.floor(-np.log(1 - u * (1 - np.exp(-rate * 365))) / rate)
            happens = rng.random(len(rows)) < share
            seen = start + days
            ok = happens & (seen <= horizon) & ((death[rows] == NO_DATE) | (seen <= death[rows]))
            out[f"dage_til_{kind}"] = np.where(ok, days, np.nan).astype(np.float32)
        frames.append(pd.DataFrame(out))
    return pd.concat(frames, ignore_index=True)


# --- hospital contacts for the diagnoses themselves ---------------------------------------------------


def _hospital_for_diagnoses(inputs: CohortInputs, person_years: pd.DataFrame, rng: np.random.Generator,
                            ref: int) -> pd.DataFrame:
    """Per person-year and diagnosis: a hospital contact for that diagnosis (admission or outpatient visit),
    an admission for it, and an acute readmission within 30 days of a discharge from such an admission, as
    bit masks like `dx_maske`. The all-cause contacts already drawn bound them: an admission for a diagnosis
    needs an admission, an outpatient contact for it an outpatient visit. The chances are calibrated in the
    reference year so the shares of sygehuskontakt.csv hold there."""
    rates = inputs.hospital_contact
    mask = person_years["dx_maske"].to_numpy().astype(np.int64)
    admitted_any = person_years["indlaeggelser"].to_numpy() > 0
    outpatient_any = person_years["ambulante_besoeg"].to_numpy() > 0
    in_ref = person_years["aar"].to_numpy() == ref
    contact_mask = np.zeros(len(person_years), dtype=np.int8)
    admitted_mask = np.zeros(len(person_years), dtype=np.int8)
    readmitted_mask = np.zeros(len(person_years), dtype=np.int8)
    for i, code in enumerate(DX_CODES):
        has = (mask >> i) & 1 == 1
        if not has.any():
            continue
        row = rates.loc[code]
        base = has & in_ref
        # Admitted for the diagnosis: a share of those admitted at all.
        p_admit = min(float(row["andel_indlagt"]) / max(admitted_any[base].mean(), 1e-12), 1.0)
        admitted = has & admitted_any & (rng.random(len(has)) < p_admit)
        # A contact for the diagnosis: every admission for it, and a share of the rest with an outpatient visit.
        rest = base & ~admitted & outpatient_any
        missing = float(row["andel_sygehuskontakt"]) - admitted[base].mean()
        p_outpatient = float(np.clip(missing / max(rest.sum() / max(base.sum(), 1), 1e-12), 0.0, 1.0))
        contact = admitted | (has & outpatient_any & (rng.random(len(has)) < p_outpatient))
        readmitted = admitted & (rng.random(len(has)) < float(row["andel_genindlagt_30d"]))
        bit = np.int8(1 << i)
        contact_mask |= np.where(contact, bit, 0).astype(np.int8)
        admitted_mask |= np.where(admitted, bit, 0).astype(np.int8)
        readmitted_mask |= np.where(readmitted, bit, 0).astype(np.int8)
    return person_years.assign(sygehus_dx_maske=contact_mask, indlagt_dx_maske=admitted_mask,
                               genindlagt_dx_maske=readmitted_mask)
