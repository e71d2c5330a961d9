"""`make bench`: build times, chart queries against their baselines, and the PDF, as JSON.

Every figure comes with a baseline measured in the same run, because machines here are noisy:
- build: national scale (aggregates), national with the person-level cohort, and the default
  scale when $KATALOG_SCALE makes it differ from national;
- chart queries: every use-case's charts with random parameters; the chart SQL on the aggregate
  tables (plain connection), the full binding (sandbox, every margin choice, suppression, Altair
  validation), and the same SQL computed straight from the person-level cohort (the aggregate
  tables shadowed by views over kohorte_*, katalog/cohort_sql.py): the ratio is what the
  aggregates buy;
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

from katalog.build import build
from katalog.charts import bind, param_options
from katalog.cohort_sql import shadow_with_cohort_views
from katalog.content import load_catalogue
from katalog.db import mock_scale, mockdata_dir, usecases_dir
from katalog.export import render_pdf

SAMPLES = 200
COHORT_SAMPLES = 12  # each query over the person-level cohort takes seconds: too few for a p95


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def timed_build(path: Path, scale: float, cohort: bool) -> dict:
    started = time.perf_counter()
    report = build(path, usecases_dir(), mockdata_dir(), scale=scale, cohort=cohort)
    seconds = time.perf_counter() - started
    rows = sum(report.tables.values())
    return {"scale": scale, "cohort_tables": cohort, "seconds": round(seconds, 2), "rows_written": rows,
            "rows_written_per_second_of_build": round(rows / seconds), "db_bytes": path.stat().st_size,
            "steps_seconds": report.steps}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="katalog-bench-") as name:  # ≈0.9 GB, removed afterwards
        run(Path(name))


def run(folder: Path) -> None:
    national = folder / "national.db"
    with_cohort = folder / "cohort.db"
    builds = {"national": timed_build(national, 1.0, False)}
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

    cohort_conn = sqlite3.connect(with_cohort)
    shadow_with_cohort_views(cohort_conn, mockdata_dir())
    aggregate_conn = sqlite3.connect(with_cohort)
    cohort_ms, same_sample_ms = [], []
    for (chart, _), params in list(zip(samples, bound_params, strict=True))[:COHORT_SAMPLES]:
        t0 = time.perf_counter()
        from_cohort = cohort_conn.execute(chart.sql, params).fetchall()
        cohort_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        from_tables = aggregate_conn.execute(chart.sql, params).fetchall()
        same_sample_ms.append((time.perf_counter() - t0) * 1000)
        if sorted(map(repr, from_cohort)) != sorted(map(repr, from_tables)):
            raise SystemExit(f"{chart.id}: the cohort and the aggregate tables disagree for {params}")

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
            "note": "sql = the chart's SQL once on a plain connection; bind = sandboxed queries for every "
                    "margin choice + suppression + Altair validation (what a page waits for, uncached)",
        },
        "cohort_baseline": {
            "samples": len(cohort_ms),
            "sql_on_cohort_median_ms": round(statistics.median(cohort_ms), 1),
            "sql_on_cohort_max_ms": round(max(cohort_ms), 1),
            "sql_on_aggregates_same_samples_median_ms": round(statistics.median(same_sample_ms), 2),
            "sql_on_aggregates_same_samples_max_ms": round(max(same_sample_ms), 2),
            "ratio_cohort_over_aggregates_median": round(statistics.median(cohort_ms)
                                                         / statistics.median(same_sample_ms)),
            "note": "the same chart SQL with the aggregate tables replaced by views over the person-level "
                    "cohort; both give identical rows (checked)",
        },
        "pdf": {"seconds": round(pdf_seconds, 2), "usecases": len(catalogue.items),
                "seconds_per_usecase": round(pdf_seconds / max(len(catalogue.items), 1), 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
