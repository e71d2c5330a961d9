"""Authoring: the front matter's JSON Schema, drafts from `katalog new`, and the README's example stay valid."""

from __future__ import annotations

import json
import re

import frontmatter
import jsonschema
from click.testing import CliRunner

from katalog.charts import bind
from katalog.cli import main
from katalog.content import load_catalogue, load_usecase
from katalog.content.models import FRONT_MATTER_FIELDS
from tests.conftest import ROOT, USECASES


def _schema() -> dict:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _front_matter(path) -> dict:
    return frontmatter.loads(path.read_text(encoding="utf-8")).metadata


def test_schema_describes_the_front_matter_from_the_models():
    schema = _schema()
    assert set(schema["properties"]) == set(FRONT_MATTER_FIELDS)
    assert schema["additionalProperties"] is False  # a typo in a key is an error, as in `katalog validate`
    assert "body" not in schema["properties"] and "path" not in schema["properties"]
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_real_use_case_passes_the_schema_and_a_typo_does_not():
    validator = jsonschema.Draft202012Validator(_schema())
    for path in sorted(USECASES.glob("*.md")):
        assert not list(validator.iter_errors(_front_matter(path))), path.name
    broken = {**_front_matter(next(USECASES.glob("UC-01-*.md"))), "titel": "stavefejl"}
    assert list(validator.iter_errors(broken))


def test_schema_can_be_written_to_a_file(tmp_path):
    out = tmp_path / "usecase.schema.json"
    result = CliRunner().invoke(main, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "Use-case (front matter)"


def test_new_writes_a_draft_that_validate_accepts(tmp_path, monkeypatch, built_db):
    folder = tmp_path / "usecases"
    result = CliRunner().invoke(main, ["new", "--titel", "Hjertesvigt: kontakter før og efter diagnosen",
                                       "--diagnose", "hjertesvigt", "--diagnose", "KOL", "--delopgave", "2a",
                                       "--mappe", str(folder)])
    assert result.exit_code == 0, result.output
    path = folder / "UC-01-hjertesvigt-kontakter-foer-og-efter.md"
    assert result.stdout.strip() == str(path) and path.exists()
    item, problems = load_usecase(path)
    assert problems == [] and item is not None
    assert item.status == "udkast" and item.subtask == "2a" and item.diagnoses == ["hjertesvigt", "KOL"]
    assert not list(jsonschema.Draft202012Validator(_schema()).iter_errors(_front_matter(path)))
    monkeypatch.setenv("KATALOG_USECASES", str(folder))
    assert CliRunner().invoke(main, ["validate"]).exit_code == 0
    bound = bind(item.charts[0], {}, built_db)  # its chart draws on the mock tables as it is
    assert bound.empty_kind is None and len(bound.rows.data) == 6

    second = CliRunner().invoke(main, ["new", "--titel", "Næste", "--diagnose", "astma", "--mappe", str(folder)])
    assert second.exit_code == 0 and second.stdout.strip().endswith("UC-02-naeste.md")
    assert [i.id for i in load_catalogue(folder).items] == ["UC-01", "UC-02"]


def test_new_refuses_a_taken_or_malformed_id(tmp_path):
    folder = tmp_path / "usecases"
    args = ["new", "--titel", "X", "--diagnose", "KOL", "--mappe", str(folder)]
    assert CliRunner().invoke(main, [*args, "--id", "UC-07"]).exit_code == 0
    taken = CliRunner().invoke(main, [*args, "--id", "UC-07"])
    assert taken.exit_code == 1 and "UC-07 bruges allerede" in taken.output
    malformed = CliRunner().invoke(main, [*args, "--id", "7"])
    assert malformed.exit_code == 1 and "ikke et gyldigt id" in malformed.output


def test_the_readme_author_guide_example_is_valid_and_draws(tmp_path, built_db):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = readme.split("## Author guide", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"```markdown\n(.*?)\n```", guide, re.DOTALL).group(1)
    path = tmp_path / "UC-99-eksempel.md"
    path.write_text(example + "\n", encoding="utf-8")
    item, problems = load_usecase(path)
    assert problems == [] and item is not None, problems
    assert not list(jsonschema.Draft202012Validator(_schema()).iter_errors(_front_matter(path)))
    for chart in item.charts:
        bound = bind(chart, {}, built_db)
        assert bound.empty_kind is None, chart.id
    # Every front-matter field the example uses is one the README's field table documents.
    assert set(_front_matter(path)) <= set(FRONT_MATTER_FIELDS)
