"""The aggregate mock tables as SQL views over the person-level cohort (`katalog build --kohorte`).

Two uses: `make bench` runs every chart query against these views to show what the small
aggregate tables buy, and a test checks that they give the same numbers as the generator's
aggregates (two independent derivations of one table). Created as TEMP views on a trusted
connection, they shadow the tables of the same name, so chart SQL runs against them unchanged.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from katalog.mock.mockdata import ANY_DIAGNOSIS, HOSPITAL_CONTACT_COUNTS, INDICATORS, read_inputs

_AGE = ("CASE WHEN {a} < 18 THEN '0-17' WHEN {a} < 40 THEN '18-39' WHEN {a} < 60 THEN '40-59' "
        "WHEN {a} < 80 THEN '60-79' ELSE '80+' END")
_AGE5 = "CASE WHEN {a} >= 85 THEN '85+' ELSE (({a} / 5) * 5) || '-' || (({a} / 5) * 5 + 4) END"
_YES_NO = "CASE {c} WHEN 1 THEN 'Ja' ELSE 'Nej' END"
# One row per active diagnosis of a person-year; diabetes once (type 1 and type 2 never meet).
_DIAGNOSES = ("JOIN (VALUES ('diabetes'), ('KOL'), ('astma'), ('atrieflimren'), ('hjertesvigt')) AS d "
              "ON (CASE d.column1 WHEN 'diabetes' THEN a.type1_diabetes + a.type2_diabetes WHEN 'KOL' THEN a.kol "
              "WHEN 'astma' THEN a.astma WHEN 'atrieflimren' THEN a.atrieflimren ELSE a.hjertesvigt END) = 1")
_ICPC = ("JOIN (VALUES ('diabetes', 'T89'), ('diabetes', 'T90'), ('KOL', 'R95'), ('astma', 'R96'), "
         "('atrieflimren', 'K78'), ('hjertesvigt', 'K77')) AS d "
         "ON (CASE d.column2 WHEN 'T89' THEN a.type1_diabetes WHEN 'T90' THEN a.type2_diabetes WHEN 'R95' THEN a.kol "
         "WHEN 'R96' THEN a.astma WHEN 'K78' THEN a.atrieflimren ELSE a.hjertesvigt END) = 1")
# The bits of a diagnosis in the cohort's masks (katalog.mock.cohort.DX_CODES: T1, T2, KOL, astma, AF, HF).
_DX_BITS = ("CASE d.column1 WHEN 'diabetes' THEN 3 WHEN 'KOL' THEN 4 WHEN 'astma' THEN 8 WHEN 'atrieflimren' THEN 16 "
            "ELSE 32 END")
_N_DIAGNOSES = "(a.type1_diabetes + a.type2_diabetes + a.kol + a.astma + a.atrieflimren + a.hjertesvigt)"
_DIAGNOSIS_COUNT = f"CASE WHEN {_N_DIAGNOSES} >= 3 THEN '3+' ELSE CAST({_N_DIAGNOSES} AS TEXT) END"
_DX_FLAG = {"T2": "a.type2_diabetes", "KOL": "a.kol", "AF": "a.atrieflimren", "HF": "a.hjertesvigt",
            "astma": "a.astma"}


def _rule(rule: tuple) -> str:
    column, op, value = rule
    return f"a.{column} IS NOT NULL" if op == "notnull" else f"a.{column} {op} {value}"


def _indicators(indicators: pd.DataFrame, group: str, select: str, join: str) -> str:
    ind = indicators.set_index("kode")
    parts = []
    for code, rule in INDICATORS.items():
        where = [f"{_DX_FLAG[rule.dx]} = 1"] + ([_rule(rule.denominator)] if rule.denominator else [])
        standard = ind.loc[code, "standard_pct"]
        name = ind.loc[code, "indikator"].replace("'", "''")
        parts.append(
            f"SELECT a.aar, {select}, '{ind.loc[code, 'diagnose']}' AS diagnose, '{name}' AS indikator, "
            f"{'NULL' if pd.isna(standard) else float(standard)} AS standard_pct, "
            f"sum({_rule(rule.numerator)}) AS opfyldt, count(*) AS patienter "
            f"FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id {join} "
            f"WHERE {' AND '.join(where)} GROUP BY a.aar, {group}")
    return " UNION ALL ".join(parts)


def view_definitions(mockdata: Path) -> dict[str, str]:
    """SQL per aggregate table, computed from the cohort tables; `mockdata` names the indicators and
    the reference year of the age standardisation."""
    inputs = read_inputs(mockdata)
    age = _AGE.format(a="a.alder")
    return {
        "ap_patienter": (
            f"SELECT a.aar, p.region, p.kommune, p.koen, {age} AS aldersgruppe, d.column1 AS diagnose, "
            "d.column2 AS icpc, count(*) AS patienter, "
            "sum(substr(g.diagnosedato, 1, 4) = CAST(a.aar AS TEXT)) AS nye_patienter, sum(a.doed) AS doede, "
            "sum(a.plejehjem) AS plejehjemsbeboere "
            f"FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id {_ICPC} "
            "JOIN main.kohorte_diagnose g ON g.person_id = a.person_id AND g.icpc = d.column2 "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"),
        "ap_forekomst": _forekomst(int(inputs.settings["reference_year"])),
        "kvalitetsindikatorer": "SELECT * FROM (" + _indicators(
            inputs.indicators, "p.region, p.kommune", "p.region, p.kommune", "") + ")",
        "praksis_indikatorer": "SELECT * FROM (" + _indicators(
            inputs.indicators, "k.region, k.klynge, k.ydernummer", "k.region, k.klynge, k.ydernummer",
            "JOIN main.praksis k ON k.ydernummer = p.ydernummer") + ")",
        "ap_aktivitet": (
            f"SELECT a.aar, p.region, d.column1 AS diagnose, {age} AS aldersgruppe, p.koen, "
            f"{_YES_NO.format(c='a.plejehjem')} AS plejehjem, "
            f"{_YES_NO.format(c='a.kronikerhonorar')} AS kronikerhonorar, count(*) AS patienter, "
            "sum(a.konsultation) AS konsultation, sum(a.telefon) AS telefon, sum(a.email) AS email, "
            "sum(a.video) AS video, sum(a.aarskontrol) AS aarskontrol, sum(a.sygebesoeg) AS sygebesoeg, "
            "sum(a.spirometri) AS spirometri, sum(a.honorar_kr) AS honorar_ydelser_kr, "
            "sum(a.kronikerhonorar_kr) AS honorar_kronikerhonorar_kr "
            f"FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id {_DIAGNOSES} "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"),
        "sygehus_aktivitet": (
            f"SELECT a.aar, p.region, d.column1 AS diagnose, {age} AS aldersgruppe, "
            f"{_YES_NO.format(c='a.plejehjem')} AS plejehjem, "
            f"{_YES_NO.format(c='a.kronikerhonorar')} AS kronikerhonorar, count(*) AS patienter, "
            "sum(a.indlaeggelser) AS indlaeggelser, sum(a.ambulante_besoeg) AS ambulante_besoeg, "
            "sum(a.speciallaege_besoeg) AS speciallaege_besoeg "
            f"FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id {_DIAGNOSES} "
            "GROUP BY 1, 2, 3, 4, 5, 6"),
        "sygehuskontakt": (
            f"SELECT a.aar, p.region, d.column1 AS diagnose, {age} AS aldersgruppe, count(*) AS patienter, "
            + ", ".join(f"sum((a.{mask} & {_DX_BITS}) > 0) AS {column}"
                        for column, mask in HOSPITAL_CONTACT_COUNTS.items())
            + f" FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id {_DIAGNOSES} "
            "GROUP BY 1, 2, 3, 4"),
        "multimorbiditet": (
            f"SELECT a.aar, p.region, p.koen, {age} AS aldersgruppe, d.column1 AS diagnose, "
            f"{_DIAGNOSIS_COUNT} AS antal_diagnoser, count(*) AS patienter "
            f"FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id {_DIAGNOSES} "
            "GROUP BY 1, 2, 3, 4, 5, 6 UNION ALL "
            f"SELECT a.aar, p.region, p.koen, {age}, '{ANY_DIAGNOSIS}', {_DIAGNOSIS_COUNT}, count(*) "
            "FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id "
            "GROUP BY 1, 2, 3, 4, 5, 6"),
        "forloeb": (
            "SELECT CAST(substr(f.diagnosedato, 1, 4) AS INTEGER) AS aar, p.region, p.koen, "
            + _AGE.format(a="(CAST(substr(f.diagnosedato, 1, 4) AS INTEGER) - p.foedselsaar)")
            + " AS aldersgruppe, f.diagnose, count(*) AS nye_patienter, "
            + ", ".join(f"coalesce(sum(f.dage_til_{kind} <= {days}), 0) AS {kind}_{days}d"
                        for kind in ("speciallaege", "sygehus") for days in (30, 90, 365))
            + " FROM main.kohorte_forloeb f JOIN main.kohorte_person p ON p.person_id = f.person_id "
            "GROUP BY 1, 2, 3, 4, 5"),
        "forloeb_tid": " UNION ALL ".join(
            f"SELECT CAST(substr(f.diagnosedato, 1, 4) AS INTEGER) AS aar, p.region, f.diagnose, "
            f"'{label}' AS kontakt, min(CAST(f.dage_til_{kind} / 7 AS INTEGER), 52) AS uge, count(*) AS patienter "
            "FROM main.kohorte_forloeb f JOIN main.kohorte_person p ON p.person_id = f.person_id "
            f"WHERE f.dage_til_{kind} IS NOT NULL GROUP BY 1, 2, 3, 4, 5"
            for label, kind in (("Speciallægepraksis", "speciallaege"), ("Sygehus", "sygehus"))),
    }


def _forekomst(reference_year: int) -> str:
    age5 = _AGE5.format(a="a.alder")
    cells = (
        "WITH pat AS ("
        f"  SELECT a.aar, p.kommune, {age5} AS aldersgruppe5, d.column1 AS diagnose, count(*) AS patienter"
        f"  FROM main.kohorte_aar a JOIN main.kohorte_person p ON p.person_id = a.person_id {_DIAGNOSES}"
        "  GROUP BY 1, 2, 3, 4"
        "), pop AS ("
        "  SELECT aar, region, kommune, aldersgruppe5, sum(befolkning) AS befolkning FROM main.befolkning"
        "  GROUP BY 1, 2, 3, 4"
        "), std AS ("
        "  SELECT aldersgruppe5, 1.0 * sum(befolkning) / (SELECT sum(befolkning) FROM main.befolkning"
        f"    WHERE aar = {reference_year}) AS w"
        f"  FROM main.befolkning WHERE aar = {reference_year} GROUP BY 1"
        "), cells AS ("
        "  SELECT pop.aar, pop.region, pop.kommune, pop.aldersgruppe5, dx.column1 AS diagnose,"
        "         coalesce(pat.patienter, 0) AS patienter, pop.befolkning"
        "  FROM pop CROSS JOIN (VALUES ('diabetes'), ('KOL'), ('astma'), ('atrieflimren'), ('hjertesvigt')) AS dx"
        "  LEFT JOIN pat ON pat.aar = pop.aar AND pat.kommune = pop.kommune"
        "   AND pat.aldersgruppe5 = pop.aldersgruppe5 AND pat.diagnose = dx.column1"
        ")")
    parts = []
    for level, region, area, keys in (
        ("Hele landet", "'Hele landet'", "'Hele landet'", ""),
        ("Region", "region", "region", "region, "),
        ("Kommune", "region", "kommune", "region, kommune, "),
    ):
        parts.append(
            f"SELECT aar, '{level}' AS niveau, {region} AS region, {area} AS omraade, diagnose, "
            "sum(patienter) AS patienter, sum(befolkning) AS befolkning, "
            "round(1000.0 * sum(patienter) / sum(befolkning), 2) AS pr_1000, "
            "round(1000.0 * sum(rate * w), 2) AS pr_1000_aldersstd FROM ("
            f"  SELECT aar, {keys}diagnose, c.aldersgruppe5, sum(patienter) AS patienter,"
            "         sum(befolkning) AS befolkning, 1.0 * sum(patienter) / sum(befolkning) AS rate"
            f"  FROM cells c GROUP BY aar, {keys}diagnose, c.aldersgruppe5"
            f") JOIN std USING (aldersgruppe5) GROUP BY aar, {keys}diagnose")
    return f"{cells} SELECT * FROM ({' UNION ALL '.join(parts)})"


def shadow_with_cohort_views(conn: sqlite3.Connection, mockdata: Path) -> list[str]:
    """Create TEMP views that shadow the aggregate tables; returns their names.

    Requires a database built with the person-level cohort (`katalog build --kohorte`)."""
    names = []
    for name, sql in view_definitions(mockdata).items():
        conn.execute(f"CREATE TEMP VIEW [{name}] AS {sql}")
        names.append(name)
    return names
