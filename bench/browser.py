"""What a member feels: browser-level timings of the real app next to minimal Streamlit pages ("floors").

Playwright drives system Chromium (never a downloaded browser) against real `streamlit run` servers, each on
a free port. Every figure is a ratio to the same interaction on a floor page (bench/floors/) measured in the
same run, interleaved sample by sample, because this machine is small and shared:

- cold start: process start → the first card visible in a new page, vs a hello-world page;
- opening the catalogue in a new browser context (warm server) until the first card, and a filter click until
  the count line ("N af M use-cases") changes, vs one multiselect and six bordered containers;
- opening a use-case until every chart is drawn, and a parameter change until the chart is redrawn (first time:
  a combination not chosen before in this server; cached: one chosen before), vs one select and one chart;
- server CPU per rerun (utime + stime of the server process from /proc) for the filter and parameter changes;
- the catalogue and filter figures again with 1,000 use-cases (copies of the real files), with the DOM size;
- the PDF of the whole catalogue (`katalog export` as a process) per use-case, cold (no cache), relaid (charts
  cached, every page laid out again), decided (after a decision: two parts laid out again) and warm (the same
  document again), vs Chromium's page.pdf() of the same
  Use-case pages.

Times are taken inside the page: from the input event (pointerdown) or the navigation's start to the first
animation frame in which the change is in the DOM, so Playwright's round trips are not counted.

Run alone: `.venv/bin/python -m bench.browser [--db PATH] [--samples N] [--only pdf --large 0]` (without --db a
database at scale 0.05 is built into a temporary folder). `make bench` runs it on the national database.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = Path(__file__).resolve().parent / "floors"
APP = ROOT / "streamlit_app.py"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 60_000
SLOW_TIMEOUT_MS = 240_000  # a first run over 1,000 use-case files
PRINTS_PER_EXPORT = 3  # PDF: one whole `katalog export` per three printed Use-case pages
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# Everything the benchmark knows about the pages it drives, in one place: by role and label where it can be.
@dataclass(frozen=True)
class Selectors:
    idle: str = "[data-testid='stApp'][data-test-script-state='notRunning']"
    main: str = "[data-testid='stMain']"
    sidebar_testid: str = "stSidebar"
    # The count line is bold Markdown in the main area; a card's title is bold (the floor) or the card's heading.
    bold: str = "[data-testid='stMain'] strong, [data-testid='stMain'] .katalog-card h3"
    card_title: str = r"^UC-\d+ · "
    count: str = r"^(\d+) af (\d+) use-cases"
    hello: str = "[data-testid='stMain'] [data-testid='stMarkdownContainer']"
    hello_text: str = "Hello world"
    chart: str = "[data-testid='stVegaLiteChart']"
    filter_label: str = "Diagnose"  # a multiselect in the sidebar
    filter_option: str = r"^atrieflimren \(\d+\)"  # its option, with the count it would show
    filter_chip_remove: str = r"atrieflimren \(\d+\)$"  # the chip's remove button ("Remove …" / "Fjern …")
    usecase: str = "UC-01"
    usecase_path: str = "/usecase?id={id}"
    # The first chart's parameters walked for "first time" changes, fastest-changing first.
    param_labels: tuple[str, ...] = ("År", "Region", "Diagnose")
    floor_param_label: str = "År"


SEL = Selectors()

# Installed in every page before its own scripts. `__bench.run(kind, cfg)` checks a condition once per animation
# frame and records `t1` (ms since the navigation started) in the first frame where it holds; `__bench.arm`
# snapshots the state, then starts that loop at the next pointerdown, whose time is `t0`.
WATCHER_JS = r"""
(() => {
  if (window.__bench) return;
  const B = window.__bench = {t0: null, t1: null, before: null, error: null};
  const all = (sel) => Array.from(document.querySelectorAll(sel));
  const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const big = (el) => { const r = el.getBoundingClientRect(); return r.width > 200 && r.height > 100; };
  const graphic = (chart) => chart.querySelector('svg.marks, canvas') || chart.querySelector('svg');
  const signature = (chart) => {
    const g = chart && graphic(chart);
    if (!g || !big(g)) return null;
    return g.tagName.toLowerCase() === 'canvas' ? g.toDataURL() : g.innerHTML;
  };
  B.countText = (cfg) => {
    const re = new RegExp(cfg.count);
    if (!(B.countEl && B.countEl.isConnected && re.test(B.countEl.textContent))) {
      B.countEl = all(cfg.bold).find((el) => re.test(el.textContent)) || null;
    }
    return B.countEl ? B.countEl.textContent : null;
  };
  B.state = {
    card: (cfg) => { const re = new RegExp(cfg.card_title);
                     return all(cfg.bold).some((el) => re.test(el.textContent) && shown(el)); },
    text: (cfg) => all(cfg.hello).some((el) => el.textContent.trim() === cfg.hello_text && shown(el)),
    charts: (cfg) => { const charts = all(cfg.chart);
                       return charts.length >= cfg.n && charts.every((c) => signature(c) !== null); },
    count_changed: (cfg) => { const t = B.countText(cfg); return t !== null && t !== B.before; },
    chart_changed: (cfg) => { const s = signature(all(cfg.chart)[cfg.index]); return s !== null && s !== B.before; },
  };
  B.snapshot = {
    count_changed: (cfg) => B.countText(cfg),
    chart_changed: (cfg) => signature(all(cfg.chart)[cfg.index]),
  };
  B.run = (kind, cfg) => {
    B.t1 = null;
    const tick = () => {
      if (B.t1 !== null) return;
      let ok = false;
      try { ok = B.state[kind](cfg); } catch (e) { B.error = String(e); }
      if (ok) { B.t1 = performance.now(); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  B.arm = (kind, cfg) => {
    B.t0 = null; B.t1 = null;
    B.before = B.snapshot[kind] ? B.snapshot[kind](cfg) : null;
    document.addEventListener('pointerdown', () => { B.t0 = performance.now(); B.run(kind, cfg); },
                              {capture: true, once: true});
    return B.before;
  };
})();
"""


def _cfg(**extra) -> dict:
    base = {"bold": SEL.bold, "card_title": SEL.card_title, "count": SEL.count, "hello": SEL.hello,
            "hello_text": SEL.hello_text, "chart": SEL.chart}
    return {**base, **extra}


# ---------------------------------------------------------------------------------------------- statistics


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) >= 2 else values[0]


def _summary(values: list[float]) -> dict:
    if not values:
        return {"median_ms": None, "p95_ms": None, "samples": 0}
    return {"median_ms": round(statistics.median(values), 1), "p95_ms": round(_p95(values), 1),
            "samples": len(values)}


def _figure(app: list[float], floor: list[float], budget: float | None, what: str) -> dict:
    katalog, base = _summary(app), _summary(floor)
    ratio = (round(katalog["median_ms"] / base["median_ms"], 2)
             if katalog["median_ms"] is not None and base["median_ms"] else None)
    return {"what": what, "katalog": katalog, "floor": base, "ratio": ratio, "budget": budget,
            "meets_budget": None if budget is None or ratio is None else ratio <= budget}


def _cpu_figure(app: tuple[float, int], floor: tuple[float, int], budget: float, what: str) -> dict:
    (app_ms, app_reruns), (floor_ms, floor_reruns) = app, floor
    katalog = {"cpu_ms_per_rerun": round(app_ms / max(app_reruns, 1), 1), "reruns": app_reruns}
    base = {"cpu_ms_per_rerun": round(floor_ms / max(floor_reruns, 1), 1), "reruns": floor_reruns}
    ratio = round(katalog["cpu_ms_per_rerun"] / base["cpu_ms_per_rerun"], 2) if base["cpu_ms_per_rerun"] else None
    return {"what": what, "katalog": katalog, "floor": base, "ratio": ratio, "budget": budget,
            "meets_budget": None if ratio is None else ratio <= budget}


def _interleaved(samples: int, app: Callable[[], float | None], floor: Callable[[], float | None],
                 warmup: int = 1) -> tuple[list[float], list[float]]:
    """`samples` of each, alternating which goes first; a None (a sample that could not be taken) is dropped."""
    for _ in range(warmup):
        app()
        floor()
    app_values: list[float] = []
    floor_values: list[float] = []
    for i in range(samples):
        pair = [(app, app_values), (floor, floor_values)]
        for measure, values in (pair if i % 2 == 0 else reversed(pair)):
            value = measure()
            if value is not None:
                values.append(value)
    return app_values, floor_values


# ---------------------------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_ms(pid: int) -> float:
    """utime + stime of one process (all its threads), in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    started: float  # perf_counter() just before the process was started

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_ms(self) -> float:
        return _cpu_ms(self.pid)


@contextlib.contextmanager
def streamlit_server(script: Path, env: dict[str, str], log_dir: Path, poll: float = 0.02,
                     kill: bool = False) -> Iterator[Server]:
    """`streamlit run script` on a free port (headless, no file watcher, no usage stats); always ended, with
    SIGTERM or (`kill`, when its shutdown is of no interest) SIGKILL."""
    port = _free_port()
    log_path = log_dir / f"streamlit-{script.stem}-{port}.log"
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless=true", f"--server.port={port}",
             "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                        if answer.read() == b"ok":
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: {log_path.read_text(errors='replace')[-2000:]}")
                time.sleep(poll)
            yield Server(url, process, started)
        finally:
            if kill:
                process.kill()
            else:
                process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


# ---------------------------------------------------------------------------------------------- the page side


def _new_context(browser, watch: tuple[str, dict] | None = None):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WATCHER_JS)
    if watch is not None:
        kind, cfg = watch
        context.add_init_script(f"window.__bench.run({json.dumps(kind)}, {json.dumps(cfg)});")
    return context


def _wait_t1(page, timeout: int = TIMEOUT_MS) -> float:
    page.wait_for_function("() => window.__bench && window.__bench.t1 !== null", timeout=timeout, polling=20)
    return page.evaluate("() => window.__bench.t1")


def _wait_idle(page, timeout: int = TIMEOUT_MS) -> None:
    page.wait_for_selector(SEL.idle, timeout=timeout)


def load_ms(browser, url: str, kind: str, cfg: dict, timeout: int = TIMEOUT_MS) -> float:
    """A new browser context opens `url`: ms from the navigation's start to the first frame where `kind` holds."""
    context = _new_context(browser, (kind, cfg))
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=timeout)
        return _wait_t1(page, timeout)
    finally:
        context.close()


def _interaction_ms(page, kind: str, cfg: dict, act: Callable[[Callable[[], None]], None],
                    timeout: int = TIMEOUT_MS) -> float:
    """ms from the pointerdown that `act` makes (after calling arm) to the first frame where `kind` holds."""
    act(lambda: page.evaluate("([kind, cfg]) => window.__bench.arm(kind, cfg)", [kind, cfg]))
    page.wait_for_function("() => window.__bench.t1 !== null && window.__bench.t0 !== null", timeout=timeout,
                           polling=20)
    return page.evaluate("() => window.__bench.t1 - window.__bench.t0")


def _count(page) -> tuple[int, int] | None:
    text = page.evaluate("(cfg) => window.__bench.countText(cfg)", _cfg())
    match = re.match(SEL.count, text or "")
    return (int(match[1]), int(match[2])) if match else None


def _wait_count_all(page, timeout: int = TIMEOUT_MS) -> None:
    """Until the count line says every use-case is shown, and the script is idle."""
    page.wait_for_function(
        """(cfg) => { const t = window.__bench.countText(cfg); const m = t && t.match(new RegExp(cfg.count));
                      return m && m[1] === m[2]; }""", arg=_cfg(), timeout=timeout, polling=50)
    _wait_idle(page, timeout)


def filter_click_ms(page, timeout: int = TIMEOUT_MS) -> float:
    """One filter click, timed until the count line changes: the option is added when every use-case is shown,
    else its chip is removed again (so samples alternate between the two). One rerun of the server."""
    sidebar = page.get_by_test_id(SEL.sidebar_testid)
    counted = _count(page)
    if counted and counted[0] == counted[1]:
        sidebar.get_by_role("combobox", name=SEL.filter_label, exact=True).click()
        target = page.get_by_role("option", name=re.compile(SEL.filter_option))
        target.wait_for(timeout=timeout)
    else:
        target = sidebar.get_by_role("button", name=re.compile(SEL.filter_chip_remove))

    def act(arm):
        arm()
        target.click()

    ms = _interaction_ms(page, "count_changed", _cfg(), act, timeout)
    page.keyboard.press("Escape")  # close the option list, if open
    _wait_idle(page, timeout)
    return ms


def _param_widget_choose(page, label: str, value, arm: Callable[[], None], timeout: int = TIMEOUT_MS) -> None:
    """Choose `value` in the parameter widget labelled `label` (selectbox, radio or segmented control), arming
    the clock just before the click that changes it. The first such widget in the main area (else the page)."""
    text = str(value)
    for scope in (page.locator(SEL.main), page):
        combo = scope.get_by_role("combobox", name=label, exact=True)
        if combo.count():
            combo.first.click()
            option = page.get_by_role("option", name=text, exact=True)
            option.wait_for(timeout=timeout)
            arm()
            option.click()
            return
        group = scope.get_by_role("radiogroup", name=label, exact=True)
        if group.count():
            radio = group.first.get_by_role("radio", name=text, exact=True)
            target = radio if radio.is_visible() else group.first.get_by_text(text, exact=True)
            arm()
            target.click()
            return
    raise RuntimeError(f"no parameter widget labelled {label!r} on {page.url}")


def param_change_ms(page, label: str, value, chart_index: int = 0, timeout: int = TIMEOUT_MS) -> float | None:
    """Choose `value` for `label` and time until chart `chart_index` is redrawn; None when it is not (an empty
    view says so in text instead of drawing)."""
    cfg = _cfg(index=chart_index)
    try:
        ms = _interaction_ms(page, "chart_changed", cfg,
                             lambda arm: _param_widget_choose(page, label, value, arm, timeout), timeout)
    except Exception as error:  # noqa: BLE001 - playwright's TimeoutError among others; the sample is dropped
        _NOTES.append(f"parameter change {label}={value!r} not measured: {type(error).__name__}")
        ms = None
    _wait_idle(page, timeout)
    return ms


# ---------------------------------------------------------------------------------------------- helpers

_NOTES: list[str] = []


def _gray(radices: list[int]) -> list[tuple[int, ...]]:
    """Every combination of digits, each step changing exactly one digit (reflected mixed-radix Gray code);
    the first digit changes fastest."""
    if not radices:
        return [()]
    head, rest = radices[0], _gray(radices[1:])
    out = []
    for j, tail in enumerate(rest):
        digits = range(head) if j % 2 == 0 else range(head - 1, -1, -1)
        out.extend((d, *tail) for d in digits)
    return out


def _param_walk(db: Path, usecase_dir: Path, moves: int) -> tuple[list[tuple[str, object]], list[tuple[str, object]]]:
    """Changes of the first chart of SEL.usecase that each reach a combination not shown before (starting from
    the defaults), and then changes back and forth between two combinations already shown."""
    from katalog.charts import param_options
    from katalog.content import load_catalogue

    item = load_catalogue(usecase_dir).get(SEL.usecase)
    chart = item.charts[0]
    params = {p.label: p for p in chart.params}
    labels, radices, orders = [], [], []
    for label in SEL.param_labels:
        if label not in params:
            continue
        options = param_options(params[label], db)
        default = params[label].default if params[label].default in options else options[0]
        orders.append([default, *[o for o in options if o != default]])  # index 0 = what the page starts with
        labels.append(label)
        radices.append(len(options))
        if math.prod(radices) > moves + 2:
            break
    path = _gray(radices)
    first = []
    for previous, current in zip(path, path[1:], strict=False):
        changed = next(i for i in range(len(current)) if current[i] != previous[i])
        first.append((labels[changed], orders[changed][current[changed]]))
    first = first[:moves]
    # Back and forth between the last two combinations reached (they differ in one parameter).
    last_label, last_value = first[-1]
    before = orders[labels.index(last_label)][path[len(first) - 1][labels.index(last_label)]]
    cached = [(last_label, before if i % 2 == 0 else last_value) for i in range(moves)]
    return first, cached


def _floor_walk(moves: int) -> list[tuple[str, int]]:
    years = [2025, 2019, 2023, 2020, 2022, 2021]  # the floor starts at 2024; each move changes the year
    return [(SEL.floor_param_label, years[i % len(years)]) for i in range(moves)]


def copy_usecases(source: Path, target: Path, count: int) -> int:
    """`count` use-case files in `target`, copies of those in `source` with new ids (UC-000 …) and titles."""
    files = sorted(p for p in source.glob("*.md") if p.name.lower() != "readme.md")
    target.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        src = files[i % len(files)]
        text = src.read_text(encoding="utf-8")
        text = re.sub(r"^id: .*$", f"id: UC-{i:03d}", text, count=1, flags=re.M)
        text = re.sub(r"^title: (.*)$", lambda m, i=i: f"title: {m[1]} (kopi {i})", text, count=1, flags=re.M)
        slug = src.stem.split("-", 2)[-1]
        (target / f"UC-{i:03d}-{slug}.md").write_text(text, encoding="utf-8")
    return count


def _load_average() -> float | None:
    with contextlib.suppress(OSError):
        return float(Path("/proc/loadavg").read_text().split()[0])
    return None


def _katalog_cli() -> list[str]:
    script = Path(sys.executable).with_name("katalog")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from katalog.cli import main; main()"]


def build_small_db(folder: Path, scale: float = 0.05) -> Path:
    path = folder / "catalogue.db"
    subprocess.run([*_katalog_cli(), "--db", str(path), "build", "--skala", str(scale)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return path


# ---------------------------------------------------------------------------------------------- the figures


def _cold_start(browser, db: Path, logs: Path, samples: int) -> dict:
    def cold(script: Path, env: dict, kind: str) -> Callable[[], float]:
        def measure() -> float:
            context = _new_context(browser, (kind, _cfg()))
            try:
                page = context.new_page()
                with streamlit_server(script, env, logs, kill=True) as server:
                    navigated = time.perf_counter()
                    page.goto(server.url + "/", wait_until="commit", timeout=SLOW_TIMEOUT_MS)
                    in_page = _wait_t1(page, SLOW_TIMEOUT_MS)
                    return (navigated - server.started) * 1000 + in_page
            finally:
                context.close()
        return measure

    app, floor = _interleaved(samples, cold(APP, {"KATALOG_DB": str(db)}, "card"),
                              cold(FLOORS / "hello.py", {}, "text"))
    return _figure(app, floor, 1.5, "process start → first card visible in a new page, vs hello world "
                                    "(health polled every 20 ms, database already built)")


def _usecase_charts(browser, url: str) -> int:
    """How many charts the page draws when idle (what 'every chart' means for the open figure)."""
    context = _new_context(browser)
    try:
        page = context.new_page()
        page.goto(url, timeout=SLOW_TIMEOUT_MS)
        page.wait_for_selector(SEL.chart, timeout=SLOW_TIMEOUT_MS)
        _wait_idle(page, SLOW_TIMEOUT_MS)
        return page.locator(SEL.chart).count()
    finally:
        context.close()


def _catalogue_figures(browser, app: Server, floor: Server, samples: int, label: str,
                       filter_budget: float) -> dict:
    figures = {}
    app_open, floor_open = _interleaved(samples, lambda: load_ms(browser, app.url + "/", "card", _cfg(),
                                                                  SLOW_TIMEOUT_MS),
                                        lambda: load_ms(browser, floor.url + "/", "card", _cfg()))
    figures[f"open_catalogue{label}"] = _figure(app_open, floor_open, None,
                                                "new browser context, warm server → first card visible")

    pages = {}
    contexts = []
    try:
        for name, server in (("app", app), ("floor", floor)):
            context = _new_context(browser)
            contexts.append(context)
            page = context.new_page()
            page.goto(server.url + "/", timeout=SLOW_TIMEOUT_MS)
            _wait_count_all(page, SLOW_TIMEOUT_MS)
            pages[name] = page
        dom_nodes = pages["app"].evaluate("() => document.getElementsByTagName('*').length")
        floor_nodes = pages["floor"].evaluate("() => document.getElementsByTagName('*').length")
        counted = _count(pages["app"])
        cpu = {"app": [0.0, 0], "floor": [0.0, 0]}

        def clicked(name: str, server: Server) -> Callable[[], float]:
            def measure() -> float:
                before = server.cpu_ms()
                ms = filter_click_ms(pages[name], SLOW_TIMEOUT_MS)
                cpu[name][0] += server.cpu_ms() - before
                cpu[name][1] += 1
                return ms
            return measure

        app_click, floor_click = _interleaved(samples, clicked("app", app), clicked("floor", floor))
        figures[f"filter_click{label}"] = _figure(
            app_click, floor_click, filter_budget,
            "a filter click → the count line changes (samples alternate: option added, its chip removed)")
        figures[f"filter_click{label}"]["dom_nodes"] = {"katalog": dom_nodes, "floor": floor_nodes,
                                                        "usecases": counted[1] if counted else None}
        figures[f"server_cpu_filter{label}"] = _cpu_figure(
            tuple(cpu["app"]), tuple(cpu["floor"]), 1.5,
            "server CPU (utime+stime) per rerun of a filter click, warm-up sample included")
    finally:
        for context in contexts:
            context.close()
    return figures


def _usecase_figures(browser, app: Server, floor: Server, db: Path, usecases: Path, samples: int) -> dict:
    figures = {}
    app_url = app.url + SEL.usecase_path.format(id=SEL.usecase)
    charts = _usecase_charts(browser, app_url)
    app_open, floor_open = _interleaved(
        samples, lambda: load_ms(browser, app_url, "charts", _cfg(n=charts)),
        lambda: load_ms(browser, floor.url + "/", "charts", _cfg(n=1)))
    figures["open_usecase"] = _figure(app_open, floor_open, 2.0,
                                      f"new browser context, warm server → all {charts} charts of {SEL.usecase} "
                                      "drawn (svg/canvas of real size) vs one chart")

    first, cached = _param_walk(db, usecases, samples + 1)
    floor_moves = iter(_floor_walk(4 * samples + 4))
    contexts = []
    try:
        pages = {}
        for name, url in (("app", app_url), ("floor", floor.url + "/")):
            context = _new_context(browser)
            contexts.append(context)
            page = context.new_page()
            page.goto(url, timeout=TIMEOUT_MS)
            page.wait_for_selector(SEL.chart, timeout=TIMEOUT_MS)
            _wait_idle(page)
            pages[name] = page

        for kind, moves in (("first", first), ("cached", cached)):
            app_moves = iter(moves)
            cpu = {"app": [0.0, 0], "floor": [0.0, 0]}

            def changed(name: str, server: Server, walk: Iterator, cpu: dict = cpu) -> Callable[[], float | None]:
                def measure() -> float | None:
                    label, value = next(walk)
                    before = server.cpu_ms()
                    ms = param_change_ms(pages[name], label, value)
                    cpu[name][0] += server.cpu_ms() - before
                    cpu[name][1] += 1
                    return ms
                return measure

            app_ms, floor_ms = _interleaved(samples, changed("app", app, app_moves),
                                            changed("floor", floor, floor_moves), warmup=1)
            figures[f"param_change_{kind}"] = _figure(
                app_ms, floor_ms, 1.5,
                f"a parameter of {SEL.usecase}'s first chart changed → that chart redrawn; "
                + ("each a combination not chosen before in this server" if kind == "first" else
                   "back and forth between two combinations chosen before"))
            figures[f"server_cpu_param_change_{kind}"] = _cpu_figure(
                tuple(cpu["app"]), tuple(cpu["floor"]), 1.5, f"server CPU per rerun, parameter change ({kind}); "
                                                             "warm-up sample included")
    finally:
        for context in contexts:
            context.close()
    return figures


# The states an export can meet the PDF cache in (katalog/export/pdfcache.py), each a new `katalog export` process.
EXPORT_KINDS = {
    "cold": "no cache: every chart bound and drawn, every page laid out (the first export after a build)",
    "relaid": "charts cached, no part of the document: every page laid out again (as after new code or CSS)",
    "decided": "after the chair records a decision: the overview and that use-case laid out again, the other "
               "parts from the cache",
    "warm": "the same document exported again (cache hit: neither charts nor pages are made again)",
}


def _pdf_figure(browser, app: Server, db: Path, usecases: Path, samples: int, logs: Path) -> dict:
    from katalog import db as database
    from katalog.content import load_catalogue
    from katalog.voting import decisions
    from katalog.voting.members import add_member

    ids = [item.id for item in load_catalogue(usecases).items]
    charts_per_id = {uc: _usecase_charts(browser, app.url + SEL.usecase_path.format(id=uc)) for uc in ids}
    out = logs / "export.pdf"
    cache = logs / "pdfcache"
    db = Path(shutil.copy(db, logs / "export.db"))  # decisions are recorded in a copy
    with database.opened(db) as conn:
        chair, _token = add_member(conn, "Bench-formand", "Sekretariatet", "Stat/SDS", role="chair")
    decided = iter(range(10**9))

    def export(kind: str) -> float:
        if kind == "cold":
            shutil.rmtree(cache, ignore_errors=True)
        elif kind == "relaid":
            for folder in ("documents", "parts", "partinfo"):
                shutil.rmtree(cache / folder, ignore_errors=True)
        elif kind == "decided":
            n = next(decided)
            with database.opened(db) as conn:
                decisions.record(conn, ids[n % len(ids)], "forste_udstilling", f"Benchmark-beslutning nr. {n + 1}.",
                                 chair_id=chair.id)
        started = time.perf_counter()
        subprocess.run([*_katalog_cli(), "--db", str(db), "export", "--out", str(out)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, "KATALOG_PDF_CACHE": str(cache)})
        return (time.perf_counter() - started) * 1000 / len(ids)

    context = _new_context(browser)
    pages = iter(range(10**9))

    def browser_print() -> float:
        """One Use-case page after another (round robin): open, every chart drawn, page.pdf()."""
        uc = ids[next(pages) % len(ids)]
        page = context.new_page()
        try:
            started = time.perf_counter()
            page.goto(app.url + SEL.usecase_path.format(id=uc), wait_until="commit")
            page.evaluate(f"window.__bench.run('charts', {json.dumps(_cfg(n=charts_per_id[uc]))})")
            _wait_t1(page)
            page.pdf(format="A4", print_background=True)
            return (time.perf_counter() - started) * 1000
        finally:
            page.close()

    # A whole export takes seconds: each kind of export once per PRINTS_PER_EXPORT printed pages.
    export_ms: dict[str, list[float]] = {kind: [] for kind in EXPORT_KINDS}
    printed: list[float] = []
    try:
        export("cold")
        browser_print()  # warm-up
        for i in range(samples):
            if i % PRINTS_PER_EXPORT == 0:
                for kind in EXPORT_KINDS:
                    export_ms[kind].append(export(kind))
            printed.append(browser_print())
    finally:
        context.close()
    imports = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import katalog.cli, katalog.export, katalog.voting.overview"],
                       check=True, cwd=ROOT)
        imports.append((time.perf_counter() - started) * 1000)
    budget = "≤0.3 s per use-case and ≥3× faster than browser printing (ratio ≤0.33)"
    figure: dict = {"usecases": len(ids), "budget": budget,
                    "export_process_imports_ms": round(statistics.median(imports))}
    for kind, what in EXPORT_KINDS.items():
        one = _figure(export_ms[kind], printed, 1 / 3,
                      f"ms per use-case: `katalog export` of all {len(ids)} use-cases as a new process (imports "
                      f"included) / number of use-cases, {what}; vs Chromium opening one Use-case page (warm "
                      "server), waiting for its charts and printing it with page.pdf(); each kind once per "
                      f"{PRINTS_PER_EXPORT} printed pages")
        per_usecase_s = one["katalog"]["median_ms"] / 1000
        one["seconds_per_usecase"] = round(per_usecase_s, 2)
        one["meets_budget"] = per_usecase_s <= 0.3 and one["ratio"] is not None and one["ratio"] <= 1 / 3
        figure[kind] = one
    figure["seconds_per_usecase"] = {kind: figure[kind]["seconds_per_usecase"] for kind in EXPORT_KINDS}
    figure["browser_print_seconds_per_usecase"] = round(figure["warm"]["floor"]["median_ms"] / 1000, 2)
    return figure


def browser_figures(db: Path, samples: int = 15, large: int = 1000,
                    only: Collection[str] = ()) -> dict:
    """Every browser figure on the database `db` (built; it is not written to beyond the app's migrations)."""
    from playwright.sync_api import sync_playwright

    from katalog.db import usecases_dir

    _NOTES.clear()
    started = time.perf_counter()
    load_before = _load_average()
    usecases = usecases_dir()
    figures: dict = {}
    seconds: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="katalog-browser-") as name, sync_playwright() as playwright:
        work = Path(name)
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             args=CHROMIUM_ARGS, headless=True)
        try:
            env = {"KATALOG_DB": str(db)}

            def part(name: str, measure: Callable[[], dict]) -> None:
                if only and name not in only:
                    return
                t0 = time.perf_counter()
                figures.update(measure())
                seconds[name] = round(time.perf_counter() - t0)

            part("cold_start", lambda: {"cold_start": _cold_start(browser, db, work, samples)})
            with streamlit_server(APP, env, work) as app, \
                    streamlit_server(FLOORS / "catalogue.py", {}, work) as floor_catalogue, \
                    streamlit_server(FLOORS / "chart.py", {}, work) as floor_chart:
                part("catalogue", lambda: _catalogue_figures(browser, app, floor_catalogue, samples, "", 1.5))
                part("usecase", lambda: _usecase_figures(browser, app, floor_chart, db, usecases, samples))
                part("pdf", lambda: {"pdf_export": _pdf_figure(browser, app, db, usecases, samples, work)})
                if large > 0:
                    copied = work / "usecases"
                    copy_usecases(usecases, copied, large)
                    with streamlit_server(APP, {**env, "KATALOG_USECASES": str(copied)}, work) as app_large:
                        part(f"catalogue_{large}", lambda: _catalogue_figures(
                            browser, app_large, floor_catalogue, samples, f"_{large}_usecases", 2.0))
        finally:
            browser.close()
    notes = [
        "ratio = median(katalog) / median(floor); floors are bench/floors/*.py served by their own `streamlit run`, "
        "sampled alternately with the app (order swapped every sample) after one warm-up sample each",
        "times are taken in the page: from pointerdown (or navigation start) to the first animation frame in "
        "which the change is in the DOM; a chart counts as redrawn when its SVG differs from before the click",
        "the count line is drawn before the cards: filter_click shows when a member sees the new count, the "
        "cards follow within the same rerun",
        "server CPU = utime+stime of the server process from /proc/<pid>/stat (10 ms ticks) over all samples, "
        "divided by the reruns",
        f"the {large}-use-case figures are copies of the real files under new ids and titles "
        "(KATALOG_USECASES), against the same six-card floor",
        f"database: {db}; {samples} samples per figure; p95 by inclusive quantiles; "
        f"whole browser part {round(time.perf_counter() - started)} s; seconds per part: {seconds}; load average "
        f"(1 min) {load_before} before and {_load_average()} after, on {os.cpu_count()} cores: other work slows the "
        "CPU-heavier side more, so ratios rise with load",
        *_NOTES,
    ]
    return {"figures": figures, "notes": notes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None, help="a built catalogue.db (default: build one at 0.05)")
    parser.add_argument("--samples", type=int, default=15, help="samples per figure and side (default 15)")
    parser.add_argument("--large", type=int, default=1000,
                        help="use-cases in the large catalogue (default 1000; 0 skips it)")
    parser.add_argument("--only", action="append", default=[],
                        help="measure only this part (cold_start, catalogue, usecase, pdf, catalogue_N; can be "
                             "repeated), e.g. --only pdf --large 0")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="katalog-browser-db-") as name:
        db = args.db or build_small_db(Path(name))
        print(json.dumps(browser_figures(db, args.samples, args.large, args.only), indent=2,
                         ensure_ascii=False))


if __name__ == "__main__":
    main()
