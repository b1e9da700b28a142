"""The AuditLog trail (xlcust.audit): appended, never recomputed, written with the change it records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import python_calamine

from xlcust.audit import AuditEntry, append_audit, audit_sheet, read_audit
from xlcust.io.package import open_package, save_package
from xlcust.io.sheetxml import AppendRows

from .workbooks import registry, write_book


def _book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "reg.xlsx", registry(), tables=("Categories", "Customers", "Transactions"))


def test_entries_accumulate_across_saves_and_read_back_as_written(tmp_path: Path) -> None:
    path = _book(tmp_path)
    first = AuditEntry("import customers", "Customers", "4-5", source="list.csv", note="2 added",
                       user="alice", at=dt.datetime(2026, 1, 2, 9, 30))
    second = AuditEntry("reclassify", "Customers", "3", key="C001", field="category_code", old="0101", new="02",
                        user="bob", at=dt.datetime(2026, 1, 3, 10, 0))
    append_audit(path, [first])
    append_audit(path, [second])
    pkg = open_package(path)
    assert read_audit(pkg) == [first, second]  # codes such as '0101' stay text
    assert pkg.output_sheets() == ["AuditLog"]


def test_the_trail_is_saved_with_the_edit_it_records(tmp_path: Path) -> None:
    path = _book(tmp_path)
    pkg = open_package(path)
    entry = AuditEntry("import customers", "Customers", "4", user="alice", at=dt.datetime(2026, 1, 2))
    save_package(pkg, outputs=[audit_sheet(pkg, [entry], "zh")],
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
