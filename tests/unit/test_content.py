"""Loading use-case files: golden problems for broken files, and the good file parsed right."""

import json
import os
from pathlib import Path

from katalog.content import load_catalogue
from tests.conftest import DATA

GOLDEN = DATA / "expected_problems.json"


def _problems(folder: Path) -> list[list[str]]:
    return [[p.path.name, p.field, p.message] for p in load_catalogue(folder).problems]


def test_broken_files_give_the_golden_problems():
    found = _problems(DATA / "usecases")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert found == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_one_broken_file_does_not_hide_the_valid_one():
    catalogue = load_catalogue(DATA / "usecases")
    assert [item.id for item in catalogue.items] == ["UC-90"]
    assert {p.path.name for p in catalogue.problems} == {
        "UC-91-ukendt-felt.md", "UC-92-farlig-figur.md", "UC-93-ugyldig-spec.md",
        "UC-94-yaml-fejl.md", "UC-95-dublet.md", "UC-96-url-i-spec.md"}


def test_every_problem_names_file_field_and_what_to_change():
    for problem in load_catalogue(DATA / "usecases").problems:
        assert problem.path.exists()
        assert problem.field
        assert len(problem.message) > 15


def test_good_file_is_parsed_into_the_model():
    item = load_catalogue(DATA / "usecases").get("UC-90")
    assert item.diagnoses == ["KOL"] and item.subtask == "1" and item.platform == "eSundhed"
    assert item.charts[0].params[0].default == 2024
    assert "<script>" in item.body  # kept as text; renderers must not interpret it
    headings = [heading for heading, _ in item.declaration.sections()]
    assert headings == ["Formålet (kort)", "Indhold og afgrænsning", "Indikatorer",
                        "Forbehold ved fortolkning", "Datakilde", "Offentliggørelse", "Øvrige ord og begreber"]


def test_empty_folder_is_a_problem_not_a_crash(tmp_path):
    catalogue = load_catalogue(tmp_path)
    assert catalogue.items == [] and len(catalogue.problems) == 1


def test_file_that_is_not_utf8_is_a_problem(tmp_path):
    (tmp_path / "UC-01-latin1.md").write_bytes("---\nid: UC-01\ntitle: Kø\n---\n".encode("latin-1"))
    [problem] = load_catalogue(tmp_path).problems
    assert "UTF-8" in problem.message


def test_comments_and_other_parameter_styles_are_handled(tmp_path):
    good = (DATA / "usecases" / "UC-90-gyldig.md").read_text(encoding="utf-8")
    commented = good.replace("WHERE aar = :aar", "WHERE aar = :aar -- :region er ikke i brug")
    (tmp_path / "UC-90-a.md").write_text(commented, encoding="utf-8")
    assert load_catalogue(tmp_path).problems == []
    (tmp_path / "UC-90-a.md").write_text(good.replace("aar = :aar", "aar = :aar AND 1 = ?"), encoding="utf-8")
    [problem] = load_catalogue(tmp_path).problems
    assert "navngivne parametre" in problem.message


def test_a_remote_image_in_the_body_is_a_problem(tmp_path):
    good = (DATA / "usecases" / "UC-90-gyldig.md").read_text(encoding="utf-8")
    (tmp_path / "UC-90-a.md").write_text(good + "\n![logo](https://example.org/logo.png)\n", encoding="utf-8")
    [problem] = load_catalogue(tmp_path).problems
    assert problem.field == "body" and "example.org" in problem.message


def test_a_total_option_without_margin_is_a_problem(tmp_path):
    good = (DATA / "usecases" / "UC-90-gyldig.md").read_text(encoding="utf-8")
    (tmp_path / "UC-90-a.md").write_text(good.replace("options: [2023, 2024]", "options: [Alle, 2023, 2024]"),
                                         encoding="utf-8")
    [problem] = load_catalogue(tmp_path).problems
    assert "margin: true" in problem.message
