"""`make bench`: build times, chart queries against their baselines, and the PDF, as JSON.

Every figure comes with a baseline measured in the same run, because machines here are noisy:
- build: national scale with disclosure control (every table's cube, linked tables) next to the same
  build without it, national with the person-level cohort, and the default scale when $KATALOG_SCALE
  makes it differ from national;
- the disclosure audit of one year (2024) of every protected table, at national scale;
- chart queries: every use-case's charts with random parameters; the chart SQL on the protected
  tables (plain connection) next to the full binding (sandbox, marking what is hidden, Altair validation);
- PDF export of the whole catalogue.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from katalog.audit import audit
from katalog.build import build
from katalog.charts import bind, param_options
from katalog.content import load_catalogue
from katalog.db import mock_scale, mockdata_dir, usecases_dir
from katalog.export import render_pdf
from katalog.mockdata import generate
from katalog.protected import protect

SAMPLES = 200


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def timed_build(path: Path, scale: float, cohort: bool, protected: bool = True) -> dict:
    started = time.perf_counter()
    report = build(path, usecases_dir(), mockdata_dir(), scale=scale, cohort=cohort, protected=protected)
    seconds = time.perf_counter() - started
    rows = sum(report.tables.values())
    return {"scale": scale, "cohort_tables": cohort, "seconds": round(seconds, 2), "rows_written": rows,
            "rows_written_per_second_of_build": round(rows / seconds), "db_bytes": path.stat().st_size,
            "steps_seconds": report.steps}


def audit_year(year: int) -> dict:
    """The disclosure audit of one year of every protected table at national scale, timed."""
    mock = generate(mockdata_dir(), scale=1.0)
    tables = [t if "aar" not in t.frame else type(t)(t.name, t.title, t.declaration, t.frame[t.frame["aar"] == year],
                                                     t.indexes, t.level) for t in mock.tables]
    started = time.perf_counter()
    protection = protect(tables)
    protect_seconds = time.perf_counter() - started
    report = audit(protection.cubes, protection.links)
    summary = report.summary()
    return {"year": year, "protect_seconds": round(protect_seconds, 2), "audit_seconds": summary["sekunder"],
            "ratio_audit_over_protect": round(summary["sekunder"] / protect_seconds, 1),
            "hidden_cells": summary["skjulte"], "small_counts_checked": summary["små_tal_tjekket"],
            "narrowed": summary["indsnævret"], "exposed": summary["afsløret"], "passed": summary["bestået"]}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="katalog-bench-") as name:  # ≈0.9 GB, removed afterwards
        run(Path(name))


def run(folder: Path) -> None:
    national = folder / "national.db"
    with_cohort = folder / "cohort.db"
    builds = {"national": timed_build(national, 1.0, False),
              "national_without_disclosure_control": timed_build(folder / "raw.db", 1.0, False, protected=False)}
    builds["ratio_with_over_without_disclosure_control"] = round(
        builds["national"]["seconds"] / builds["national_without_disclosure_control"]["seconds"], 2)
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

    t0 = time.perf_counter()
    render_pdf(catalogue.items, national)
    pdf_seconds = time.perf_counter() - t0

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
        "pdf": {"seconds": round(pdf_seconds, 2), "usecases": len(catalogue.items),
                "seconds_per_usecase": round(pdf_seconds / max(len(catalogue.items), 1), 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
