"""`xlcust revenue` on the demo workbook, end to end: JSON shape, exit codes, exports, the output sheet."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.io.reader import read_book
from xlcust.io.save import write_outputs
from xlcust.reports.revenue import current_year_revenue
from xlcust.views.revenue import revenue_sheet

runner = CliRunner()
YEAR_2025 = ["--from", "2025-01-01", "--to", "2025-12-31"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    result = runner.invoke(app, ["new", str(path), "--demo"])
    assert result.exit_code == 0, result.output
    return path


def revenue_json(demo: Path, *args: str) -> dict:
    result = runner.invoke(app, ["revenue", str(demo), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def sheet_net_sales(path: Path, start: dt.date, end: dt.date) -> Decimal:
    """Invoices − credit notes straight from the cells, without xlcust's reader."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Transactions").to_python()
    header = [str(h).strip().lower() for h in rows[0]]
    date, kind, amount = header.index("date"), header.index("kind"), header.index("amount")
    total = Decimal(0)
    for row in rows[1:]:
        when = row[date]
        when = when.date() if isinstance(when, dt.datetime) else when
        if isinstance(when, dt.date) and start <= when <= end and row[kind] in ("invoice", "credit_note"):
            total += Decimal(str(row[amount])) * (1 if row[kind] == "invoice" else -1)
    return total


def test_demo_json_ties_to_the_cells_on_both_bases(demo: Path) -> None:
    historical = revenue_json(demo, *YEAR_2025, "--by", "quarter")
    current = revenue_json(demo, *YEAR_2025, "--by", "quarter", "--basis", "current")
    expected = sheet_net_sales(demo, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    for doc in (historical, current):
        assert Decimal(str(doc["control_total"])) == expected
        assert [t["period"] for t in doc["totals"]] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
        for period in ("2025Q1", "2025Q4"):
            level_1 = sum(Decimal(str(i["net_sales"])) for i in doc["items"]
                          if i["period"] == period and i["level"] == 1)
            total = next(Decimal(str(t["net_sales"])) for t in doc["totals"] if t["period"] == period)
            assert level_1 == total
        assert all(set(i) == {"period", "category_code", "name", "level", "net_sales"} for i in doc["items"])
        assert {i["level"] for i in doc["items"]} == {1, 2, 3}
    assert historical["parameters"]["data_hash"] == current["parameters"]["data_hash"]
    assert historical["parameters"] == {"from": "2025-01-01", "to": "2025-12-31", "by": "quarter", "level": 3,
                                        "basis": "historical", "tax": "included", "as_of": "2026-09-30",
                                        "data_hash": historical["parameters"]["data_hash"]}
    # Customers that switched in (or just after) 2025 moved revenue between the bases; C0005, C0030 and
    # C0101 switched before 2025, so all their 2025 sales are in the new category on both.
    moved = {(r["customer_code"], r["from_category"], r["to_category"]) for r in historical["reconciliation"]}
    assert {c for c, _, _ in moved} == {"C0044", "C0077", "C0150"}
    assert historical["history_fallbacks"] == []
    assert historical["reconciliation"] == current["reconciliation"]


def test_level_and_year(demo: Path) -> None:
    doc = revenue_json(demo, *YEAR_2025, "--by", "year", "--level", "1")
    assert {i["level"] for i in doc["items"]} == {1}
    assert [t["period"] for t in doc["totals"]] == ["2025"]
    assert round(sum(i["net_sales"] for i in doc["items"]), 2) == doc["control_total"]


def test_ex_tax_strips_vat(demo: Path) -> None:
    gross = revenue_json(demo, *YEAR_2025)
    net = revenue_json(demo, *YEAR_2025, "--ex-tax")
    assert net["parameters"]["tax"] == "excluded" and gross["parameters"]["tax"] == "included"
    c = net["control"]
    assert c["gross"] == gross["control_total"] and c["tax"] > 0
    assert round(c["gross"] - c["tax"], 2) == net["control_total"]
    assert net["control_total"] < gross["control_total"] / 1.05  # demo rates are 6-13%
    assert revenue_json(demo, *YEAR_2025, "--tax", "excluded")["control_total"] == net["control_total"]


@pytest.mark.parametrize("args", [
    ["--from", "2025-13-01", "--to", "2025-12-31"],
    ["--from", "yesterday", "--to", "2025-12-31"],
    ["--from", "2025-02-01", "--to", "2025-01-31"],
    [*YEAR_2025, "--by", "week"],
    [*YEAR_2025, "--level", "4"],
    [*YEAR_2025, "--basis", "someday"],
    [*YEAR_2025, "--tax", "maybe"],
    [*YEAR_2025, "--tax", "included", "--ex-tax"],
    [*YEAR_2025, "--out", "report.txt"],
    ["--to", "2025-12-31"],  # --from is required
])
def test_bad_arguments_exit_2(demo: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["revenue", str(demo), *args, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""  # no half a document


def test_unreadable_book_exits_2(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_text("not a workbook")
    assert runner.invoke(app, ["revenue", str(tmp_path / "x.xlsx"), *YEAR_2025]).exit_code == 2
    assert runner.invoke(app, ["revenue", str(tmp_path / "none.xlsx"), *YEAR_2025]).exit_code == 2


def test_text_output(demo: Path) -> None:
    result = runner.invoke(app, ["revenue", str(demo), *YEAR_2025, "--by", "year", "--level", "1"])
    assert result.exit_code == 0, result.output
    assert "Manufacturing" in result.stdout and "Total" in result.stdout
    assert "control total" in result.stderr


def test_exports(demo: Path, tmp_path: Path) -> None:
    xlsx, csv_path = tmp_path / "rev.xlsx", tmp_path / "rev.csv"
    before = demo.read_bytes()
    for out in (xlsx, csv_path):
        result = runner.invoke(app, ["revenue", str(demo), *YEAR_2025, "--by", "quarter", "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert demo.read_bytes() == before  # the workbook is only read
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Category,Name,Level,2025Q1,2025Q2,2025Q3,2025Q4,Total,"
                        "Share,Cumulative share,A year earlier,Change,Change %,Rank,ABC")
    assert lines[1].startswith("01,Manufacturing,1,")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Revenue", "Reconciliation", "Customer contribution"]
    ws = wb["Revenue"]
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 14)}
    doc = revenue_json(demo, *YEAR_2025, "--by", "quarter")
    assert labels["Data hash (SHA-256)"] == doc["parameters"]["data_hash"]
    assert labels["Control total"] == doc["control_total"]
    assert ws.page_setup.orientation == "landscape"
    last = ws.max_row
    assert ws.cell(last, 2).value == "Total" and ws.cell(last, 8).value == doc["control_total"]
    assert {ws.cell(r, 1).value for r in range(2, wb["Reconciliation"].max_row + 1)} >= {"From"}


def test_csv_neutralises_category_names(tmp_path: Path) -> None:
    from xlcust.book import Book
    from xlcust.io.export import export_tables
    from xlcust.reports.revenue import revenue
    from xlcust.views.revenue import export_tables_for

    book = Book.from_rows(
        settings={"coding_scheme": "2"},
        categories=[{"code": "01", "name": '=HYPERLINK("http://evil","x")'}, {"code": "02", "name": "-Minus"}],
        customers=[{"code": "C1", "name": "a", "category_code": "01"},
                   {"code": "C2", "name": "b", "category_code": "02"}],
        transactions=[{"txn_id": "T1", "date": dt.date(2026, 1, 5), "customer_code": "C1", "kind": "invoice",
                       "amount": 10},
                      {"txn_id": "T2", "date": dt.date(2026, 1, 6), "customer_code": "C2", "kind": "credit_note",
                       "amount": 25.5}],
    )
    path = tmp_path / "r.csv"
    export_tables(path, export_tables_for(revenue(book, dt.date(2026, 1, 1), dt.date(2026, 1, 31))))
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[1] == '01,"\'=HYPERLINK(""http://evil"",""x"")",1,10.00,10.00'
    assert lines[2] == "02,'-Minus,1,-25.50,-25.50"  # the name neutralised, the negative amounts numbers
    assert lines[3] == ",Total,,-15.50,-15.50"


def test_revenue_output_sheet_in_the_workbook(demo: Path, tmp_path: Path) -> None:
    book = read_book(demo)
    report = current_year_revenue(book)
    assert (report.parameters.date_from, report.parameters.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 9, 30))
    assert report.parameters.by == "month" and report.parameters.basis == "historical"
    out = tmp_path / "with_revenue.xlsx"
    write_outputs(demo, [revenue_sheet(report, book.settings.language)], out=out)
    ws = openpyxl.load_workbook(out)["Revenue"]
    # the sheet prints two pages wide: the title starts after the code and name that repeat on each
    assert ws["A1"].value is None and "control total" in ws["C1"].value
    assert [c.value for c in ws[2]][:4] == ["Category", "Name", "Level", "2026-01"]
    header = [c.value for c in ws[2]]
    assert header[header.index("Total"):] == ["Total", "Share", "Cumulative share", "A year earlier", "Change",
                                              "Change %", "Rank", "ABC"]
    total_row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value == "Total")
    assert round(ws.cell(total_row, header.index("Total") + 1).value * 100) == report.control_total
    # below the categories, the customers by contribution, then nothing else
    assert ws.cell(total_row + 3, 1).value == "Customer code"
    assert ws.max_row == total_row + 3 + len(report.contribution.by_customer)
