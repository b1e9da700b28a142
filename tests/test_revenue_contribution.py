"""Revenue an auditor and a manager read (issue 14, point 8): share, change on a year earlier, ABC.

Small inline tables where every figure can be added up by hand, then the command line
(console, --json, CSV, .xlsx) and the Revenue sheet, then the demo.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from xlcust.book import Book
from xlcust.cli import app
from xlcust.excel.bundle import BUNDLED
from xlcust.io.reader import read_book
from xlcust.reports.contribution import contribution, year_earlier
from xlcust.reports.revenue import revenue
from xlcust.settings import SettingEntry, resolve_settings
from xlcust.views.revenue import revenue_sheet

from .workbooks import write_book

D = dt.date
CATEGORIES = [{"code": "01", "name": "Domestic"}, {"code": "0101", "name": "Retail"},
              {"code": "0102", "name": "Wholesale"}, {"code": "02", "name": "Export"},
              {"code": "0201", "name": "Asia"}]
CUSTOMERS = [
    {"code": "C1", "name": "Big", "category_code": "0101"},
    {"code": "C2", "name": "Middle", "category_code": "0102"},
    {"code": "C3", "name": "Small", "category_code": "0201"},
    {"code": "C4", "name": "New", "category_code": "0201"},
    {"code": "C5", "name": "Gone", "category_code": "0102"},
    {"code": "C6", "name": "Tiny", "category_code": "0101"},
]
# C2 moved from Asia (0201) to Wholesale (0102) on 2026-01-01: the bases differ for its 2025 sales.
HISTORY = [
    {"customer_code": c["code"], "category_code": c["category_code"], "valid_from": D(2020, 1, 1)}
    for c in CUSTOMERS if c["code"] != "C2"
] + [{"customer_code": "C2", "category_code": "0201", "valid_from": D(2020, 1, 1), "valid_to": D(2026, 1, 1)},
     {"customer_code": "C2", "category_code": "0102", "valid_from": D(2026, 1, 1)}]


def txn(tid: str, date: dt.date, customer: str, amount: float, kind: str = "invoice") -> dict:
    return {"txn_id": tid, "date": date, "customer_code": customer, "kind": kind, "amount": amount}


TRANSACTIONS = [
    # 2026 H1: 10,000.00 in all
    txn("A1", D(2026, 2, 1), "C1", 7000), txn("A2", D(2026, 3, 1), "C2", 2000), txn("A3", D(2026, 4, 1), "C3", 500),
    txn("A4", D(2026, 5, 1), "C4", 450), txn("A5", D(2026, 6, 1), "C6", 50),
    txn("A6", D(2026, 6, 30), "C1", 0.01), txn("A7", D(2026, 6, 30), "C1", 0.01, "credit_note"),  # nets to 0
    # 2025 H1: C1 5,000; C2 2,500 (then in Asia); C5 1,000; C3 0 (an invoice and its credit note)
    txn("B1", D(2025, 1, 10), "C1", 5000), txn("B2", D(2025, 2, 10), "C2", 2500), txn("B3", D(2025, 3, 10), "C5", 1000),
    txn("B4", D(2025, 4, 10), "C3", 300), txn("B5", D(2025, 4, 11), "C3", 300, "credit_note"),
    txn("B6", D(2025, 7, 1), "C4", 999),  # after the prior period: C4 is new in 2026 H1
]
H1 = (D(2026, 1, 1), D(2026, 6, 30))


def make_book(**settings: object) -> Book:
    return Book.from_rows(settings={"as_of": "2026-06-30", **settings}, categories=CATEGORIES, customers=CUSTOMERS,
                          transactions=TRANSACTIONS, history=HISTORY)


def of(frame: pd.DataFrame, key: str, code: str) -> dict:
    return frame[frame[key] == code].iloc[0].to_dict()


def test_customers_share_change_and_abc() -> None:
    book = make_book()
    c = contribution(book, revenue(book, *H1, by="quarter"))
    assert c.prior_from == D(2025, 1, 1) and c.prior_to == D(2025, 6, 30)
    custs = c.by_customer
    assert list(custs["customer_code"]) == ["C1", "C2", "C3", "C4", "C6", "C5"]  # by rank; Gone sold nothing now
    assert int(custs["net_sales"].sum()) == 1_000_000  # ties to the control total
    big = of(custs, "customer_code", "C1")
    assert big["share"] == pytest.approx(0.7) and big["prior_net_sales"] == 500_000 and big["change"] == 200_000
    assert big["change_pct"] == pytest.approx(0.4) and big["abc"] == "A" and big["rank"] == 1
    # C2: 70 % before it (< 80 %) → A although it takes the running share to 90 %
    assert of(custs, "customer_code", "C2")["abc"] == "A"
    assert of(custs, "customer_code", "C2")["cumulative_share"] == pytest.approx(0.9)
    assert of(custs, "customer_code", "C3")["abc"] == "B"  # 90 % before it: B (< 95 %)
    small = of(custs, "customer_code", "C3")  # sold and credited a year earlier: prior 0, % blank
    assert small["prior_net_sales"] == 0 and small["change"] == 50_000 and pd.isna(small["change_pct"])
    new = of(custs, "customer_code", "C4")  # no sales line a year earlier: blank, not 0
    assert new["abc"] == "C" and pd.isna(new["prior_net_sales"]) and pd.isna(new["change"])
    assert pd.isna(new["change_pct"])
    gone = of(custs, "customer_code", "C5")  # sold a year earlier only: in the list with 0 now
    assert gone["net_sales"] == 0 and gone["change"] == -100_000 and gone["change_pct"] == pytest.approx(-1)
    assert gone["abc"] == "C" and gone["name"] == "Gone"


def test_categories_ranked_within_their_level_on_both_bases() -> None:
    book = make_book()
    hist = contribution(book, revenue(book, *H1, basis="historical")).by_category
    level1 = hist[hist["level"] == 1]
    assert list(level1["category_code"]) == ["01", "02"] and int(level1["net_sales"].sum()) == 1_000_000
    # 01 = C1 7,000 + C2 2,000 + C6 50 = 90.5 %; 02 = C3 500 + C4 450: 90.5 % before it → B
    assert list(level1["abc"]) == ["A", "B"] and list(level1["rank"]) == [1, 2]
    assert float(level1["share"].sum()) == pytest.approx(1.0)
    # a year earlier C2's 2,500 was in Asia on the historical basis, in Wholesale on the current one
    assert of(hist, "category_code", "0201")["prior_net_sales"] == 250_000
    assert of(hist, "category_code", "0102")["prior_net_sales"] == 100_000
    current = contribution(book, revenue(book, *H1, basis="current")).by_category
    assert of(current, "category_code", "0201")["prior_net_sales"] == 0  # C3's invoice and credit note
    assert of(current, "category_code", "0102")["prior_net_sales"] == 350_000
    assert int(current[current["level"] == 1]["prior_net_sales"].sum()) == 850_000  # the prior control total


def test_thresholds_come_from_settings() -> None:
    book = make_book(abc_a_share="60%", abc_b_share=0.7)
    custs = contribution(book, revenue(book, *H1)).by_customer
    assert dict(zip(custs["customer_code"], custs["abc"], strict=True)) == {
        "C1": "A", "C2": "C", "C3": "C", "C4": "C", "C6": "C", "C5": "C"}  # 70 % before C2: not under 70 %
    settings, findings = resolve_settings([SettingEntry("abc_a_share", "120%", 3)])
    assert settings.abc_a_share == Decimal("0.8") and [f.code for f in findings] == ["SET_BAD_VALUE"]


def test_nothing_sold_a_year_earlier_or_at_all() -> None:
    book = make_book()
    c = contribution(book, revenue(book, D(2026, 5, 1), D(2026, 5, 31)))  # May 2025: no sales line
    assert list(c.by_customer["customer_code"]) == ["C4"] and c.by_customer["prior_net_sales"].isna().all()
    assert c.prior.control.net == 0 and list(c.by_category["category_code"]) == ["02", "0201"]  # only what sold
    empty = contribution(book, revenue(book, D(2024, 1, 1), D(2024, 1, 31)))
    assert empty.by_customer.empty and empty.by_category["net_sales"].eq(0).all()


def test_one_pass_over_both_years_gives_the_same_reports() -> None:
    """The year and the year earlier looked up together (`sales_lines_in`, what a run does) give
    the same report and contribution as each period on its own, on both bases and with tax stripped."""
    from xlcust.reports.contribution import prior_period
    from xlcust.reports.revenue import sales_lines_in

    book = make_book(amounts_include_tax=True)
    for basis in ("historical", "current"):
        for tax in ("included", "excluded"):
            lines = sales_lines_in(book, [H1, prior_period(*H1)])
            shared = revenue(book, *H1, by="quarter", basis=basis, tax=tax, lines=lines)
            alone = revenue(book, *H1, by="quarter", basis=basis, tax=tax)
            assert shared.to_json() == alone.to_json()
            pd.testing.assert_frame_equal(shared.lines, alone.lines)
            together, apart = contribution(book, shared, lines), contribution(book, alone)
            assert together.to_json() == apart.to_json()
            pd.testing.assert_frame_equal(together.prior.lines, apart.prior.lines)
            assert len(together.prior.lines) == 5  # B1 … B5: B6 is after the prior period
    # lines looked up for other dates are not used for a period they do not cover
    assert revenue(book, *H1, lines=sales_lines_in(book, [(D(2026, 1, 1), D(2026, 3, 31))])).control.lines == 7


def test_a_year_earlier_of_29_february() -> None:
    assert year_earlier(D(2028, 2, 29)) == D(2027, 2, 28)
    assert year_earlier(D(2026, 3, 31)) == D(2025, 3, 31)


# ---------------------------------------------------------------------- where it shows


def test_revenue_sheet_has_the_columns_and_the_customer_ranking() -> None:
    from xlcust.reports.contribution import with_contribution

    book = make_book()
    report = with_contribution(book, revenue(book, *H1, by="quarter"))
    sheet = revenue_sheet(report, "zh")
    headers = [c.header for c in sheet.columns]
    assert headers[-7:] == ["占比", "累计占比", "上年同期", "同比增减额", "同比增减率", "排名", "ABC 分类"]
    rows = list(sheet.rows)
    by_code = {r[0]: r for r in rows if r and isinstance(r[0], str)}
    # 01: 9,050 of 10,000 now; a year earlier C1 5,000 + C5 1,000 (C2 was in Asia then)
    assert by_code["01"][-7:] == [pytest.approx(0.905), pytest.approx(0.905), 600_000, 305_000,
                                  pytest.approx(3050 / 6000), 1, "A"]
    heading = next(i for i, r in enumerate(rows) if r and getattr(r[0], "role", None) == "header")
    assert [getattr(v, "value", v) for v in rows[heading]][:3] == ["客户编码", "客户名称", "分类编码"]
    assert [r[0] for r in rows[heading + 1:]] == ["C1", "C2", "C3", "C4", "C6", "C5"]
    new = rows[heading + 4]
    assert new[-5:-2] == [None, None, None]  # C4: blank a year earlier, not 0


def write(tmp_path: Path) -> Path:
    def row(d: dict, keys: list[str]) -> list:
        return [d.get(k) for k in keys]

    sheets = {
        "Settings": [["Key", "Value"], ["as_of", "2026-06-30"]],
        "Categories": [["Code", "Name"], *(row(c, ["code", "name"]) for c in CATEGORIES)],
        "Customers": [["Code", "Name", "Category code"],
                      *(row(c, ["code", "name", "category_code"]) for c in CUSTOMERS)],
        "Transactions": [["Txn ID", "Date", "Customer code", "Kind", "Amount"],
                         *(row(t, ["txn_id", "date", "customer_code", "kind", "amount"]) for t in TRANSACTIONS)],
        "CategoryHistory": [["Customer code", "Category code", "Valid from", "Valid to"],
                            *(row(h, ["customer_code", "category_code", "valid_from", "valid_to"]) for h in HISTORY)],
    }
    return write_book(tmp_path / "book.xlsx", sheets)


def test_command_json_csv_xlsx_and_console(tmp_path: Path) -> None:
    path = write(tmp_path)
    args = ["revenue", str(path), "--from", "2026-01-01", "--to", "2026-06-30", "--by", "quarter"]
    result = CliRunner().invoke(app, [*args, "--json", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["contribution"]
    assert doc["prior_from"] == "2025-01-01" and doc["prior_control_total"] == 8500.0
    assert doc["abc_a_share"] == 0.8 and doc["abc_b_share"] == 0.95
    new = next(c for c in doc["by_customer"] if c["customer_code"] == "C4")
    assert new["net_sales"] == 450.0 and new["prior_net_sales"] is None and new["change_pct"] is None
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    header = next(r for r in table if r and r[0] == "Category")  # the revenue table's own header
    assert header[-7:] == ["Share", "Cumulative share", "A year earlier", "Change", "Change %", "Rank", "ABC"]
    first = next(r for r in table if r and r[0] == "01")
    assert first[-7:-3] == ["0.905", "0.905", "6000.00", "3050.00"] and first[-2:] == ["1", "A"]
    assert float(first[-3]) == pytest.approx(3050 / 6000)
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "r.xlsx"), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    shown = "".join(result.stdout.split())  # the console folds long titles to its width
    assert "客户收入贡献：共6个客户，A类2、B类1、C类3" in shown
    names = zipfile.ZipFile(tmp_path / "r.xlsx").read("xl/workbook.xml").decode()
    assert "客户收入贡献" in names


def test_demo_shows_new_and_lost_customers_and_ties() -> None:
    from xlcust.reports.contribution import with_contribution

    book = read_book(BUNDLED)
    report = with_contribution(book, revenue(book, D(2026, 1, 1), D(2026, 9, 30)))
    c = report.contribution
    custs = c.by_customer
    assert int(custs["net_sales"].sum()) == report.control.net
    assert custs["prior_net_sales"].isna().any(), "the demo has customers new since last year"
    assert (custs["net_sales"] == 0).any(), "… and one that bought last year only"
    assert set(custs["abc"]) == {"A", "B", "C"}
    level1 = c.by_category[c.by_category["level"] == 1]
    assert int(level1["prior_net_sales"].fillna(0).sum()) == c.prior.control.net
