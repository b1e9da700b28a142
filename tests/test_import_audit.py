"""The AuditLog trail (xlcust.audit): appended, never recomputed, written with the change it records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter

from xlcust.audit import AUDIT_COLUMNS, AuditEntry
from xlcust.errors import UsageError
from xlcust.io.auditlog import append_audit, audit_output, read_audit
from xlcust.io.package import open_package
from xlcust.io.package_write import save_package
from xlcust.io.sheetxml import AppendRows

from .workbooks import registry, write_book


def _book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "reg.xlsx", registry(), tables=("Categories", "Customers", "Transactions"))


def test_entries_accumulate_across_saves_and_read_back_as_written(tmp_path: Path) -> None:
    path = _book(tmp_path)
    first = AuditEntry("import", field="Customers", new="2 row(s) at rows 4-5 from list.csv", who="alice",
                       effective=dt.date(2026, 1, 2), when=dt.datetime(2026, 1, 2, 9, 30))
    second = AuditEntry("R1", customer="C001", field="category", old="0101", new="02", who="bob",
                        effective=dt.date(2026, 1, 1), rules_hash="ab12", when=dt.datetime(2026, 1, 3, 10, 0))
    append_audit(path, [first])
    append_audit(path, [second])
    pkg = open_package(path)
    assert read_audit(pkg) == [first, second]  # codes such as '0101' stay text
    assert pkg.output_sheets() == ["AuditLog"]
    grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("AuditLog").to_python()
    assert grid[1] == [en for en, *_ in AUDIT_COLUMNS]  # the layout reclassify --apply writes too


def test_the_trail_is_saved_with_the_edit_it_records(tmp_path: Path) -> None:
    path = _book(tmp_path)
    pkg = open_package(path)
    entry = AuditEntry("import", field="Customers", new="1 row(s)", who="alice", when=dt.datetime(2026, 1, 2))
    save_package(pkg, outputs=[audit_output(pkg, [entry], "zh")],
                 edits=[AppendRows("Customers", "tblCustomers", [["C003", "新客户", "02"]])])
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    assert wb.get_sheet_by_name("Customers").to_python()[3][:3] == ["C003", "新客户", "02"]
    assert "审计日志" in wb.sheet_names
    assert read_audit(open_package(path)) == [entry]
    # A later save in English keeps the Chinese-named sheet rather than starting a second log.
    append_audit(path, [entry], lang="en")
    assert [n for n in open_package(path).sheet_names() if n in ("AuditLog", "审计日志")] == ["审计日志"]
    assert len(read_audit(open_package(path))) == 2


def test_no_audit_sheet_means_no_entries(tmp_path: Path) -> None:
    assert read_audit(open_package(_book(tmp_path))) == []


def test_a_sheet_called_auditlog_that_is_not_one_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("AuditLog").write_row(0, 0, ["my", "own", "notes"])
    wb.close()
    with pytest.raises(UsageError, match="does not look like"):
        read_audit(open_package(path))
