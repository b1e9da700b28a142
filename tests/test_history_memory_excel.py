"""The category lock for a user who only presses buttons (issue 14, point 1): "Refresh all" and
"Validate codes" write xlcust's very hidden memory and add a missing CategoryHistory Table through
the host, as `run` and `check --write` do in the file, and the next press reads the memory back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xlcust.checks import run_checks
from xlcust.excel import handlers
from xlcust.excel.host import MemoryHost, book_from_host
from xlcust.memory import MEMORY_SHEET

from .excel_hosts import host_from_file
from .test_history_memory import small_book

TODAY = dt.date.today()


def memory_rows(host: MemoryHost) -> list[list[object]]:
    block = host.written[MEMORY_SHEET]
    return [list(r) for r in block.values[block.header_row:]]


@pytest.mark.parametrize("press", [handlers.refresh_all, handlers.validate])
def test_a_button_writes_the_memory_very_hidden_and_adds_the_history_table(tmp_path: Path, press) -> None:
    host = host_from_file(small_book(tmp_path))
    press(host)
    memory = host.written[MEMORY_SHEET]
    assert memory.visibility == "veryHidden"
    assert memory.values[0] == ["customer_code", "category_code", "seen_on"]
    today = dt.datetime.combine(TODAY, dt.time())
    assert memory_rows(host) == [["C001", "0103", today], ["C002", "0102", today]]  # used customers only
    history = host.written["CategoryHistory"]
    assert history.table == "tblCategoryHistory" and history.visibility == "visible" and not history.protect
    assert [r[:3] for r in history.values[1:]] == [["C001", "0103", dt.datetime(2025, 3, 1)],
                                                   ["C002", "0102", dt.datetime(2025, 4, 1)],
                                                   ["C003", "0101", dt.datetime(2026, 6, 30)]]
    (table,) = [t for t in host.tables() if t.sheet == "CategoryHistory"]
    assert table.ref == "A1:H4"
    findings = run_checks(book_from_host(host))
    assert not [f for f in findings if f.sheet == "CategoryHistory"]
    assert "HIS_CHANGE_NO_HISTORY" not in {f.code for f in findings}


def test_a_book_with_history_gets_only_the_memory(tmp_path: Path) -> None:
    host = host_from_file(small_book(tmp_path))
    handlers.refresh_all(host)
    host.written.pop(MEMORY_SHEET)
    history = host.written.pop("CategoryHistory")
    host.grids["CategoryHistory"] = [list(r) for r in history.values]
    handlers.refresh_all(host)
    assert MEMORY_SHEET in host.written and "CategoryHistory" not in host.written


def test_the_next_press_reads_the_memory_from_the_live_cells_and_catches_a_change(tmp_path: Path) -> None:
    """Without CategoryHistory, a category changed after a press is caught on the next press, and the
    remembered category (not the new one) is what the memory keeps: the lock holds in Excel alone."""
    host = host_from_file(small_book(tmp_path))
    handlers.validate(host)
    host.written.pop("CategoryHistory")  # the user deletes the sheet xlcust added
    host.table_infos = [t for t in host.table_infos if t.sheet != "CategoryHistory"]
    row = next(i for i, r in enumerate(host.grids["Customers"]) if r[0] == "C001")
    host.grids["Customers"][row][2] = "0101"  # moved without a history row
    book = book_from_host(host)
    assert book.remembered.loc["C001", "category_code"] == "0103"
    assert "HIS_CHANGE_NO_HISTORY" in {f.code for f in run_checks(book)}
    handlers.validate(host)
    assert ["C001", "0103"] in [r[:2] for r in memory_rows(host)]


def test_apply_reclassification_keeps_the_memory_current(tmp_path: Path) -> None:
    """The Apply button records an unrecorded change and remembers the new category at once."""
    host = host_from_file(small_book(tmp_path))
    handlers.validate(host)  # the memory and the CategoryHistory Table: C001 in 0103
    history = host.written.pop("CategoryHistory")  # the added sheet, as the live book now holds it
    host.grids["CategoryHistory"] = [list(r) for r in history.values]
    row = next(i for i, r in enumerate(host.grids["Customers"]) if r[0] == "C001")
    host.grids["Customers"][row][2] = "0102"  # moved on the Customers sheet, no history row yet
    text = handlers.reclassify_apply(host)
    assert text.startswith("Applied"), text
    today = dt.datetime.combine(TODAY, dt.time())
    assert memory_rows(host) == [["C001", "0102", today], ["C002", "0102", today]]
