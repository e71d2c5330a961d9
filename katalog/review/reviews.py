"""Reviews of chart views ("is the picture recognisable?"), their summary per use-case, and the caveats the
chair adopts into a declaration.

A review belongs to one member and one view: a chart of a use-case with the parameters it was drawn with.
Reviews live in catalogue.db beside the ballots and survive rebuilds; a review whose view no longer exists
after a content change is kept and shown as such. Names reach only the chair: the summary for everyone
counts answers by sector (a sector with fewer than three reviewers is folded into «Øvrige»), and lists
comments without names; the CSV for the minutes has no names either."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlite_utils
from markdown_it import MarkdownIt

from katalog.content.models import UseCase
from katalog.voting.members import Member
from katalog.voting.methods import hidden_sectors

RECOGNISABLE: dict[str, str] = {"ja": "Ja", "delvist": "Delvist", "nej": "Nej"}
TEXT_MAX = 2_000
MIN_SECTOR = 3
OTHER_SECTORS = "Øvrige"
QUESTIONS_HEADING = "spørgsmål til arbejdsgruppen"
TEXT_FIELDS = ("deviation", "deviation_source", "missing_caveat", "question", "answer", "comment")
_markdown = MarkdownIt("commonmark")


class ReviewError(ValueError):
    """A review or adoption that could not be saved; the message is meant for the member or chair."""


@dataclass(frozen=True)
class Review:
    id: int
    member_id: int
    usecase_id: str
    chart_id: str
    params: dict
    recognisable: str | None
    deviation: str
    deviation_source: str
    missing_caveat: str
    question: str
    answer: str
    comment: str
    updated_at: str
    reviewer: str = ""  # the member's name: filled only for the chair
    sector: str = ""

    @property
    def view_label(self) -> str:
        return self.view_text()

    def view_text(self, item: UseCase | None = None) -> str:
        """The view as a member reads it: the chart's title and its parameters' labels where the use-case still
        has them, else the stored ids."""
        chart = next((c for c in item.charts if c.id == self.chart_id), None) if item else None
        labels = {p.name: p.label for p in chart.params} if chart else {}
        values = ", ".join(f"{labels.get(k, k)}: {v}" for k, v in self.params.items()) or "standardvisning"
        return f"«{chart.title}» ({values})" if chart else values


@dataclass(frozen=True)
class AdoptedCaveat:
    id: int
    usecase_id: str
    text: str
    adopted_at: str
    review_id: int | None

    @property
    def date(self) -> str:
        return self.adopted_at[:10]


@dataclass
class Summary:
    """What everyone may see of the reviews of one use-case: no names."""

    usecase_id: str
    reviewers: int = 0
    reviews: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    by_sector: dict[str, dict[str, int] | None] = field(default_factory=dict)  # None: fortroligt
    deviations: list[tuple[str, str, str]] = field(default_factory=list)  # (view, text, source)
    caveats: list[tuple[int, str, str]] = field(default_factory=list)  # (review id, view, text)
    answers: list[tuple[str, str]] = field(default_factory=list)  # (question, answer)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (view, text)


def view_key(params: Mapping) -> str:
    """The view's parameters as one canonical string (the unique key of a member's review of it)."""
    return json.dumps({k: params[k] for k in sorted(params)}, ensure_ascii=False, default=str)


def questions(item: UseCase) -> list[str]:
    """The list items under the body's heading «Spørgsmål til arbejdsgruppen»."""
    tokens, found, inside, depth, text = _markdown.parse(item.body), [], False, 0, []
    for n, token in enumerate(tokens):
        if token.type == "heading_open":
            inside = tokens[n + 1].content.strip().lower() == QUESTIONS_HEADING
        elif inside and token.type == "list_item_open":
            depth, text = depth + 1, []
        elif inside and token.type == "inline" and depth:
            text.append(" ".join(token.content.split()))
        elif inside and token.type == "list_item_close":
            depth -= 1
            found.append(" ".join(text))
    return found


def _clean(fields: Mapping[str, str | None]) -> dict[str, str]:
    cleaned = {name: (fields.get(name) or "").strip() for name in TEXT_FIELDS}
    too_long = [name for name, text in cleaned.items() if len(text) > TEXT_MAX]
    if too_long:
        raise ReviewError(f"Teksten er for lang (højst {TEXT_MAX} tegn pr. felt).")
    if cleaned["answer"] and not cleaned["question"]:
        raise ReviewError("Vælg det spørgsmål, dit svar hører til.")
    return cleaned


def save_review(db: sqlite_utils.Database, member: Member, usecase_id: str, chart_id: str, params: Mapping,
                recognisable: str | None, **fields: str | None) -> Review:
    """Insert or update the member's review of this view in one statement."""
    if recognisable is not None and recognisable not in RECOGNISABLE:
        raise ReviewError("«Genkendeligt?» skal være ja, delvist eller nej.")
    cleaned = _clean(fields)
    if recognisable is None and not any(cleaned.values()):
        raise ReviewError("Svar på «Genkendeligt?» eller skriv en bemærkning, før du gemmer.")
    with db.conn:
        db.conn.execute(
            f"""INSERT INTO reviews (member_id, usecase_id, chart_id, params, recognisable, {', '.join(TEXT_FIELDS)})
            VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(TEXT_FIELDS))})
            ON CONFLICT (member_id, usecase_id, chart_id, params) DO UPDATE SET
            recognisable = excluded.recognisable, {', '.join(f'{f} = excluded.{f}' for f in TEXT_FIELDS)},
            updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""",
            (member.id, usecase_id, chart_id, view_key(params), recognisable, *cleaned.values()))
    return review_of(db, member.id, usecase_id, chart_id, params)


_SELECT = (f"SELECT r.id, r.member_id, r.usecase_id, r.chart_id, r.params, r.recognisable, "
           f"{', '.join('r.' + f for f in TEXT_FIELDS)}, r.updated_at, m.name, m.sector "
           "FROM reviews r JOIN members m ON m.id = r.member_id")


def _review(row, with_name: bool) -> Review:
    *values, name, sector = row
    values[4] = json.loads(values[4])
    return Review(*values, reviewer=name if with_name else "", sector=sector)


def review_of(db: sqlite_utils.Database, member_id: int, usecase_id: str, chart_id: str,
              params: Mapping) -> Review | None:
    row = db.conn.execute(f"{_SELECT} WHERE r.member_id = ? AND r.usecase_id = ? AND r.chart_id = ? AND r.params = ?",
                          (member_id, usecase_id, chart_id, view_key(params))).fetchone()
    return _review(row, False) if row else None


def reviews_by(db: sqlite_utils.Database, member_id: int) -> list[Review]:
    """A member's own reviews, newest first."""
    rows = db.conn.execute(f"{_SELECT} WHERE r.member_id = ? ORDER BY r.updated_at DESC, r.id DESC", (member_id,))
    return [_review(row, False) for row in rows]


def delete_review(db: sqlite_utils.Database, member: Member, review_id: int) -> None:
    """A member removes one of their own reviews (never another's); an adopted caveat stays adopted."""
    with db.conn:
        allowed = db.conn.execute(
            "SELECT 1 FROM reviews WHERE id = ? AND member_id = ? AND NOT EXISTS (SELECT 1 FROM adopted_caveats "
            "WHERE review_id = ? AND withdrawn_at IS NULL)", (review_id, member.id, review_id)).fetchone()
        if allowed:  # a withdrawn caveat keeps its text and date, not the link to the deleted review
            db.conn.execute("UPDATE adopted_caveats SET review_id = NULL WHERE review_id = ?", (review_id,))
            cursor = db.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
    if not allowed or cursor.rowcount != 1:
        raise ReviewError("Vurderingen kan ikke slettes: den er ikke din, eller dens forbehold er optaget i "
                          "deklarationen.")


def reviews_for(db: sqlite_utils.Database, usecase_id: str, reader: Member | None) -> list[Review]:
    """Every review of the use-case; names only when the reader is the chair."""
    with_names = reader is not None and reader.is_chair
    rows = db.conn.execute(f"{_SELECT} WHERE r.usecase_id = ? ORDER BY r.id", (usecase_id,))
    return [_review(row, with_names) for row in rows]


def _folded_sectors(reviews: Sequence[Review]) -> dict[int, str]:
    """Member id → the sector shown: a sector with fewer than three reviewers is folded into «Øvrige»."""
    members_per_sector = defaultdict(set)
    for review in reviews:
        members_per_sector[review.sector].add(review.member_id)
    return {r.member_id: r.sector if len(members_per_sector[r.sector]) >= MIN_SECTOR else OTHER_SECTORS
            for r in reviews}


def summarise(db: sqlite_utils.Database, usecase_id: str, item: UseCase | None = None) -> Summary:
    """Answers counted (each reviewer's latest answer per view), split by sector, and texts without names."""
    reviews = reviews_for(db, usecase_id, None)
    folded = _folded_sectors(reviews)
    summary = Summary(usecase_id, reviewers=len(folded), reviews=len(reviews))
    summary.counts = dict.fromkeys(RECOGNISABLE, 0)
    sectors: dict[str, Counter] = defaultdict(Counter)
    for review in reviews:
        if review.recognisable:
            summary.counts[review.recognisable] += 1
            sectors[folded[review.member_id]][review.recognisable] += 1
        view = review.view_text(item) if item else f"{review.chart_id} ({review.view_label})"
        if review.deviation:
            summary.deviations.append((view, review.deviation, review.deviation_source))
        if review.missing_caveat:
            summary.caveats.append((review.id, view, review.missing_caveat))
        if review.answer:
            summary.answers.append((review.question, review.answer))
        if review.comment:
            summary.comments.append((view, review.comment))
    # Folded «Øvrige» may itself be small, and the totals are shown: hide groups as the tally does.
    sizes = Counter(folded.values())
    hidden = hidden_sectors(dict(sizes))
    summary.by_sector = {s: None if s in hidden else {k: sectors[s].get(k, 0) for k in RECOGNISABLE}
                         for s in sorted(sizes)}
    for texts in (summary.deviations, summary.caveats, summary.answers, summary.comments):
        texts.sort(key=lambda t: tuple(str(x) for x in t[-2:]))  # no order that follows the reviewers
    return summary


def adopt(db: sqlite_utils.Database, chair: Member, usecase_id: str, text: str,
          review_id: int | None = None) -> AdoptedCaveat:
    """The chair adopts a caveat into the use-case's declaration (under «Forbehold ved fortolkning»)."""
    if not chair.is_chair:
        raise ReviewError("Kun formanden kan optage et forbehold i deklarationen.")
    text = " ".join(text.split())
    if not text:
        raise ReviewError("Forbeholdet er tomt.")
    if len(text) > TEXT_MAX:
        raise ReviewError(f"Forbeholdet er for langt (højst {TEXT_MAX} tegn).")
    with db.conn:
        if db.conn.execute("SELECT 1 FROM adopted_caveats WHERE usecase_id = ? AND text = ? AND withdrawn_at IS NULL",
                           (usecase_id, text)).fetchone():
            raise ReviewError("Forbeholdet står allerede i deklarationen.")
        cursor = db.conn.execute("INSERT INTO adopted_caveats (review_id, usecase_id, text, adopted_by) "
                                 "VALUES (?, ?, ?, ?)", (review_id, usecase_id, text, chair.id))
    return next(c for c in adopted_caveats(db, usecase_id) if c.id == cursor.lastrowid)


def withdraw(db: sqlite_utils.Database, chair: Member, caveat_id: int) -> None:
    if not chair.is_chair:
        raise ReviewError("Kun formanden kan trække et forbehold tilbage.")
    with db.conn:
        cursor = db.conn.execute("UPDATE adopted_caveats SET withdrawn_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                                 "WHERE id = ? AND withdrawn_at IS NULL", (caveat_id,))
    if cursor.rowcount != 1:
        raise ReviewError("Forbeholdet er allerede trukket tilbage eller findes ikke.")


def adopted_caveats(db: sqlite_utils.Database, usecase_id: str | None = None) -> list[AdoptedCaveat]:
    """The caveats in force (not withdrawn), oldest first; for one use-case or all."""
    where, args = ("AND usecase_id = ?", (usecase_id,)) if usecase_id else ("", ())
    rows = db.conn.execute("SELECT id, usecase_id, text, adopted_at, review_id FROM adopted_caveats "
                           f"WHERE withdrawn_at IS NULL {where} ORDER BY id", args)
    return [AdoptedCaveat(*row) for row in rows]


def caveats_by_usecase(db: sqlite_utils.Database) -> dict[str, list[AdoptedCaveat]]:
    grouped: dict[str, list[AdoptedCaveat]] = defaultdict(list)
    for caveat in adopted_caveats(db):
        grouped[caveat.usecase_id].append(caveat)
    return dict(grouped)


CSV_COLUMNS = ["use_case", "figur", "visning", "sektor", "genkendeligt", "afviger", "kilde", "manglende_forbehold",
               "spørgsmål", "svar", "bemærkning", "opdateret", "visningen_findes"]


def reviews_csv(db: sqlite_utils.Database, exists=None) -> str:
    """Every review for the minutes, without names; sectors with fewer than three reviewers folded.
    `exists(review)` says whether the review's view still exists (a column of its own)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    usecases = [row[0] for row in db.conn.execute("SELECT DISTINCT usecase_id FROM reviews ORDER BY usecase_id")]
    for usecase_id in usecases:
        reviews = reviews_for(db, usecase_id, None)
        folded = _folded_sectors(reviews)
        for r in sorted(reviews, key=lambda r: (r.chart_id, view_key(r.params), r.updated_at)):
            writer.writerow([r.usecase_id, r.chart_id, r.view_label, folded[r.member_id],
                             RECOGNISABLE.get(r.recognisable or "", ""), r.deviation, r.deviation_source,
                             r.missing_caveat, r.question, r.answer, r.comment, r.updated_at[:10],
                             "" if exists is None else ("ja" if exists(r) else "nej")])
    return out.getvalue()


def view_exists(item: UseCase | None, chart_id: str, params: Mapping, options: Mapping[str, list] | None = None
                ) -> bool:
    """Whether the chart still exists with these parameters (and, given the options, these values)."""
    if item is None:
        return False
    chart = next((c for c in item.charts if c.id == chart_id), None)
    if chart is None or set(params) != {p.name for p in chart.params}:
        return False
    if options is None:
        return True
    return all(params[name] in values or str(params[name]) in map(str, values) for name, values in options.items())


def caveat_lines(caveats: Sequence[AdoptedCaveat]) -> list[str]:
    """The adopted caveats as the declaration prints them under «Forbehold ved fortolkning»."""
    return [f"{c.text} *(Tilføjet af arbejdsgruppen {c.date}.)*" for c in caveats]
