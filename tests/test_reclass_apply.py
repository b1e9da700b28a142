"""`xlcust reclassify` on real files: dry run untouched, --apply writes Customers + CategoryHistory + AuditLog."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
from typer.testing import CliRunner

from xlcust.audit import AuditEntry, current_user
from xlcust.checks import run_checks
from xlcust.checks.history import periods
from xlcust.cli import app
from xlcust.io.auditlog import append_audit, read_audit_log
from xlcust.io.package import open_package
from xlcust.io.package_write import save_package
from xlcust.io.reader import read_book
from xlcust.io.save import write_outputs
from xlcust.io.sheetxml import CellEdit
from xlcust.ledger import build_ledger
from xlcust.reclass import diff, evaluate_rules, rules_hash
from xlcust.rules import metrics as metrics_module
from xlcust.views.reclass import reclass_sheet

from .workbooks import write_book

runner = CliRunner()
AS_OF = dt.date(2026, 9, 30)
D = dt.date

SHEETS = {
    "Settings": [["Key", "Value"], ["as_of", "2026-09-30"], ["language", "en"]],
    "Categories": [["Code", "Name"], ["01", "Domestic"], ["0101", "Retail"], ["0102", "Wholesale"],
                   ["99", "Other"], ["9901", "Dormant"]],
    "Customers": [
        ["Code", "Name", "Category code", "Tags", "Opened on"],
        ["C1", "Alpha", "0101", "VIP", D(2020, 1, 1)],
        ["C2", "Beta", "0102", "建筑业", D(2020, 1, 1)],
        ["C3", "Gamma", "0101", None, D(2022, 5, 1)],  # no history rows
        ["C4", "Delta", "0101", None, D(2023, 1, 1)],
    ],
    "Transactions": [
        ["Txn ID", "Date", "Customer code", "Kind", "Amount", "Due date"],
        ["I1", D(2026, 6, 1), "C1", "invoice", 600000, None],
        ["R1", D(2026, 6, 20), "C1", "receipt", 600000, None],
        ["I2", D(2026, 1, 1), "C2", "invoice", 200000, D(2026, 1, 31)],
        ["I3", D(2021, 3, 1), "C3", "invoice", 1000, None],
        ["R3", D(2025, 1, 1), "C3", "receipt", 1000, None],
        ["I4", D(2026, 9, 1), "C4", "invoice", 5000, None],
    ],
    "Rules": [
        ["Rule ID", "Priority", "When", "Then", "Active", "Note"],
        ["R1", 10, "months_since_last_txn >= 12", 'category = "9901"', True, "Dormant for a year"],
        ["R2", 20, "overdue_90_amount > 0", 'tag + "催收"', True, "Collections"],
        ["R3", 30, "revenue_12m >= 500000", 'category = "0102"', True, "Grew into wholesale"],
        ["R4", 40, 'HAS_TAG("建筑业")', 'flag "check milestones"', True, None],
        ["R5", 50, "overdue_90_amount > 100000", 'grade = "D"', True, None],
    ],
    "CategoryHistory": [
        ["Customer code", "Category code", "Valid from", "Valid to", "Source", "Changed at", "Changed by", "Note"],
        ["C1", "0101", D(2020, 1, 1), None, "import", None, None, None],
        ["C2", "0102", D(2020, 1, 1), None, "import", None, None, None],
        ["C4", "0101", D(2023, 1, 1), None, "import", None, None, None],
    ],
}
TABLES = tuple(SHEETS)


@pytest.fixture(autouse=True)
def no_credit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "credit_installed", lambda: False)


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    return write_book(tmp_path / "registry.xlsx", SHEETS, tables=TABLES)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reclassify(path: Path, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["reclassify", str(path), "--json", *args])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else {}


def audit(path: Path) -> list[list[object]]:
    grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("AuditLog").to_python()
    assert grid[1][:3] == ["When", "Who", "Rule"]
    return grid[2:]


EXPECTED = [
    {"customer_code": "C1", "field": "category", "old": "0101", "new": "0102", "rule_id": "R3"},
    {"customer_code": "C2", "field": "tags", "old": "建筑业", "new": "建筑业;催收", "rule_id": "R2"},
    {"customer_code": "C2", "field": "grade", "old": None, "new": "D", "rule_id": "R5"},
    {"customer_code": "C2", "field": "flag", "old": None, "new": "check milestones", "rule_id": "R4"},
    {"customer_code": "C3", "field": "category", "old": "0101", "new": "9901", "rule_id": "R1"},
]


def test_dry_run_shows_the_diff_and_leaves_the_file_byte_identical(book_path: Path) -> None:
    before = digest(book_path)
    code, document = reclassify(book_path)
    assert code == 0 and document["applied"] is False and document["as_of"] == "2026-09-30"
    assert document["changes"] == EXPECTED
    assert document["summary"]["by_field"] == {"category": 2, "tags": 1, "grade": 1, "flag": 1}
    text = runner.invoke(app, ["reclassify", str(book_path)])
    assert text.exit_code == 0
    assert "C1  Alpha" in text.stdout and "category  0101 → 0102   R3  effective 2026-09-30" in text.stdout
    assert "dry run, nothing written" in text.stderr
    assert digest(book_path) == before


def test_apply_writes_customers_history_and_audit_log(book_path: Path) -> None:
    code, document = reclassify(book_path, "--apply")
    assert code == 0 and document["applied"] is True and document["changes"] == EXPECTED
    book = read_book(book_path)

    customers = book.customers.data.set_index("code")
    assert customers.at["C1", "category_code"] == "0102" and customers.at["C3", "category_code"] == "9901"
    assert customers.at["C2", "tags"] == "建筑业;催收"
    assert customers.at["C4", "category_code"] == "0101"  # untouched

    h = book.history.data
    assert len(h) == 6  # three rows were there; C1 one new, C3 two new (its old category, then the new)
    c1 = h[h["customer_code"] == "C1"]
    assert list(c1["category_code"]) == ["0101", "0102"]
    assert list(c1["valid_to"].dt.date.fillna("open")) == [AS_OF, "open"]
    assert c1.iloc[1]["valid_from"].date() == AS_OF and c1.iloc[1]["source"] == "R3"
    assert c1.iloc[1]["changed_by"] == current_user() and c1.iloc[1]["note"] == "Grew into wholesale"
    c3 = h[h["customer_code"] == "C3"]
    assert list(c3["category_code"]) == ["0101", "9901"]
    assert [d.date() for d in c3["valid_from"]] == [D(2021, 3, 1), AS_OF]  # from its first transaction
    assert c3.iloc[0]["valid_to"].date() == AS_OF and pd.isna(c3.iloc[1]["valid_to"])
    table = next(t for t in open_package(book_path).tables() if t.name == "tblCategoryHistory")
    assert table.ref == "A1:H7"

    findings = run_checks(book)
    assert [f for f in findings if f.severity.value == "error"] == []
    assert not [f for f in findings if f.code.startswith("HIS_")]

    rows = audit(book_path)
    assert [(r[2], r[3], r[4], r[5] or None, r[6] or None) for r in rows] == [
        (c["rule_id"], c["customer_code"], c["field"], c["old"], c["new"]) for c in EXPECTED]
    when, who, effective, digest_cell = rows[0][0], rows[0][1], rows[0][7], rows[0][8]
    assert isinstance(when, dt.datetime) and who == current_user()
    assert pd.Timestamp(effective).date() == AS_OF
    assert re.fullmatch(r"[0-9a-f]{64}", digest_cell) and digest_cell == rules_hash(book)
    assert {"AuditLog", "Reclass"} <= set(open_package(book_path).output_sheets())


def test_history_stays_continuous_so_earlier_dates_keep_their_category(book_path: Path) -> None:
    reclassify(book_path, "--apply")
    p = periods(read_book(book_path))
    for customer, old, new in (("C1", "0101", "0102"), ("C3", "0101", "9901")):
        rows = p[p["customer"] == customer].sort_values("start")
        starts = pd.to_datetime(rows["start"]).dt.date.tolist()
        ends = rows["end"].tolist()
        assert rows["category"].tolist() == [old, new]
        assert pd.Timestamp(ends[0]).date() == starts[1] == AS_OF  # closed where the new one opens: no gap
        assert bool(rows["open"].iloc[1]) and not bool(rows["open"].iloc[0])


def test_revenue_on_a_historical_basis_does_not_move(book_path: Path) -> None:
    from xlcust.reports.revenue import revenue

    def by_category(basis: str) -> dict:
        report = revenue(read_book(book_path), D(2021, 1, 1), AS_OF, by="year", level=2, basis=basis)
        items = report.items()
        return {(r.period, r.category_code): int(r.net_sales) for r in items.itertuples() if r.net_sales}

    historical, current = by_category("historical"), by_category("current")
    reclassify(book_path, "--apply")
    assert by_category("historical") == historical
    assert by_category("current") != current  # C1's 2026 sales now count under 0102 on the current basis
    assert by_category("current")[("2026", "0102")] == current[("2026", "0102")] + 600000_00


def test_second_apply_changes_nothing_and_does_not_touch_the_file(book_path: Path) -> None:
    reclassify(book_path, "--apply")
    after_first = digest(book_path)
    code, document = reclassify(book_path)
    assert code == 0 and document["changes"] == []
    code, document = reclassify(book_path, "--apply")
    assert code == 0 and document["applied"] is False and document["changes"] == []
    assert digest(book_path) == after_first


def _edit_rules(path: Path, *edits: tuple[int, str, object]) -> None:
    pkg = open_package(path)
    save_package(pkg, edits=[CellEdit("Rules", row, col, value) for row, col, value in edits])


def test_audit_log_is_append_only_and_records_flags_going_away(book_path: Path) -> None:
    reclassify(book_path, "--apply")
    first = audit(book_path)
    _edit_rules(book_path, (5, "E", False), (3, "D", 'tag + "overdue"'))  # R4 off; R2 adds another tag
    code, document = reclassify(book_path, "--apply")
    assert code == 0 and document["changes"] == [
        {"customer_code": "C2", "field": "tags", "old": "建筑业;催收", "new": "建筑业;催收;overdue", "rule_id": "R2"},
        {"customer_code": "C2", "field": "flag", "old": "check milestones", "new": None, "rule_id": "R4"},
    ]
    second = audit(book_path)
    assert second[: len(first)] == first
    assert [(r[2], r[4]) for r in second[len(first):]] == [("R2", "tags"), ("R4", "flag")]
    assert second[-1][8] != first[0][8]  # the rules changed, and so did their hash


def test_rows_other_commands_added_to_the_audit_log_are_kept(book_path: Path) -> None:
    append_audit(book_path, [AuditEntry(rule="import", field="Customers", new="2 row(s)")], "en")
    code, document = reclassify(book_path, "--apply")
    assert code == 0 and len(document["changes"]) == len(EXPECTED)
    rows = audit(book_path)
    assert (rows[0][2], rows[0][4], rows[0][6]) == ("import", "Customers", "2 row(s)")
    assert len(rows) == 1 + len(EXPECTED)


def test_out_writes_a_copy_and_leaves_the_book_alone(book_path: Path, tmp_path: Path) -> None:
    before = digest(book_path)
    target = tmp_path / "applied.xlsx"
    result = runner.invoke(app, ["reclassify", str(book_path), "--apply", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert digest(book_path) == before
    assert read_book(target).customers.data.set_index("code").at["C1", "category_code"] == "0102"


def test_rule_errors_block_apply_and_exit_1(book_path: Path) -> None:
    _edit_rules(book_path, (4, "C", "revenue_12m >= "))
    before = digest(book_path)
    code, document = reclassify(book_path, "--apply")
    assert code == 1 and document["applied"] is False
    assert [(f["code"], f["row"], f["column"]) for f in document["findings"]] == [("RUL_SYNTAX", 4, "C")]
    assert digest(book_path) == before
    result = runner.invoke(app, ["reclassify", str(book_path), "--apply"])
    assert "nothing applied" in result.stderr


def test_without_a_category_history_sheet_apply_says_so_and_exits_2(tmp_path: Path) -> None:
    sheets = {k: v for k, v in SHEETS.items() if k != "CategoryHistory"}
    path = write_book(tmp_path / "nohistory.xlsx", sheets, tables=tuple(sheets))
    before = digest(path)
    assert reclassify(path)[0] == 0
    result = runner.invoke(app, ["reclassify", str(path), "--apply"])
    assert result.exit_code == 2
    assert "no CategoryHistory sheet" in result.stderr and "check --write" in result.stderr
    assert digest(path) == before


def test_a_bad_as_of_is_a_usage_error(book_path: Path) -> None:
    result = runner.invoke(app, ["reclassify", str(book_path), "--as-of", "30/09/2026"])
    assert result.exit_code == 2 and "--as-of" in result.stderr


def test_reclass_sheet_lists_the_changes_with_links(book_path: Path, tmp_path: Path) -> None:
    book = read_book(book_path)
    result = evaluate_rules(book, build_ledger(book))
    changes = diff(result, read_audit_log(book_path).recorded())
    sheet = reclass_sheet(changes, "zh", book=book, as_of=result.as_of)
    assert sheet.name == "分类调整"
    target = tmp_path / "out.xlsx"
    write_outputs(book_path, [sheet], out=target)
    grid = python_calamine.CalamineWorkbook.from_path(str(target)).get_sheet_by_name("分类调整").to_python()
    assert "预览" in grid[0][0] and grid[1][:3] == ["客户编码", "客户名称", "字段"]
    assert [r[:6] for r in grid[2:4]] == [["C1", "Alpha", "分类", "0101", "0102", "R3"],
                                          ["C2", "Beta", "标签", "建筑业", "建筑业;催收", "R2"]]
    assert grid[2][6] == "Grew into wholesale"


# ---------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    assert runner.invoke(app, ["new", str(path), "--demo"]).exit_code == 0
    return path


def test_demo_rules_make_sensible_changes(demo: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    path.write_bytes(demo.read_bytes())
    code, document = reclassify(path)
    assert code == 0 and document["summary"]["findings"]["error"] == 0
    changes = document["changes"]
    book = read_book(path)
    figures = build_ledger(book).customer_figures()
    moved = {c["customer_code"] for c in changes if c["field"] == "category"}
    assert moved == {"C0007", "C0050", "C0120", "C0180"}  # the dormant and closed demo customers
    assert all(c["new"] == "990101" and c["rule_id"] == "R03" for c in changes if c["field"] == "category")
    assert (figures.loc[sorted(moved), "months_since_last_txn"] >= 12).all()
    collections = {c["customer_code"] for c in changes if c["field"] == "tags" and c["rule_id"] == "R02"}
    assert collections == {c for c in figures.index[figures["overdue_90_amount"] > 0]
                           if "催收" not in (book.customers.data.set_index("code").at[c, "tags"] or "")}
    flagged = {c["customer_code"] for c in changes if c["field"] == "flag" and c["rule_id"] == "R05"}
    tags = book.customers.data.set_index("code")["tags"].fillna("")
    assert flagged == set(tags.index[tags.str.contains("建筑业")])
    assert not any(c["rule_id"] == "R06" for c in changes)  # inactive

    code, document = reclassify(path, "--apply")
    assert code == 0 and document["applied"] is True
    after = read_book(path)
    assert not [f for f in run_checks(after) if f.severity.value == "error"]
    assert reclassify(path)[1]["changes"] == []
