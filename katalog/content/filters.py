"""Faceted search over the catalogue, and its round trip through URL query parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import get_args

from katalog.content.models import SUBTASK_LABELS, Aim, Diagnosis, Platform, Sector, Source, Status, Subtask, UseCase
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


class _Index:
    """Which items have each facet value, as one bit per item in a Python int, so a filter and the counts
    beside every option are a few ANDs and popcounts instead of a pass over every item for every facet
    (at 1,000 use-cases that pass was most of the server's time per filter click). Same results as `matches`."""

    def __init__(self, items: Sequence[UseCase]):
        self.items = items
        self.size = len(items)
        self.everything = (1 << self.size) - 1
        self.bits = {facet.key: self._table(facet, None) for facet in FACETS if facet.attribute != "decision"}
        self._haystacks: list[str] | None = None
        self._last_text: tuple[tuple[str, ...], int] = ((), self.everything)
        self._last_decisions: tuple[tuple[tuple[str, str], ...], dict[str, int]] | None = None

    def _table(self, facet: Facet, decisions: Mapping[str, str] | None) -> dict[str, int]:
        table = dict.fromkeys(facet.options, 0)
        for position, item in enumerate(self.items):
            for value in facet.values(item, decisions):
                table[value] |= 1 << position
        return table

    def table(self, key: str, decisions: Mapping[str, str] | None) -> dict[str, int]:
        if key in self.bits:
            return self.bits[key]
        remembered = tuple(sorted((decisions or {}).items()))
        if self._last_decisions is None or self._last_decisions[0] != remembered:
            self._last_decisions = (remembered, self._table(FACETS_BY_KEY[key], decisions))
        return self._last_decisions[1]

    def text(self, text: str) -> int:
        words = tuple(text.casefold().split())
        if words != self._last_text[0]:
            if self._haystacks is None:
                self._haystacks = [_haystack(item) for item in self.items]
            found = 0
            for position, haystack in enumerate(self._haystacks):
                if all(word in haystack for word in words):
                    found |= 1 << position
            self._last_text = (words, found)
        return self._last_text[1]

    def mask(self, spec: FilterSpec, decisions: Mapping[str, str] | None, ignore: str | None = None) -> int:
        shown = self.text(spec.text)
        for key, chosen in spec.selected.items():
            if key != ignore and chosen:
                table = self.table(key, decisions)
                either = 0
                for value in chosen:
                    either |= table.get(value, 0)
                shown &= either
        return shown


_INDEXES: dict[int, _Index] = {}


def _index(items: Iterable[UseCase]) -> _Index:
    """One index per list of items (the cached catalogue's list is the same object on every rerun)."""
    if not isinstance(items, (list, tuple)):
        items = list(items)
    index = _INDEXES.get(id(items))
    if index is None or index.items is not items or index.size != len(items):
        index = _Index(items)  # holds the list, so its id is not reused while the entry lives
        if len(_INDEXES) >= 8:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[id(items)] = index
    return index


def apply(items: Iterable[UseCase], spec: FilterSpec, decisions: Mapping[str, str] | None = None) -> list[UseCase]:
    """The items that match, in their order; `decisions` (use-case id → decision key) serves the Beslutning facet."""
    index = _index(items)
    shown = index.mask(spec, decisions)
    return [item for position, item in enumerate(index.items) if shown >> position & 1]


def facet_counts(items: Iterable[UseCase], spec: FilterSpec, facet: Facet,
                 decisions: Mapping[str, str] | None = None) -> dict[str, int]:
    """How many use-cases each option would show, given the search and the other facets."""
    index = _index(items)
    others = index.mask(spec, decisions, ignore=facet.key)
    return {option: (others & bits).bit_count() for option, bits in index.table(facet.key, decisions).items()}


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
