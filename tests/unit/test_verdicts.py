"""The schema's verdicts kept between processes: a fresh server loads the catalogue without Altair, and a kept
verdict never lets a spec through that the security checks refuse."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from katalog import charts
from katalog.charts import SpecError, check_spec, verdicts
from katalog.content import load_catalogue
from tests.conftest import ROOT, USECASES

# Loads the catalogue in a new process where importing Altair fails, and prints how many use-cases and problems.
WITHOUT_ALTAIR = """
import sys
from pathlib import Path
sys.modules["altair"] = None
from katalog.content import load_catalogue
catalogue = load_catalogue(Path(sys.argv[1]))
print(len(catalogue.items), len(catalogue.problems), [p.message for p in catalogue.problems][:1])
"""


@pytest.fixture
def kept(tmp_path, monkeypatch):
    """Verdicts beside a database in a temporary folder, with no verdict remembered in this process."""
    monkeypatch.setenv("KATALOG_DB", str(tmp_path / "catalogue.db"))
    verdicts._loaded.clear()
    charts._spec_error.cache_clear()
    yield verdicts.path()
    verdicts._loaded.clear()
    charts._spec_error.cache_clear()


def _load_without_altair(env_db) -> subprocess.CompletedProcess:
    env = {"KATALOG_DB": str(env_db), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", WITHOUT_ALTAIR, str(USECASES)], capture_output=True, text=True,
                          cwd=ROOT, env=env)


def test_a_fresh_process_loads_the_catalogue_from_kept_verdicts_without_altair(kept):
    before = _load_without_altair(kept.parent / "catalogue.db")
    assert before.returncode != 0 and "altair" in before.stderr  # nothing kept yet: the schema needs Altair
    catalogue = load_catalogue(USECASES)
    assert kept.exists() and not catalogue.problems
    after = _load_without_altair(kept.parent / "catalogue.db")
    assert after.returncode == 0, after.stderr
    assert after.stdout.split()[:2] == [str(len(catalogue.items)), "0"]


def test_a_kept_verdict_never_passes_a_spec_that_loads_data(kept):
    spec = {"mark": "image", "encoding": {"url": {"value": "https://example.org/x.png"}}}
    # Someone writes «valid» for this very spec (as the schema would see it) into the file.
    verdicts.put(verdicts.key(json.dumps({**spec, "data": {"values": []}}, sort_keys=True, ensure_ascii=False)), "")
    with pytest.raises(SpecError, match="hente data fra en URL"):
        check_spec(spec)


def test_a_refused_spec_stays_refused_and_a_changed_one_is_checked_again(kept):
    wrong = {"mark": "bar", "encoding": {"x": {"field": "a", "type": "kvantitativ"}}}
    with pytest.raises(SpecError) as first:
        check_spec(wrong)
    charts._spec_error.cache_clear()
    verdicts._loaded.clear()  # as a new process would: from the file
    with pytest.raises(SpecError) as again:
        check_spec(wrong)
    assert str(again.value) == str(first.value) and "encoding.x.type" in str(first.value)
    check_spec({"mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}}})
    assert len(json.loads(kept.read_text(encoding="utf-8"))) == 2


def test_an_unreadable_file_means_validating_again_not_an_error(kept):
    kept.write_text("{ikke json", encoding="utf-8")
    check_spec({"mark": "bar"})
    assert json.loads(kept.read_text(encoding="utf-8"))  # rewritten whole
