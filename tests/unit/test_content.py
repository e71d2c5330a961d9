"""Loading use-case files: golden problems for broken files, and the good file parsed right."""

import json
import os
from pathlib import Path

import frontmatter
import pytest
import yaml

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
        "UC-94-yaml-fejl.md", "UC-95-dublet.md", "UC-96-url-i-spec.md", "UC-97-markdown-udefra.md",
        "UC-98-spec-fejl.md"}


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


def _good_with(tmp_path: Path, change) -> Path:
    """UC-90 with `change(metadata, post)` applied, written as a new file in `tmp_path`."""
    post = frontmatter.loads((DATA / "usecases" / "UC-90-gyldig.md").read_text(encoding="utf-8"))
    change(post.metadata, post)
    text = "---\n" + yaml.safe_dump(post.metadata, allow_unicode=True, sort_keys=False) + "---\n" + post.content
    path = tmp_path / "UC-90-a.md"
    path.write_text(text, encoding="utf-8")
    return path


def _set(field: str, value: str):
    """A change that appends `value` to one Markdown field, named as in a problem ('charts[0].alt')."""
    def change(metadata, post):
        if field == "body":
            post.content += "\n\n" + value
            return
        node, parts = metadata, field.replace("]", "").replace("[", ".").split(".")
        for part in parts[:-1]:
            node = node[int(part)] if part.isdigit() else node[part]
        node[parts[-1]] = f"{node[parts[-1]]} {value}"
    return change


MARKDOWN_FIELDS = ["title", "summary", *(f"declaration.{key}" for key in (
    "purpose", "content", "indicators", "caveats", "source", "publication", "terms")),
    "charts[0].title", "charts[0].alt", "charts[0].params[0].label", "body"]


@pytest.mark.parametrize("field", MARKDOWN_FIELDS)
def test_a_remote_image_in_any_markdown_field_is_a_problem_named_by_its_field(tmp_path, field):
    _good_with(tmp_path, _set(field, "![logo](https://evil.example/logo.png)"))
    (tmp_path / "UC-01-anden.md").write_text(
        (DATA / "usecases" / "UC-90-gyldig.md").read_text(encoding="utf-8").replace("UC-90", "UC-01"),
        encoding="utf-8")
    catalogue = load_catalogue(tmp_path)
    [problem] = catalogue.problems
    assert (problem.path.name, problem.field) == ("UC-90-a.md", field)
    assert "evil.example" in problem.message and "fjern billedet" in problem.message
    assert [item.id for item in catalogue.items] == ["UC-01"]  # the other use-case still loads


@pytest.mark.parametrize(("markdown", "expected"), [
    ("![x](file:///etc/passwd)", "ikke en relativ sti"),
    ("![x](https://evil.example/p.png)", "hentes udefra"),
    ("![x](//evil.example/p.png)", "hentes udefra"),
    ("![x](/etc/passwd)", "ikke en relativ sti"),
    ("![x](data:image/png;base64,AAAA)", "ikke en relativ sti"),
    ("![x][r]\n\n[r]: https://evil.example/p.png", "hentes udefra"),
    ("[klik](javascript:alert(1))", "«javascript:»"),
    ("[klik](JaVaScRiPt:alert(1))", "«javascript:»"),
    ("[klik](&#106;avascript:alert(1))", "«javascript:»"),
    ("[a](file:///x)", "«file:»"),
    ("<file:///etc/passwd>", "«file:»"),
    ("[a][r]\n\n[r]: javascript:alert(1)", "«javascript:»"),
    ('<img src="https://evil.example/p.png">', "Rå HTML"),
    ("tekst <img src=x onerror=alert(1)> tekst", "Rå HTML"),
    ('<a href="javascript:alert(1)">klik</a>', "Rå HTML"),
])
def test_images_links_and_raw_html_that_fetch_or_run_something_are_problems(tmp_path, markdown, expected):
    _good_with(tmp_path, _set("declaration.caveats", markdown))
    [problem] = load_catalogue(tmp_path).problems
    assert problem.field == "declaration.caveats" and expected in problem.message


@pytest.mark.parametrize("markdown", [
    "[eSundhed](https://www.esundhed.dk)",
    "[eSundhed](http://www.esundhed.dk)",
    "<https://www.esundhed.dk>",
    "[UC-01](/usecase?id=UC-01)",
    "[afsnit](#forbehold)",
    "![kort](billeder/kort.png)",
    "<script>alert(1)</script> og <b>fed</b>",
])
def test_http_links_relative_links_and_local_images_are_fine(tmp_path, markdown):
    _good_with(tmp_path, _set("body", markdown))
    assert load_catalogue(tmp_path).problems == []


@pytest.mark.parametrize(("spec", "expected"), [
    ({"encoding": {"x": {"field": "region", "type": "nominal"}}}, "'mark' mangler"),
    ({"mark": "barr"}, '"barr" er ikke en gyldig værdi for mark; brug en af: "arc", "area", "bar"'),
    ({"mark": {"type": "bar", "farve": "red"}}, "mark har en ukendt egenskab 'farve'"),
    ({"mark": "bar", "encoding": {"x": {"field": "region", "type": "nominel"}}},
     '"nominel" er ikke en gyldig værdi for encoding.x.type; brug en af: "quantitative"'),
    ({"mark": "bar", "encoding": {"x": {"field": "region", "type": "nominal", "akse": {}}}},
     "encoding.x har en ukendt egenskab 'akse'"),
    ({"mark": "bar", "encoding": {"x": {"field": 5, "type": "nominal"}}},
     "encoding.x.field skal være en tekst eller en mapping, ikke 5"),
    ({"layer": [{"mark": "bar"}, {"encoding": {}}]}, "'mark' mangler i layer[1]"),
])
def test_an_invalid_spec_names_the_property_and_what_to_write(tmp_path, spec, expected):
    def change(metadata, _post):
        metadata["charts"][0]["spec"] = spec
    _good_with(tmp_path, change)
    [problem] = load_catalogue(tmp_path).problems
    assert problem.field == "charts[0].spec"
    assert problem.message.startswith("Vega-Lite-specifikationen er ugyldig: ") and expected in problem.message
    assert "{" not in problem.message and len(problem.message) < 300  # the spec itself is not printed
