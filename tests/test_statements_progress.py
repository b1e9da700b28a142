"""Issue 13 point 7: `statements --pdf` counts the PDFs as LibreOffice makes them.

A stand-in `soffice` on PATH writes the PDFs one after the other, as LibreOffice does in
its single run over the list, so the count is checked without LibreOffice's 15 seconds.
"""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from xlcust import cli
from xlcust.cli import app
from xlcust.io.pdf import convert_to_pdf

from .test_statements_cli import PERIOD, book  # noqa: F401  (the fixture)

# Writes `<stem>.pdf` into --outdir for each workbook, after a pause long enough for the
# watcher to see each one arrive (the pause is the stand-in's, not a limit on xlcust).
FAKE_SOFFICE = '''#!{python}
import sys, time
from pathlib import Path
args = sys.argv[1:]
out = Path(args[args.index("--outdir") + 1])
for name in args[args.index("--outdir") + 2:]:
    time.sleep(0.6)
    (out / (Path(name).stem + ".pdf")).write_bytes(b"%PDF-1.4 stand-in")
'''


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "soffice"
    program.write_text(FAKE_SOFFICE.format(python=sys.executable))
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    return program


def test_convert_reports_each_pdf_as_it_appears(tmp_path: Path, fake_soffice: Path) -> None:
    books = [tmp_path / f"s{i}.xlsx" for i in range(3)]
    seen: list[tuple[int, int]] = []
    pdfs = convert_to_pdf(books, tmp_path / "out", progress=lambda done, total: seen.append((done, total)))
    assert [p.name for p in pdfs] == ["s0.pdf", "s1.pdf", "s2.pdf"]
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert {done for done, _ in seen} == {0, 1, 2, 3}  # each PDF counted as it arrived
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_statements_pdf_shows_n_of_total(book: Path, tmp_path: Path, fake_soffice: Path,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=100))
    monkeypatch.setattr("xlcust.commands.statements.err", cli.err)
    result = CliRunner().invoke(app, ["statements", str(book), *PERIOD, "--out", str(tmp_path / "out"), "--pdf",
                                      "--lang", "en"])
    assert result.exit_code in (0, 1), result.output
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "0 of 2 PDFs made with LibreOffice" in shown
    assert "2 of 2 PDFs made with LibreOffice" in shown
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == [
        "statement_0101_2026-04-01_2026-06-30.pdf", "statement_0102_2026-04-01_2026-06-30.pdf"]
