"""grade_customers on small inline books: dimensions from the ledger, NEW, explanations, risk table, exposure."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.credit import credit_exposure, grade_customers, parameters
from xlcust.ledger import build_ledger

D = dt.date
AS_OF = D(2026, 9, 30)
CATEGORIES = [
    {"code": "01", "name": "Domestic", "credit_limit": 10000},
    {"code": "0101", "name": "Retail"},
    {"code": "02", "name": "Export"},
]


def monthly(code: str, first: D, months: int, amount: float, late: int | list[int] = 0,
            terms: int = 30) -> list[dict]:
    """An invoice on the 5th of each month, paid (by reference) `late` days after its due date."""
    rows = []
    for i in range(months):
        y, m = divmod(first.month - 1 + i, 12)
        day = D(first.year + y, m + 1, 5)
        if day > AS_OF:
            break
        due = day + dt.timedelta(days=terms)
        txn = f"{code}-I{i:02d}"
        rows.append({"txn_id": txn, "date": day, "customer_code": code, "kind": "invoice", "amount": amount,
                     "due_date": due})
        paid = due + dt.timedelta(days=late[i] if isinstance(late, list) else late)
        if paid <= AS_OF:
            rows.append({"txn_id": f"{code}-R{i:02d}", "date": paid, "customer_code": code, "kind": "receipt",
                         "amount": amount, "reference": txn})
    return rows


def customer(code: str, **extra: object) -> dict:
    return {"code": code, "name": f"Customer {code}", "category_code": "0101", **extra}


def book_of(customers: list[dict], transactions: list[dict], risk: list[dict] | None = None,
            **settings: object) -> Book:
    return Book.from_rows(settings={"as_of": AS_OF.isoformat(), "coding_scheme": "2-2", **settings},
                          categories=CATEGORIES, customers=customers, transactions=transactions, risk=risk)


def graded(book: Book) -> pd.DataFrame:
    return grade_customers(book, build_ledger(book))


@pytest.fixture(scope="module")
def four() -> pd.DataFrame:
    """A big prompt payer, a small late payer, a mid one, and a newcomer."""
    book = book_of(
        [customer("BIG", industry="IT", region="上海", opened_on=D(2020, 1, 1)),
         customer("LATE", industry="Construction", region="四川"),
         customer("MID"),
         customer("NEWC", opened_on=D(2026, 8, 1))],
        [*monthly("BIG", D(2023, 10, 1), 36, 50000),
         *monthly("LATE", D(2024, 8, 1), 24, 2000, late=45),  # the last one paid 2026-09-18
         *monthly("MID", D(2025, 10, 1), 12, 10000, late=10),
         *monthly("NEWC", D(2026, 8, 1), 2, 3000)],
        risk=[{"kind": "industry", "name": "IT", "score": 90}, {"kind": "行业", "name": "construction", "score": 40},
              {"kind": "region", "name": "上海", "score": 80}],
    )
    return graded(book)


def test_frame_shape(four: pd.DataFrame) -> None:
    assert four.index.name == "customer_code"
    assert list(four.index) == ["BIG", "LATE", "MID", "NEWC"]
    for column in ("scale", "payment", "stability", "risk", "score", "grade", "explanation", "explanation_zh",
                   "revenue_12m", "avg_days_late", "overdue_90_share", "active_months_12m", "first_txn_date",
                   "months_since_last_txn", "balance", "credit_limit", "exposure", "available_credit",
                   "over_limit", "near_limit"):
        assert column in four.columns, column
    assert four.attrs["as_of"] == AS_OF
    assert "revenue_12m" in four.attrs["money_columns"] and "exposure" in four.attrs["money_columns"]


def test_dimensions_come_from_the_ledger(four: pd.DataFrame) -> None:
    big, late, mid = four.loc["BIG"], four.loc["LATE"], four.loc["MID"]
    assert big["revenue_12m"] == 12 * 50000_00
    assert (big["scale"], mid["scale"], late["scale"], four.loc["NEWC", "scale"]) == (100, 75, 50, 25)
    assert big["payment_days_late"] == 0 and big["payment"] == 100
    assert late["payment_days_late"] == 45 and late["payment"] == 37.5
    assert mid["payment_days_late"] == 10 and mid["payment"] == 86.7
    # BIG: opened 2020, well over 36 months, active every month; MID: a year, active 12 of 12.
    assert big["tenure_months"] == 80 and big["stability"] == 100
    assert mid["tenure_months"] == 11 and mid["stability"] == pytest.approx(50 * 11 / 36 + 50, abs=0.05)
    assert (big["industry_risk"], big["region_risk"], big["risk"]) == (90, 80, 85)
    assert (late["industry_risk"], late["region_risk"], late["risk"]) == (40, 70, 55)
    assert (late["industry_risk_source"], late["region_risk_source"]) == ("listed", "neutral")
    assert mid["risk"] == 70


def test_score_is_the_weighted_mean_of_the_shown_dimensions(four: pd.DataFrame) -> None:
    for _, r in four.iterrows():
        expected = (25 * r["scale"] + 40 * r["payment"] + 20 * r["stability"] + 15 * r["risk"]) / 100
        assert r["score"] == pytest.approx(expected, abs=0.051)


def test_grades_and_new(four: pd.DataFrame) -> None:
    assert four["grade"].to_dict() == {"BIG": "A", "LATE": "C", "MID": "B", "NEWC": "NEW"}
    assert four.loc["NEWC", "score"] > 0  # a provisional score is still shown


def test_explanations(four: pd.DataFrame) -> None:
    big, late, new = four.loc["BIG"], four.loc["LATE"], four.loc["NEWC"]
    assert big["explanation"].startswith(f"A {big['score']}: carried by payment 100×40% (pays on time")
    assert "scale 100×25% (12-month net sales 600,000.00" in big["explanation"]
    assert late["explanation"].startswith(f"C {late['score']}: payment 37.5×40% dragged it down: avg 45 days late")
    assert late["explanation_zh"].startswith(f"C {late['score']}：回款 37.5×40% 拉低了评分：平均逾期 45 天")
    assert "also scale 50×25%: 12-month net sales 20,000.00, percentile 50 of active customers" in late["explanation"]
    assert new["explanation"].startswith("NEW: 2 invoices, first transaction 2026-08-05 (a grade needs 3 invoices")
    assert new["explanation"].endswith(f"provisional score {new['score']}")
    assert new["explanation_zh"].startswith("新客户：2 张发票，首笔交易 2026-08-05")


def test_explanation_names_the_risk_table_evidence(four: pd.DataFrame) -> None:
    book = book_of([customer("X", industry="Construction", region="四川")],
                   monthly("X", D(2025, 1, 1), 21, 1000, late=60),
                   risk=[{"kind": "industry", "name": "Construction", "score": 0},
                         {"kind": "region", "name": "*", "score": 20}],
                   weight_scale=0, weight_payment=10, weight_stability=10, weight_risk=80)
    row = graded(book).loc["X"]
    assert row["risk"] == 10 and row["region_risk_source"] == "default"
    assert ": industry Construction 0, region 四川 20 (the * row)" in row["explanation"]
    assert "行业 Construction 0，地区 四川 20（* 行）" in row["explanation_zh"]


def test_without_a_risk_sheet_risk_is_neutral_and_says_so() -> None:
    book = book_of([customer("X", industry="Construction")], monthly("X", D(2025, 1, 1), 21, 1000, late=60),
                   weight_scale=0, weight_payment=0, weight_stability=0, weight_risk=100)
    frame = graded(book)
    assert frame.attrs["risk_table"] is False
    row = frame.loc["X"]
    assert (row["risk"], row["score"], row["grade"]) == (70, 70, "B")
    assert row["explanation"] == "B 70: risk 70×100% dragged it down: no Risk sheet: neutral 70"


def test_weights_from_settings_change_the_score() -> None:
    customers = [customer("X")]
    txns = monthly("X", D(2025, 1, 1), 18, 1000, late=60)  # all settled 60 days late: payment 20
    payment_heavy = graded(book_of(customers, txns, weight_scale=5, weight_payment=85, weight_stability=5,
                                   weight_risk=5)).loc["X"]
    payment_light = graded(book_of(customers, txns, weight_scale=40, weight_payment=10, weight_stability=40,
                                   weight_risk=10)).loc["X"]
    assert payment_heavy["payment"] == payment_light["payment"] == 20
    assert payment_heavy["score"] < 35 < payment_light["score"]
    assert "×85%" in payment_heavy["explanation"]


def test_thresholds_from_settings_change_the_grade() -> None:
    book = book_of([customer("X")], monthly("X", D(2025, 1, 1), 21, 1000, late=5))
    score = graded(book).loc["X", "score"]
    assert graded(book_of([customer("X")], monthly("X", D(2025, 1, 1), 21, 1000, late=5),
                          grade_a_min=int(score), grade_b_min=1, grade_c_min=0)).loc["X", "grade"] == "A"
    assert graded(book_of([customer("X")], monthly("X", D(2025, 1, 1), 21, 1000, late=5),
                          grade_a_min=100, grade_b_min=99, grade_c_min=int(score) + 1)).loc["X", "grade"] == "D"


@pytest.mark.parametrize(
    ("months", "first", "grade_is_new"),
    [
        (2, D(2025, 1, 1), True),  # 2 invoices only (then stopped)
        (3, D(2026, 7, 1), True),  # 3 invoices, first one 87 days before the as-of date
        (3, D(2026, 6, 1), False),  # 3 invoices, 117 days
    ],
)
def test_new_rule(months: int, first: D, grade_is_new: bool) -> None:
    frame = graded(book_of([customer("X")], monthly("X", first, months, 1000)))
    assert (frame.loc["X", "grade"] == "NEW") is grade_is_new


def test_customer_without_transactions_is_new() -> None:
    frame = graded(book_of([customer("X"), customer("Y")], monthly("Y", D(2025, 1, 1), 21, 1000)))
    row = frame.loc["X"]
    assert row["grade"] == "NEW" and row["explanation"].startswith("NEW: no transactions yet")
    assert row["scale"] == 0 and row["payment"] == 70


def test_open_overdue_invoices_count_in_payment() -> None:
    """A customer who stopped paying: nothing settled, but its open invoices are late so far."""
    txns = monthly("X", D(2025, 10, 1), 12, 1000, late=[0] * 6 + [999] * 6)
    row = graded(book_of([customer("X")], txns)).loc["X"]
    # Open since due dates 2026-05-05 … 2026-10-05; those past due count their days so far.
    assert row["payment_days_late"] > 30
    assert pd.isna(row["avg_days_late"]) or row["avg_days_late"] == 0  # the ledger figure: settled items only


# ------------------------------------------------------------------------ exposure


def _exposure_book(**settings: object) -> Book:
    def owes(code: str, amount: float) -> dict:
        return {"txn_id": f"{code}-1", "date": D(2026, 9, 1), "customer_code": code, "kind": "invoice",
                "amount": amount}

    return book_of(
        [customer("OVER", credit_limit=1000), customer("NEAR", credit_limit=1000), customer("FINE", credit_limit=1000),
         customer("EXACT", credit_limit=1000), customer("CAT"), customer("NONE", category_code="02"),
         customer("PAID", credit_limit=1000), customer("ZERO", credit_limit=0)],
        [owes("OVER", 1200), owes("NEAR", 900), owes("FINE", 899.99), owes("EXACT", 1000), owes("CAT", 9500),
         owes("NONE", 5000), owes("ZERO", 1), owes("GHOST", 700),
         {"txn_id": "P1", "date": D(2026, 9, 2), "customer_code": "PAID", "kind": "receipt", "amount": 300}],
        **settings,
    )


def test_exposure_flags() -> None:
    book = _exposure_book()
    frame = credit_exposure(book, build_ledger(book))
    flags = {code: (r["over_limit"], r["near_limit"]) for code, r in frame.iterrows()}
    assert flags == {
        "CAT": (False, True), "EXACT": (False, True), "FINE": (False, False), "GHOST": (False, False),
        "NEAR": (False, True), "NONE": (False, False), "OVER": (True, False), "PAID": (False, False),
        "ZERO": (True, False),
    }
    assert frame.loc["OVER", "exposure"] == 120000 and frame.loc["OVER", "available_credit"] == -20000
    assert frame.loc["CAT", "credit_limit"] == 1000000  # inherited from category 01 (0101 has none)
    assert pd.isna(frame.loc["NONE", "credit_limit"]) and pd.isna(frame.loc["NONE", "available_credit"])
    assert frame.loc["PAID", "exposure"] == 0  # in credit: owes nothing
    assert frame.loc["NEAR", "credit_used"] == pytest.approx(0.9)
    assert pd.isna(frame.loc["ZERO", "credit_used"])


def test_settings_default_limit_applies_to_unlisted_and_unregistered() -> None:
    book = _exposure_book(default_credit_limit=600)
    frame = credit_exposure(book, build_ledger(book))
    assert frame.loc["NONE", "credit_limit"] == 60000 and frame.loc["NONE", "over_limit"]
    assert frame.loc["GHOST", "credit_limit"] == 60000 and frame.loc["GHOST", "over_limit"]


def test_grades_carry_the_exposure_columns() -> None:
    book = _exposure_book()
    frame = graded(book)
    assert frame.loc["OVER", "over_limit"] and frame.loc["NEAR", "near_limit"]
    assert frame.loc["GHOST", "source_row"] is pd.NA and frame.loc["OVER", "source_row"] == 2


def test_parameters() -> None:
    p = parameters(book_of([], [], risk=[{"kind": "industry", "name": "IT", "score": 90}], weight_scale=30,
                           weight_payment=35))
    assert p["weights"] == {"scale": 30, "payment": 35, "stability": 20, "risk": 15}
    assert p["thresholds"] == {"A": 80, "B": 65, "C": 50}
    assert p["risk_table"] == {"present": True, "rows": 1}
    assert p["new_customer"] == {"min_invoices": 3, "min_days": 90}


def test_codes_only_in_transactions_without_a_customers_sheet_row() -> None:
    book = book_of([], monthly("GHOST", D(2025, 1, 1), 18, 1000), default_credit_limit=500)
    row = graded(book).loc["GHOST"]
    assert row["source_row"] is pd.NA and row["industry"] is None and row["status"] is None
    assert row["credit_limit"] == 50000 and row["grade"] in ("A", "B", "C", "D")
    assert row["tenure_months"] == 20  # from the first transaction, 2025-01-05
