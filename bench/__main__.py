"""`make bench`: build times, chart queries against their baselines, and the PDF, as JSON.

Every figure comes with a baseline measured in the same run, because machines here are noisy:
- build: national scale with disclosure control and its audit (every table's cube, linked tables, and the
  linear-programming audit with its repair, which a national build runs before writing) next to the same
  build with disclosure control but no audit and without disclosure control at all, national with the
  person-level cohort, and the default scale when $KATALOG_SCALE makes it differ from national;
- the disclosure audit of one year (2024) of every protected table, at national scale;
- chart queries: every use-case's charts with random parameters; the chart SQL on the protected
  tables (plain connection) next to the full binding (sandbox, marking what is hidden, Altair validation);
- the sandbox: how long after its time limit a runaway query is stopped, next to a trivial query, and the
  search functions SQLite runs in quadratic time (the sandbox's linear rewrites) next to a linear query;
- the tally of 50 members × 200 use-cases (every method and rule) next to a plain pandas mean (bench/tally.py);
- PDF export of the whole catalogue, cold (empty cache) and warm (katalog/export/pdfcache.py);
- what a member feels in a real browser, each figure next to a minimal Streamlit page (bench/browser.py).
"""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.browser import browser_figures
from bench.tally import tally_figures
from katalog.build import build
from katalog.charts import bind, param_options
from katalog.content import load_catalogue
from katalog.db import mock_scale, mockdata_dir, usecases_dir
from katalog.disclosure.audit import audit
from katalog.disclosure.protected import protect
from katalog.export import render_pdf
from katalog.mock.mockdata import generate

SAMPLES = 200


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def timed_build(path: Path, scale: float, cohort: bool, protected: bool = True, audited: bool | None = None) -> dict:
    started = time.perf_counter()
    report = build(path, usecases_dir(), mockdata_dir(), scale=scale, cohort=cohort, protected=protected,
                   audited=audited)
    seconds = time.perf_counter() - started
    rows = sum(report.tables.values())
    out = {"scale": scale, "cohort_tables": cohort, "seconds": round(seconds, 2), "rows_written": rows,
           "rows_written_per_second_of_build": round(rows / seconds), "db_bytes": path.stat().st_size,
           "steps_seconds": report.steps}
    if report.audit:
        out["audit"] = {k: report.audit[k] for k in ("små_tal_tjekket", "indsnævret", "bestemt_præcist",
                                                      "ekstra_skjult", "skjulte")}
    return out


_BIG = ("WITH RECURSIVE s(x) AS (SELECT 'a' UNION ALL SELECT x || x FROM s WHERE length(x) < 40000), "
        "big(a) AS (SELECT substr(max(x), 1, 49500) || substr(max(x), 1, 49500) FROM s), "
        "half(h) AS (SELECT substr(a, 1, 49000) || 'b' FROM big), "
        "rep(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM rep WHERE i < :rows) ")
_RUNAWAY = {
    "recursive": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) AS n FROM n",
    "instr_many_rows": _BIG + "SELECT sum(instr(a, h)) AS n FROM big, half, rep",
    "trim_many_rows": _BIG + "SELECT sum(length(trim(a, substr(replace(a, 'a', 'b'), 1, 8000) || 'a'))) AS n "
                             "FROM big, half, rep",
    "huge_join_sort": "SELECT a.aar AS x FROM befolkning a, befolkning b ORDER BY a.befolkning * b.befolkning LIMIT 1",
}


def sandbox_figures(db: Path, limit: float = 0.3, samples: int = 5) -> dict:
    """How promptly the time limit fires (seconds past the limit, against a trivial query), and the search
    functions against a linear query over the same strings."""
    from katalog.charts.sandbox import QueryError, run_query

    def seconds(sql: str, params: dict | None = None, max_seconds: float = 30.0) -> float:
        started = time.perf_counter()
        with contextlib.suppress(QueryError):  # a runaway query ends with the limit's refusal
            run_query(db, sql, params, max_seconds=max_seconds)
        return time.perf_counter() - started

    trivial = statistics.median(seconds("SELECT 1 AS n") for _ in range(samples))
    stop = {name: round(statistics.median(seconds(sql, {"rows": 100000} if ":rows" in sql else None, limit)
                                          for _ in range(samples)) - limit, 3) for name, sql in _RUNAWAY.items()}
    search = _BIG + "SELECT sum({}) AS n FROM big, half, rep"
    linear = statistics.median(seconds(search.format("length(a) + length(h)"), {"rows": 10}) for _ in range(3))
    searched = {name: round(statistics.median(seconds(search.format(expression), {"rows": 10}) for _ in range(3))
                            / linear, 2)
                for name, expression in (("instr", "instr(a, h)"), ("replace", "length(replace(a, h, 'x'))"),
                                         ("trim", "length(trim(a, substr(replace(a, 'a', 'b'), 1, 8000) || 'a'))"))}
    return {"time_limit_seconds": limit, "trivial_query_seconds": round(trivial, 4),
            "stopped_seconds_after_the_limit": stop,
            "worst_overrun_in_trivial_queries": round(max(stop.values()) / trivial, 1),
            "search_over_linear_query_ratio": searched,
            "note": "runaway queries are stopped this long after the limit; search functions on 99 kB strings "
                    "against a query of the same strings with length() only"}


def audit_year(year: int) -> dict:
    """The disclosure audit of one year of every protected table at national scale, timed: the line rules
    alone, their audit, and the audit with its repair (what a national build runs)."""
    mock = generate(mockdata_dir(), scale=1.0)
    tables = [t if "aar" not in t.frame else type(t)(t.name, t.title, t.declaration, t.frame[t.frame["aar"] == year],
                                                     t.indexes, t.level) for t in mock.tables]
    started = time.perf_counter()
    protection = protect(tables)
    protect_seconds = time.perf_counter() - started
    rules = audit(protection.cubes, protection.links).summary()
    repaired = protect(tables, audited=True)
    summary = repaired.audit.summary()
    return {"year": year, "protect_seconds": round(protect_seconds, 2), "audit_seconds": rules["sekunder"],
            "ratio_audit_over_protect": round(rules["sekunder"] / protect_seconds, 1),
            "narrowed_by_the_line_rules_alone": rules["indsnævret"],
            "audit_with_repair_seconds": round(repaired.audit_seconds, 2),
            "cells_hidden_by_the_repair": repaired.repaired,
            "hidden_cells": summary["skjulte"], "small_counts_checked": summary["små_tal_tjekket"],
            "narrowed": summary["indsnævret"], "exposed": summary["afsløret"], "passed": summary["bestået"]}


@contextlib.contextmanager
def _pdf_cache(folder: Path):
    """$KATALOG_PDF_CACHE pointed at an empty `folder` for the block."""
    import os
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    before = os.environ.get("KATALOG_PDF_CACHE")
    os.environ["KATALOG_PDF_CACHE"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("KATALOG_PDF_CACHE", None)
        else:
            os.environ["KATALOG_PDF_CACHE"] = before


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="katalog-bench-") as name:  # ≈0.9 GB, removed afterwards
        run(Path(name))


def run(folder: Path) -> None:
    national = folder / "national.db"
    with_cohort = folder / "cohort.db"
    builds = {"national": timed_build(national, 1.0, False),
              "national_without_audit": timed_build(folder / "unaudited.db", 1.0, False, audited=False),
              "national_without_disclosure_control": timed_build(folder / "raw.db", 1.0, False, protected=False)}
    without = builds["national_without_disclosure_control"]["seconds"]
    builds["ratio_with_over_without_disclosure_control"] = round(builds["national"]["seconds"] / without, 2)
    builds["ratio_without_audit_over_without_disclosure_control"] = round(
        builds["national_without_audit"]["seconds"] / without, 2)
    if mock_scale() != 1.0:
        builds["default"] = timed_build(folder / "default.db", mock_scale(), False)
    builds["national_with_cohort"] = timed_build(with_cohort, 1.0, True)

    catalogue = load_catalogue(usecases_dir())
    charts = [chart for item in catalogue.items for chart in item.charts]
    rng = random.Random(42)
    options = {chart.id: [param_options(p, national) for p in chart.params] for chart in charts}
    samples = []
    for _ in range(SAMPLES):
        chart = rng.choice(charts)
        samples.append((chart, {p.name: rng.choice(o) for p, o in zip(chart.params, options[chart.id], strict=True)}))

    bind_ms, sql_ms, bound_params = [], [], []
    plain = sqlite3.connect(national)
    for chart, values in samples:
        t0 = time.perf_counter()
        bound = bind(chart, values, national)
        bind_ms.append((time.perf_counter() - t0) * 1000)
        bound_params.append(bound.params)
        t0 = time.perf_counter()
        plain.execute(chart.sql, bound.params).fetchall()
        sql_ms.append((time.perf_counter() - t0) * 1000)

    audit_report = audit_year(2024)
    sandbox_report = sandbox_figures(national)

    # In this process (imports already paid): with an empty cache, then the same document again.
    pdf_seconds = {}
    with _pdf_cache(folder / "pdfcache"):
        for kind in ("cold", "warm"):
            t0 = time.perf_counter()
            render_pdf(catalogue.items, national)
            pdf_seconds[kind] = time.perf_counter() - t0

    print(json.dumps({
        "build": builds,
        "chart_query": {
            "charts": len(charts),
            "samples": SAMPLES,
            "sql_on_aggregates_p95_ms": round(p95(sql_ms), 2),
            "bind_p95_ms": round(p95(bind_ms), 2),
            "ratio_bind_over_sql": round(p95(bind_ms) / p95(sql_ms), 1),
            "note": "sql = the chart's SQL once on a plain connection; bind = the sandboxed query, its "
                    "options, marking what is hidden + Altair validation (what a page waits for, uncached)",
        },
        "audit": audit_report,
        "sandbox": sandbox_report,
        "tally": tally_figures(),
        "pdf": {"usecases": len(catalogue.items),
                **{f"seconds_{kind}": round(s, 2) for kind, s in pdf_seconds.items()},
                **{f"seconds_per_usecase_{kind}": round(s / max(len(catalogue.items), 1), 2)
                   for kind, s in pdf_seconds.items()},
                "note": "render_pdf in this process, cache emptied first (cold) and the same document again "
                        "(warm); browser.pdf_export has the figures for a new process, with page.pdf()"},
        "browser": browser_figures(national),
    }, indent=2))


if __name__ == "__main__":
    main()
