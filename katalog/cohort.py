"""The synthetic person-level cohort: GP patients with the five diagnoses, simulated 2019–2025.

Deterministic from the seed and the parameter files in mockdata/ (read by katalog.mockdata).
Everything is vectorised numpy: a national cohort (≈1.3 million persons over 2019–2025, ≈6 million
person-years) takes about 20 s. The aggregate tables that charts read are derived from it in
katalog.mockdata; the cohort itself is never readable by chart SQL.

How the cohort comes about:
1. The reference-year population (kommune × sex × 5-year age group) is expanded to virtual
   persons with a cardiometabolic factor, so atrieflimren, hjertesvigt and type 2-diabetes meet in
   the same persons more often than chance (multimorbidity).
2. Each diagnosis picks its reference-year patients cell by cell, with the national count,
   sex and age profile, regional factor and kommune noise of diagnoser.csv.
3. Each patient gets a diagnosis date (duration ~ prevalence / incidence), a risk of death,
   a practice in the home kommune and a nursing-home propensity (a place once old enough).
4. Earlier years get the patients who died before the reference year (copies of likely
   decedents, moved back in time); the year after gets new patients.
5. Every person-year gets contacts (SSR), fees, hospital and specialist activity and the
   reported patient values, with practice-level variation in what gets measured.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    """What the simulation needs, already read and checked by katalog.mockdata."""

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
    scale: float


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
    men_share = np.where(children & pd.notna(dx["andel_maend_boern"]),
                         dx["andel_maend_boern"] if pd.notna(dx["andel_maend_boern"]) else 0.0, dx["andel_maend"])
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


def _reference_patients(inputs: CohortInputs, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    s = inputs.settings
    pop = inputs.population
    counts = pop["n"].to_numpy()
    cell = np.repeat(np.arange(len(pop)), counts)
    frailty = rng.standard_normal(len(cell)).astype(np.float32)
    cardio = rng.standard_normal(len(cell)).astype(np.float32)
    beta = s["multimorbidity_frailty"]
    loadings = s["cardiometabolic_loading"]
    ref = int(s["reference_year"])
    chosen = np.zeros((len(cell), len(DX_CODES)), dtype=bool)
    for _, dx in inputs.diagnoses.iterrows():
        i = DX_CODES.index(dx["kode"])
        p_cell = _cell_expectations(inputs, dx, rng) / np.maximum(counts, 1)
        load = loadings.get(dx["kode"], 0.0)
        # A shared frailty and a cardiometabolic factor (atrieflimren, hjertesvigt, type 2-diabetes)
        # make diagnoses meet in the same persons more often than chance; mean lift 1 keeps the counts.
        lift = np.exp(beta * frailty - beta * beta / 2 + load * cardio - load * load / 2)
        p = np.minimum(p_cell[cell] * lift, 0.9)
        pick = rng.random(len(cell)) < p
        if dx["kode"] == "T2":  # type 1 (drawn first) and type 2 diabetes exclude each other
            pick &= ~chosen[:, DX_CODES.index("T1")]
        chosen[:, i] = pick
    keep = chosen.any(axis=1)
    cell, chosen = cell[keep], chosen[keep]
    age5 = pop["age5"].to_numpy()[cell]
    start = inputs.age_starts[age5]
    oldest = age5 == len(inputs.age_starts) - 1
    within = np.where(oldest, np.floor(rng.exponential(4.5, len(cell))).clip(0, 19),
                      np.floor(rng.random(len(cell)) * 5))
    age = (start + within).astype(int)
    persons = pd.DataFrame({
        "koen": pop["koen"].to_numpy()[cell].astype(np.int8),
        "foedselsaar": (ref - age).astype(np.int16),
        "kommune": pop["kommune"].to_numpy()[cell].astype(np.int16),
    })
    # Diagnosis dates: duration since diagnosis ~ exponential(prevalence / incidence), not before age 0
    # (type 1 diabetes and astma) or 18 (the rest).
    dx_day = np.full(chosen.shape, NO_DATE, dtype=np.int32)
    end_ref = day_of(ref + 1) - 1
    for _, dx in inputs.diagnoses.iterrows():
        i = DX_CODES.index(dx["kode"])
        rows = np.flatnonzero(chosen[:, i])
        # Exponential durations with P(shorter than a year) = new / patients, so the reference year
        # gets the declared number of new patients.
        mean_years = -1.0 / np.log(1.0 - dx["nye_2024"] / dx["patienter_2024"])
        onset = 0 if dx["kode"] in CHILDHOOD_DIAGNOSES else 18
        room = np.maximum(age[rows] - onset, 0) + rng.random(len(rows))
        years_ago = np.minimum(rng.exponential(mean_years, len(rows)), room)
        dx_day[rows, i] = (end_ref - np.floor(years_ago * 365.25)).astype(np.int32)
    return persons, dx_day


# --- 3: practices, kvalitetsklynger, nursing homes ------------------------------------------------


def _practices(inputs: CohortInputs, persons: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    s = inputs.settings
    pop = inputs.population.groupby("kommune")["n"].sum()
    per_kommune = np.maximum(1, np.round(pop.to_numpy() / inputs.scale / s["listed_per_practice"])).astype(int)
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


def nursing_home_rate(inputs: CohortInputs, age5: np.ndarray, men: np.ndarray) -> np.ndarray:
    """Share of the population in a nursing home, by age group and sex (women weigh more)."""
    s = inputs.settings
    base = inputs.nursing_home_share[age5]
    women = s["nursing_home_women_factor"]
    pop = inputs.population
    # Normalise so the sex factor moves residents between the sexes without changing the total.
    share_women = np.bincount(pop["age5"], weights=pop["n"] * (pop["koen"] == 0), minlength=len(base)) / np.maximum(
        np.bincount(pop["age5"], weights=pop["n"], minlength=len(base)), 1)
    norm = share_women * women + (1 - share_women)
    return base[...] * np.where(men, 1.0, women) / norm[age5]


def age_group_index(age: np.ndarray, age_starts: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(age_starts, age, side="right") - 1, 0, len(age_starts) - 1)


# --- 4: deaths, earlier years, the year after -------------------------------------------------


def _hazard(inputs: CohortInputs, age: np.ndarray, men: np.ndarray, dx_mask: np.ndarray) -> np.ndarray:
    excess = inputs.diagnoses["overdoedelighed"].to_numpy()
    worst = np.where(dx_mask, excess[None, :], 1.0).max(axis=1)
    base = inputs.mortality[age_group_index(age, inputs.age_starts)] / 1000
    return np.minimum(base * np.where(men, inputs.settings["men_mortality_factor"], 1.0) * worst, 0.6)


def _exit_rates(inputs: CohortInputs, dx_day: np.ndarray, hazard: np.ndarray, ref: int) -> np.ndarray:
    """Per diagnosis, the yearly share that leaves the active patient list alive (remission, follow-up
    moved to hospital, no contact within the 'aktiv patient' window), so that prevalence changes by
    the diagnosis's declared yearly change: new - deaths - leavers = change."""
    rates = np.zeros(len(DX_CODES))
    for _, dx in inputs.diagnoses.iterrows():
        i = DX_CODES.index(dx["kode"])
        has = dx_day[:, i] != NO_DATE
        patients = has.sum()
        if not patients:
            continue
        new = (has & (dx_day[:, i] >= day_of(ref))).sum()
        deaths = hazard[has].sum()
        rates[i] = max(0.0, (new - deaths - dx["aarlig_udvikling"] * patients) / patients)
    return rates


def _deaths_and_history(inputs, persons, dx_day, rng, ref, years):
    """Each patient's last day as a patient (`slutdag`: death or leaving the list alive, `doed` says
    which) in the reference year and after; earlier years get the patients who ended before."""
    start_ref = day_of(ref)
    men = persons["koen"].to_numpy() == 1
    age = ref - persons["foedselsaar"].to_numpy()
    has = dx_day != NO_DATE
    hazard = _hazard(inputs, age, men, has)
    exit_rate = np.where(has, _exit_rates(inputs, dx_day, hazard, ref)[None, :], np.inf).min(axis=1)
    ending = np.minimum(hazard + exit_rate, 0.9)
    end = np.full(len(persons), NO_DATE, dtype=np.int32)
    died = np.zeros(len(persons), dtype=bool)
    first = np.where(has, dx_day, NO_DATE).min(axis=1)
    for year in [y for y in years if y >= ref]:
        active = end == NO_DATE
        # Mortality rises as the patients age year by year.
        hazard_now = _hazard(inputs, age + (year - ref), men, has)
        ending_now = np.minimum(hazard_now + exit_rate, 0.9)
        # Diagnosed before the year starts, or during it (then only the rest of the year is at risk).
        ends = active & (first <= day_of(year + 1) - 1) & (rng.random(len(persons)) < ending_now)
        by_death = rng.random(len(persons)) < hazard_now / np.maximum(ending_now, 1e-12)
        lo = np.maximum(day_of(year), np.minimum(first, day_of(year + 1) - 1))
        when = lo + np.floor(rng.random(len(persons)) * (day_of(year + 1) - lo)).astype(np.int32)
        end = np.where(ends, when, end).astype(np.int32)
        died |= ends & by_death
    persons["slutdag"] = end
    persons["doed"] = died

    extra_persons, extra_dx = [], []
    # Earlier years: as many endings each year as the reference year has, drawn from likely leavers.
    weights = ending / ending.sum()
    per_year = int(round(ending.sum()))
    for year in [y for y in years if y < ref]:
        shift = ref - year
        pick = rng.choice(len(persons), size=per_year, p=weights)
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
    # Later years: new patients like the reference year's new patients, one diagnosis each.
    for year in [y for y in years if y > ref]:
        shift = year - ref
        for _, dx in inputs.diagnoses.iterrows():
            i = DX_CODES.index(dx["kode"])
            new_in_ref = np.flatnonzero((dx_day[:, i] >= start_ref) & (dx_day[:, i] != NO_DATE))
            if not len(new_in_ref):
                continue
            pick = rng.choice(new_in_ref, size=len(new_in_ref))  # as many new patients as the reference year
            copy = persons.iloc[pick].copy()
            copy["foedselsaar"] = (copy["foedselsaar"] + shift).astype(np.int16)
            days = np.full((len(pick), len(DX_CODES)), NO_DATE, dtype=np.int32)
            days[:, i] = dx_day[pick, i] + np.int32(round(shift * 365.25))
            # Like everyone else, they may die or leave the list in the rest of the year.
            year_end = day_of(year + 1) - 1
            remaining = (year_end - days[:, i] + 1) / 365.25
            ends = rng.random(len(pick)) < ending[pick] * remaining
            when = days[:, i] + np.floor(rng.random(len(pick)) * (year_end - days[:, i] + 1)).astype(np.int32)
            copy["slutdag"] = np.where(ends, when, NO_DATE).astype(np.int32)
            copy["doed"] = ends & (rng.random(len(pick)) < hazard[pick] / np.maximum(ending[pick], 1e-12))
            extra_persons.append(copy)
            extra_dx.append(days)
    persons = pd.concat([persons, *extra_persons], ignore_index=True)
    dx_day = np.vstack([dx_day, *extra_dx])
    return persons, dx_day


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
        if slope <= 0:
            break
        c -= (mean - target) / slope
    return c


def _person_years(inputs, persons, dx_day, practices, rng, years) -> pd.DataFrame:
    s = inputs.settings
    v = s["values"]
    ref = int(s["reference_year"])
    act = inputs.activity
    fee = inputs.fees
    ind = inputs.indicators
    n_persons = len(persons)
    men_all = persons["koen"].to_numpy() == 1
    born = persons["foedselsaar"].to_numpy().astype(int)
    praksis = persons["praksis"].to_numpy()
    home_u = persons["plejehjem_u"].to_numpy()
    end_day = persons["slutdag"].to_numpy()  # last day as a patient (death or leaving the list)
    died = persons["doed"].to_numpy()
    quality = practices["kvalitet"].to_numpy()
    style = practices["contact_style"].to_numpy()
    n_ind = len(ind)
    ind_noise = rng.normal(0, s["indicator_noise_sd"], (len(practices), n_ind)).astype(np.float32)
    ind_col = {code: j for j, code in enumerate(ind.index)}
    dx_names = inputs.diagnoses["diagnose"].to_numpy()
    # Per-person constants that last across years.
    uptake_draw = rng.random(n_persons)
    hfref = rng.random(n_persons) < v["hfref_share"]
    chads_extra = (rng.random(n_persons) < 0.6).astype(int) + 2 * (rng.random(n_persons) < 0.1) + (
        rng.random(n_persons) < 0.15)
    smoker_draw = rng.random(n_persons)
    hba1c_person = rng.normal(0, v["hba1c_log_sd"] * 0.8, n_persons)
    previous = {code: np.zeros(n_persons, dtype=bool) for code in ("uacr_2aar", "fod_2aar", "oeje_2aar")}
    seen_before = np.zeros(n_persons, dtype=bool)  # whether last year's examinations are in `previous`

    # Which indicators each diagnosis's practice-level intercepts are calibrated on: reference-year
    # patients per practice, so national attainment lands on indikatorer.csv.
    active_ref = (dx_day <= day_of(ref + 1) - 1) & ((end_day >= day_of(ref)) | (end_day == NO_DATE))[:, None]
    patients_per_practice = {
        d: np.bincount(praksis[active_ref[:, DX_CODES.index(d)]], minlength=len(practices)).astype(float)
        for d in DX_CODES
    }
    dx_for_indicator = {"diabetes": "T2", "KOL": "KOL", "atrieflimren": "AF", "hjertesvigt": "HF", "astma": "astma"}
    intercept = {}
    for code, row in ind.iterrows():
        effects = quality + ind_noise[:, ind_col[code]]
        target = row["maalopfyldelse_2024"]
        intercept[code] = _calibrated_intercept(target, effects,
                                                patients_per_practice[dx_for_indicator[row["diagnose"]]])

    rates = {name: np.array([act.loc[d, name] for d in dx_names], dtype=float) for name in (
        "kontakter_pr_patient", "aarskontrol", "sygebesoeg", "indlaeggelser", "ambulante_besoeg",
        "speciallaege_besoeg")}
    astma_i = DX_CODES.index("astma")

    def design(year: int) -> dict:
        """Who is a patient in `year`, and the factors their activity rates depend on (no random draws)."""
        start, end = day_of(year), day_of(year + 1) - 1
        listed = (end_day == NO_DATE) | (end_day >= start)
        active = (dx_day <= end) & listed[:, None]
        rows = np.flatnonzero(active.any(axis=1))
        a = active[rows]
        age = year - born[rows]
        men = men_all[rows]
        p = praksis[rows]
        first = np.where(a, dx_day[rows], NO_DATE).min(axis=1)
        stop = np.minimum(np.where(end_day[rows] == NO_DATE, end, end_day[rows]), end)
        exposure = np.clip((stop - np.maximum(first, start) + 1) / (end - start + 1), 0.02, 1.0)
        n_dx = a.sum(axis=1)
        home_rate = nursing_home_rate(inputs, age_group_index(age, inputs.age_starts), men)
        in_home = (age >= 65) & (home_u[rows] < np.minimum(home_rate * s["nursing_home_cohort_factor"], 0.9))
        t2, kol = a[:, DX_CODES.index("T2")], a[:, DX_CODES.index("KOL")]
        # Kronikerhonorar (type 2-diabetes and KOL): a patient enrolled once stays enrolled.
        uptake = float(inputs.uptake.loc[year])
        enrolled = (t2 | kol) & (uptake_draw[rows] < _expit(_logit(uptake) + practices["uptake_shift"].to_numpy()[p]))
        aars_p = _level(a, rates["aarskontrol"])
        syg_rate = np.where(in_home, 1.5, _level(a, rates["sygebesoeg"]) * np.where(age >= 80, 2.0, 1.0))
        child_astma = a[:, astma_i] & (age < 18) & (n_dx == 1)
        return {
            "year": year, "start": start, "end": end, "rows": rows, "a": a, "age": age, "men": men, "p": p,
            "exposure": exposure, "n_dx": n_dx, "in_home": in_home, "enrolled": enrolled, "aars_p": aars_p,
            "syg_rate": syg_rate,
            # The most contact-heavy diagnosis sets the level; more diagnoses, age, sex, a nursing home
            # and the practice's style add to it.
            "contacts": (1 + 0.15 * (n_dx - 1)) * (0.75 + 0.006 * age) * np.where(men, 0.92, 1.08)
            * np.where(in_home, s["nursing_home_contact_factor"], 1.0) * style[p] * exposure,
            "contacts_extra": aars_p * np.minimum(exposure * 2, 1) + syg_rate * exposure,
            "indlaeggelser": np.where(child_astma, 2.5, 1.0) * (0.7 + 0.006 * age)
            * np.where(in_home, s["nursing_home_admission_factor"], 1.0) * exposure,
            "ambulante_besoeg": np.where(t2 | kol, np.where(enrolled, s["kronikerhonorar_hospital_factor"], 1.25), 1.0)
            * exposure,
            "speciallaege_besoeg": exposure,
        }

    # Per-diagnosis multipliers, calibrated on the reference year so that each diagnosis's patients
    # average the rate in aktivitet.csv (astma admissions: the adults' rate).
    reference = design(ref)
    adults = {astma_i: reference["age"] >= 18}
    multiplier = {
        "kontakter_pr_patient": _calibrate(reference["a"], rates["kontakter_pr_patient"], reference["contacts"],
                                           reference["contacts_extra"]),
        **{name: _calibrate(reference["a"], rates[name], reference[name], 0.0,
                            adults if name == "indlaeggelser" else {})
           for name in ("indlaeggelser", "ambulante_besoeg", "speciallaege_besoeg")},
    }

    frames = []
    for year in years:
        d = reference if year == ref else design(year)
        rows, a, age, men, p, exposure = d["rows"], d["a"], d["age"], d["men"], d["p"], d["exposure"]
        start, end = d["start"], d["end"]
        n = len(rows)
        in_home, enrolled = d["in_home"], d["enrolled"]
        trend = s["indicator_trend_per_year"] * (year - ref)
        t2 = a[:, DX_CODES.index("T2")]
        kol = a[:, DX_CODES.index("KOL")]
        dm = t2 | a[:, DX_CODES.index("T1")]
        astma = a[:, astma_i]
        af = a[:, DX_CODES.index("AF")]
        hf = a[:, DX_CODES.index("HF")]

        def chance(code, who, n=n, trend=trend, p=p):
            return who & (rng.random(n) < _expit(intercept[code] + trend + quality[p] + ind_noise[p, ind_col[code]]))

        def rate(name, a=a, d=d):
            factor = d["contacts" if name == "kontakter_pr_patient" else name]
            return _level(a, rates[name] * multiplier[name]) * factor

        lam = rate("kontakter_pr_patient")
        mix = act.iloc[0]
        konsultation = rng.poisson(lam * mix["andel_konsultation"])
        telefon = rng.poisson(lam * mix["andel_telefon"])
        email = rng.poisson(lam * mix["andel_email"])
        video = rng.poisson(lam * mix["andel_video"])
        aarskontrol = (rng.random(n) < d["aars_p"] * np.minimum(exposure * 2, 1)).astype(np.int16)
        sygebesoeg = rng.poisson(d["syg_rate"] * exposure)

        # Reported patient values.
        fev1_measured = chance("fev1_maalt", kol)
        lung_measured = chance("lungefunktion", astma)
        spirometri = (fev1_measured | lung_measured).astype(np.int16)

        index = (1 + s["fee_index_per_year"]) ** (year - ref)
        service_fees = (konsultation * fee["konsultation"] + telefon * fee["telefon"] + email * fee["email"]
                        + video * fee["video"] + aarskontrol * fee["aarskontrol"])
        billed = np.where(enrolled, 0, service_fees) + sygebesoeg * fee["sygebesoeg"] + spirometri * fee["spirometri"]
        chronic_fee = np.where(t2 & kol & enrolled, fee["kronikerhonorar_begge"],
                               np.where(enrolled & t2, act.loc["diabetes", "kronikerhonorar_kr"],
                                        np.where(enrolled & kol, act.loc["KOL", "kronikerhonorar_kr"], 0)))

        # Hospital (LPR-like) and specialist practice (SSR).
        admissions = rng.poisson(rate("indlaeggelser"))
        outpatient = rng.poisson(rate("ambulante_besoeg"))
        specialist = rng.poisson(rate("speciallaege_besoeg"))

        nan = np.full(n, np.nan, dtype=np.float32)
        hba1c_measured = chance("hba1c_maalt", dm)
        quality_shift = -0.05 * quality[p]  # better practices, lower HbA1c
        hba1c = np.where(hba1c_measured, np.round(np.exp(
            v["hba1c_log_median"] + quality_shift + hba1c_person[rows]
            + rng.normal(0, v["hba1c_log_sd"] * 0.6, n) - 0.004 * (year - ref))), nan)
        bp_measured = chance("bt_maalt", dm | hf | af)
        systolic = np.where(bp_measured, np.round(rng.normal(v["systolic_mean"] - 2 * quality[p], v["systolic_sd"], n)),
                            nan)
        diastolic = np.where(bp_measured, np.round(rng.normal(v["diastolic_mean"], v["diastolic_sd"], n)), nan)
        ldl_measured = dm & (rng.random(n) < v["ldl_measured"])
        ldl = np.where(ldl_measured, np.round(np.exp(rng.normal(v["ldl_log_median"] - 0.05 * quality[p],
                                                                v["ldl_log_sd"], n)), 1), nan)
        egfr_measured = chance("egfr_maalt", dm | hf)
        egfr = np.where(egfr_measured, np.clip(np.round(rng.normal(v["egfr_mean"] - 0.3 * (age - 65), v["egfr_sd"], n)),
                                               8, 130), nan)
        two_year = {}
        for code in ("uacr_2aar", "fod_2aar", "oeje_2aar"):
            p2 = _expit(intercept[code] + trend + quality[p] + ind_noise[p, ind_col[code]])
            yearly = 1 - np.sqrt(1 - p2)
            this_year = dm & (rng.random(n) < yearly)
            # In the first year in the data, last year's examination happened with the same chance if
            # the patient already had diabetes then, never before the diagnosis.
            diabetes_day = np.minimum(dx_day[rows, DX_CODES.index("T1")], dx_day[rows, DX_CODES.index("T2")])
            first_time = ~seen_before[rows]
            earlier = first_time & (diabetes_day < start) & (rng.random(n) < yearly)
            last_year = np.where(first_time, earlier, previous[code][rows])
            two_year[code] = np.where(dm, this_year | (last_year & dm), False)
            previous[code][rows] = this_year
        # KOL patients' registrations follow the KOL indicators; the others' are estimates.
        smoking_registered = chance("ryg_maalt", kol) | (dm & ~kol & (rng.random(n) < v["diabetes_smoking_registered"])
                                                        ) | ((af | hf | astma) & ~kol & ~dm & (
                                                            rng.random(n) < v["other_smoking_registered"]))
        smoker_share = np.where(kol, ind.loc["ryger", "maalopfyldelse_2024"],
                                np.where(dm, v["diabetes_smokers"], v["other_smokers"]))
        ryger = np.where(smoking_registered, (smoker_draw[rows] < smoker_share).astype(np.float32), nan)
        bmi_registered = chance("bmi_maalt", kol) | (dm & ~kol & (rng.random(n) < 0.85))
        bmi = np.where(bmi_registered, np.round(rng.normal(np.where(kol & ~dm, 25.5, v["bmi_mean"]), v["bmi_sd"], n),
                                                1), nan)
        fev1 = np.where(fev1_measured, np.clip(np.round(rng.normal(v["fev1_mean"], v["fev1_sd"], n)), 12, 120), nan)
        mrc = np.where(chance("mrc_maalt", kol), rng.choice(5, n, p=v["mrc_shares"]) + 1, nan)
        chads_score = (np.where(age >= 75, 2, np.where(age >= 65, 1, 0)) + (~men) + hf + dm
                       + chads_extra[rows]).astype(np.float32)
        chads = np.where(chance("chads_maalt", af), chads_score, nan)
        indicated = af & (chads_score >= np.where(men, 2, 3))
        oac = np.where(af, np.where(indicated, chance("ak_indiceret", indicated),
                                    rng.random(n) < v["oac_without_indication"]), False)
        nyha = np.where(chance("nyha_maalt", hf), rng.choice(4, n, p=v["nyha_shares"]) + 1, nan)
        reduced = hf & hfref[rows]
        medicine = {code: np.where(hf, chance(code, reduced) | (hf & ~reduced & (rng.random(n) < 0.3)), False)
                    for code in ("ace_arb", "betablokker", "mra", "sglt2i")}
        seen_before[rows] = True
        astma_control = chance("astmakontrol", astma)
        ics = chance("ics", astma)

        def flag(mask, who, nan=nan):
            return np.where(who, mask.astype(np.float32), nan)

        frames.append(pd.DataFrame({
            "person_row": rows.astype(np.int32),
            "aar": np.full(n, year, dtype=np.int16),
            "alder": age.astype(np.int16),
            "dx_maske": (a * (1 << np.arange(len(DX_CODES)))).sum(axis=1).astype(np.int8),
            "nye_maske": (a & (dx_day[rows] >= start)).dot(1 << np.arange(len(DX_CODES))).astype(np.int8),
            "doed": (died[rows] & (end_day[rows] >= start) & (end_day[rows] <= end)).astype(np.int8),
            "plejehjem": in_home.astype(np.int8),
            "kronikerhonorar": enrolled.astype(np.int8),
            "konsultation": konsultation.astype(np.int16),
            "telefon": telefon.astype(np.int16),
            "email": email.astype(np.int16),
            "video": video.astype(np.int16),
            "aarskontrol": aarskontrol,
            "sygebesoeg": sygebesoeg.astype(np.int16),
            "spirometri": spirometri,
            "honorar_kr": np.round(billed * index).astype(np.int32),
            "kronikerhonorar_kr": np.round(chronic_fee * index).astype(np.int32),
            "indlaeggelser": admissions.astype(np.int16),
            "ambulante_besoeg": outpatient.astype(np.int16),
            "speciallaege_besoeg": specialist.astype(np.int16),
            "hba1c": hba1c.astype(np.float32),
            "systolisk": systolic.astype(np.float32),
            "diastolisk": diastolic.astype(np.float32),
            "ldl": ldl.astype(np.float32),
            "egfr": egfr.astype(np.float32),
            "u_albumin_2aar": flag(two_year["uacr_2aar"], dm),
            "fodundersoegelse_2aar": flag(two_year["fod_2aar"], dm),
            "oejenundersoegelse_2aar": flag(two_year["oeje_2aar"], dm),
            "bmi": bmi.astype(np.float32),
            "ryger": ryger.astype(np.float32),
            "fev1_pct": fev1.astype(np.float32),
            "mrc": mrc.astype(np.float32),
            "cha2ds2_vasc": chads.astype(np.float32),
            "ak_behandling": flag(oac, af),
            "ak_indiceret": flag(indicated, af),
            "nedsat_ef": flag(reduced, hf),
            "nyha": nyha.astype(np.float32),
            "ace_arb_arni": flag(medicine["ace_arb"], hf),
            "betablokker": flag(medicine["betablokker"], hf),
            "mra": flag(medicine["mra"], hf),
            "sglt2i": flag(medicine["sglt2i"], hf),
            "astmakontrol": flag(astma_control, astma),
            "lungefunktion": flag(lung_measured, astma),
            "ics": flag(ics, astma),
        }))
    return pd.concat(frames, ignore_index=True)


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
