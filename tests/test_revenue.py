"""Revenue by category: lines, periods, roll-ups, tax, control totals, both bases around a reclassification."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcust.book import Book
from xlcust.errors import UsageError
from xlcust.reports import revenue as revenue_module
from xlcust.reports.revenue import RevenueImbalance, period_table, revenue, strip_tax
from xlcust.views.revenue import revenue_sheet

D = dt.date
CATEGORIES = [
    {"code": "01", "name": "Domestic", "tax_rate": 0.13},
    {"code": "0101", "name": "Retail"},  # no rate: inherits 13% from 01
    {"code": "010101", "name": "Retail East", "tax_rate": 0.09},
    {"code": "010102", "name": "Retail West"},  # inherits 13% through 0101 from 01
    {"code": "0102", "name": "Wholesale"},
    {"code": "010201", "name": "Wholesale North"},
    {"code": "02", "name": "Export", "tax_rate": 0},
    {"code": "0201", "name": "Export Asia"},
    {"code": "020101", "name": "Export Japan"},
]
CUSTOMERS = [
    {"code": "C1", "name": "East shop", "category_code": "010101"},
    {"code": "C2", "name": "West shop", "category_code": "010102"},
    {"code": "C3", "name": "Tokyo buyer", "category_code": "020101"},
    {"code": "C4", "name": "North depot", "category_code": "010201"},
]
HISTORY = [
    {"customer_code": c["code"], "category_code": c["category_code"], "valid_from": D(2020, 1, 1)}
    for c in CUSTOMERS
]


def txn(tid: str, date: dt.date, customer: str, kind: str, amount: float, **kw) -> dict:
    return {"txn_id": tid, "date": date, "customer_code": customer, "kind": kind, "amount": amount, **kw}


TRANSACTIONS = [
    txn("T01", D(2025, 12, 31), "C1", "invoice", 999),  # before the period
    txn("T02", D(2026, 1, 1), "C1", "invoice", 1130),
    txn("T03", D(2026, 1, 31), "C2", "invoice", 226),
    txn("T04", D(2026, 2, 1), "C2", "credit_note", 113),
    txn("T05", D(2026, 3, 31), "C3", "invoice", 500),
    txn("T06", D(2026, 4, 1), "C4", "invoice", 100),
    txn("T07", D(2026, 4, 1), "C1", "receipt", 1130),  # not sales
    txn("T08", D(2026, 5, 2), "C2", "opening", 50),  # not sales
    txn("T09", D(2026, 5, 3), "C2", "adjustment", 40),  # not sales
    txn("T10", D(2026, 8, 15), "C1", "invoice", 218),
    txn("T11", D(2026, 9, 30), "C2", "invoice", -11.3),  # a red invoice typed negative: reduces sales
    txn("T12", D(2026, 12, 31), "C3", "invoice", 70),
    txn("T13", D(2027, 1, 1), "C3", "invoice", 888),  # after the period
    txn("T14", D(2026, 6, 1), "C1", "bogus", 5),  # unknown kind: left out, as the ledger does
    txn("T15", None, "C1", "invoice", 5),  # no date: left out
]
YEAR = (D(2026, 1, 1), D(2026, 12, 31))


def make_book(customers: list[dict] = CUSTOMERS, history: list[dict] | None = HISTORY,
              transactions: list[dict] = TRANSACTIONS, **settings: object) -> Book:
    return Book.from_rows(settings={"coding_scheme": "2-2-2", "as_of": "2026-12-31", **settings},
                          categories=CATEGORIES, customers=customers, transactions=transactions, history=history)


def cells(report, level: int | None = None) -> dict[tuple[str, str | None], int]:
    """(period, code) → net sales in cents, from the items shown."""
    items = report.items()
    if level is not None:
        items = items[(items["level"] == level).fillna(False).to_numpy(dtype=bool)]
    return {(p, c): int(v) for p, c, v in zip(items["period"], items["category_code"], items["net_sales"],
                                               strict=True)}


def totals(report) -> dict[str, int]:
    return dict(zip(report.totals["period"], report.totals["net_sales"].astype(int), strict=True))


# ------------------------------------------------------------------ lines and periods


def test_net_sales_are_invoices_minus_credit_notes_in_the_period() -> None:
    report = revenue(make_book(), *YEAR, by="year")
    c = report.control
    # 1130 + 226 − 113 + 500 + 100 + 218 − 11.30 + 70, in cents
    assert (c.lines, c.invoices, c.credit_notes, c.gross, c.tax, c.net) == (
        8, 223270, 11300, 211970, 0, 211970)
    assert report.control_total == 211970
    assert totals(report) == {"2026": 211970}
    assert sorted(report.lines["txn_id"]) == ["T02", "T03", "T04", "T05", "T06", "T10", "T11", "T12"]


@pytest.mark.parametrize(("by", "expected"), [
    ("month", {"2026-01": 113000 + 22600, "2026-02": -11300, "2026-03": 50000, "2026-04": 10000,
               "2026-05": 0, "2026-06": 0, "2026-07": 0, "2026-08": 21800, "2026-09": -1130, "2026-10": 0,
               "2026-11": 0, "2026-12": 7000}),
    ("quarter", {"2026Q1": 113000 + 22600 - 11300 + 50000, "2026Q2": 10000, "2026Q3": 21800 - 1130,
                 "2026Q4": 7000}),
    ("year", {"2026": 211970}),
])
def test_period_boundaries(by: str, expected: dict[str, int]) -> None:
    report = revenue(make_book(), *YEAR, by=by)
    assert totals(report) == expected  # every period listed, empty ones with 0
    assert sum(expected.values()) == report.control_total


def test_periods_are_cut_at_the_range_and_ends_are_included() -> None:
    report = revenue(make_book(), D(2026, 1, 31), D(2026, 4, 1), by="quarter")
    assert totals(report) == {"2026Q1": 22600 - 11300 + 50000, "2026Q2": 10000}
    table = period_table(D(2026, 1, 31), D(2026, 4, 1), "quarter")
    assert [(p, s.date(), e.date()) for p, s, e in table.itertuples(index=False)] == [
        ("2026Q1", D(2026, 1, 31), D(2026, 3, 31)), ("2026Q2", D(2026, 4, 1), D(2026, 4, 1))]
    assert period_table(D(2025, 11, 15), D(2026, 2, 2), "year")["period"].tolist() == ["2025", "2026"]
    assert period_table(D(2025, 12, 1), D(2026, 1, 1), "month")["period"].tolist() == ["2025-12", "2026-01"]


def test_an_empty_range_has_zero_totals() -> None:
    report = revenue(make_book(), D(2026, 6, 1), D(2026, 7, 31), by="month")
    assert totals(report) == {"2026-06": 0, "2026-07": 0}
    assert report.items().empty and report.control.lines == 0
    assert report.to_json()["control_total"] == 0


# -------------------------------------------------------------------------- roll-ups


def test_every_level_is_a_complete_split() -> None:
    report = revenue(make_book(), *YEAR, by="year")
    assert cells(report) == {
        ("2026", "01"): 154970, ("2026", "0101"): 144970, ("2026", "010101"): 134800,
        ("2026", "010102"): 10170, ("2026", "0102"): 10000, ("2026", "010201"): 10000,
        ("2026", "02"): 50000 + 7000, ("2026", "0201"): 57000, ("2026", "020101"): 57000,
    }
    for level in (1, 2, 3):
        assert sum(cells(report, level).values()) == report.control_total
    assert report.items()["name"].tolist()[:3] == ["Domestic", "Retail", "Retail East"]


def test_level_limits_the_rows_not_the_subtotals() -> None:
    full = revenue(make_book(), *YEAR, by="quarter")
    top = revenue(make_book(), *YEAR, by="quarter", level=1)
    assert set(top.items()["level"].dropna()) == {1}
    assert cells(top) == cells(full, 1)
    assert top.wide()["category_code"].tolist() == ["01", "02"]
    assert top.to_json()["parameters"]["level"] == 1


def test_unknown_customer_is_uncategorised_and_level_1_plus_uncategorised_is_the_total() -> None:
    extra = [*TRANSACTIONS, txn("T20", D(2026, 2, 2), "C9", "invoice", 10)]
    report = revenue(make_book(transactions=extra), *YEAR, by="quarter")
    q1 = [r for r in report.items().itertuples() if r.period == "2026Q1"]
    none = [r for r in q1 if r.category_code is None]
    assert [(r.name, pd.isna(r.level), int(r.net_sales)) for r in none] == [(None, True, 1000)]
    top = [r for r in q1 if r.category_code is None or r.level == 1]
    assert sum(int(r.net_sales) for r in top) == totals(report)["2026Q1"]
    assert report.control.uncategorised == 1000
    assert report.wide()["category_code"].tolist()[-1] is None


# ------------------------------------------------------------------------------ tax


def exact_net(cents: int, rate: str) -> int:
    net = (Decimal(abs(cents)) / (1 + Decimal(rate))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(net) * (1 if cents >= 0 else -1)


@pytest.mark.parametrize(("cents", "rate", "net"), [
    (11300, 0.13, 10000),
    (10000, 0.13, 8850),  # 88.4955… → 88.50
    (1, 0.13, 1),  # 0.885 cents → 1
    (4, 0.6, 3),  # exactly 2.5 cents: half-up
    (-4, 0.6, -3),  # half away from zero for credits
    (10900, 0.09, 10000),
    (12345, 0.0, 12345),
    (12345, float("nan"), 12345),  # no rate: as it is
])
def test_strip_tax_examples(cents: int, rate: float, net: int) -> None:
    assert strip_tax(np.array([cents]), np.array([rate])).tolist() == [net]


@settings(max_examples=300, deadline=None)
@given(cents=st.integers(-10**13, 10**13), rate=st.sampled_from(["0", "0.01", "0.03", "0.05", "0.06", "0.09",
                                                                  "0.13", "0.125", "0.175"]))
def test_strip_tax_matches_decimal_arithmetic(cents: int, rate: str) -> None:
    assert strip_tax(np.array([cents]), np.array([float(rate)])).tolist() == [exact_net(cents, rate)]


def test_strip_tax_on_huge_amounts_does_not_overflow() -> None:
    cents = np.array([9 * 10**15, -(9 * 10**15)])
    assert strip_tax(cents, np.array([0.13, 0.13])).tolist() == [exact_net(9 * 10**15, "0.13"),
                                                                   exact_net(-(9 * 10**15), "0.13")]


def test_ex_tax_by_the_inherited_rate_to_the_cent() -> None:
    report = revenue(make_book(), *YEAR, by="year", tax="excluded")
    expected = {  # rate of each line's category: C1 9% (own), C2 13% (from 01), C3 0%, C4 13%
        "T02": exact_net(113000, "0.09"), "T03": exact_net(22600, "0.13"), "T04": exact_net(-11300, "0.13"),
        "T05": 50000, "T06": exact_net(10000, "0.13"), "T10": exact_net(21800, "0.09"),
        "T11": exact_net(-1130, "0.13"), "T12": 7000,
    }
    lines = dict(zip(report.lines["txn_id"], report.lines["net_sales"].astype(int), strict=True))
    assert lines == expected
    c = report.control
    assert c.net == sum(expected.values()) == report.control_total
    assert c.gross - c.tax == c.net and c.tax == 211970 - c.net
    assert report.parameters.tax == "excluded" and report.parameters.tax_stripped
    assert sum(cells(report, 1).values()) == c.net


def test_no_rate_anywhere_keeps_the_amount_and_is_counted() -> None:
    extra = [*TRANSACTIONS, txn("T20", D(2026, 2, 2), "C9", "invoice", 10)]  # unknown customer: no category
    report = revenue(make_book(transactions=extra), *YEAR, tax="excluded")
    assert report.control.lines_without_rate == 1
    assert report.lines.set_index("txn_id").at["T20", "net_sales"] == 1000


def test_amounts_entered_without_tax() -> None:
    book = make_book(amounts_include_tax="FALSE")
    as_entered = revenue(book, *YEAR)
    assert as_entered.parameters.tax == "excluded" and not as_entered.parameters.tax_stripped
    assert as_entered.control_total == 211970  # already net: nothing to strip
    assert revenue(book, *YEAR, tax="excluded").control_total == 211970
    with pytest.raises(UsageError, match="without tax"):
        revenue(book, *YEAR, tax="included")


def test_default_is_as_entered() -> None:
    report = revenue(make_book(), *YEAR)
    assert report.parameters.tax == "included" and report.control.tax == 0


# ---------------------------------------------------------------- reclassification

MOVE = D(2026, 7, 1)  # C1 moves from Retail East (010101, 9%) to Export Japan (020101, 0%)


def moved_book() -> Book:
    customers = [{**c, "category_code": "020101"} if c["code"] == "C1" else c for c in CUSTOMERS]
    history = [h for h in HISTORY if h["customer_code"] != "C1"] + [
        {"customer_code": "C1", "category_code": "010101", "valid_from": D(2020, 1, 1), "valid_to": MOVE},
        {"customer_code": "C1", "category_code": "020101", "valid_from": MOVE},
    ]
    return make_book(customers=customers, history=history)


def test_historical_figures_before_the_move_do_not_change() -> None:
    before = revenue(make_book(), *YEAR, by="month")
    after = revenue(moved_book(), *YEAR, by="month")
    early = {k: v for k, v in cells(before).items() if k[0] < "2026-07"}
    assert {k: v for k, v in cells(after).items() if k[0] < "2026-07"} == early
    # From the move on, C1's August invoice is export.
    assert cells(after)[("2026-08", "020101")] == 21800
    assert ("2026-08", "010101") not in cells(after)
    assert after.reconciliation.empty is False  # January's invoice is East on one basis, Japan on the other
    assert after.control_total == before.control_total


def test_current_basis_moves_everything() -> None:
    current = revenue(moved_book(), *YEAR, by="month", basis="current")
    historical = revenue(moved_book(), *YEAR, by="month")
    assert cells(current)[("2026-01", "020101")] == 113000
    assert ("2026-01", "010101") not in cells(current)
    assert cells(current)[("2026-08", "020101")] == 21800
    assert current.control_total == historical.control_total
    for report in (current, historical):
        rec = report.reconciliation
        assert rec[["customer_code", "customer_name", "from_category", "to_category", "lines"]].values.tolist() == [
            ["C1", "East shop", "010101", "020101", 1]]
        assert int(rec["net_sales"].sum()) == 113000
        assert rec["first_date"].iloc[0].date() == D(2026, 1, 1)
    diff = {r.category_code: (int(r.historical), int(r.current), int(r.difference))
            for r in historical.basis_difference.itertuples()}
    assert diff == {"01": (133170, 20170, -113000), "0101": (123170, 10170, -113000),
                    "010101": (113000, 0, -113000), "02": (78800, 191800, 113000),
                    "0201": (78800, 191800, 113000), "020101": (78800, 191800, 113000)}


def test_tax_follows_the_category_in_force_on_either_basis() -> None:
    historical = revenue(moved_book(), *YEAR, tax="excluded")
    current = revenue(moved_book(), *YEAR, tax="excluded", basis="current")
    # January's invoice was charged 9% VAT as Retail East; that stays true on the current basis.
    for report in (historical, current):
        assert report.lines.set_index("txn_id").at["T02", "net_sales"] == exact_net(113000, "0.09")
        assert report.lines.set_index("txn_id").at["T10", "net_sales"] == 21800  # export, 0%
    assert historical.control_total == current.control_total
    assert sum(cells(current, 1).values()) == current.control_total


def test_a_line_before_any_history_period_is_reported_as_a_fallback() -> None:
    history = [h for h in HISTORY if h["customer_code"] != "C2"] + [
        {"customer_code": "C2", "category_code": "010102", "valid_from": D(2026, 3, 1)}]
    report = revenue(make_book(history=history), *YEAR)
    fb = report.history_fallbacks
    assert fb[["customer_code", "category_code", "lines"]].values.tolist() == [["C2", "010102", 2]]
    assert int(fb["net_sales"].iloc[0]) == 22600 - 11300
    assert report.control.history_fallback_lines == 2


def test_without_history_both_bases_agree() -> None:
    historical = revenue(make_book(history=None), *YEAR, by="quarter")
    current = revenue(make_book(history=None), *YEAR, by="quarter", basis="current")
    assert cells(historical) == cells(current)
    assert historical.reconciliation.empty and historical.basis_difference.empty
    assert historical.history_fallbacks.empty  # no history at all is not a fallback


# ------------------------------------------------------------------- control totals


def test_a_report_that_does_not_tie_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    real = revenue_module.sheet_control

    def off_by_a_cent(*args, **kw):
        totals = real(*args, **kw)
        return type(totals)(**{**totals.__dict__, "gross": totals.gross + 1, "invoices": totals.invoices + 1,
                               "net": totals.net + 1})

    monkeypatch.setattr(revenue_module, "sheet_control", off_by_a_cent)
    with pytest.raises(RevenueImbalance, match="does not tie"):
        revenue(make_book(), *YEAR)


@pytest.mark.parametrize(("kw", "message"), [
    ({"by": "week"}, "month, quarter, year"),
    ({"basis": "today"}, "historical or current"),
    ({"level": 0}, "between 1 and 3"),
    ({"level": 4}, "between 1 and 3"),
    ({"tax": "maybe"}, "included or excluded"),
])
def test_bad_arguments(kw: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        revenue(make_book(), *YEAR, **kw)
    with pytest.raises(UsageError, match="starts after it ends"):
        revenue(make_book(), D(2026, 2, 1), D(2026, 1, 31))


# ---------------------------------------------------------------------- JSON and sheet


def test_json_document() -> None:
    doc = revenue(moved_book(), *YEAR, by="quarter", level=2, tax="excluded").to_json()
    assert set(doc) >= {"items", "control_total", "reconciliation", "parameters", "totals", "control"}
    assert all(set(i) == {"period", "category_code", "name", "level", "net_sales"} for i in doc["items"])
    assert {i["level"] for i in doc["items"]} == {1, 2}
    assert set(doc["parameters"]) == {"from", "to", "by", "level", "basis", "tax", "as_of", "data_hash"}
    assert doc["parameters"]["from"] == "2026-01-01" and doc["parameters"]["as_of"] == "2026-12-31"
    assert doc["control_total"] == doc["control"]["net"] == round(sum(t["net_sales"] for t in doc["totals"]), 2)
    assert doc["reconciliation"][0]["from_category"] == "010101"
    assert doc["reconciliation"][0]["first_date"] == "2026-01-01"
    assert doc["totals"][0] == {"period": "2026Q1", "start": "2026-01-01", "end": "2026-03-31",
                                "net_sales": doc["totals"][0]["net_sales"]}


def test_wide_layout_and_output_sheet() -> None:
    report = revenue(make_book(), *YEAR, by="quarter")
    wide = report.wide()
    assert wide.columns.tolist() == ["category_code", "name", "level", "2026Q1", "2026Q2", "2026Q3", "2026Q4",
                                     "total"]
    assert wide["category_code"].tolist() == [c["code"] for c in CATEGORIES]  # every category, tree order
    assert wide.set_index("category_code").at["0102", "2026Q2"] == 10000
    assert (wide[wide["level"] == 1]["total"].sum()) == report.control_total
    sheet = revenue_sheet(report, "zh")
    assert sheet.name == "分类收入"
    rows = list(sheet.rows)
    assert rows[2][1] == "    Retail East"  # indented by level
    assert rows[-1][1] == "合计" and rows[-1][-1] == report.control_total
    assert "控制合计" in sheet.title
