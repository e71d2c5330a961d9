"""The use-case schema: strict pydantic models for the front matter of usecases/*.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Diagnosis = Literal["astma", "atrieflimren", "diabetes", "KOL", "hjertesvigt", "osteoporose"]
Subtask = Literal["1", "2a", "2b", "2c"]
Aim = Literal[
    "Planlægning og styring",
    "Forebyggelse",
    "Sammenhæng og gennemsigtighed",
    "Udvikling, læring og forskning",
]
Sector = Literal["Region", "Kommune", "Almen praksis", "Stat"]
Source = Literal[
    "Almen praksis (nyt datagrundlag)",
    "Sygesikringsregisteret (SSR)",
    "Landspatientregisteret (LPR)",
    "Speciallægepraksis",
    "Plejehjem",
    "CPR/befolkning",
]
Platform = Literal["eSundhed", "ordiprax+", "analysemiljø"]
Status = Literal["forslag", "udkast", "til drøftelse", "godkendt"]  # forslag: proposed from the sandbox

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*$")]

SUBTASK_LABELS: dict[str, str] = {
    "1": "1 – første udstilling",
    "2a": "2a – patientforløb",
    "2b": "2b – kvalitet",
    "2c": "2c – ressourceforbrug",
}

# eSundhed's seven headings ("Information om opgørelsen"), in their published order.
DECLARATION_HEADINGS: dict[str, str] = {
    "purpose": "Formålet (kort)",
    "content": "Indhold og afgrænsning",
    "indicators": "Indikatorer",
    "caveats": "Forbehold ved fortolkning",
    "source": "Datakilde",
    "publication": "Offentliggørelse",
    "terms": "Øvrige ord og begreber",
}

# Option labels that stand for the sum of the other options (every protected table has them as rows).
TOTAL_OPTIONS = ("Alle", "Hele landet")

_SQL_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_SQL_OTHER_PARAM = re.compile(r"(?<![\w])([@$][A-Za-z_]\w*|\?\d*)")
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def _sql_code(sql: str) -> str:
    """The query without string literals and comments, where parameters can really be."""
    return _SQL_COMMENT.sub(" ", _SQL_STRING.sub("''", sql))


def sql_parameter_names(sql: str) -> set[str]:
    """Named parameters (`:name`) used by a query, ignoring strings and comments."""
    return set(_SQL_PARAM.findall(_sql_code(sql)))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Declaration(Strict):
    """The data declaration under eSundhed's seven headings (Markdown in each)."""

    purpose: Text
    content: Text
    indicators: Text
    caveats: Text
    source: Text
    publication: Text
    terms: Text

    def sections(self) -> list[tuple[str, str]]:
        return [(DECLARATION_HEADINGS[key], getattr(self, key)) for key in DECLARATION_HEADINGS]


Scalar = str | int | float


class Param(Strict):
    """A widget the member can set; its value is bound to `:name` in the chart's SQL."""

    name: Identifier
    label: Text
    options: list[Scalar] | None = None
    options_sql: str | None = None
    default: Scalar

    @model_validator(mode="after")
    def _one_source_of_options(self) -> Param:
        if (self.options is None) == (self.options_sql is None):
            raise ValueError("angiv enten 'options' (en liste) eller 'options_sql' (en SELECT)")
        if self.options is not None:
            if not self.options:
                raise ValueError("'options' må ikke være tom")
            if self.default not in self.options:
                raise ValueError(f"'default' ({self.default!r}) skal være en af 'options'")
        return self


class Chart(Strict):
    """SQL with named parameters, bound to a Vega-Lite spec, with its disclosure rules."""

    id: Identifier
    title: Text
    alt: Text = Field(description="Alternativ tekst: hvad figuren viser, i én sætning")
    sql: Text
    params: list[Param] = []
    counts: list[Identifier] = Field(
        default=[], description="Kolonner med antal (personer, kontakter): 1–4 diskretioneres"
    )
    derived: dict[Identifier, list[Identifier]] = Field(
        default={}, description="Kolonner beregnet af antal (andele, rater): skjules med dem"
    )
    dimensions: list[Identifier] = Field(
        default=[], description="Numeriske kolonner der ikke er antal, fx år"
    )
    spec: dict[str, Any]
    map: Literal["kommune", "region"] | None = Field(
        default=None, description="Tegn figuren som kort over kommuner eller regioner: rækkerne matches på "
        "kolonnen kommune eller region, og grænserne sættes ind af kataloget"
    )

    @field_validator("sql")
    @classmethod
    def _select_only(cls, sql: str) -> str:
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if head not in {"SELECT", "WITH"}:
            raise ValueError("SQL skal begynde med SELECT eller WITH")
        return sql

    @model_validator(mode="after")
    def _consistent(self) -> Chart:
        if other := _SQL_OTHER_PARAM.findall(_sql_code(self.sql)):
            raise ValueError(f"brug navngivne parametre som ':aar', ikke {sorted(set(other))}")
        declared = {p.name for p in self.params}
        used = sql_parameter_names(self.sql)
        if missing := used - declared:
            raise ValueError(f"SQL bruger parametre der ikke er erklæret i 'params': {sorted(missing)}")
        if unused := declared - used:
            raise ValueError(f"'params' erklærer parametre som SQL ikke bruger: {sorted(unused)}")
        for column, bases in self.derived.items():
            if not bases:
                raise ValueError(f"'derived.{column}' skal nævne mindst én kolonne fra 'counts'")
            if unknown := set(bases) - set(self.counts):
                raise ValueError(f"'derived.{column}' bygger på {sorted(unknown)}, som ikke er i 'counts'")
        return self


class UseCase(Strict):
    """One use-case: front matter plus the Markdown body and the file it came from."""

    id: Annotated[str, StringConstraints(pattern=r"^UC-\d{2,3}$")]
    title: Text
    summary: Text
    diagnoses: Annotated[list[Diagnosis], Field(min_length=1)]
    subtask: Subtask
    aims: Annotated[list[Aim], Field(min_length=1)]
    sectors: Annotated[list[Sector], Field(min_length=1)]
    sources: Annotated[list[Source], Field(min_length=1)]
    platform: Platform
    status: Status
    proposer: Text | None = None  # the member who proposed it from the sandbox
    declaration: Declaration
    charts: list[Chart] = []
    body: str = ""
    path: Path | None = None

    @field_validator("charts")
    @classmethod
    def _unique_chart_ids(cls, charts: list[Chart]) -> list[Chart]:
        ids = [c.id for c in charts]
        if len(ids) != len(set(ids)):
            raise ValueError("to figurer har samme 'id'")
        return charts


# Front-matter fields an author writes (body and path come from the file itself).
FRONT_MATTER_FIELDS = [name for name in UseCase.model_fields if name not in {"body", "path"}]
CHART_FIELDS = list(Chart.model_fields)
PARAM_FIELDS = list(Param.model_fields)
DECLARATION_FIELDS = list(Declaration.model_fields)
