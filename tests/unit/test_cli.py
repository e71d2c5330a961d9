"""The `katalog` command: exit codes and output a chair relies on."""

import io

from click.testing import CliRunner
from pypdf import PdfReader

from katalog.cli import main
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
                                       "--sector", "Andet"])
    assert result.exit_code == 1 and "Sektor skal være en af" in result.output


def test_export_writes_a_filtered_pdf(writable_db, tmp_path):
    out = tmp_path / "k.pdf"
    result = CliRunner().invoke(main, ["--db", str(writable_db), "export", "--out", str(out),
                                       "--diagnose", "KOL"])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(io.BytesIO(out.read_bytes())).pages) >= 3


def test_export_without_database_says_build_first(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "none.db"), "export", "--out",
                                       str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "katalog build" in result.output
