"""Every report command says when its figures rest on incomplete data (issue 13, point 1).

A report over a workbook with a required column missing, or with rows the ledger leaves
out, exits 1, names the findings on stderr and under `findings` in --json, and marks the
document `complete: false`; a clean workbook still exits 0.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust.cli import app

from .workbooks import TRANSACTIONS, registry, write_book

runner = CliRunner()

REPORTS = {
    "aging": ["aging"],
    "settlement": ["settlement"],
    "grades": ["grades"],
    "revenue": ["revenue", "--from", "2024-01-01", "--to", "2024-12-31"],
    "statements": ["statements", "--from", "2024-01-01", "--to", "2024-12-31"],
}


def _book(tmp_path: Path, transactions: list[list[object]], name: str) -> Path:
    return write_book(tmp_path / name, registry(Transactions=transactions))


def _invoke(args: list[str], book: Path, tmp_path: Path, *extra: str):
    more = ["--out", str(tmp_path / "statements")] if args[0] == "statements" else []
    return runner.invoke(app, [args[0], str(book), *args[1:], *more, *extra])


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_a_missing_required_column_makes_every_report_exit_1_and_say_why(tmp_path: Path, report: str) -> None:
    rows = [list(r) for r in TRANSACTIONS]
    rows[0][4] = "Amt"  # the amount header renamed: the column is missing
    book = _book(tmp_path, rows, "no_amount.xlsx")

    shown = _invoke(REPORTS[report], book, tmp_path)
    assert shown.exit_code == 1, shown.output
    assert "HDR_MISSING_COLUMN" in shown.stderr and "Amount" in shown.stderr
    assert "make these figures incomplete" in shown.stderr

    as_json = _invoke(REPORTS[report], book, tmp_path, "--json")
    assert as_json.exit_code == 1, as_json.output
    document = json.loads(as_json.stdout)
    assert document["complete"] is False
    assert [f["code"] for f in document["findings"]] == ["HDR_MISSING_COLUMN"]
    assert document["findings"][0]["sheet"] == "Transactions"


@pytest.mark.parametrize("report", ["aging", "settlement", "grades"])
def test_rows_left_out_of_the_ledger_are_counted_and_named(tmp_path: Path, report: str) -> None:
    rows = [list(r) for r in TRANSACTIONS]
    rows.append(["T3", dt.date(2024, 3, 1), "C002", "invoice", None])  # no amount: left out
    book = _book(tmp_path, rows, "left_out.xlsx")

    shown = _invoke(REPORTS[report], book, tmp_path)
    assert shown.exit_code == 1, shown.output
    assert "the ledger uses 2 of 3 Transactions rows; 1 are left out (no amount: 1)" in shown.stderr
    assert "TXN_AMOUNT_MISSING" in shown.stderr

    document = json.loads(_invoke(REPORTS[report], book, tmp_path, "--json").stdout)
    assert document["coverage"] == {"rows_in_sheet": 3, "rows_used": 2, "rows_left_out": 1, "rows_after_as_of": 0,
                                    "left_out_by_reason": {"missing_amount": 1}, "complete": False}
    assert any(f["code"] == "TXN_AMOUNT_MISSING" and f["row"] == 4 for f in document["findings"])


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_a_clean_workbook_reports_complete_figures_with_exit_0(tmp_path: Path, report: str) -> None:
    book = _book(tmp_path, TRANSACTIONS, "clean.xlsx")
    result = _invoke(REPORTS[report], book, tmp_path, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["complete"] is True and document["findings"] == []


def test_errors_on_sheets_a_report_does_not_read_leave_it_complete(tmp_path: Path) -> None:
    """A broken rule is the Rules sheet's problem: aging's figures do not rest on it."""
    rules = [["Rule ID", "When", "Then"], ["R1", "revenue_12m >", 'tag + "x"']]
    book = write_book(tmp_path / "rules.xlsx", registry(Rules=rules))
    result = runner.invoke(app, ["aging", str(book), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["complete"] is True
