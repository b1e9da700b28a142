"""Credit control as the invoice is typed (issue 14, point 10): the workbook's conditional formats and
`check` mark the same invoice rows, and LibreOffice evaluates the formulas to the figures xlcust computes."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from xlcust.book import Book
from xlcust.checks import transactions as txn_checks
from xlcust.credit.typed import invoice_credit_marks
from xlcust.demo import SPECIAL_CUSTOMERS
from xlcust.io.credit_marks import MarkFormulas
from xlcust.io.reader import read_book
from xlcust.io.template import create_workbook
from xlcust.schema import CATEGORIES, CUSTOMERS, SETTINGS, TRANSACTIONS

D = dt.date
SETTINGS_ROWS = {"coding_scheme": "2-2-2", "credit_near_limit": "80%", "default_credit_limit": 5000}
CATS = [
    {"code": "01", "name": "Domestic", "credit_limit": 1000},
    {"code": "0101", "name": "Building"},
    {"code": "010101", "name": "Large"},  # inherits 1,000 from 01 (two levels up)
    {"code": "010102", "name": "Small", "credit_limit": 500},
    {"code": "02", "name": "Export"},
    {"code": "0201", "name": "Asia"},
    {"code": "020101", "name": "Japan"},  # no limit up the tree: Settings default 5,000
]
CUSTS = [
    {"code": "C1", "name": "A", "category_code": "010101"},
    {"code": "C2", "name": "B", "category_code": "010102", "credit_limit": 2000},  # own limit wins
    {"code": "C3", "name": "C", "category_code": "010102"},
    {"code": "C4", "name": "D", "category_code": "020101"},
    {"code": "C5", "name": "E", "category_code": "010102", "credit_limit": 0},  # no credit at all
]
TXNS = [
    ("T01", "C1", "invoice", 700), ("T02", "C1", "发票", 150), ("T03", "C1", "receipt", 100),
    ("T04", "C1", "invoice", 300.5), ("T05", "C3", "invoice", 600), ("T06", "C2", "invoice", 1700),
    ("T07", "C4", "opening", 4000), ("T08", "C4", "invoice", 100), ("T09", "C4", "credit_note", 50),
    ("T10", "C4", "invoice", 1000), ("T11", "C1", "收款", 1000), ("T12", "C1", "invoice", 100),
    ("T13", "C5", "invoice", 1), ("T14", "C1", "adjustment", -50), ("T15", "C1", "invoice", 900),
]


def inline_book() -> Book:
    return Book.from_rows(
        settings=SETTINGS_ROWS, categories=CATS, customers=CUSTS,
        transactions=[{"txn_id": i, "date": D(2025, 1, 1) + dt.timedelta(days=n), "customer_code": c, "kind": k,
                       "amount": a} for n, (i, c, k, a) in enumerate(TXNS)])


EXPECTED = {  # Excel row → mark
    3: "near",  # C1 850 of 1,000 (80 % band)
    5: "over",  # C1 1,050.50
    6: "over",  # C3 600 > 500 (category's own limit)
    7: "near",  # C2 1,700 of its own 2,000
    9: "near",  # C4 4,100 after its opening balance, of the Settings default 5,000
    11: "over",  # C4 5,050 > the Settings default 5,000
    14: "over",  # C5: any balance over a limit of 0
    16: "over",  # C1 1,000.50 after a receipt and a negative adjustment
}


def test_check_reports_the_rows_with_their_figures() -> None:
    marks = invoice_credit_marks(inline_book())
    got = {int(r): ("over" if o else "near") for r, o in zip(marks["row"], marks["over"], strict=True)}
    assert got == EXPECTED
    findings = {f.row: f for f in txn_checks.check_invoice_credit_limits(inline_book())}
    assert findings[5].code == "TXN_OVER_CREDIT_LIMIT" and findings[5].column == "E"
    assert "1,050.50" in findings[5].message and "1,000.00" in findings[5].message and "50.50" in findings[5].message
    assert findings[3].code == "TXN_NEAR_CREDIT_LIMIT" and "80%" in findings[3].message


def test_the_template_carries_the_marks_over_the_transactions_table(tmp_path: Path) -> None:
    path = tmp_path / "new.xlsx"
    create_workbook(path, lang="zh")
    with zipfile.ZipFile(path) as z:
        names = z.read("xl/workbook.xml").decode()
        sheet = re.findall(r'<sheet name="([^"]+)"', names).index("往来明细") + 1
        xml = z.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    rules = re.findall(r'<cfRule type="expression"[^>]*>', xml)
    assert len(rules) == 2
    assert "SUMIFS(" in xml and "&apos;客户档案&apos;!$L:$L" in xml or "'客户档案'!$L:$L" in xml


@pytest.fixture(scope="module")
def libreoffice_marks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, str]:
    """The mark formulas typed into a cell of each row, computed by LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    tmp = tmp_path_factory.mktemp("lo")
    path = tmp / "marks.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    formulas = MarkFormulas({s.key: s.key for s in (SETTINGS, CATEGORIES, CUSTOMERS, TRANSACTIONS)}, (2, 2, 2))
    t = wb.add_worksheet("Transactions")  # first: the CSV export writes the first sheet
    t.write_row(0, 0, [c.en for c in TRANSACTIONS.columns] + ["mark"])
    for n, (txn_id, customer, kind, amount) in enumerate(TXNS, start=1):
        t.write_row(n, 0, [txn_id, None, customer, kind, amount])
        row = n + 1
        t.write_formula(n, len(TRANSACTIONS.columns),
                        f'=IF({formulas.over(row)},"over",IF({formulas.near(row)},"near",""))')
    for spec, rows in ((SETTINGS, [{"key": k, "value": v} for k, v in SETTINGS_ROWS.items()]),
                       (CATEGORIES, CATS), (CUSTOMERS, CUSTS)):
        ws = wb.add_worksheet(spec.key)
        ws.write_row(0, 0, [c.en for c in spec.columns])
        for i, record in enumerate(rows, start=1):
            for j, column in enumerate(spec.columns):
                value = record.get(column.name)
                if value is not None:
                    (ws.write_number if isinstance(value, int | float) else ws.write_string)(i, j, value)
    wb.close()
    # LibreOffice keeps the cached results of an .xlsx unless told to recalculate on load.
    profile = tmp / "lo-profile" / "user"
    profile.mkdir(parents=True)
    (profile / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">'
        "<value>0</value></prop></item></oor:items>", encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp), str(path)],
                   check=True, capture_output=True, timeout=300)
    with (tmp / "marks.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return {i: r[len(TRANSACTIONS.columns)] for i, r in enumerate(rows[1:], start=2) if r[len(TRANSACTIONS.columns)]}


def test_libreoffice_evaluates_the_formulas_to_the_same_rows(libreoffice_marks: dict[int, str]) -> None:
    assert libreoffice_marks == EXPECTED


def test_the_demo_marks_its_over_limit_customer() -> None:
    book_path = Path(__file__).resolve().parents[1] / "workbook" / "CustomerLedger.xlsx"
    marks = invoice_credit_marks(read_book(book_path))
    over = set(marks.loc[marks["over"], "customer_code"])
    assert set(SPECIAL_CUSTOMERS["over_limit"]) <= over


def test_a_customer_far_over_its_limit_is_listed_ten_rows_then_summed_up() -> None:
    rows = [{"txn_id": f"T{i}", "date": D(2025, 1, 1), "customer_code": "C3", "kind": "invoice", "amount": 600}
            for i in range(25)]
    book = Book.from_rows(settings=SETTINGS_ROWS, categories=CATS, customers=CUSTS, transactions=rows)
    findings = list(txn_checks.check_invoice_credit_limits(book))
    assert len(invoice_credit_marks(book)) == 25
    assert [f.row for f in findings] == [*range(2, 12), 26]
    assert "15 more invoice rows of customer 'C3'" in findings[-1].message and "15,000.00" in findings[-1].message
