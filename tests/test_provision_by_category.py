"""Provision rates per category (坏账准备按客户分类), inherited down the tree (issue 14, point 6)."""

from __future__ import annotations

from datetime import date as D
from decimal import ROUND_HALF_UP, Decimal

import pytest

from xlcust.book import Book
from xlcust.checks import run_checks
from xlcust.demo import demo_data
from xlcust.ledger import build_ledger
from xlcust.schema import CATEGORIES, CUSTOMERS, TRANSACTIONS
from xlcust.views.outputs import ledger_sheets

AS_OF = D(2026, 9, 30)
CATS = [
    {"code": "01", "name": "Building", "provision_rates": "0,10%,20%,30%,50%,100%"},
    {"code": "0101", "name": "Large"},  # inherits 01's
    {"code": "0102", "name": "Small", "provision_rates": "0,0,0,0,0,0.5"},  # its own
    {"code": "02", "name": "Retail"},
    {"code": "0201", "name": "East", "provision_rates": "half"},  # not rates: Settings' apply
]
CUSTS = [{"code": c, "name": c, "category_code": cat} for c, cat in
         (("C1", "0101"), ("C2", "0102"), ("C3", "0201"), ("C4", "0101"))]


def inv(txn: str, who: str, due: D, amount: str) -> dict:
    return {"txn_id": txn, "date": D(2025, 12, 1), "customer_code": who, "kind": "invoice", "amount": amount,
            "due_date": due}


TXNS = [
    inv("I1", "C1", D(2026, 9, 15), "1000.05"),  # 15 days overdue: 1-30 → 10 % (01's) = 100.005 → 100.01
    inv("I2", "C2", D(2026, 1, 31), "1000"),  # 242 days: >180 → 50 % (0102's own) = 500.00
    inv("I3", "C3", D(2026, 9, 15), "1000"),  # 1-30 → Settings 1 % = 10.00
    inv("I4", "C4", D(2026, 7, 1), "333.33"),  # 91 days: 91-180 → 50 % (01's) = 166.665 → 166.67
    inv("I5", "C4", D(2026, 10, 30), "99.99"),  # not due → 0
]


def book(**settings: object) -> Book:
    return Book.from_rows(settings={"as_of": AS_OF.isoformat(), **settings}, categories=CATS, customers=CUSTS,
                          transactions=TXNS)


def cents(yuan: str) -> int:
    return int((Decimal(yuan) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_each_customer_gets_its_categorys_rates_or_an_ancestors_or_settings() -> None:
    report = build_ledger(book()).provision()
    by = report.by_customer.set_index("customer_code")
    assert by["provision"].to_dict() == {"C1": cents("100.01"), "C2": cents("500"), "C3": cents("10"),
                                         "C4": cents("166.67")}
    assert by["rate_source"].to_dict() == {"C1": "01", "C2": "0102", "C3": None, "C4": "01"}
    assert set(report.rate_sets) == {"01", "0102"}
    assert report.rate_sets["0102"][-1] == Decimal("0.5")


def test_totals_tie_to_the_cent_through_the_tree() -> None:
    report = build_ledger(book()).provision()
    assert report.total == cents("100.01") + cents("500") + cents("10") + cents("166.67")
    by_cat = report.by_category.set_index("category_code")["provision"]
    assert by_cat["01"] == by_cat["0101"] + by_cat["0102"] == cents("100.01") + cents("500") + cents("166.67")
    assert by_cat["01"] + by_cat["02"] == report.total
    assert report.to_json()["category_rates"]["01"]["1-30"] == 0.1


def test_without_category_rates_nothing_changes() -> None:
    plain = [{k: v for k, v in c.items() if k != "provision_rates"} for c in CATS]
    b = Book.from_rows(settings={"as_of": AS_OF.isoformat()}, categories=plain, customers=CUSTS, transactions=TXNS)
    report = build_ledger(b).provision()
    assert report.rate_sets == {} and report.by_customer["rate_source"].isna().all()
    # Settings' default rates: 1-30 1 %, 91-180 30 %, >180 100 %
    assert report.total == cents("10.0005") + cents("1000") + cents("10") + cents("99.999")


def test_a_bad_or_short_cell_is_a_finding_on_it() -> None:
    short = [*CATS[:4], {"code": "0201", "name": "East", "provision_rates": "0,5%"}]
    nan = [*CATS[:4], {"code": "0201", "name": "East", "provision_rates": "nan"}]
    for categories, problem in ((CATS, "half"), (short, "2 provision rate(s) for 6 aging buckets"), (nan, "nan")):
        b = Book.from_rows(settings={"as_of": AS_OF.isoformat()}, categories=categories, customers=CUSTS,
                           transactions=TXNS)
        found = [f for f in run_checks(b) if f.code == "CAT_PROVISION_RATES"]
        assert [(f.row, f.field) for f in found] == [(6, "provision_rates")]
        assert problem in f"{found[0].message}" and found[0].suggestion
        if categories is nan:  # not a rate: Settings' 1 % for 1-30 days, no traceback
            assert build_ledger(b).provision().by_customer.set_index("customer_code")["provision"]["C3"] == 1000


@pytest.mark.parametrize(("lang", "settings_word", "header"), [("en", "Settings", "Rates from"),
                                                              ("zh", "设置", "计提比例来源")])
def test_the_provision_sheet_names_the_rate_set(lang: str, settings_word: str, header: str) -> None:
    b = book()
    sheet = next(s for s in ledger_sheets(b, build_ledger(b), lang) if s.name in ("Provision", "坏账准备"))
    column = [c.header for c in sheet.columns].index(header)
    assert dict(zip(sheet.rows[0], sheet.rows[column], strict=True)) == {"C1": "01", "C2": "0102",
                                                                         "C3": settings_word, "C4": "01"}
    assert "01, 0102" in sheet.title


def test_the_demo_has_category_rates_that_apply() -> None:
    rows = demo_data().rows
    own = {r["code"]: r["provision_rates"] for r in rows[CATEGORIES.key] if r.get("provision_rates")}
    assert set(own) == {"03", "0401"}
    b = Book.from_rows(settings={r["key"]: r["value"] for r in rows["Settings"]}, categories=rows[CATEGORIES.key],
                       customers=rows[CUSTOMERS.key], transactions=rows[TRANSACTIONS.key])
    assert not [f for f in run_checks(b) if f.code == "CAT_PROVISION_RATES"]
    report = build_ledger(b).provision()
    by = report.by_customer
    construction = by["category_code"].str.startswith("03")
    assert (by.loc[construction, "rate_source"] == "03").all() and construction.sum() > 10
    assert by.loc[by["category_code"].str.startswith("0401"), "rate_source"].eq("0401").all()
    assert int(by["provision"].sum()) == report.total
