"""The README's quick tour works as typed (issue 13, point 5).

Every command of the tour is read from README.md itself and run, as a user types it,
in a temporary folder holding a copy of `examples/` (the sample files the tour uses).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tour_commands() -> list[str]:
    """The commands of the README's "Quick tour" block, comments removed."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick tour\s+```bash\n(.*?)```", text, re.S)
    assert block, "README.md has no Quick tour code block"
    return [line.split("  #")[0].strip() for line in block[1].splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("tour")
    shutil.copytree(ROOT / "examples", folder / "examples")
    env = {**os.environ, "COLUMNS": "200"}
    results = {}
    for command in tour_commands():
        words = shlex.split(command)
        assert words[0] == "xlcust", command
        results[command] = subprocess.run([sys.executable, "-m", "xlcust", *words[1:]], cwd=folder, env=env,
                                          capture_output=True, text=True, timeout=600)
    results["folder"] = folder  # type: ignore[assignment]
    return results


def _result(tour: dict, start: str) -> subprocess.CompletedProcess[str]:
    return next(r for c, r in tour.items() if c.startswith(start))


def test_the_tour_has_every_command_the_readme_shows() -> None:
    firsts = [" ".join(shlex.split(c)[:2]) for c in tour_commands()]
    assert firsts[0] == "xlcust new" and "xlcust import" in firsts and firsts[-1] == "xlcust run"
    assert len(firsts) == 12


def test_every_command_exits_0(tour: dict) -> None:
    failed = {c: (r.returncode, r.stderr[-500:]) for c, r in tour.items() if c != "folder" and r.returncode != 0}
    assert not failed


def test_each_command_shows_what_the_readme_says(tour: dict) -> None:
    folder: Path = tour["folder"]
    assert "0 error(s)" in _result(tour, "xlcust check book.xlsx").stderr
    assert "written to the Checks sheet" in _result(tour, "xlcust check book.xlsx --write").stderr
    settled = json.loads(_result(tour, "xlcust settlement").stdout)
    assert settled["complete"] is True and {"settled_on", "days_to_settle", "days_late", "open_amount"} <= set(
        settled["items"][0])
    assert "as of 2026-06-30 (aged from the due date)" in _result(tour, "xlcust aging").stdout
    grades = _result(tour, "xlcust grades").stdout
    assert all(re.search(rf"^{g} +\d+ +\d+%", grades, re.M) for g in "ABCD") and "Largest exposures" in grades
    asked = _result(tour, "xlcust customers").stdout
    assert re.search(r"\d+ of \d+ customers match AND\(HAS_TAG", asked) and "overdue_90_count" in asked
    assert "dry run, nothing written" in _result(tour, "xlcust reclassify").stderr
    assert "2026-Q1" in _result(tour, "xlcust revenue").stdout or "Q1" in _result(tour, "xlcust revenue").stdout
    pdfs = sorted((folder / "statements").glob("*.pdf"))
    assert pdfs and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    imported = _result(tour, "xlcust import customers")
    assert "GB18030" in imported.stdout and "IMP_SUBTOTAL_ROW" in imported.stdout
    assert "Would add 7 row(s) to Customers" in imported.stderr and "nothing written" in imported.stderr
    assert "output sheets to book.xlsx" in _result(tour, "xlcust run").stderr
