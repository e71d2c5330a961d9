"""`make bench`: build time, chart binding against raw SQL, and the PDF, as JSON ratios."""

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
from katalog.content import load_catalogue
from katalog.db import mockdata_dir, usecases_dir
from katalog.export import render_pdf

SAMPLES = 200


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    db_path = folder / "bench.db"
    started = time.perf_counter()
    report = build(db_path, usecases_dir(), mockdata_dir())
    build_seconds = time.perf_counter() - started
    rows = sum(report.tables.values())

    catalogue = load_catalogue(usecases_dir())
    charts = [(item, chart) for item in catalogue.items for chart in item.charts]
    rng = random.Random(42)
    options = {(i.id, c.id): [param_options(p, db_path) for p in c.params] for i, c in charts}
    bound_ms, raw_ms = [], []
    raw = sqlite3.connect(db_path)
    for _ in range(SAMPLES):
        item, chart = rng.choice(charts)
        values = {p.name: rng.choice(o) for p, o in zip(chart.params, options[(item.id, chart.id)], strict=True)}
        t0 = time.perf_counter()
        bound = bind(chart, values, db_path)
        bound_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        raw.execute(chart.sql, bound.params).fetchall()
        raw_ms.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    render_pdf(catalogue.items, db_path)
    pdf_seconds = time.perf_counter() - t0

    print(json.dumps({
        "build": {"seconds": round(build_seconds, 3), "rows": rows,
                  "rows_per_second": round(rows / build_seconds), "db_bytes": db_path.stat().st_size},
        "chart": {
            "samples": SAMPLES,
            "bind_p95_ms": round(p95(bound_ms), 2),
            "baseline_raw_sql_p95_ms": round(p95(raw_ms), 2),
            "ratio_bind_over_raw_sql": round(p95(bound_ms) / p95(raw_ms), 1),
            "note": "bind = sandboxed query + suppression + Altair validation; "
                    "baseline = same SQL on a plain connection",
        },
        "pdf": {"seconds": round(pdf_seconds, 2), "usecases": len(catalogue.items),
                "seconds_per_usecase": round(pdf_seconds / max(len(catalogue.items), 1), 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
