"""The Dashboard sheet: three tables by level-1 category, their native charts, and how they look.

The small ledger below (as of 2026-06-30, scheme 2-2) has one figure of each sort:

    I0  2025-10-05  C2 (0102)  invoice 200    settled 2025-12-04 by R0: 60 days, 2025Q4
    I1  2026-01-10  C1 (0101)  invoice 1000   settled 2026-02-09 by R1: 30 days, 2026Q1
    I2  2026-01-20  C2 (0102)  invoice 3000   settled 2026-03-21 by R2: 60 days, 2026Q1
    I6  2026-03-01  C4 (none)  invoice 400    open, due 2026-03-31: 91 days overdue
    I3  2026-04-15  C3 (0201)  invoice 2000   settled 2026-06-14 by R3: 60 days, 2026Q2
    I4  2026-05-01  C1 (0101)  invoice 500    open, due 2026-05-31: 30 days overdue
    I5  2026-06-20  C3 (0201)  invoice 800    CN1 takes 100 off; 700 open, not due

so the dashboard shows (level 1: 01 Domestic, 02 Export; 03 Dormant has nothing):

    aging     01: 1-30 500;  02: not due 700;  (no category): 91-180 400
    sales     2026-01 01: 4000;  2026-03 none: 400;  2026-04 02: 2000;  2026-05 01: 500;  2026-06 02: 700
    days      2025Q4 01: 60;  2026Q1 01: (30×1000 + 60×3000) / 4000 = 52.5;  2026Q2 02: 60
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine

from xlcust.book import Book
from xlcust.io.package import open_package
from xlcust.io.package_write import save_package
from xlcust.io.reader import read_book
from xlcust.ledger import build_ledger
from xlcust.reports.revenue import current_year_revenue
from xlcust.views.dashboard import dashboard_sheet

from .workbooks import write_book

D = dt.date
AS_OF = D(2026, 6, 30)
SETTINGS = {"as_of": AS_OF.isoformat(), "coding_scheme": "2-2"}
CATEGORIES = [{"code": "01", "name": "Domestic"}, {"code": "0101", "name": "Retail"},
              {"code": "0102", "name": "Wholesale"}, {"code": "02", "name": "Export"},
              {"code": "0201", "name": "Asia"}, {"code": "03", "name": "Dormant"}]
CUSTOMERS = [{"code": "C1", "name": "One", "category_code": "0101"},
             {"code": "C2", "name": "Two", "category_code": "0102"},
             {"code": "C3", "name": "Three", "category_code": "0201"},
             {"code": "C4", "name": "Four", "category_code": None}]


def txn(txn_id: str, date: dt.date, customer: str, kind: str, amount: float, reference: str | None = None) -> dict:
    return {"txn_id": txn_id, "date": date, "customer_code": customer, "kind": kind, "amount": amount,
            "reference": reference}


TRANSACTIONS = [
    txn("I0", D(2025, 10, 5), "C2", "invoice", 200), txn("R0", D(2025, 12, 4), "C2", "receipt", 200, "I0"),
    txn("I1", D(2026, 1, 10), "C1", "invoice", 1000), txn("R1", D(2026, 2, 9), "C1", "receipt", 1000, "I1"),
    txn("I2", D(2026, 1, 20), "C2", "invoice", 3000), txn("R2", D(2026, 3, 21), "C2", "receipt", 3000, "I2"),
    txn("I6", D(2026, 3, 1), "C4", "invoice", 400),
    txn("I3", D(2026, 4, 15), "C3", "invoice", 2000), txn("R3", D(2026, 6, 14), "C3", "receipt", 2000, "I3"),
    txn("I4", D(2026, 5, 1), "C1", "invoice", 500),
    txn("I5", D(2026, 6, 20), "C3", "invoice", 800), txn("CN1", D(2026, 6, 25), "C3", "credit_note", 100, "I5"),
]


def small_book(**settings: object) -> Book:
    return Book.from_rows(settings=SETTINGS | settings, categories=CATEGORIES, customers=CUSTOMERS,
                          transactions=TRANSACTIONS)


def blank_workbook(path: Path) -> Path:
    return write_book(path, {"Notes": [["note"], ["the dashboard goes next to this"]]})


def dashboard_values(tmp_path: Path, book: Book, lang: str = "en", **kw: object) -> list[list[object]]:
    path = blank_workbook(tmp_path / "out.xlsx")
    sheet = dashboard_sheet(book, build_ledger(book), lang, **kw)
    save_package(open_package(path), outputs=[sheet])
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet.name).to_python()


def block(values: list[list[object]], corner: str) -> list[list[object]]:
    """A table of the dashboard: its header row and the rows below it up to the first blank one."""
    start = next(i for i, row in enumerate(values) if row and row[0] == corner)
    out = [values[start]]
    for row in values[start + 1:]:
        if not any(v != "" for v in row):
            break
        out.append(row)
    return [[v for v in row if v != ""] for row in out]


# --------------------------------------------------------------------------------------
# The figures


def test_the_three_tables_hold_the_ledger_figures(tmp_path: Path) -> None:
    values = dashboard_values(tmp_path, small_book())
    assert values[0][0].startswith("Dashboard: aging, net sales and days to settle by level-1 category")
    assert "(as of 2026-06-30)" in values[0][0]
    assert block(values, "Category") == [
        ["Category", "Not due", "1-30", "31-60", "61-90", "91-180", ">180", "Total"],
        ["01 Domestic", 0, 500, 0, 0, 0, 0, 500],
        ["02 Export", 700, 0, 0, 0, 0, 0, 700],
        ["(no category)", 0, 0, 0, 0, 400, 0, 400],
    ]
    assert block(values, "Period") == [  # current year by month, historical basis (xlcust.reports.revenue)
        ["Period", "01 Domestic", "02 Export", "(no category)", "Total"],
        ["2026-01", 4000, 0, 0, 4000],
        ["2026-02", 0, 0, 0, 0],
        ["2026-03", 0, 0, 400, 400],
        ["2026-04", 0, 2000, 0, 2000],
        ["2026-05", 500, 0, 0, 500],
        ["2026-06", 0, 700, 0, 700],
    ]
    days = block(values, "Quarter settled")
    assert days[0] == ["Quarter settled", "01 Domestic", "02 Export", "(no category)"]
    assert [row[0] for row in days[1:]] == ["2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1",
                                            "2026Q2"]
    padded = [r for r in values if r and r[0] in ("2025Q4", "2026Q1", "2026Q2")]
    assert [r[1:4] for r in padded] == [[60, "", ""], [52.5, "", ""], ["", 60, ""]]


def test_the_revenue_argument_and_the_default_agree(tmp_path: Path) -> None:
    book = small_book()
    report = current_year_revenue(book, AS_OF)
    assert dashboard_values(tmp_path, book, revenue=report) == dashboard_values(tmp_path, book)
    frame = pd.DataFrame({"period": ["2026-Q1", "2026-Q1", "2026-Q2"], "category_code": ["0101", "0102", None],
                          "net_sales": np.array([150, 250, 1000], dtype=np.int64)})
    assert block(dashboard_values(tmp_path, book, revenue=frame), "Period") == [  # leaves rolled up to level 1
        ["Period", "01 Domestic", "02 Export", "(no category)", "Total"],
        ["2026-Q1", 4, 0, 0, 4],
        ["2026-Q2", 0, 0, 10, 10],
    ]


def test_dso_can_replace_days_to_settle(tmp_path: Path) -> None:
    book = small_book()
    report = build_ledger(book).dso_by_quarter()
    values = dashboard_values(tmp_path, book, dso=report)
    table = block(values, "Quarter")
    expected = report.by_category.set_index(["category_code", "quarter"])["dso"]
    row = next(r for r in table if r[0] == "2026Q2")
    assert row[1] == pytest.approx(round(expected[("01", "2026Q2")], 1))


def test_headers_follow_the_workbook_language(tmp_path: Path) -> None:
    book = small_book(language="zh")
    path = blank_workbook(tmp_path / "zh.xlsx")
    sheet = dashboard_sheet(book, build_ledger(book), book.settings.language)
    assert sheet.name == "仪表板"
    save_package(open_package(path), outputs=[sheet])
    values = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("仪表板").to_python()
    assert values[1][:3] == ["分类", "未到期", "1-30"] and values[1][7] == "合计"
    assert block(values, "期间")[0] == ["期间", "01 Domestic", "02 Export", "（未分类）", "合计"]
    assert block(values, "结清季度")[0][0] == "结清季度"
    titles = [c.title for c in sheet.charts]
    assert titles == ["各分类账龄（元）", "各分类销售净额 2026-01 – 2026-06（元）", "回款天数（按结清季度，金额加权）"]


def test_an_empty_ledger_still_gives_a_sheet(tmp_path: Path) -> None:
    book = Book.from_rows(settings=SETTINGS, categories=CATEGORIES, customers=CUSTOMERS, transactions=[])
    values = dashboard_values(tmp_path, book)
    assert values[1][0] == "Category"
    assert block(values, "Period") == [["Period", "Total"], *[[f"2026-0{m}", 0] for m in range(1, 7)]]


# --------------------------------------------------------------------------------------
# The charts in the workbook


def test_charts_read_the_tables_and_replace_cleanly(tmp_path: Path) -> None:
    book = small_book()
    path = blank_workbook(tmp_path / "book.xlsx")
    pkg = open_package(path)
    for _ in range(2):
        save_package(pkg, outputs=[dashboard_sheet(book, build_ledger(book), "en")])
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        charts = sorted(n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        drawings = sorted(n for n in names if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
        assert drawings == ["xl/drawings/drawing1.xml"]
        assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]
    ws = openpyxl.load_workbook(path)["Dashboard"]
    aging, sales, days = ws._charts
    assert (type(aging).__name__, aging.grouping) == ("BarChart", "stacked")
    assert (type(sales).__name__, sales.grouping) == ("BarChart", "clustered")
    assert type(days).__name__ == "LineChart"
    assert aging.series[0].val.numRef.f == "'Dashboard'!$B$3:$B$5"
    assert aging.series[0].tx.strRef.f == "'Dashboard'!$B$2"
    assert sales.series[0].cat.strRef.f == "'Dashboard'!$A$20:$A$25"
    assert [p.v for p in sales.series[0].val.numRef.numCache.pt] == [4000, 0, 0, 0, 500, 0]
    assert ws["A19"].value == "Period" and ws["A19"].font.b  # a later table's header looks like a header
    assert ws["B20"].number_format == "#,##0.00"


# --------------------------------------------------------------------------------------
# LibreOffice draws it


def two_years() -> dict[str, list[list[object]]]:
    """A registry with two years of monthly invoices, each paid after its customer's usual delay."""
    customers = [("C1", "0101", 1000, 30), ("C2", "0102", 3000, 60), ("C3", "0201", 2000, 90), ("C4", "0201", 800, 20)]
    rows: list[list[object]] = [["Txn ID", "Date", "Customer code", "Kind", "Amount", "Reference"]]
    for k in range(24):
        month = D(2024 + (6 + k) // 12, (6 + k) % 12 + 1, 5)
        for code, _, base, delay in customers:
            txn_id = f"I-{code}-{k:02d}"
            amount = base + 37 * ((k * 7 + len(code)) % 11)
            rows.append([txn_id, month, code, "invoice", amount, None])
            paid = month + dt.timedelta(days=delay + (k % 4) * 5)
            if paid <= AS_OF:
                rows.append([f"R-{code}-{k:02d}", paid, code, "receipt", amount, txn_id])
    return {
        "Settings": [["Key", "Value"], ["as_of", AS_OF], ["coding_scheme", "2-2"]],
        "Categories": [["Code", "Name"], ["01", "Domestic"], ["0101", "Retail"], ["0102", "Wholesale"],
                       ["02", "Export"], ["0201", "Asia"]],
        "Customers": [["Code", "Name", "Category code"], *[[c, f"Customer {c}", cat] for c, cat, _, _ in customers]],
        "Transactions": rows,
    }


def users_chart(wb, sheets: dict) -> None:
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"values": "=Categories!$A$2:$A$3"})
    sheets["Categories"].insert_chart("E2", chart)


def ppm_pixels(data: bytes) -> np.ndarray:
    """The pixels of a binary PPM (P6) as an (h, w, 3) array."""
    match = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert match is not None
    width, height = int(match.group(1)), int(match.group(2))
    return np.frombuffer(data[match.end():match.end() + width * height * 3], np.uint8).reshape(height, width, 3)


def near(pixels: np.ndarray, rgb: str, tolerance: int = 10) -> int:
    target = np.array([int(rgb[i:i + 2], 16) for i in (0, 2, 4)])
    return int((np.abs(pixels.astype(int) - target).max(axis=2) <= tolerance).sum())


def test_libreoffice_draws_the_dashboard_charts(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "poppler-utils (pdftoppm, pdftotext) are required"
    path = write_book(tmp_path / "Ledger.xlsx", two_years(), extra=users_chart)
    user_chart = zipfile.ZipFile(path).read("xl/charts/chart1.xml")
    book = read_book(path)
    save_package(open_package(path), outputs=[dashboard_sheet(book, build_ledger(book), "en")])
    assert zipfile.ZipFile(path).read("xl/charts/chart1.xml") == user_chart

    out_dir = tmp_path / "pdf"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(out_dir), str(path)],
                   check=True, capture_output=True, timeout=300)
    pdf = out_dir / "Ledger.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                                                            check=True).stdout).group(1))
    texts = [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for p in range(1, pages + 1)]
    page = next(p for p, text in enumerate(texts, 1) if "Aging by category (yuan)" in text)
    for title in ("Net sales by category, 2026-01 – 2026-06 (yuan)",
                  "Days to settle (amount-weighted, by quarter settled)"):
        assert title in texts[page - 1] or title in texts[min(page, pages - 1)]

    # The page as a picture (pdftoppm -r 70): the bars of the aging chart (not due green, 1-30 light green) and
    # of the first two categories (blue, orange) are there in quantity, so charts were drawn, not just titles.
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), str(pdf),
                    str(tmp_path / "dashboard")], check=True)
    ppm = subprocess.run(["pdftoppm", "-r", "70", "-f", str(page), "-l", str(page), str(pdf)], check=True,
                         capture_output=True).stdout
    pixels = ppm_pixels(ppm)
    for color in ("70AD47", "4472C4", "ED7D31"):
        assert near(pixels, color) > 150, color
