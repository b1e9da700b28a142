"""Button handlers run from Python against an in-memory host: same sheets as the headless run,
friendly messages instead of tracebacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xlcust.checks import run_checks
from xlcust.excel import handlers
from xlcust.excel.bundle import BUNDLED
from xlcust.excel.host import MemoryHost, book_from_host, sheet_block
from xlcust.io.reader import read_book
from xlcust.views.outputs import checks_sheet

from .excel_hosts import host_from_file
from .workbooks import registry, write_book


@pytest.fixture
def demo_host() -> MemoryHost:
    return host_from_file(BUNDLED)


def body(block):
    """A block from its header row on (the title carries a time stamp)."""
    return block.values[block.header_row - 1:]


def test_validate_writes_the_checks_the_command_finds(demo_host: MemoryHost) -> None:
    text = handlers.validate(demo_host)
    findings = run_checks(read_book(BUNDLED))
    expected = sheet_block(checks_sheet(findings, "en"))
    assert body(demo_host.written["Checks"]) == body(expected)
    assert demo_host.messages == [text]
    from xlcust.views.outputs import highlights

    assert demo_host.highlights == highlights(findings)
    assert text.startswith(f"Checks: {sum(f.severity.value == 'error' for f in findings)} error(s)")


def test_validate_fills_blank_mnemonics(tmp_path: Path) -> None:
    rows = registry(Customers=[["Code", "Name", "Mnemonic", "Category code"],
                               ["C001", "华远建筑有限公司", None, "0101"], ["C002", "Acme", "AC", "02"]])
    host = host_from_file(write_book(tmp_path / "m.xlsx", rows))
    text = handlers.validate(host)
    assert [(e.sheet, e.row, e.col_letter, e.value) for e in host.edits] == [("Customers", 2, "C", "HYJZYXGS")]
    assert "1 blank mnemonic(s) filled" in text


def test_refresh_all_writes_what_xlcust_run_writes(demo_host: MemoryHost) -> None:
    from xlcust.views.run import refresh_sheets

    text = handlers.refresh_all(demo_host)
    result, sheets = refresh_sheets(read_book(BUNDLED))
    # and xlcust's memory, as `run` leaves it in the file (the demo has its CategoryHistory)
    assert list(demo_host.written) == [*(s.name for s in sheets), "_xlcust_memory"]
    assert {"Checks", "Metrics", "Allocation", "Settlement", "Aging", "AgingByCustomer", "OpenItems", "Provision",
            "Collections", "Revenue", "Dashboard"} <= set(demo_host.written)
    for sheet in sheets:
        block = demo_host.written[sheet.name]
        assert body(block) == body(sheet_block(sheet)), sheet.name
        assert block.charts == list(sheet.charts)
    assert demo_host.written["Dashboard"].charts
    assert f"as of {result.as_of.isoformat()}" in text


def test_refresh_all_matches_the_command_line_sheets(demo_host: MemoryHost, tmp_path: Path) -> None:
    """The handler's AgingByCustomer equals the sheet `xlcust run --out` writes to the file."""
    from typer.testing import CliRunner

    from xlcust.cli import app
    from xlcust.excel.host import as_file_values

    from .excel_hosts import host_from_file as read_cells

    out = tmp_path / "run.xlsx"
    result = CliRunner().invoke(app, ["run", str(BUNDLED), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    handlers.refresh_all(demo_host)
    written = read_cells(out).read_grid("AgingByCustomer")[1:]
    live = demo_host.written["AgingByCustomer"].values[1:]
    assert len(written) == len(live)
    assert as_file_values(written) == as_file_values(live)


def test_statements_sheet_ties_to_the_ledger(demo_host: MemoryHost) -> None:
    text = handlers.statements(demo_host)
    block = demo_host.written["Statements"]
    as_of = read_book(BUNDLED).settings.effective_as_of()
    assert f"Statements {as_of.replace(day=1).isoformat()} – {as_of.isoformat()}" in text
    header = block.values[block.header_row - 1]
    closing = [r for r in block.values[block.header_row:] if r[header.index("Memo")] == "Closing balance"]
    assert closing and all(isinstance(r[header.index("Balance")], float) for r in closing)


def test_unreadable_sheet_becomes_a_message_and_a_checks_row(tmp_path: Path) -> None:
    class Broken(MemoryHost):
        def read_grid(self, sheet: str):
            raise OSError("the sheet went away")

    host = Broken({"Customers": [["Code"]]})
    text = handlers.validate(host)  # no exception reaches Excel
    assert text.startswith("Validate codes could not run: internal error (OSError: the sheet went away)")
    assert "xlcust-excel-error.log" in text
    checks = host.written["Checks"]
    assert checks.values[checks.header_row][1] == "RUN_FAILED"


def test_workbook_problem_is_a_friendly_message(monkeypatch: pytest.MonkeyPatch, demo_host: MemoryHost) -> None:
    from xlcust.errors import UsageError
    from xlcust.i18n import msg

    def refuse(book, as_of=None, progress=None, recorded=None):
        raise UsageError(msg("aging basis must be 'due' or 'invoice', not '{basis}'", basis="x"))

    monkeypatch.setattr("xlcust.views.run.refresh", refuse)
    text = handlers.refresh_all(demo_host)
    assert text == ("Refresh all could not run: aging basis must be 'due' or 'invoice', not 'x' "
                    "(also on the Checks sheet)")
    assert list(demo_host.written) == ["Checks"]


def test_handlers_default_to_the_calling_workbook(monkeypatch: pytest.MonkeyPatch, demo_host: MemoryHost) -> None:
    from xlcust.excel import xlwings_book

    monkeypatch.setattr(xlwings_book.XlwingsHost, "caller", classmethod(lambda cls: demo_host))
    handlers.validate()
    assert "Checks" in demo_host.written


def test_statement_period_is_the_as_of_month() -> None:
    assert handlers.statement_period(dt.date(2026, 9, 30)) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def test_book_from_host_sees_sheets_written_earlier(demo_host: MemoryHost) -> None:
    handlers.validate(demo_host)
    assert "Checks" in demo_host.sheet_names()
    assert book_from_host(demo_host).customers.present


def _edit_first_amount(host: MemoryHost) -> float:
    """Change the first transaction's amount in the live cells (an edit not yet saved); the old amount."""
    grid = host.grids["Transactions"]
    col = grid[0].index("Amount")
    old = grid[1][col]
    grid[1][col] = old + 1000.0
    return old


def test_a_saved_workbook_is_read_from_its_file(demo_host: MemoryHost) -> None:
    """Saved: the file is read (here the cells differ from it, to tell which one was read)."""
    file_text = handlers.refresh_all(host_from_file(BUNDLED))
    _edit_first_amount(demo_host)
    live_text = handlers.refresh_all(demo_host)
    assert live_text != file_text  # the edit shows in the live cells' balance
    saved = host_from_file(BUNDLED)
    _edit_first_amount(saved)
    saved.file = BUNDLED  # Excel says "no unsaved changes": the file is what the user sees
    assert handlers.refresh_all(saved) == file_text


def test_unsaved_edits_or_an_unreadable_file_mean_the_live_cells(demo_host: MemoryHost, tmp_path: Path) -> None:
    live = host_from_file(BUNDLED)
    _edit_first_amount(live)
    expected = handlers.refresh_all(live)
    broken = tmp_path / "CustomerLedger.xlsm"
    broken.write_bytes(b"not a zip")
    _edit_first_amount(demo_host)
    demo_host.file = broken
    assert handlers.refresh_all(demo_host) == expected


def test_buttons_speak_the_books_language(tmp_path: Path) -> None:
    """A Chinese book's message boxes are Chinese: the summary, the counts, the title of a failure."""
    import re

    from typer.testing import CliRunner

    from xlcust.cli import app

    book = tmp_path / "zh.xlsx"
    assert CliRunner().invoke(app, ["new", str(book), "--demo", "--lang", "zh"]).exit_code == 0
    host = host_from_file(book)
    refreshed = handlers.refresh_all(host)
    validated = handlers.validate(host)
    assert refreshed.startswith("已写入 ") and "检查：0 个错误" in refreshed
    assert validated.startswith("检查：0 个错误")
    for text in (refreshed, validated):
        assert not re.findall(r"[A-Za-z]{3,}", text), text

    class Broken(MemoryHost):
        def read_grid(self, sheet: str):
            raise OSError("gone")

    failed = handlers.validate(Broken({"Customers": [["Code"]]}))  # no book: the language is not known yet
    assert failed.startswith("Validate codes could not run")


def test_a_chinese_books_workbook_problem_is_told_in_chinese(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The error's catalog text is rendered in the book's language: message box and Checks row."""
    from typer.testing import CliRunner

    from xlcust.cli import app
    from xlcust.errors import WorkbookLocked
    from xlcust.i18n import msg

    book = tmp_path / "zh.xlsx"
    assert CliRunner().invoke(app, ["new", str(book), "--demo", "--lang", "zh"]).exit_code == 0
    host = host_from_file(book)

    def refuse(book, as_of=None, progress=None, recorded=None):
        raise WorkbookLocked(msg("{name} is read-only: clear its read-only setting and run again", name="zh.xlsx"))

    monkeypatch.setattr("xlcust.views.run.refresh", refuse)
    text = handlers.refresh_all(host)
    assert "zh.xlsx 是只读文件：请取消只读属性后再运行" in text and "read-only" not in text
    [checks] = host.written.values()  # the Checks sheet alone, under its Chinese name
    assert any("是只读文件" in str(v) for row in checks.values for v in row)
