"""Use-cases proposed from the sandbox: a draft use-case file composed from a member's view, kept in `proposals`
until the chair accepts it (the file is written into the use-case folder, where the catalogue finds it) or rejects it.

A proposal is a complete, valid use-case file from the start (status «forslag», the member as `proposer`, the next
free id, the view's chart with its SQL and spec, the seven declaration headings filled from the mock table's own
declaration or with concrete text the member is asked to complete), so the member can download it at once and the
chair accepts exactly what was proposed. It is validated as `katalog validate` validates, when proposed and again
before it is written.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml

from katalog.content import load_usecase
from katalog.content.models import Chart, UseCase
from katalog.voting.members import Member

STATUS_LABELS = {"forslag": "Afventer formanden", "accepteret": "Accepteret", "afvist": "Afvist"}
TO_COMPLETE = "**Udfyld:**"  # marks the text a proposer is asked to replace
_ID = re.compile(r"\bUC-(\d{2,3})\b")
_ID_LINE = re.compile(r"^id:\s*['\"]?UC-(\d{2,3})['\"]?\s*$", re.MULTILINE)


class ProposalError(ValueError):
    """A proposal that cannot be made, accepted or rejected; the message is Danish and says why."""


@dataclass(frozen=True)
class Draft:
    """What a member proposes: the texts and choices typed on the sandbox page, and the view's chart."""

    title: str
    summary: str
    subtask: str
    diagnoses: Sequence[str]
    platform: str
    aims: Sequence[str]
    sectors: Sequence[str]
    sources: Sequence[str]
    chart: Chart
    table: str  # the mock table the view reads
    table_title: str
    table_declaration: str
    view_text: str  # what the view shows, in Danish ("Opdelt efter kommune; fast: År 2024 …")
    indicators: Sequence[str]  # one Markdown line per value the chart shows
    hidden_text: str = ""  # what disclosure control hid in the view, if anything


@dataclass(frozen=True)
class Proposal:
    id: int
    member_id: int
    proposer: str
    usecase_id: str
    title: str
    markdown: str
    status: str
    created_at: str
    decided_at: str | None
    decided_by: str | None
    file: str | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def date(self) -> str:
        return self.created_at[:10]


# --- composing the file -------------------------------------------------------------------------------------


def compose(draft: Draft, usecase_id: str, proposer: Member, today: str) -> str:
    """The use-case file (front matter and body) for a draft; valid as it stands, with text to complete marked."""
    chart = draft.chart
    front: dict[str, Any] = {
        "id": usecase_id,
        "title": draft.title.strip(),
        "summary": draft.summary.strip(),
        "diagnoses": list(draft.diagnoses),
        "subtask": draft.subtask,
        "aims": list(draft.aims),
        "sectors": list(draft.sectors),
        "sources": list(draft.sources),
        "platform": draft.platform,
        "status": "forslag",
        "proposer": f"{proposer.name} ({proposer.organisation})",
        "declaration": _declaration(draft),
        "charts": [{
            "id": chart.id, "title": chart.title, "alt": chart.alt, "sql": chart.sql,
            "params": [p.model_dump(exclude_none=True) for p in chart.params],
            "counts": list(chart.counts), "derived": {k: list(v) for k, v in chart.derived.items()},
            "dimensions": list(chart.dimensions), "spec": chart.spec,
        }],
    }
    body = (f"### Baggrund\n\n{draft.summary.strip()}\n\n"
            f"{TO_COMPLETE} Hvorfor er visningen vigtig for arbejdsgruppen, og hvem skal bruge den?\n\n"
            f"### Fra sandkassen\n\nForeslået af {proposer.name} ({proposer.organisation}) den {today} ud fra "
            f"mock-tabellen `{draft.table}` ({draft.table_title}). {draft.view_text}\n")
    return "---\n" + yaml.dump(front, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100) + "---\n\n" + body


def _declaration(draft: Draft) -> dict[str, str]:
    indicators = "\n".join(draft.indicators) or "- " + draft.chart.title
    hidden = f" {draft.hidden_text}" if draft.hidden_text else ""
    return {
        "purpose": (f"{draft.summary.strip()}\n\n{TO_COMPLETE} Hvem skal bruge visningen, og hvilke spørgsmål eller "
                    "beslutninger skal den støtte?"),
        "content": (f"Visningen bygger på mock-tabellen `{draft.table}` ({draft.table_title}). {draft.view_text}\n\n"
                    f"Om tabellen: {draft.table_declaration.strip()}\n\n{TO_COMPLETE} Hvilke patienter, perioder og "
                    "områder skal med i den rigtige opgørelse, og hvilke skal ikke?"),
        "indicators": f"{indicators}\n\n{TO_COMPLETE} Skriv hver indikators tæller og nævner i ord.",
        "caveats": ("- **Tallene i denne mockup er syntetiske.** De er talt op fra en syntetisk befolkning og må ikke "
                    "citeres.\n"
                    "- **Diskretionering:** antal på 1–4 vises som «skjult», og værdier bygget på dem skjules med "
                    f"dem; enkelte andre celler skjules også, så de små tal ikke kan regnes ud.{hidden}\n"
                    "- **Totaler:** «Alle» og «Hele landet» er tabellens egne totalrækker, ikke summer af de viste "
                    "rækker.\n"
                    f"- {TO_COMPLETE} Hvad skal en læser vide for at tolke tallene rigtigt (dækning, kodning, "
                    "definitioner)?"),
        "source": (f"I mockuppen: den syntetiske tabel `{draft.table}` ({draft.table_title}). I virkeligheden: "
                   f"{', '.join(draft.sources)}.\n\n{TO_COMPLETE} Hvilke registre eller indberetninger skal tallene "
                   "komme fra, og hvordan afgrænses de?"),
        "publication": (f"Foreslået til {draft.platform}. {TO_COMPLETE} Hvor skal visningen vises, hvor ofte "
                        "opdateres den, og på hvilket geografisk niveau kan den offentliggøres efter "
                        "diskretionering?"),
        "terms": ("- **Hele landet, Alle:** totalrækker, der tæller hver person én gang.\n"
                  f"- {TO_COMPLETE} Forklar fagord og forkortelser, som en læser måske ikke kender."),
    }


class _Dumper(yaml.SafeDumper):
    """YAML as an author writes it: multi-line text (SQL, declarations) as literal blocks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        cleaned = "\n".join(line.rstrip() for line in value.splitlines())
        return dumper.represent_scalar("tag:yaml.org,2002:str", cleaned, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def check(markdown: str, usecase_id: str) -> UseCase:
    """The proposal as `katalog validate` reads it; every problem in one Danish message."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{usecase_id}-forslag.md"
        path.write_text(markdown, encoding="utf-8")
        item, problems = load_usecase(path)
    if problems or item is None:
        found = "; ".join(f"{p.field}: {p.message}" for p in problems) or "filen kunne ikke læses"
        raise ProposalError(f"Forslaget er ikke en gyldig use-case ({found}). Ret teksten og prøv igen.")
    if item.id != usecase_id:
        raise ProposalError(f"Forslaget har id {item.id}, ikke {usecase_id}.")
    return item


def file_name(usecase_id: str, title: str) -> str:
    """`UC-07-kort-navn.md`, as the README asks: the id, then the title in lower-case ASCII."""
    text = title.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].rstrip("-") or "forslag"
    return f"{usecase_id}-{slug}.md"


# --- storing and deciding -------------------------------------------------------------------------------------


def ids_in_folder(folder: Path) -> set[str]:
    """Every use-case id the folder uses, in a file name or a file's `id:` line (valid or not)."""
    ids = set()
    for path in Path(folder).glob("*.md"):
        ids.update(f"UC-{n}" for n in _ID.findall(path.name))
        try:
            ids.update(f"UC-{n}" for n in _ID_LINE.findall(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            continue
    return ids


def next_usecase_id(db: sqlite_utils.Database, folder: Path) -> str:
    """The next free id after every id in the folder and in proposals that are not rejected."""
    taken = ids_in_folder(folder)
    taken.update(uc for (uc,) in db.execute("SELECT usecase_id FROM proposals WHERE status <> 'afvist'"))
    number = max((int(uc.removeprefix("UC-")) for uc in taken if _ID.fullmatch(uc)), default=0) + 1
    if number > 999:
        raise ProposalError("Der er ikke flere ledige id'er (UC-999 er brugt).")
    return f"UC-{number:02d}"


def submit(db: sqlite_utils.Database, folder: Path, member: Member, draft: Draft, today: str | None = None) -> Proposal:
    """Store a proposal with the next free id (taken inside one write transaction, so two members never get the
    same); refused unless the composed file is a valid use-case."""
    if member is None or member.revoked:
        raise ProposalError("Kun medlemmer, der er logget ind, kan foreslå use-cases.")
    if not draft.title.strip() or not draft.summary.strip():
        raise ProposalError("Giv forslaget en titel og et kort resumé.")
    today = today or dt.date.today().isoformat()
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        usecase_id = next_usecase_id(db, folder)
        markdown = compose(draft, usecase_id, member, today)
        check(markdown, usecase_id)
        cursor = db.conn.execute(
            "INSERT INTO proposals (member_id, usecase_id, title, markdown, status, file) "
            "VALUES (?, ?, ?, ?, 'forslag', ?)",
            (member.id, usecase_id, draft.title.strip(), markdown, file_name(usecase_id, draft.title)))
    return get(db, cursor.lastrowid)


_SELECT = """
    SELECT p.id, p.member_id, m.name, p.usecase_id, p.title, p.markdown, p.status, p.created_at, p.decided_at,
           d.name, p.file
    FROM proposals p JOIN members m ON m.id = p.member_id LEFT JOIN members d ON d.id = p.decided_by
"""


def get(db: sqlite_utils.Database, proposal_id: int) -> Proposal:
    row = db.execute(_SELECT + " WHERE p.id = ?", [proposal_id]).fetchone()
    if row is None:
        raise ProposalError(f"Forslag {proposal_id} findes ikke.")
    return Proposal(*row)


def mine(db: sqlite_utils.Database, member_id: int) -> list[Proposal]:
    """A member's own proposals, newest first."""
    return [Proposal(*row) for row in db.execute(_SELECT + " WHERE p.member_id = ? ORDER BY p.id DESC", [member_id])]


def every(db: sqlite_utils.Database) -> list[Proposal]:
    """Every proposal for the chair: those awaiting a decision first, then the decided ones, newest first."""
    return [Proposal(*row) for row in db.execute(
        _SELECT + " ORDER BY p.status <> 'forslag', p.id DESC")]


def _decidable(db: sqlite_utils.Database, proposal_id: int, chair: Member) -> Proposal:
    if chair is None or not chair.is_chair:
        raise ProposalError("Kun formanden kan acceptere eller afvise forslag.")
    proposal = get(db, proposal_id)
    if proposal.status != "forslag":
        raise ProposalError(f"Forslaget «{proposal.title}» er allerede {proposal.status_label.lower()}.")
    return proposal


def accept(db: sqlite_utils.Database, proposal_id: int, chair: Member, folder: Path) -> Path:
    """Write the proposal into the use-case folder and mark it accepted. Refused if it is not valid, or if its file
    or id is already in the folder (nothing is overwritten)."""
    folder = Path(folder)
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        proposal = _decidable(db, proposal_id, chair)
        check(proposal.markdown, proposal.usecase_id)
        name = proposal.file or file_name(proposal.usecase_id, proposal.title)
        path = folder / name
        if path.exists():
            raise ProposalError(f"Filen {name} findes allerede i use-case-mappen; intet er overskrevet.")
        if proposal.usecase_id in ids_in_folder(folder):
            raise ProposalError(f"{proposal.usecase_id} bruges allerede af en use-case i mappen; intet er skrevet. "
                                "Afvis forslaget, og bed forslagsstilleren foreslå det igen (så får det et nyt id).")
        with open(path, "x", encoding="utf-8") as out:  # "x": never replace a file that appeared meanwhile
            out.write(proposal.markdown)
        try:
            db.conn.execute("UPDATE proposals SET status = 'accepteret', decided_by = ?, file = ?, "
                            "decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                            (chair.id, name, proposal_id))
        except Exception:
            path.unlink(missing_ok=True)
            raise
    return path


def reject(db: sqlite_utils.Database, proposal_id: int, chair: Member) -> None:
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        _decidable(db, proposal_id, chair)
        db.conn.execute("UPDATE proposals SET status = 'afvist', decided_by = ?, "
                        "decided_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?", (chair.id, proposal_id))
