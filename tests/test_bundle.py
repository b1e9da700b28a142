"""The bundled demo workbook is built from the sources and is up to date."""

from __future__ import annotations

from pathlib import Path

from xlcust.checks import run_checks
from xlcust.excel.bundle import BUNDLED, build_bundled_workbook
from xlcust.findings import has_errors
from xlcust.io.reader import read_book


def test_committed_workbook_equals_a_fresh_build(tmp_path: Path) -> None:
    fresh = build_bundled_workbook(tmp_path / "CustomerLedger.xlsx")
    assert BUNDLED.exists(), "run: python -m xlcust.excel.bundle"
    assert fresh.read_bytes() == BUNDLED.read_bytes(), "workbook is stale: run python -m xlcust.excel.bundle"


def test_bundled_workbook_checks_clean() -> None:
    assert not has_errors(run_checks(read_book(BUNDLED)))
