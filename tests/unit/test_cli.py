"""The `katalog` command: exit codes and output a chair relies on."""

import io

from click.testing import CliRunner
from pypdf import PdfReader

from katalog import db as database
from katalog.cli import main
from katalog.voting.ballots import Ballot, ItemBallot, save_ballot
from katalog.voting.members import add_member
from katalog.voting.overview import close
from katalog.voting.rounds import create_round, parse_settings
from tests.conftest import DATA


def test_validate_exits_1_and_lists_every_problem(monkeypatch):
    monkeypatch.setenv("KATALOG_USECASES", str(DATA / "usecases"))
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1
    assert "UC-91-ukendt-felt.md: subtask:" in result.output
    assert "UC-96-url-i-spec.md: charts[0].spec:" in result.output


def test_validate_passes_on_the_real_catalogue():
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output


def test_member_add_prints_a_working_invite_link(writable_db):
    result = CliRunner().invoke(main, ["--db", str(writable_db), "member", "add", "Bo Berg", "--org", "KL",
                                       "--sector", "Kommune", "--base-url", "http://mødet:8501"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://mødet:8501/afstemning?token=")
    listing = CliRunner().invoke(main, ["--db", str(writable_db), "member", "list"])
    assert "Bo Berg" in listing.output and link.split("=")[1] not in listing.output


def test_member_add_with_bad_sector_fails_clearly(writable_db):
    result = CliRunner().invoke(main, ["--db", str(writable_db), "member", "add", "X", "--org", "Y",
                                       "--sector", "Privat"])
    assert result.exit_code == 1 and "Sektor skal være en af" in result.output


def test_export_writes_a_filtered_pdf(writable_db, tmp_path):
    out = tmp_path / "k.pdf"
    result = CliRunner().invoke(main, ["--db", str(writable_db), "export", "--out", str(out),
                                       "--diagnose", "KOL"])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) >= 3
    # Progress per use-case and per part on stderr; the PDF's name and size alone on stdout
    assert "Figurer til UC-" in result.stderr and "Sætter siderne op (" in result.stderr
    assert result.stdout.strip().startswith(str(out)) and "Figurer" not in result.stdout


def test_export_that_fails_exits_1_with_the_reason(writable_db, tmp_path, monkeypatch):
    import katalog.export

    def failing(*args, **kwargs):
        raise katalog.export.ExportError("PDF'en kunne ikke dannes: ingen skrifttyper")

    monkeypatch.setattr(katalog.export.document, "render_pdf", failing)
    out = tmp_path / "k.pdf"
    result = CliRunner().invoke(main, ["--db", str(writable_db), "export", "--out", str(out)])
    assert result.exit_code == 1 and "ingen skrifttyper" in result.output and not out.exists()


def test_export_without_database_says_build_first(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "none.db"), "export", "--out",
                                       str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "katalog build" in result.output


def test_chair_add_reissue_and_revoke(writable_db):
    run = CliRunner()
    added = run.invoke(main, ["--db", str(writable_db), "chair", "add", "Frida Formand", "--base-url", "http://m"])
    assert added.exit_code == 0 and "formand" in added.output
    old_token = added.stdout.strip().splitlines()[-1].split("=")[1]
    listing = run.invoke(main, ["--db", str(writable_db), "member", "list"]).output
    member_id = next(line.split("\t")[0] for line in listing.splitlines() if "Frida" in line)
    assert "Formand" in listing
    new = run.invoke(main, ["--db", str(writable_db), "member", "reissue", member_id])
    assert new.exit_code == 0 and old_token not in new.output
    revoked = run.invoke(main, ["--db", str(writable_db), "member", "revoke", member_id])
    assert revoked.exit_code == 0 and "tilbagekaldt" in revoked.output
    assert "tilbagekaldt" in run.invoke(main, ["--db", str(writable_db), "member", "list"]).output


def _voted_round(path, hide_results=True, closed=False):
    with database.opened(path) as db:
        voting_round = create_round(db, "Runde 1", parse_settings({"usecases": ["UC-01", "UC-02"],
                                                                   "hide_results": hide_results}))
        for n, score in enumerate([9, 8, 7, 3]):
            member, _ = add_member(db, f"Hemmelige Hans {n}", "Region H", "Region")
            save_ballot(db, member.id, voting_round, Ballot(items={
                "UC-01": ItemBallot(scores={"value": score, "feasibility": score}),
                "UC-02": ItemBallot(scores={"value": 10 - score, "maturity": 5})}))
        if closed:
            close(db, voting_round.id)


def test_ledger_and_recount_agree_and_name_no_one(writable_db, tmp_path):
    _voted_round(writable_db, closed=True)
    run = CliRunner()
    for suffix in ("json", "csv"):
        out = tmp_path / f"regnskab.{suffix}"
        result = run.invoke(main, ["--db", str(writable_db), "ledger", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "Hemmelige Hans" not in out.read_text(encoding="utf-8")
    recount = run.invoke(main, ["recount", str(tmp_path / "regnskab.json")])
    assert recount.exit_code == 0, recount.output
    first = next(line for line in recount.output.splitlines() if line.startswith("UC-01"))
    # UC-01 totals 9, 8, 7, 3: median 7,5; 3 of 4 in 7–9 (75 %), 1 of 4 in 1–3 (25 %): no consensus under 70/15
    assert "n=4" in first and "median=7,50" in first and "øverste=75 %" in first and "Ingen enighed" in first


def test_cli_keeps_hidden_results_hidden(writable_db, tmp_path):
    _voted_round(writable_db, hide_results=True)
    run = CliRunner()
    ledger = run.invoke(main, ["--db", str(writable_db), "ledger", "--out", str(tmp_path / "l.json")])
    assert ledger.exit_code == 1 and "skjuler" in ledger.output and not (tmp_path / "l.json").exists()
    out = tmp_path / "o.pdf"
    result = run.invoke(main, ["--db", str(writable_db), "export", "--kun-overblik", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "skjult" in text and "Median" not in text and "Hemmelige" not in text
