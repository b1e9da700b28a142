"""Exports: CSV (BOM, formula injection neutralised), printable .xlsx (views.export, io.export); the data hash."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.errors import UsageError, WorkbookError
from xlcust.io.export import export_tables, write_csv
from xlcust.reports.datahash import data_hash
from xlcust.views.export import ExportColumn, ExportTable, Styled, csv_value, neutralise

COLUMNS = [ExportColumn("Name"), ExportColumn("Amount", "cents"), ExportColumn("Count", "int"),
           ExportColumn("Date", "date")]


def table(rows: list[list[object]], **kw) -> ExportTable:
    return ExportTable("Report", "A report", COLUMNS, rows, **kw)


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(("text", "expected"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
    ("+8613800000000", "'+8613800000000"),
    ("-2+3", "'-2+3"),
    ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("a=b", "a=b"),
    ("华远建筑", "华远建筑"),
    ("", ""),
])
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_numbers_stay_numbers() -> None:
    assert csv_value(-123456, "cents") == "-1234.56"
    assert csv_value(5, "cents") == "0.05"
    assert csv_value(-7, "int") == "-7"
    assert csv_value(-1.5, "number") == "-1.5"
    assert csv_value(Decimal("-3.10"), "number") == "-3.10"
    assert csv_value("-7", "int") == "'-7"  # text is text, whatever its column says
    assert csv_value(Styled("=x", indent=2), "text") == "'=x"
    assert csv_value(None, "cents") == ""
    assert csv_value(dt.date(2026, 1, 31), "date") == "2026-01-31"


def test_csv_has_a_bom_crlf_and_neutralised_text(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_csv(path, table([["=HYPERLINK(\"http://x\")", -150, 3, dt.date(2026, 1, 1)],
                           ["@SUM(1)", 1234567, None, None]]))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    assert read_csv(path) == [
        ["Name", "Amount", "Count", "Date"],
        ["'=HYPERLINK(\"http://x\")", "-1.50", "3", "2026-01-01"],
        ["'@SUM(1)", "12345.67", "", ""],
    ]


def test_export_dispatches_by_suffix_and_refuses_others(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        export_tables(tmp_path / "r.txt", [table([])])
    with pytest.raises(WorkbookError):
        export_tables(tmp_path / "missing" / "r.csv", [table([])])
    export_tables(tmp_path / "r.CSV", [table([["a", 1, 1, None]]), table([["b", 2, 2, None]])])
    assert read_csv(tmp_path / "r.CSV")[1][0] == "a"  # CSV takes the first table
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.CSV"]  # no temporary file left behind


def test_xlsx_prints_a4_landscape_one_page_wide_with_parameters_on_top(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    params = [("From", dt.date(2026, 1, 1)), ("Control total", Decimal("1234.50")), ("Data hash", "ab" * 32)]
    export_tables(path, [
        table([[Styled("Retail", indent=1), -150, 3, dt.date(2026, 1, 1)], ["=1+1", 12, None, None],
               [Styled("Total", bold=True), 99, None, None]], parameters=params),
        ExportTable("Second", "Another", [ExportColumn("x")], [["y"]]),
    ])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Report", "Second"]
    ws = wb["Report"]
    assert ws["A1"].value == "A report"
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in (2, 3, 4)] == [
        ("From", dt.datetime(2026, 1, 1)), ("Control total", 1234.5), ("Data hash", "ab" * 32)]
    header = 6  # parameters, a blank row, then the header
    assert [c.value for c in ws[header]] == ["Name", "Amount", "Count", "Date"]
    assert ws.cell(header + 1, 1).value == "Retail" and ws.cell(header + 1, 1).alignment.indent == 1
    assert ws.cell(header + 1, 2).value == -1.5
    assert ws.cell(header + 1, 2).number_format == "#,##0.00;-#,##0.00"
    assert ws.cell(header + 2, 1).value == "=1+1" and ws.cell(header + 2, 1).data_type == "s"  # text, not a formula
    assert ws.cell(header + 3, 1).font.b
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 is the default, left out
    assert ws.print_title_rows == f"${header}:${header}"
    assert "&P" in ws.oddFooter.left.text and "&N" in ws.oddFooter.left.text
    assert ws.freeze_panes == f"A{header + 1}"


# ------------------------------------------------------------------------ data hash

ROWS = {
    "settings": {"coding_scheme": "2-2"},
    "categories": [{"code": "01", "name": "Retail", "tax_rate": 0.13}, {"code": "0101", "name": "East"}],
    "customers": [{"code": "C1", "name": "One", "category_code": "0101"}],
    "transactions": [
        {"txn_id": "T1", "date": dt.date(2026, 1, 5), "customer_code": "C1", "kind": "invoice", "amount": 113},
        {"txn_id": "T2", "date": dt.date(2026, 2, 5), "customer_code": "C1", "kind": "发票", "amount": 1.5,
         "memo": "a\\N\tb"},
    ],
    "history": [{"customer_code": "C1", "category_code": "0101", "valid_from": dt.date(2020, 1, 1)}],
}


def hashed(**changes) -> str:
    rows = {k: (list(v) if isinstance(v, list) else dict(v)) for k, v in ROWS.items()}
    rows.update(changes)
    return data_hash(Book.from_rows(**rows))


def test_data_hash_is_stable() -> None:
    first = hashed()
    assert first == hashed()
    assert len(first) == 64 and int(first, 16) >= 0
    # What was typed does not matter, only what it means: 发票 is an invoice, 1.50 is 150 cents.
    same = [dict(ROWS["transactions"][0]), {**ROWS["transactions"][1], "kind": "invoice", "amount": "1.50"}]
    assert hashed(transactions=same) == first
    # Customers are not part of it (revenue does not read their names or contacts).
    assert hashed(customers=[{"code": "C1", "name": "Renamed", "category_code": "0101"}]) == first


@pytest.mark.parametrize("change", [
    {"transactions": [ROWS["transactions"][0], {**ROWS["transactions"][1], "amount": 1.51}]},
    {"transactions": [ROWS["transactions"][0], {**ROWS["transactions"][1], "date": dt.date(2026, 2, 6)}]},
    {"transactions": [ROWS["transactions"][0], {**ROWS["transactions"][1], "memo": "a\\N b"}]},
    {"transactions": ROWS["transactions"][::-1]},
    {"transactions": ROWS["transactions"][:1]},
    {"categories": [{"code": "01", "name": "Retail", "tax_rate": 0.09}, {"code": "0101", "name": "East"}]},
    {"categories": [{"code": "01", "name": "Retail", "tax_rate": 0.13}, {"code": "0101", "name": "Eastern"}]},
    {"history": [{"customer_code": "C1", "category_code": "0101", "valid_from": dt.date(2020, 1, 2)}]},
    {"history": None},
])
def test_data_hash_changes_with_the_data(change: dict) -> None:
    assert hashed(**change) != hashed()


def test_missing_and_literal_backslash_n_differ() -> None:
    blank = [ROWS["transactions"][0], {**ROWS["transactions"][1], "memo": None}]
    literal = [ROWS["transactions"][0], {**ROWS["transactions"][1], "memo": "\\N"}]
    assert hashed(transactions=blank) != hashed(transactions=literal)


def test_data_hash_follows_its_documented_format() -> None:
    """An auditor can rebuild the hash from the docstring alone."""
    import hashlib

    book = Book.from_rows(
        settings={"coding_scheme": "2"},
        categories=[{"code": "01", "name": "Retail", "tax_rate": "13%", "active": "yes"}],
        transactions=[{"txn_id": "T1", "date": dt.date(2026, 1, 5), "customer_code": "C1", "kind": "发票",
                       "amount": "1,234.5", "memo": "tab\there"}],
    )
    lines = [
        "xlcust-data-hash/1",
        "sheet Transactions present 1",
        "column txn_id", "T1", "column date", "2026-01-05", "column customer_code", "C1",
        "column kind", "invoice", "column amount", "123450", "column due_date", "\\N",
        "column reference", "\\N", "column memo", "tab\\there",
        "sheet Categories present 1",
        "column code", "01", "column name", "Retail", "column tax_rate", "0.13",
        "column payment_terms_days", "\\N", "column credit_limit", "\\N", "column invoice_type", "\\N",
        "column reminder_days", "\\N", "column active", "TRUE", "column provision_rates", "\\N",
        "column settlement_method", "\\N",
        "sheet CategoryHistory absent 0",
        *(f"column {c}" for c in ("customer_code", "category_code", "valid_from", "valid_to", "source",
                                  "changed_at", "changed_by", "note")),
    ]
    expected = hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()
    assert data_hash(book) == expected


def _canonical_cell_by_cell(values: list[object]) -> str:
    """The documented canonical text, one cell at a time (what the fast paths must reproduce)."""
    out = []
    for v in values:
        if v is None:
            out.append("\\N")
        else:
            out.append(str(v).replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    return "\n".join(out)


@pytest.mark.parametrize("values", [
    ["T1", "T2", "T3"],
    ["T1", None, "T3"],
    [None, None],
    ["", "T2"],
    ["a\nb", "c"],
    ["a\\N", "c"],
    ["a\\N", None],
    ["tab\there", None, "cr\rhere"],
    ["back\\slash", "T2"],
])
def test_canonical_text_matches_the_cell_by_cell_definition(values: list[object]) -> None:
    from xlcust.reports.datahash import _canonical

    column = pd.Series(values, dtype=object)
    assert _canonical(column) == _canonical_cell_by_cell(values)


@pytest.mark.parametrize("values", [[12345, -7, 0], [1, None, -3]])
def test_canonical_whole_numbers(values: list[object]) -> None:
    from xlcust.reports.datahash import _canonical

    column = pd.Series(values, dtype="Int64")
    assert _canonical(column) == "\n".join("\\N" if v is None else str(v) for v in values)
