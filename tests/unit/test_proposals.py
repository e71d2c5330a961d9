"""Proposals from the sandbox: a valid use-case file from the start (checked with the real `katalog validate`), the
next free id, and the chair's decision: accepting writes the file (never over another), rejecting does not."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from katalog import db as database
from katalog.charts import sandbox_builder as sb
from katalog.cli import main
from katalog.content import load_catalogue
from katalog.review import proposals
from katalog.voting.members import add_member
from tests.conftest import NEXT_ID, USECASES


@pytest.fixture
def folder(tmp_path) -> Path:
    """A private copy of the use-case folder."""
    target = tmp_path / "usecases"
    shutil.copytree(USECASES, target)
    return target


@pytest.fixture
def people(writable_db):
    with database.opened(writable_db) as db:
        member, _ = add_member(db, "Anna Holm", "Region Nordjylland", "Region")
        other, _ = add_member(db, "Bo Berg", "KL", "Kommune/KL")
        chair, _ = add_member(db, "Frida Formand", "Sundhedsdatastyrelsen", "Stat/SDS", role="chair")
    return member, other, chair


def _draft(db_path: Path, table_name: str = "kvalitetsindikatorer", sql: str | None = None, **changes):
    table = sb.table(db_path, table_name)
    if sql is None:
        view = sb.default_view(table, db_path, [sb.GEOGRAPHY, "aar"], level="Region")
        exploration = sb.explore(db_path, sb.build_query(table, view))
    else:
        exploration = sb.explore_sql(db_path, sql, changes.pop("values", {}))
    fields = dict(
        title="Målopfyldelse pr. region over tid", summary="Andelen, der opfylder indikatoren, år for år pr. region.",
        subtask="2b", diagnoses=["KOL"], platform="eSundhed", aims=["Planlægning og styring"], sectors=["Region"],
        sources=list(table.cube.sources), chart=sb.usecase_chart(exploration, title="Andel opfyldt"),
        table=table.name, table_title=table.title, table_declaration=table.declaration,
        view_text=sb.view_text(exploration), indicators=sb.indicator_lines(exploration),
        hidden_text=sb.hidden_text(exploration))
    return proposals.Draft(**{**fields, **changes})


def _validate(markdown: str, name: str, tmp_path: Path):
    """The real CLI on a folder holding just this file."""
    alone = tmp_path / "alene"
    alone.mkdir(exist_ok=True)
    (alone / name).write_text(markdown, encoding="utf-8")
    return CliRunner().invoke(main, ["validate"], env={"KATALOG_USECASES": str(alone)})


def test_a_proposal_is_a_valid_use_case_for_katalog_validate(writable_db, folder, people, tmp_path):
    member = people[0]
    with database.opened(writable_db) as db:
        proposal = proposals.submit(db, folder, member, _draft(writable_db), today="2026-11-30")
    assert proposal.usecase_id == NEXT_ID and proposal.status == "forslag" and proposal.proposer == "Anna Holm"
    assert proposal.file == f"{NEXT_ID}-maalopfyldelse-pr-region-over-tid.md"
    result = _validate(proposal.markdown, proposal.file, tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 gyldige use-cases, 0 problemer" in result.output
    item = proposals.check(proposal.markdown, NEXT_ID)
    assert item.status == "forslag" and item.proposer == "Anna Holm (Region Nordjylland)"
    chart = item.charts[0]
    assert chart.title == "Andel opfyldt" and chart.derived == {"andel_opfyldt_pct": ["opfyldt", "patienter"]}
    assert {p.name for p in chart.params} == {"diagnose", "indikator"}
    assert all(p.options_sql for p in chart.params)  # real widgets, their choices read from the table
    # The declaration: the mock table's own text, and what the member still has to write, marked.
    assert "Om tabellen: Patienter der opfylder en indikator" in item.declaration.content
    for _heading, text in item.declaration.sections():
        assert text.strip()
    assert proposals.TO_COMPLETE in item.declaration.purpose and "× 100" in item.declaration.indicators


def test_a_proposal_from_the_sql_box_validates_too(writable_db, folder, people, tmp_path):
    sql = ("SELECT aar, patienter FROM ap_patienter WHERE niveau = 'Hele landet' AND diagnose = :diagnose "
           "AND koen = 'Alle' AND aldersgruppe = 'Alle' ORDER BY aar")
    draft = _draft(writable_db, "ap_patienter", sql=sql, values={"diagnose": "astma"}, title="Astma over tid")
    with database.opened(writable_db) as db:
        proposal = proposals.submit(db, folder, people[0], draft)
    assert _validate(proposal.markdown, proposal.file, tmp_path).exit_code == 0
    item = proposals.check(proposal.markdown, proposal.usecase_id)
    assert item.charts[0].params[0].options == ["astma"] and item.charts[0].dimensions == ["aar"]
    assert "skrevet som SQL i sandkassen og læser `ap_patienter`" in item.declaration.content


def test_ids_follow_the_folder_and_the_pending_proposals(writable_db, folder, people):
    member, other, chair = people
    # A broken file still holds its id: the next proposal gets the one after it, whatever the catalogue holds.
    taken = int(NEXT_ID.removeprefix("UC-"))
    (folder / f"UC-{taken:02d}-noget.md").write_text("ikke gyldig, men id'et er brugt", encoding="utf-8")
    expected = (f"UC-{taken + 1:02d}", f"UC-{taken + 2:02d}")
    with database.opened(writable_db) as db:
        first = proposals.submit(db, folder, member, _draft(writable_db))
        second = proposals.submit(db, folder, other, _draft(writable_db, title="Et andet forslag"))
        assert (first.usecase_id, second.usecase_id) == expected
        proposals.reject(db, second.id, chair)
        assert proposals.next_usecase_id(db, folder) == expected[1]  # a rejected proposal gives its id back
        assert [p.id for p in proposals.mine(db, member.id)] == [first.id]
        assert [p.status for p in proposals.every(db)] == ["forslag", "afvist"]


def test_a_proposal_that_is_not_a_valid_use_case_is_refused(writable_db, folder, people):
    member = people[0]
    with database.opened(writable_db) as db:
        with pytest.raises(proposals.ProposalError, match="titel"):
            proposals.submit(db, folder, member, _draft(writable_db, title="  "))
        with pytest.raises(proposals.ProposalError, match="ikke en gyldig use-case"):
            proposals.submit(db, folder, member, _draft(writable_db, summary="Se ![x](https://example.com/x.png)"))
        with pytest.raises(proposals.ProposalError, match="ikke en gyldig use-case"):
            proposals.submit(db, folder, member, _draft(writable_db, diagnoses=["gigt"]))
        assert proposals.every(db) == []


def test_accepting_writes_the_file_and_the_catalogue_lists_it(writable_db, folder, people):
    member, _, chair = people
    before = {item.id for item in load_catalogue(folder).items}
    with database.opened(writable_db) as db:
        proposal = proposals.submit(db, folder, member, _draft(writable_db))
        path = proposals.accept(db, proposal.id, chair, folder)
        decided = proposals.get(db, proposal.id)
    assert path == folder / proposal.file and path.read_text(encoding="utf-8") == proposal.markdown
    assert (decided.status, decided.decided_by) == ("accepteret", "Frida Formand") and decided.decided_at
    catalogue = load_catalogue(folder)
    assert not catalogue.problems
    assert {item.id for item in catalogue.items} == before | {NEXT_ID}
    assert catalogue.get(NEXT_ID).status == "forslag"
    with database.opened(writable_db) as db, pytest.raises(proposals.ProposalError, match="allerede accepteret"):
        proposals.accept(db, proposal.id, chair, folder)


def test_only_the_chair_decides(writable_db, folder, people):
    member, other, chair = people
    with database.opened(writable_db) as db:
        proposal = proposals.submit(db, folder, member, _draft(writable_db))
        for who in (member, other, replace(chair, revoked=True), None):
            with pytest.raises(proposals.ProposalError, match="Kun formanden"):
                proposals.accept(db, proposal.id, who, folder)
            with pytest.raises(proposals.ProposalError, match="Kun formanden"):
                proposals.reject(db, proposal.id, who)
        assert proposals.get(db, proposal.id).status == "forslag"
    assert not (folder / proposal.file).exists()


def test_accepting_never_overwrites_a_file_or_reuses_an_id(writable_db, folder, people):
    member, _, chair = people
    with database.opened(writable_db) as db:
        proposal = proposals.submit(db, folder, member, _draft(writable_db))
        (folder / proposal.file).write_text("den formandens egen fil", encoding="utf-8")
        with pytest.raises(proposals.ProposalError, match="findes allerede"):
            proposals.accept(db, proposal.id, chair, folder)
        assert (folder / proposal.file).read_text(encoding="utf-8") == "den formandens egen fil"
        (folder / proposal.file).unlink()
        (folder / f"{NEXT_ID}-skrevet-i-haanden.md").write_text(f"id: {NEXT_ID}\n", encoding="utf-8")
        with pytest.raises(proposals.ProposalError, match="bruges allerede"):
            proposals.accept(db, proposal.id, chair, folder)
        assert proposals.get(db, proposal.id).status == "forslag"
        proposals.reject(db, proposal.id, chair)
        with pytest.raises(proposals.ProposalError, match="allerede afvist"):
            proposals.accept(db, proposal.id, chair, folder)
    assert not (folder / proposal.file).exists()


def test_a_tampered_proposal_is_validated_again_before_it_is_written(writable_db, folder, people):
    member, _, chair = people
    with database.opened(writable_db) as db:
        proposal = proposals.submit(db, folder, member, _draft(writable_db))
        db.conn.execute("UPDATE proposals SET markdown = replace(markdown, 'status: forslag', 'status: hemmelig')")
        db.conn.commit()
        with pytest.raises(proposals.ProposalError, match="ikke en gyldig use-case"):
            proposals.accept(db, proposal.id, chair, folder)
    assert not (folder / proposal.file).exists()


def test_file_names_are_ascii():
    assert proposals.file_name("UC-08", "Ældre på plejehjem: Årskontrol & KOL!") == \
        "UC-08-aeldre-paa-plejehjem-aarskontrol-kol.md"
    assert proposals.file_name("UC-09", "???") == "UC-09-forslag.md"
