"""The protected mock tables: every aggregate table as its full cube with totals, suppressed once for the
whole set of tables that share counts, before anything is written where chart SQL can read it.

The generator (katalog.mock.mockdata) counts the tables from the cohort; here each becomes a cube (kommune,
region and Hele landet; Kvinder, Mænd and Alle; each age group and Alle; ...), the cubes that publish the
same persons are linked (patients by kommune and by region with plejehjem and kronikerhonorar; new
patients and their pathways; an indicator's denominator and the patients with the diagnosis; practices
and kommuner summed to regions), and katalog.disclosure.cube decides primary and secondary suppression on all of
them together. The written table holds every total as a row (`Alle`, `Hele landet`), hidden counts as
NULL, and values built on a hidden group of persons (contacts, fees, rates) as NULL too.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from katalog.disclosure.audit import AuditReport, audit_and_repair
from katalog.disclosure.cube import (
    Cube,
    Hierarchy,
    Link,
    Part,
    flat,
    from_frame,
    hidden_share,
    suppress_linked,
    to_frame,
    tree,
)
from katalog.mock.mockdata import (
    AGE_GROUPS,
    AGGREGATE,
    ANY_DIAGNOSIS,
    DIAGNOSIS_COUNTS,
    HOSPITAL_CONTACT_COUNTS,
    SEXES,
    MockTable,
)

LAND, ALL = "Hele landet", "Alle"
PUBLIC_TABLES = ("befolkning",)  # population by kommune, sex and age is public (DST), not protected
YES_NO = ("Ja", "Nej")
NURSING_HOME_AGES = ("65-69", "70-74", "75-79", "80-84", "85+")
_CONTACTS = ("konsultation", "telefon", "email", "video", "aarskontrol", "sygebesoeg", "spirometri",
             "honorar_ydelser_kr", "honorar_kronikerhonorar_kr")
_HOSPITAL = ("indlaeggelser", "ambulante_besoeg", "speciallaege_besoeg")
# The pathways' time after diagnosis as a dimension: the disjoint intervals are its leaves and the cumulative
# windows its totals (0-30 + 31-90 = within 90 days; + 91-365 = within a year; + later or never = every new
# patient), so the line rules protect each window and each interval like any other total and its parts.
PATHWAY_KINDS = ("speciallaege", "sygehus")
PATHWAY_TIMES = {  # node -> (its parent, the column it is written to)
    "0-30": ("0-90", "{kind}_30d"),
    "31-90": ("0-90", "{kind}_31_90d"),
    "0-90": ("0-365", "{kind}_90d"),
    "91-365": ("0-365", "{kind}_91_365d"),
    "0-365": (ALL, "{kind}_365d"),
    "ikke_365": (ALL, "{kind}_ikke_365d"),
}

# How the written tables say where totals are: one sentence added to each declaration.
_TOTALS_NOTE = (" Tabellen har en række for hver total (køn og aldersgruppe 'Alle', region og 'Hele landet'): "
                "vælg totalen i stedet for at lægge rækker sammen. Antal på 1-4 og de værdier, der ville afsløre "
                "dem, er skjult (NULL), og det samme mønster gælder i alle tabeller, der viser de samme personer.")


@dataclass(frozen=True)
class Protection:
    """The protected tables and, per table, how many of its count cells are hidden."""

    tables: list[MockTable]
    cubes: dict[str, Cube]
    links: list[Link]
    hidden: dict[str, tuple[int, int]]  # table -> (hidden cells, all cells)
    audit: AuditReport | None = None  # the audit of the pattern as published, when `protect` ran it
    repaired: int = 0  # cells hidden because the audit narrowed a count (beyond the line rules)
    audit_seconds: float = 0.0  # the audit and its repair


def protect(tables: Sequence[MockTable], *, audited: bool = False) -> Protection:
    """The protected versions of the aggregate tables (person-level tables pass through unchanged).

    `audited`: audit the pattern against everything published (katalog.disclosure.audit) and, where it narrows a
    hidden small count, hide one more published cell that fixes the bound, suppress again and audit again;
    raises katalog.disclosure.audit.DisclosureError (a ValueError with a Danish message) if that does not settle."""
    raw = {t.name: t for t in tables}
    frames = {name: t.frame for name, t in raw.items()}
    geo = kommune_geography(frames["befolkning"])
    regions = region_geography(frames["befolkning"])
    practices = practice_tree(frames["praksis"])
    cubes = {
        "ap_patienter": _patients(frames, geo),
        "ap_patienter_region": _patients_by_region(frames["ap_patienter"], regions),
        "ap_aktivitet": _activity(frames["ap_aktivitet"], regions),
        "sygehus_aktivitet": _hospital(frames["sygehus_aktivitet"], regions),
        "sygehuskontakt": _hospital_contact(frames["sygehuskontakt"], regions),
        "multimorbiditet": _multimorbidity(frames["multimorbiditet"], regions),
        "forloeb": _pathways(frames["forloeb"], regions),
        "kvalitetsindikatorer": _indicators("kvalitetsindikatorer", frames["kvalitetsindikatorer"], geo, "kommune"),
        "praksis_indikatorer": _indicators("praksis_indikatorer", frames["praksis_indikatorer"], practices,
                                           "ydernummer"),
        "praksis": _practices(frames["praksis"], practices),
        "plejehjemsbeboere": _nursing_homes(frames["plejehjemsbeboere"], geo),
        "osteoporose": _osteoporosis(frames["osteoporose"], geo),
    }
    links = _links(cubes)
    suppress_linked(cubes, links)
    audit_started = time.perf_counter()
    report, repaired = audit_and_repair(cubes, links) if audited else (None, 0)
    audit_seconds = time.perf_counter() - audit_started if audited else 0.0
    written = {
        "ap_patienter": _patient_rows(cubes["ap_patienter"], cubes["ap_patienter_region"]),
        "ap_aktivitet": to_frame(cubes["ap_aktivitet"]),
        "sygehus_aktivitet": to_frame(cubes["sygehus_aktivitet"]),
        "sygehuskontakt": to_frame(cubes["sygehuskontakt"]),
        "multimorbiditet": to_frame(cubes["multimorbiditet"]),
        "forloeb": _pathway_rows(cubes["forloeb"]),
        "kvalitetsindikatorer": _with_indicator_labels(to_frame(cubes["kvalitetsindikatorer"]),
                                                       frames["kvalitetsindikatorer"]),
        "praksis_indikatorer": _with_indicator_labels(to_frame(cubes["praksis_indikatorer"]),
                                                      frames["praksis_indikatorer"]),
        "praksis": _practice_rows(cubes["praksis"], frames["praksis"]),
        "plejehjemsbeboere": to_frame(cubes["plejehjemsbeboere"]),
        "osteoporose": to_frame(cubes["osteoporose"]),
    }
    written["ap_forekomst"] = _prevalence(frames["ap_forekomst"], cubes["ap_patienter"])
    out = []
    for table in tables:
        if table.level == AGGREGATE and table.name not in written and table.name not in PUBLIC_TABLES:
            # Not protected, so not published: forloeb_tid's weeks add up to forloeb's 90 and 365 days,
            # which would be one more set of equations to protect together; forloeb carries the pathways.
            continue
        if table.name in written:
            frame = written[table.name]
            note = "" if table.name == "praksis" else _TOTALS_NOTE
            if table.name == "ap_patienter":
                note += (" Nye patienter, døde og plejehjemsbeboere vises kun for regioner og hele landet (NULL i "
                         "kommunernes rækker): pr. kommune, køn og alder er de for det meste 1-4.")
            out.append(replace(table, frame=frame, declaration=table.declaration + note,
                               indexes=_indexes(table.name, frame)))
        else:
            out.append(table)
    hidden = {name: hidden_share(cube) for name, cube in cubes.items() if name != "ap_patienter_region"}
    hidden["ap_patienter"] = tuple(a + b for a, b in zip(hidden_share(cubes["ap_patienter"]),
                                                         hidden_share(cubes["ap_patienter_region"]), strict=True))
    return Protection(out, cubes, links, hidden, report, repaired, audit_seconds)


# --- dimensions -----------------------------------------------------------------------------------


def kommune_geography(population: pd.DataFrame) -> Hierarchy:
    """Kommune -> region -> Hele landet, with the columns niveau, region, kommune and omraade."""
    pairs = population[["kommune", "region"]].drop_duplicates().sort_values(["region", "kommune"])
    parent_of = dict(zip(pairs["kommune"], pairs["region"], strict=True))
    regions = sorted(set(parent_of.values()))
    parent_of.update({r: LAND for r in regions})
    nodes = [*parent_of, LAND]
    level = {n: ("Kommune" if n in set(pairs["kommune"]) else "Region" if n in regions else LAND) for n in nodes}
    return tree("geografi", parent_of, {
        "niveau": level,
        "region": {n: (parent_of[n] if level[n] == "Kommune" else n) for n in nodes},
        "kommune": {n: (n if level[n] == "Kommune" else ALL) for n in nodes},
        "omraade": {n: n for n in nodes},
    })


def region_geography(population: pd.DataFrame) -> Hierarchy:
    """Region -> Hele landet, with the columns niveau and region."""
    regions = sorted(population["region"].unique())
    parent_of = {r: LAND for r in regions}
    nodes = [*regions, LAND]
    return tree("region", parent_of, {
        "niveau": {n: ("Region" if n != LAND else LAND) for n in nodes},
        "region": {n: n for n in nodes},
    })


def practice_tree(practices: pd.DataFrame) -> Hierarchy:
    """Praksis (ydernummer) -> kvalitetsklynge -> region -> Hele landet."""
    parent_of: dict[object, str] = dict(zip(practices["ydernummer"].astype(int), practices["klynge"], strict=True))
    klynge_region = practices[["klynge", "region"]].drop_duplicates()
    if klynge_region["klynge"].duplicated().any():
        raise ValueError("En kvalitetsklynge ligger i flere regioner.")
    parent_of.update(dict(zip(klynge_region["klynge"], klynge_region["region"], strict=True)))
    regions = sorted(klynge_region["region"].unique())
    parent_of.update({r: LAND for r in regions})
    nodes = [*parent_of, LAND]
    practice_ids = set(practices["ydernummer"].astype(int))
    klynger = set(klynge_region["klynge"])
    level = {n: ("Praksis" if n in practice_ids else "Klynge" if n in klynger else "Region" if n in regions
                 else LAND) for n in nodes}

    def region_of(node):
        while level[node] not in ("Region", LAND):
            node = parent_of[node]
        return node

    return tree("praksis", parent_of, {
        "niveau": level,
        "region": {n: region_of(n) for n in nodes},
        "klynge": {n: (parent_of[n] if level[n] == "Praksis" else n if level[n] == "Klynge" else ALL) for n in nodes},
        "ydernummer": {n: (n if level[n] == "Praksis" else None) for n in nodes},
    })


def _sex() -> Hierarchy:
    return flat("koen", SEXES)


def _age() -> Hierarchy:
    return flat("aldersgruppe", AGE_GROUPS)


# --- the cubes ----------------------------------------------------------------------------------


_SUBCOUNTS = ("nye_patienter", "doede", "plejehjemsbeboere")


def _patients(frames: Mapping[str, pd.DataFrame], geo: Hierarchy) -> Cube:
    """Patients by kommune, sex and age group, with the population. New patients, deaths and nursing-home
    residents are published by region only (`_patients_by_region`): by kommune, sex and age they are mostly
    1-4, and their rests (patients who are not new) would tie every small kommune's cells together."""
    patients = frames["ap_patienter"].groupby(["aar", "diagnose", "kommune", "koen", "aldersgruppe"], as_index=False)[
        "patienter"].sum()
    population = frames["befolkning"].groupby(["aar", "kommune", "koen", "aldersgruppe"], as_index=False)[
        "befolkning"].sum()
    diagnoses = pd.DataFrame({"diagnose": sorted(patients["diagnose"].unique())})
    # Every kommune, sex and age group in every year and diagnosis, with its population, zero patients or not.
    frame = population.merge(diagnoses, how="cross").merge(
        patients, on=["aar", "diagnose", "kommune", "koen", "aldersgruppe"], how="left").fillna({"patienter": 0})
    return from_frame("ap_patienter", frame, ["aar", "diagnose"],
                      [("kommune", geo), ("koen", _sex()), ("aldersgruppe", _age())], ["patienter"],
                      public=["befolkning"])


def _patients_by_region(frame: pd.DataFrame, regions: Hierarchy) -> Cube:
    counts = ["patienter", *_SUBCOUNTS]
    by_region = frame.groupby(["aar", "diagnose", "region", "koen", "aldersgruppe"], as_index=False)[counts].sum()
    return from_frame("ap_patienter_region", by_region, ["aar", "diagnose"],
                      [("region", regions), ("koen", _sex()), ("aldersgruppe", _age())], counts,
                      parts=[Part(c, "patienter") for c in _SUBCOUNTS])


def _patient_rows(patients: Cube, by_region: Cube) -> pd.DataFrame:
    """ap_patienter: every kommune, region and Hele landet row with its patients and population; new
    patients, deaths and nursing-home residents on the region and Hele landet rows (NULL on kommune rows)."""
    frame = to_frame(patients)
    regional = to_frame(by_region).drop(columns=["niveau", "patienter"])
    out = frame.merge(regional, on=["aar", "diagnose", "region", "koen", "aldersgruppe"], how="left")
    out.loc[out["niveau"] == "Kommune", list(_SUBCOUNTS)] = np.nan
    return out[["aar", "diagnose", "niveau", "region", "kommune", "omraade", "koen", "aldersgruppe", "patienter",
                *_SUBCOUNTS, "befolkning"]]


def _activity(frame: pd.DataFrame, regions: Hierarchy) -> Cube:
    return from_frame("ap_aktivitet", frame, ["aar", "diagnose"],
                      [("region", regions), ("koen", _sex()), ("aldersgruppe", _age()),
                       ("plejehjem", flat("plejehjem", YES_NO)), ("kronikerhonorar", flat("kronikerhonorar", YES_NO))],
                      ["patienter"], companions={c: "patienter" for c in _CONTACTS if c in frame})


def _hospital(frame: pd.DataFrame, regions: Hierarchy) -> Cube:
    return from_frame("sygehus_aktivitet", frame, ["aar", "diagnose"],
                      [("region", regions), ("aldersgruppe", _age()),
                       ("plejehjem", flat("plejehjem", YES_NO)), ("kronikerhonorar", flat("kronikerhonorar", YES_NO))],
                      ["patienter"], companions={c: "patienter" for c in _HOSPITAL})


# Patients with the diagnosis ⊇ those with a hospital contact for it ⊇ those admitted for it ⊇ those readmitted
# within 30 days: each a part of the one before, so every rest (known only in almen praksis, seen only as
# outpatients, admitted without a readmission) is protected as a count too.
HOSPITAL_CONTACT_CHAIN = ("patienter", *HOSPITAL_CONTACT_COUNTS)


def _hospital_contact(frame: pd.DataFrame, regions: Hierarchy) -> Cube:
    return from_frame("sygehuskontakt", frame, ["aar", "diagnose"],
                      [("region", regions), ("aldersgruppe", _age())], list(HOSPITAL_CONTACT_CHAIN),
                      parts=[Part(part, whole) for whole, part in zip(HOSPITAL_CONTACT_CHAIN,
                                                                       HOSPITAL_CONTACT_CHAIN[1:], strict=False)])


def _multimorbidity(frame: pd.DataFrame, regions: Hierarchy) -> Cube:
    return from_frame("multimorbiditet", frame, ["aar", "diagnose"],
                      [("region", regions), ("koen", _sex()), ("aldersgruppe", _age()),
                       ("antal_diagnoser", flat("antal_diagnoser", DIAGNOSIS_COUNTS))], ["patienter"])


def _pathway_time() -> Hierarchy:
    parent_of = {node: parent for node, (parent, _) in PATHWAY_TIMES.items()}
    return tree("tid", parent_of, {"tid": {node: node for node in [*PATHWAY_TIMES, ALL]}})


def _pathways(frame: pd.DataFrame, regions: Hierarchy) -> Cube:
    """New patients by region, sex, age group and time to first contact with each kind of care: one row per
    disjoint interval, from the cumulative counts (within 30, 90, 365 days) the generator writes."""
    keys = ["aar", "diagnose", "region", "koen", "aldersgruppe"]
    leaves = {"0-30": ("{kind}_30d", None), "31-90": ("{kind}_90d", "{kind}_30d"),
              "91-365": ("{kind}_365d", "{kind}_90d"), "ikke_365": ("nye_patienter", "{kind}_365d")}
    rows = []
    for node, (upto, since) in leaves.items():
        part = frame[keys].assign(tid=node)
        for kind in PATHWAY_KINDS:
            values = frame[upto.format(kind=kind)].to_numpy()
            part[kind] = values - (frame[since.format(kind=kind)].to_numpy() if since else 0)
        rows.append(part)
    leaf_rows = pd.concat(rows, ignore_index=True)
    if (leaf_rows[list(PATHWAY_KINDS)] < 0).any().any():
        raise ValueError("forloeb: de kumulerede antal falder med tiden")
    return from_frame("forloeb", leaf_rows, ["aar", "diagnose"],
                      [("region", regions), ("koen", _sex()), ("aldersgruppe", _age()), ("tid", _pathway_time())],
                      list(PATHWAY_KINDS))


def _pathway_rows(cube: Cube) -> pd.DataFrame:
    """forloeb as written: one row per year, diagnosis, region, sex and age group, with the new patients and,
    per kind of care, the cumulative windows and the disjoint intervals as columns (NULL where hidden)."""
    frame = to_frame(cube)
    keys = ["aar", "diagnose", "niveau", "region", "koen", "aldersgruppe"]
    wide = frame[frame["tid"] == ALL][keys].reset_index(drop=True)
    total = frame[frame["tid"] == ALL].reset_index(drop=True)
    wide["nye_patienter"] = total[PATHWAY_KINDS[0]]
    for kind in PATHWAY_KINDS:
        for node, (_, column) in PATHWAY_TIMES.items():
            wide[column.format(kind=kind)] = frame[frame["tid"] == node][kind].to_numpy()
    return wide[[*keys, "nye_patienter", *PATHWAY_COLUMNS]]


# The written columns: the cumulative windows first (as the generator counts them), then the disjoint intervals.
PATHWAY_COLUMNS = tuple(f"{kind}_{suffix}" for kind in PATHWAY_KINDS
                        for suffix in ("30d", "90d", "365d", "31_90d", "91_365d", "ikke_365d"))


def _indicators(name: str, frame: pd.DataFrame, units: Hierarchy, leaf: str) -> Cube:
    frame = frame.copy()
    if leaf == "ydernummer":
        frame["ydernummer"] = frame["ydernummer"].astype(int)
    return from_frame(name, frame, ["aar", "indikator"], [(leaf, units)], ["opfyldt", "patienter"],
                      parts=[Part("opfyldt", "patienter")])


def _practices(frame: pd.DataFrame, practices: Hierarchy) -> Cube:
    frame = frame.assign(blok=0, ydernummer=frame["ydernummer"].astype(int))
    return from_frame("praksis", frame, ["blok"], [("ydernummer", practices)], ["patienter_med_diagnoserne"],
                      public=["tilmeldte"])


def _nursing_homes(frame: pd.DataFrame, geo: Hierarchy) -> Cube:
    return from_frame("plejehjemsbeboere", frame, ["aar"],
                      [("kommune", geo), ("koen", _sex()),
                       ("aldersgruppe5", flat("aldersgruppe5", NURSING_HOME_AGES, total="65+"))],
                      ["beboere"], public=["befolkning"])


def _osteoporosis(frame: pd.DataFrame, geo: Hierarchy) -> Cube:
    """Patients with osteoporosis and, a part of them, those in medical treatment (so the untreated rest is
    protected as a count too). Drawn apart from the cohort, so linked to no other table."""
    return from_frame("osteoporose", frame, ["aar"],
                      [("kommune", geo), ("koen", _sex()), ("aldersgruppe", _age())],
                      ["patienter", "i_behandling"], parts=[Part("i_behandling", "patienter")],
                      public=["befolkning"])


# --- links: the same persons in two places --------------------------------------------------------


def _node(h: Hierarchy, label: object) -> int:
    return h.nodes.index(label)


def _nodes(h: Hierarchy, labels: Sequence[object]) -> np.ndarray:
    return np.array([_node(h, label) for label in labels])


def _block_index(cube: Cube, frame: pd.DataFrame) -> np.ndarray:
    """Block numbers of `cube` for the rows of `frame` (its block columns)."""
    index = pd.MultiIndex.from_frame(cube.blocks[list(cube.block_columns)])
    found = index.get_indexer(pd.MultiIndex.from_frame(frame[list(cube.block_columns)]))
    if (found < 0).any():
        raise ValueError(f"{cube.name}: blokke mangler")
    return found


def _links(cubes: Mapping[str, Cube]) -> list[Link]:
    patients, by_region = cubes["ap_patienter"], cubes["ap_patienter_region"]
    activity, hospital, pathways = cubes["ap_aktivitet"], cubes["sygehus_aktivitet"], cubes["forloeb"]
    kommune_ind, practice_ind = cubes["kvalitetsindikatorer"], cubes["praksis_indikatorer"]
    region_labels = list(activity.dims[0].nodes)  # regions and Hele landet
    p_geo = _nodes(patients.dims[0], region_labels)
    r_geo = _nodes(by_region.dims[0], region_labels)
    a_geo = _nodes(activity.dims[0], region_labels)
    f_geo = _nodes(pathways.dims[0], region_labels)
    p_blocks = np.arange(len(patients.blocks))
    r_blocks = _block_index(by_region, patients.blocks)
    a_blocks = _block_index(activity, patients.blocks)
    f_blocks = _block_index(pathways, patients.blocks)
    f_all = _node(pathways.dims[3], ALL)
    contact, multimorbidity = cubes["sygehuskontakt"], cubes["multimorbiditet"]
    s_geo = _nodes(contact.dims[0], region_labels)
    s_blocks = _block_index(contact, patients.blocks)
    m_geo = _nodes(multimorbidity.dims[0], region_labels)
    m_five = np.flatnonzero((multimorbidity.blocks["diagnose"] != ANY_DIAGNOSIS).to_numpy())
    m_any = np.flatnonzero((multimorbidity.blocks["diagnose"] == ANY_DIAGNOSIS).to_numpy())
    m_all = _node(multimorbidity.dims[3], ALL)
    r_for_m = _block_index(by_region, multimorbidity.blocks.iloc[m_five])
    practice_geo = cubes["praksis"].dims[0]
    reference_year = _reference_year(cubes["praksis"], multimorbidity, m_any, region_labels)
    yes, both = 0, 2  # Ja, Alle in the flat yes/no dimensions
    every = slice(None)
    return [
        # The regions and Hele landet of ap_patienter's kommune cube are the region cube's patients ...
        Link("ap_patienter", "ap_patienter_region",
             lambda c: ((p_blocks[:, None], p_geo[None, :], every, every), "patienter"),
             lambda c: ((r_blocks[:, None], r_geo[None, :], every, every), "patienter")),
        # ... who are ap_aktivitet's patients with plejehjem and kronikerhonorar Alle ...
        Link("ap_patienter_region", "ap_aktivitet",
             lambda c: ((r_blocks[:, None], r_geo[None, :], every, every), "patienter"),
             lambda c: ((a_blocks[:, None], a_geo[None, :], every, every, both, both), "patienter")),
        # ... and those living in a nursing home are ap_aktivitet's plejehjem Ja.
        Link("ap_patienter_region", "ap_aktivitet",
             lambda c: ((r_blocks[:, None], r_geo[None, :], every, every), "plejehjemsbeboere"),
             lambda c: ((a_blocks[:, None], a_geo[None, :], every, every, yes, both), "patienter")),
        # sygehus_aktivitet counts the same patients as ap_aktivitet, both sexes together.
        Link("ap_aktivitet", "sygehus_aktivitet",
             lambda c: ((np.arange(len(activity.blocks)), every, 2, every, every, every), "patienter"),
             lambda c: ((_block_index(hospital, activity.blocks), every, every, every, every), "patienter")),
        # sygehuskontakt counts the same patients by region and age (both sexes together) ...
        Link("ap_patienter_region", "sygehuskontakt",
             lambda c: ((r_blocks[:, None], r_geo[None, :], 2, every), "patienter"),
             lambda c: ((s_blocks[:, None], s_geo[None, :], every), "patienter")),
        # ... and multimorbiditet the same patients by region, sex and age (every number of diagnoses together).
        Link("ap_patienter_region", "multimorbiditet",
             lambda c: ((r_for_m[:, None], r_geo[None, :], every, every), "patienter"),
             lambda c: ((m_five[:, None], m_geo[None, :], every, every, m_all), "patienter")),
        # The practices' patients with any of the five, summed to regions, are multimorbiditet's «Mindst én af
        # de fem» in the practices' year.
        *([Link("praksis", "multimorbiditet",
                lambda c: ((np.zeros(len(region_labels), dtype=np.int64), _nodes(practice_geo, region_labels)),
                           "patienter_med_diagnoserne"),
                lambda c: ((np.full(len(region_labels), reference_year), m_geo, 2, 5, m_all), "patienter"))]
          if reference_year is not None else []),
        # New patients by region, sex and age are the new patients whose pathways forloeb follows.
        # Every kind of care's time dimension ends in the same new patients (tid Alle).
        Link("ap_patienter_region", "forloeb",
             lambda c: ((r_blocks[:, None], r_geo[None, :], every, every), "nye_patienter"),
             lambda c: ((f_blocks[:, None], f_geo[None, :], every, every, f_all), PATHWAY_KINDS[0])),
        *[Link("forloeb", "forloeb", lambda c: ((every, every, every, every, f_all), PATHWAY_KINDS[0]),
               lambda c, kind=kind: ((every, every, every, every, f_all), kind)) for kind in PATHWAY_KINDS[1:]],
        *_indicator_links(patients, kommune_ind, practice_ind, region_labels),
    ]


def _reference_year(practices: Cube, multimorbidity: Cube, any_blocks: np.ndarray,
                    region_labels: list[str]) -> int | None:
    """The block of multimorbiditet's «Mindst én af de fem» whose regions agree with the practice table's
    patients (the practices count one year's patients), or None if no year does."""
    nodes = _nodes(practices.dims[0], region_labels)
    wanted = practices.values[0, nodes, practices.measure("patienter_med_diagnoserne")]
    geo = _nodes(multimorbidity.dims[0], region_labels)
    for block in any_blocks:
        found = multimorbidity.values[block, geo, 2, 5, _node(multimorbidity.dims[3], ALL), 0]
        if np.array_equal(found, wanted):
            return int(block)
    return None


def _indicator_links(patients: Cube, kommune_ind: Cube, practice_ind: Cube, region_labels: list[str]) -> list[Link]:
    """Indicators whose denominator is every patient with the diagnosis, and indicators whose denominator is
    another's numerator (HbA1c ≤ 53 among those with HbA1c measured), count the same persons: found by
    their counts agreeing in every year and area, then linked. Regions and Hele landet of the practice
    indicators are those of the kommune indicators."""
    links: list[Link] = []
    geo = kommune_ind.dims[0]
    years = sorted(kommune_ind.blocks["aar"].unique())
    indicators = list(dict.fromkeys(kommune_ind.blocks["indikator"]))

    def blocks_of(cube: Cube, column: str, value: str) -> np.ndarray:
        return _block_index(cube, pd.DataFrame({"aar": years, column: value}))

    series = {}
    for indicator in indicators:
        b = blocks_of(kommune_ind, "indikator", indicator)
        for count in ("patienter", "opfyldt"):
            series[(indicator, count)] = (b, kommune_ind.values[b][..., kommune_ind.measure(count)])
    seen: dict[bytes, tuple[str, str]] = {}
    for key, (b, values) in series.items():
        fingerprint = values.astype(np.int64).tobytes()
        if fingerprint in seen and seen[fingerprint] != key:
            first = seen[fingerprint]
            b_first = series[first][0]
            links.append(Link("kvalitetsindikatorer", "kvalitetsindikatorer",
                              lambda c, b=b_first, m=first[1]: ((b[:, None], slice(None)), m),
                              lambda c, b=b, m=key[1]: ((b[:, None], slice(None)), m)))
        else:
            seen.setdefault(fingerprint, key)
    # Every patient with the diagnosis, by kommune, region and Hele landet: ap_patienter's Alle/Alle cells.
    for diagnosis in patients.blocks["diagnose"].unique():
        pb = blocks_of(patients, "diagnose", diagnosis)
        values = patients.values[pb][:, :, 2, 5, patients.measure("patienter")]
        fingerprint = values.astype(np.int64).tobytes()
        if fingerprint in seen:
            indicator, count = seen[fingerprint]
            kb = series[(indicator, count)][0]
            links.append(Link("ap_patienter", "kvalitetsindikatorer",
                              lambda c, pb=pb: ((pb[:, None], slice(None), 2, 5), "patienter"),
                              lambda c, kb=kb, m=count: ((kb[:, None], slice(None)), m)))
    # The practices' regions and Hele landet are the kommuner's.
    k_nodes = _nodes(geo, region_labels)
    p_nodes = _nodes(practice_ind.dims[0], region_labels)
    pb_all = _block_index(practice_ind, kommune_ind.blocks)
    kb_all = np.arange(len(kommune_ind.blocks))
    for count in ("patienter", "opfyldt"):
        links.append(Link("kvalitetsindikatorer", "praksis_indikatorer",
                          lambda c, m=count: ((kb_all[:, None], k_nodes[None, :]), m),
                          lambda c, m=count: ((pb_all[:, None], p_nodes[None, :]), m)))
    return links


# --- written tables -------------------------------------------------------------------------------


def _with_indicator_labels(frame: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's diagnosis and standard next to it, in the raw table's column order."""
    labels = raw[["indikator", "diagnose", "standard_pct"]].drop_duplicates("indikator")
    out = frame.merge(labels, on="indikator", how="left")
    first = ["aar", "niveau", "region", *[c for c in ("kommune", "omraade", "klynge", "ydernummer") if c in out]]
    rest = ["diagnose", "indikator", "standard_pct", "opfyldt", "patienter"]
    return out[first + rest]


def _practice_rows(cube: Cube, raw: pd.DataFrame) -> pd.DataFrame:
    """One row per practice (its kommune from the register), the counts protected on the practice cube."""
    hierarchy = cube.dims[0]
    leaves = np.array([n in hierarchy.leaves for n in hierarchy.nodes])
    frame = to_frame(cube, keep={hierarchy.name: leaves}).drop(columns=["blok", "niveau"])
    kommune = raw.assign(ydernummer=raw["ydernummer"].astype(int)).set_index("ydernummer")["kommune"]
    frame.insert(frame.columns.get_loc("klynge") + 1, "kommune", kommune.loc[frame["ydernummer"]].to_numpy())
    frame["ydernummer"] = frame["ydernummer"].astype(np.int64)
    return frame[["ydernummer", "klynge", "region", "kommune", "tilmeldte", "patienter_med_diagnoserne"]]


def _prevalence(raw: pd.DataFrame, patients: Cube) -> pd.DataFrame:
    """ap_forekomst from the protected patient cube: the count of every area is the cube's Alle/Alle cell, the
    rate is hidden with it, and the age-standardised rate is hidden when any age group behind it is (it
    weighs the age groups differently than the count does, so it would be one more equation to solve)."""
    geo = patients.dims[0]
    m = patients.measure("patienter")
    blocks = _block_index(patients, raw)
    area = _nodes(geo, raw["omraade"].tolist())
    hidden = patients.hidden
    total_hidden = hidden[blocks, area, 2, 5, m]
    any_age_hidden = hidden[blocks, area, 2, :, m].any(axis=1)
    values = patients.values[blocks, area, 2, 5, m]
    if not np.array_equal(values, raw["patienter"].to_numpy(dtype=float)):
        raise ValueError("ap_forekomst og ap_patienter tæller ikke de samme patienter.")
    out = raw.copy()
    out["patienter"] = np.where(total_hidden, np.nan, out["patienter"])
    out["pr_1000"] = np.where(total_hidden, np.nan, out["pr_1000"])
    out["pr_1000_aldersstd"] = np.where(total_hidden | any_age_hidden, np.nan, out["pr_1000_aldersstd"])
    return out


_INDEXES = {
    "ap_patienter": (("aar", "diagnose", "niveau", "region"), ("aar", "diagnose", "kommune")),
    "ap_forekomst": (("aar", "niveau", "diagnose"), ("omraade", "diagnose")),
    "kvalitetsindikatorer": (("aar", "indikator", "niveau", "region"),),
    "praksis_indikatorer": (("aar", "indikator", "klynge"), ("ydernummer",)),
    "praksis": (("klynge",), ("ydernummer",)),
    "ap_aktivitet": (("aar", "diagnose", "region"),),
    "sygehus_aktivitet": (("aar", "diagnose", "region"),),
    "sygehuskontakt": (("aar", "diagnose", "region"),),
    "multimorbiditet": (("aar", "diagnose", "region"),),
    "forloeb": (("aar", "diagnose", "region"),),
    "plejehjemsbeboere": (("aar", "niveau", "region"),),
    "osteoporose": (("aar", "niveau", "region"),),
}


def _indexes(name: str, frame: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    return tuple(index for index in _INDEXES.get(name, ()) if all(c in frame for c in index))
