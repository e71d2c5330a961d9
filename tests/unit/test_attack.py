"""katalog.disclosure.attack: an adversary that works only from what the app shows.

The hand-made views below pin down the relations the attacker derives and what the marker semantics
let it conclude. The last part binds the real use-cases on a small database and documents today's
weakness (per-view suppression leaks small counts); see the marked test at the end.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from katalog.build import build
from katalog.charts import bind
from katalog.charts.sandbox import Sandbox
from katalog.content.models import Chart, Param
from katalog.disclosure.attack import (
    HIDDEN,
    SMALL,
    Cell,
    View,
    _combinations,
    attack,
    enumerate_views,
    main,
    parse_display,
    pool,
)
from tests.conftest import MOCKDATA, USECASES

SEXES = ["Alle", "Kvinder", "Mænd"]
SQL = "SELECT kommune, SUM(patienter) AS patienter FROM t WHERE (:koen = 'Alle' OR koen = :koen) GROUP BY kommune"


def total_param(**fields) -> Param:
    """A parameter with a total choice (`margin: true` while the model still has that field)."""
    if "margin" in Param.model_fields:
        fields["margin"] = True
    return Param(**fields)


def sex_chart(chart_id: str = "tiny", sql: str = SQL) -> Chart:
    """A chart with one parameter with a total (Alle, Kvinder, Mænd) and one count column."""
    return Chart(id=chart_id, title="Lille figur", alt="Patienter pr. kommune.", sql=sql,
                 params=[total_param(name="koen", label="Køn", options=SEXES, default="Alle")],
                 counts=["patienter"], spec={"mark": "bar"})


def sex_view(chart: Chart, sex: str, rows: dict[str, str], **extra_columns) -> View:
    table = pd.DataFrame({"kommune": list(rows), "patienter": list(rows.values()), **extra_columns})
    return View("UC-99", chart, {"koen": sex}, {"koen": SEXES}, table)


def sex_views(alle: str, kvinder: str, maend: str, kommune: str = "Fanø", chart: Chart | None = None) -> list[View]:
    chart = chart or sex_chart()
    return [sex_view(chart, sex, {kommune: shown}) for sex, shown in zip(SEXES, [alle, kvinder, maend], strict=True)]


def found(report) -> dict[tuple[str, str], tuple[float, float]]:
    """(kommune or region, koen) -> range, for every finding."""
    result = {}
    for finding in report.recovered + report.narrowed:
        row = dict(finding.cell.row)
        result[row.get("kommune", row.get("region")), dict(finding.cell.params).get("koen", "")] = (
            finding.low, finding.high)
    return result


# --- reading the display -------------------------------------------------------------------------------


@pytest.mark.parametrize(("shown", "parsed"), [
    ("1.234", (1234.0, None)),
    ("1.234.567", (1234567.0, None)),
    ("3,5", (3.5, None)),
    ("1.234,5", (1234.5, None)),
    ("12", (12.0, None)),
    ("0", (0.0, None)),
    ("-3", (-3.0, None)),
    (7, (7.0, None)),
    ("<5", (None, "<5")),
    ("–", (None, "–")),
    ("skjult", (None, "skjult")),
    ("", (None, None)),
    (None, (None, None)),
    (float("nan"), (None, None)),
])
def test_parse_display_reads_danish_numbers_and_markers(shown, parsed):
    assert parse_display(shown) == parsed


# --- relations -----------------------------------------------------------------------------------------


def test_a_total_choice_is_the_sum_of_the_other_choices():
    views = sex_views("8", "<5", "<5")
    cells, relations = pool(views)
    assert len(cells) == 3
    [relation] = relations
    assert relation.family == ("parameter", "UC-99/tiny", "koen", "patienter")
    assert relation.total == Cell("UC-99/tiny", (("koen", "Alle"),), (("kommune", "Fanø"),), "patienter")
    assert [dict(part.params)["koen"] for part in relation.parts] == ["Kvinder", "Mænd"]


def test_no_relation_without_every_choice_or_row():
    chart = sex_chart()
    assert pool(sex_views("8", "<5", "<5")[:2])[1] == []  # Mænd never bound
    views = [sex_view(chart, "Alle", {"Fanø": "8", "Læsø": "9"}), sex_view(chart, "Kvinder", {"Fanø": "<5"}),
             sex_view(chart, "Mænd", {"Fanø": "<5", "Læsø": "<5"})]
    assert [dict(r.total.row)["kommune"] for r in pool(views)[1]] == ["Fanø"]  # Læsø is missing under Kvinder


def test_a_total_row_is_the_sum_of_the_rows_it_totals():
    chart = Chart(id="regioner", title="Regioner", alt="Patienter pr. region og køn.",
                  sql="SELECT region, region_nr, koen, patienter FROM t", counts=["patienter"], spec={"mark": "bar"})
    table = pd.DataFrame({
        "region": ["Hele landet", "Nord", "Syd", "Hele landet", "Nord", "Syd"],
        "region_nr": [0, 1, 2, 0, 1, 2],  # moves one-to-one with region: part of the same key
        "koen": ["Kvinder"] * 3 + ["Mænd"] * 3,
        "patienter": ["10", "<5", "<5", "20", "14", "6"],
    })
    cells, relations = pool([View("UC-99", chart, {}, {}, table)])
    assert len(relations) == 2
    assert {dict(r.total.row)["koen"]: len(r.parts) for r in relations} == {"Kvinder": 2, "Mænd": 2}
    report = attack([View("UC-99", chart, {}, {}, table)])
    # Nord + Syd = 10 cannot hold for two counts of 1–4: the relation is refuted and not used.
    assert report.rejected == ["UC-99/regioner: patienter over rows of region"]
    assert not report.leaks
    table.loc[0, "patienter"] = "5"  # Nord + Syd = 5: 1+4 ... 4+1, nothing learnt
    report = attack([View("UC-99", chart, {}, {}, table)])
    assert not report.rejected and not report.leaks
    table.loc[0, "patienter"] = "7"  # Nord + Syd = 7: each is 3 or 4
    report = attack([View("UC-99", chart, {}, {}, table)])
    assert found(report) == {("Nord", ""): (3, 4), ("Syd", ""): (3, 4)}
    assert not report.recovered and len(report.narrowed) == 2


def test_a_column_echoing_a_parameter_is_not_part_of_the_row_key():
    chart = sex_chart()
    views = [sex_view(chart, sex, {"Fanø": shown}, koen=[sex])
             for sex, shown in zip(SEXES, ["8", "<5", "<5"], strict=True)]
    cells, relations = pool(views)
    assert len(relations) == 1
    assert next(iter(cells)).row == (("kommune", "Fanø"),)


def test_charts_with_the_same_query_share_their_cells():
    first, second = sex_chart("first"), sex_chart("second")
    views = sex_views("8", "<5", "<5", chart=first)
    views[2] = sex_view(second, "Mænd", {"Fanø": "<5"})  # Mænd seen only in the other chart
    assert len(attack(views).recovered) == 2
    other = sex_chart("other", SQL.replace("GROUP BY kommune", "GROUP BY kommune ORDER BY 1"))
    views[2] = sex_view(other, "Mænd", {"Fanø": "<5"})
    assert not attack(views).leaks


def test_a_cell_hidden_in_one_chart_and_shown_in_another_is_recovered():
    first, second = sex_chart("first"), sex_chart("second")
    views = [sex_view(first, "Kvinder", {"Fanø": "3"}), sex_view(second, "Kvinder", {"Fanø": "<5"})]
    report = attack(views)
    assert found(report) == {("Fanø", "Kvinder"): (3, 3)}
    assert report.hidden == 0


# --- what the attacker concludes -----------------------------------------------------------------------


def test_fanoe_two_small_counts_that_sum_to_eight():
    report = attack(sex_views("8", "<5", "<5"))
    assert found(report) == {("Fanø", "Kvinder"): (4, 4), ("Fanø", "Mænd"): (4, 4)}
    assert len(report.recovered) == 2 and not report.narrowed
    assert "Fanø" in report.recovered[0].describe() and "«<5» = 4" in report.recovered[0].describe()
    assert report.summary()["recovered"] == 2


def test_ishoej_a_secondary_suppression_is_never_a_small_count():
    report = attack(sex_views("6", "–", "<5", kommune="Ishøj"))
    assert found(report) == {("Ishøj", "Mænd"): (1, 1)}  # Kvinder is 5, not a small count


def test_a_well_protected_margin_reveals_nothing():
    assert not attack(sex_views("12", "<5", "–")).leaks  # Mænd 8–11, Kvinder 1–4
    assert not attack(sex_views("5", "<5", "<5")).leaks  # 1+4, 2+3, 3+2, 4+1
    assert not attack(sex_views("–", "<5", "–")).leaks


def test_a_visible_total_that_is_not_a_sum_rejects_the_relation():
    chart = sex_chart()
    views = [sex_view(chart, "Alle", {"Fanø": "8", "Læsø": "20"}),
             sex_view(chart, "Kvinder", {"Fanø": "<5", "Læsø": "5"}),
             sex_view(chart, "Mænd", {"Fanø": "<5", "Læsø": "6"})]
    report = attack(views)
    assert report.rejected == ["UC-99/tiny: patienter over parameter koen"]
    assert not report.leaks


def test_one_marker_for_every_hidden_cell():
    # The new design hides every cell with one marker: the attacker cannot tell small from secondary.
    assert not attack(sex_views("8", "skjult", "skjult")).leaks
    assert not attack(sex_views("8", "skjult", "skjult"), hidden_never_zero=True).leaks
    # A shown total of 2 over two hidden cells says each is at most 2: narrowed, though either may be 0 ...
    assert found(attack(sex_views("2", "skjult", "skjult"))) == {("Fanø", "Kvinder"): (0, 2), ("Fanø", "Mænd"): (0, 2)}
    # ... and told hidden cells are never zero, 2 = 1 + 1.
    assert found(attack(sex_views("2", "skjult", "skjult"), hidden_never_zero=True)) == {
        ("Fanø", "Kvinder"): (1, 1), ("Fanø", "Mænd"): (1, 1)}
    # 3 = skjult + 1: 2, recovered.
    assert found(attack(sex_views("3", "skjult", "1"))) == {("Fanø", "Kvinder"): (2, 2)}
    # Marker semantics are an input.
    assert len(attack(sex_views("8", "x", "y"), markers={"x": SMALL, "y": SMALL}).recovered) == 2
    # A hidden cell next to a small one under a total 8 is 4–7: it can no longer be 1–3.
    assert found(attack(sex_views("8", "x", "y"), markers={"x": SMALL, "y": HIDDEN})) == {("Fanø", "Mænd"): (4, 7)}
    with pytest.raises(ValueError, match="Unknown marker kinds"):
        attack(sex_views("8", "x", "y"), markers={"x": "tiny"})


# --- sampling ------------------------------------------------------------------------------------------


def sampled_chart() -> Chart:
    return Chart(id="sample", title="Prøve", alt="Prøve.", sql="SELECT :diagnose AS d, :aar AS a, :koen AS k",
                 params=[Param(name="diagnose", label="Diagnose", options=list("ABCDE"), default="A"),
                         Param(name="aar", label="År", options=[2021, 2022, 2023, 2024], default=2024),
                         total_param(name="koen", label="Køn", options=SEXES, default="Alle")],
                 counts=[], spec={"mark": "bar"})


def test_sampling_takes_whole_groups_of_total_parameters():
    import random

    chart = sampled_chart()
    options = {"diagnose": list("ABCDE"), "aar": [2021, 2022, 2023, 2024], "koen": SEXES}
    assert len(_combinations(chart, options, 60, random.Random(0))) == 60  # everything fits
    picked = _combinations(chart, options, 10, random.Random(0))
    assert len(picked) == 9  # three groups of three
    groups = {(c["diagnose"], c["aar"]) for c in picked}
    assert len(groups) == 3
    assert all(sorted(c["koen"] for c in picked if (c["diagnose"], c["aar"]) == g) == sorted(SEXES) for g in groups)
    assert picked == _combinations(chart, options, 10, random.Random(0))  # seeded
    assert len(_combinations(chart, options, 2, random.Random(0))) == 2  # not even one whole group fits


# --- on the real use-cases -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("attack") / "catalogue.db"
    build(path, usecases_dir=USECASES, mockdata_dir=MOCKDATA, scale=0.02)
    return path


@pytest.fixture(scope="module")
def uc01_views(small_db):
    # One group of koen × aldersgruppe for forekomst_kommune, three of aldersgruppe for forekomst_region_koen.
    return enumerate_views(USECASES, small_db, max_views_per_chart=18, usecases=["UC-01"])


@pytest.fixture(scope="module")
def uc01_report(uc01_views):
    # One marker, «skjult», for every hidden cell, which may be 0 (zeros beside hidden counts are hidden too).
    return attack(uc01_views)


def test_views_are_what_a_member_sees(uc01_views, small_db):
    assert len(uc01_views) == 36
    assert len({view.key for view in uc01_views}) == 36
    view = uc01_views[5]
    pd.testing.assert_frame_equal(view.table, bind(view.chart, view.params, small_db).table)


def test_every_finding_is_true(uc01_report, uc01_views, small_db):
    """Whatever the attack claims holds for the true counts, read with the chart's own SQL (as no member can)."""
    charts = {(view.usecase_id, view.chart.id): view for view in uc01_views}
    checked = 0
    with Sandbox(small_db) as sandbox:
        for finding in uc01_report.recovered + uc01_report.narrowed:
            view = charts[finding.usecase_id, finding.chart_id]
            params = {name: next(o for o in view.options[name] if str(o) == text) for name, text in finding.cell.params}
            raw = sandbox.run(view.chart.sql, params)
            match = pd.Series(True, index=raw.index)
            for column, text in finding.cell.row:
                match &= raw[column].map(key_text) == text
            [truth] = raw.loc[match, finding.cell.column].tolist()
            if pd.isna(truth):
                continue  # the sandbox reads tables where hidden cells are already gone
            assert finding.low <= truth <= finding.high, finding.describe()
            assert 1 <= truth <= 4
            checked += 1
    if uc01_report.leaks and not checked:
        pytest.skip("the true counts are not readable through the sandbox")


def key_text(value) -> str:
    """A key value as the table shows it (text as it is, whole numbers without grouping)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_main_prints_a_json_summary(small_db, capsys):
    code = main(["--db", str(small_db), "--usecases", str(USECASES), "--max-views", "1", "--usecase", "UC-01",
                 "--workers", "1"])
    summary = json.loads(capsys.readouterr().out)
    assert summary["views"] == 2
    assert {"cells", "hidden_cells", "recovered", "narrowed", "seconds", "examples"} <= summary.keys()
    assert code == (1 if summary["recovered"] or summary["narrowed"] else 0)


# --- THE WEAKNESS THAT WAS ------------------------------------------------------------------------------
# Per-view suppression (katalog/disclosure/__init__.py, before the cube) let anyone who binds every parameter
# combination recover hidden small counts: with margins Alle = Kvinder + Mænd, two «<5» under a shown total 8
# are 4 and 4, and a «–» next to a «<5» under a total 6 makes the «<5» a 1 (354 recovered at scale 0.02 on
# that code). Suppression is now decided at build time on each table's full cube with one marker: pooling
# every view recovers nothing exactly. Some hidden counts can still be narrowed to fewer than the four
# values «1–4» leaves open where many small cells meet (README, "Disclosure: what is not yet proven";
# `katalog audit` measures it on every table).


def test_pooling_every_view_recovers_no_hidden_small_count(uc01_report):
    assert uc01_report.hidden > 0
    assert not uc01_report.recovered, [f.describe() for f in uc01_report.recovered[:5]]
