"""Loading usecases/*.md into a Catalogue: every valid use-case plus every problem found."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from markdown_it import MarkdownIt
from pydantic import ValidationError

from katalog.content.models import DECLARATION_HEADINGS, UseCase

USECASE_GLOB = "*.md"

# Every image, link and raw HTML tag, also those a renderer would drop (markdown-it drops javascript:
# and file: links; Streamlit's renderer has its own rules): an author should hear about each of them.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
_MARKDOWN.validateLink = lambda url: True
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_HTML_REFERENCE = re.compile(r"<\s*img\b|\b(?:src|srcset|href)\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """Something wrong with one content file; `field` is a path like 'charts[0].sql' or '-'."""

    path: Path
    field: str
    message: str


@dataclass(frozen=True)
class Catalogue:
    items: list[UseCase] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, usecase_id: str) -> UseCase | None:
        return next((item for item in self.items if item.id == usecase_id), None)


def load_catalogue(folder: Path) -> Catalogue:
    """Parse and validate every use-case file; one broken file never hides the others."""
    items: list[UseCase] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    files = sorted(p for p in Path(folder).glob(USECASE_GLOB) if p.name.lower() != "readme.md")
    if not files:
        problems.append(Problem(Path(folder), "-", "Mappen indeholder ingen use-case-filer (*.md)."))
    for path in files:
        item, found = load_usecase(path)
        problems.extend(found)
        if item is None:
            continue
        if item.id in seen:
            problems.append(
                Problem(path, "id", f"'{item.id}' bruges allerede af {seen[item.id].name}; giv filen et nyt id.")
            )
            continue
        seen[item.id] = path
        items.append(item)
    items.sort(key=lambda item: item.id)
    return Catalogue(items=items, problems=problems)


def load_usecase(path: Path) -> tuple[UseCase | None, list[Problem]]:
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(path, "-", "Filen er ikke UTF-8; gem den som UTF-8.")]
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (linje {where.line + 1})" if where else ""
        detail = " ".join(str(getattr(error, "problem", "") or error).split())
        return None, [Problem(path, "-", f"Front matter er ikke gyldig YAML{line}: {detail}. Ret syntaksen.")]
    if not post.metadata:
        return None, [Problem(path, "-", "Filen mangler front matter mellem '---'-linjer øverst.")]
    try:
        item = UseCase.model_validate({**post.metadata, "body": post.content, "path": path})
    except ValidationError as error:
        return None, [Problem(path, _location(e["loc"]), _danish(e)) for e in error.errors()]
    problems = [Problem(path, name, message) for name, text in markdown_fields(item)
                for message in markdown_problems(text)]
    # Here, not at the top: katalog.charts reads katalog.content.models, so importing it first would be circular.
    from katalog.charts import SpecError, check_spec

    for index, chart in enumerate(item.charts):
        try:
            check_spec(chart.spec)
        except SpecError as error:
            problems.append(Problem(path, f"charts[{index}].spec", str(error)))
    return (None if problems else item), problems


def markdown_fields(item: UseCase) -> list[tuple[str, str]]:
    """(field, text) for every field shown as Markdown in the app or the PDF, named as in the file."""
    fields = [("title", item.title), ("summary", item.summary)]
    fields += [(f"declaration.{key}", getattr(item.declaration, key)) for key in DECLARATION_HEADINGS]
    for index, chart in enumerate(item.charts):
        fields += [(f"charts[{index}].title", chart.title), (f"charts[{index}].alt", chart.alt)]
        fields += [(f"charts[{index}].params[{number}].label", param.label)
                   for number, param in enumerate(chart.params)]
    return [*fields, ("body", item.body)]


def markdown_problems(text: str) -> list[str]:
    """What is wrong with the images, links and raw HTML in one Markdown text, each with what to do.

    Nothing may be fetched (the app and the PDF work offline and must not call out), so an image must
    be a relative path to a file beside the use-case; a link must be http(s) or relative (no
    javascript:, file:, data: ...); raw HTML is shown as text, so an <img> or a src/href in it is a
    mistake too.
    """
    problems: list[str] = []
    for token in _walk(_MARKDOWN.parse(text)):
        if token.type == "image":
            source = str(token.attrGet("src") or "")
            scheme = _SCHEME.match(source)
            if source.startswith("//") or (scheme and scheme[1].lower() in {"http", "https", "ftp"}):
                problems.append(f"Billedet «{_short(source)}» hentes udefra, og appen og PDF'en må ikke hente "
                                "noget fra nettet; fjern billedet (eller brug en relativ sti til en lokal fil).")
            elif scheme or source.startswith(("/", "\\")):
                problems.append(f"Billedet «{_short(source)}» er ikke en relativ sti til en lokal fil; fjern "
                                "billedet (eller brug en relativ sti som billeder/figur.png).")
        elif token.type == "link_open":
            target = str(token.attrGet("href") or "")
            scheme = _SCHEME.match(target)
            if scheme and scheme[1].lower() not in {"http", "https"}:
                problems.append(f"Linket «{_short(target)}» bruger «{scheme[1].lower()}:»; kun http(s)-links og "
                                "relative links er tilladt. Ret adressen eller fjern linket.")
        elif token.type in {"html_inline", "html_block"} and _HTML_REFERENCE.search(token.content):
            problems.append(f"Rå HTML «{_short(token.content.strip())}» vises som tekst og henter intet; "
                            "brug Markdown (et link [tekst](https://...) eller et billede med en relativ sti), "
                            "eller fjern det.")
    return list(dict.fromkeys(problems))


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _short(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _location(loc: Iterable[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "-"


def _danish(error: dict) -> str:
    """Turn one pydantic error into a sentence that says what to change."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "missing":
        return "Feltet mangler; tilføj det."
    if kind == "extra_forbidden":
        return "Ukendt felt; ret stavningen eller fjern det (se felterne i README)."
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " eller ")
        return f"{value!r} er ikke en tilladt værdi; brug en af: {expected}."
    if kind == "string_too_short":
        return "Må ikke være tom."
    if kind == "too_short":
        return "Skal have mindst ét element."
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern")
        return f"{value!r} har ikke den rigtige form (mønster {pattern}), fx 'UC-07' eller 'antal_patienter'."
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).rstrip(".") + "."
    if kind in {"list_type", "dict_type", "string_type", "model_type"}:
        expected = {"list_type": "en liste", "dict_type": "en mapping", "string_type": "en tekst",
                    "model_type": "en mapping"}[kind]
        return f"Skal være {expected}, men er {type(value).__name__}."
    return error["msg"]


_MARKDOWN_INLINE = re.compile(r"([\\`*_{}\[\]<>#|$~:])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+>]|\d+\.)(?=\s)", re.MULTILINE)


def literal_markdown(text: str) -> str:
    """Text a member typed (or any text from the database) as literal Markdown: no emphasis, links, images,
    LaTeX, Streamlit directives or lists, so it can be shown with st.markdown without being interpreted."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)[:-1]}\\{m.group(2)[-1]}", text)



def counts_markdown(items: Iterable[UseCase]) -> str:
    """The catalogue's use-cases counted per delopgave and diagnosis, as the README's Markdown table."""
    from katalog.content.models import SUBTASK_LABELS, Diagnosis

    diagnoses = list(Diagnosis.__args__)
    items = list(items)
    rows = ["| delopgave | use-cases | " + " | ".join(diagnoses) + " |", "| --- | ---: |" + " ---: |" * len(diagnoses)]
    for subtask, label in SUBTASK_LABELS.items():
        group = [i for i in items if i.subtask == subtask]
        rows.append(f"| {label} | {len(group)} | "
                    + " | ".join(str(sum(d in i.diagnoses for i in group)) for d in diagnoses) + " |")
    rows.append(f"| i alt | {len(items)} | " + " | ".join(str(sum(d in i.diagnoses for i in items)) for d in diagnoses)
                + " |")
    return "\n".join(rows)
