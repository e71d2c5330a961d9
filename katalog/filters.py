"""Faceted search over the catalogue, and its round trip through URL query parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import get_args

from katalog.models import SUBTASK_LABELS, Aim, Diagnosis, Platform, Sector, Source, Status, Subtask, UseCase
from katalog.voting.decisions import DECISIONS, UNDECIDED

UNDECIDED_KEY = "ikke_besluttet"
DECISION_LABELS = {**DECISIONS, UNDECIDED_KEY: UNDECIDED}


@dataclass(frozen=True)
class Facet:
    key: str  # the URL query parameter
    label: str  # what a member reads
    attribute: str  # the UseCase field
    options: tuple[str, ...]

    def values(self, item: UseCase, decisions: Mapping[str, str] | None = None) -> list[str]:
        """The item's values for this facet; the decision comes from the chair's decisions, not the file."""
        if self.attribute == "decision":
            return [(decisions or {}).get(item.id, UNDECIDED_KEY)]
        value = getattr(item, self.attribute)
        return list(value) if isinstance(value, list) else [value]

    def option_label(self, option: str) -> str:
        if self.attribute == "decision":
            return DECISION_LABELS.get(option, option)
        return SUBTASK_LABELS.get(option, option) if self.attribute == "subtask" else option


FACETS: tuple[Facet, ...] = (
    Facet("diagnose", "Diagnose", "diagnoses", get_args(Diagnosis)),
    Facet("delopgave", "Delopgave", "subtask", get_args(Subtask)),
    Facet("formaal", "Formål", "aims", get_args(Aim)),
    Facet("sektor", "Sektor", "sectors", get_args(Sector)),
    Facet("datakilde", "Datakilde", "sources", get_args(Source)),
    Facet("platform", "Platform", "platform", get_args(Platform)),
    Facet("status", "Status", "status", get_args(Status)),
    Facet("beslutning", "Beslutning", "decision", tuple(DECISION_LABELS)),
)
FACETS_BY_KEY = {facet.key: facet for facet in FACETS}
SEARCH_KEY = "q"


@dataclass(frozen=True)
class FilterSpec:
    """Free text plus the chosen values per facet (OR within a facet, AND across facets)."""

    text: str = ""
    selected: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.text.strip() and not any(self.selected.values())

    def describe(self) -> str:
        """The filter in one Danish line, for captions and the PDF cover."""
        parts = [f"{FACETS_BY_KEY[k].label}: {', '.join(FACETS_BY_KEY[k].option_label(v) for v in vs)}"
                 for k, vs in self.selected.items() if vs]
        if self.text.strip():
            parts.insert(0, f"Søgning: «{self.text.strip()}»")
        return "; ".join(parts) if parts else "Alle use-cases"


def _haystack(item: UseCase) -> str:
    declaration = " ".join(text for _, text in item.declaration.sections())
    return " ".join([item.id, item.title, item.summary, item.body, declaration]).casefold()


def matches(item: UseCase, spec: FilterSpec, *, ignore: str | None = None,
            decisions: Mapping[str, str] | None = None) -> bool:
    words = spec.text.casefold().split()
    if words:
        haystack = _haystack(item)
        if not all(word in haystack for word in words):
            return False
    for key, chosen in spec.selected.items():
        if key == ignore or not chosen:
            continue
        if not set(FACETS_BY_KEY[key].values(item, decisions)) & set(chosen):
            return False
    return True


def apply(items: Iterable[UseCase], spec: FilterSpec, decisions: Mapping[str, str] | None = None) -> list[UseCase]:
    """The items that match; `decisions` (use-case id → decision key) serves the Beslutning facet."""
    return [item for item in items if matches(item, spec, decisions=decisions)]


def facet_counts(items: Iterable[UseCase], spec: FilterSpec, facet: Facet,
                 decisions: Mapping[str, str] | None = None) -> dict[str, int]:
    """How many use-cases each option would show, given the search and the other facets."""
    counts = dict.fromkeys(facet.options, 0)
    for item in items:
        if matches(item, spec, ignore=facet.key, decisions=decisions):
            for value in facet.values(item, decisions):
                counts[value] += 1
    return counts


def from_query_params(params: Mapping[str, str | list[str]]) -> FilterSpec:
    """Read a filter from the URL, dropping values that are not options (an old or edited link)."""
    selected = {}
    for facet in FACETS:
        raw = params.get(facet.key, [])
        values = [raw] if isinstance(raw, str) else list(raw)
        chosen = tuple(v for v in facet.options if v in values)
        if chosen:
            selected[facet.key] = chosen
    text = params.get(SEARCH_KEY, "")
    text = text if isinstance(text, str) else " ".join(text)
    return FilterSpec(text=text.strip(), selected=selected)


def to_query_params(spec: FilterSpec) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {key: list(values) for key, values in spec.selected.items() if values}
    if spec.text.strip():
        params[SEARCH_KEY] = [spec.text.strip()]
    return params
