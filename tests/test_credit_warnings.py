"""Early warnings: each one raised on a small ledger that has the story, and not on one that does not."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xlcust.book import Book
from xlcust.credit import WARNINGS, early_warnings
from xlcust.credit.warnings import COLUMNS, poisson_cdf
from xlcust.ledger import build_ledger

D = dt.date
AS_OF = D(2026, 9, 30)
CATEGORIES = [{"code": "01", "name": "Domestic"}, {"code": "0101", "name": "Retail"}, {"code": "0102", "name": "Web"}]


def month(first: D, i: int, day: int) -> D:
    y, m = divmod(first.month - 1 + i, 12)
    return D(first.year + y, m + 1, day)


class Ledger:
    """Transactions of one test, written month by month."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def invoice(self, code: str, on: D, amount: float = 1000, due: D | None = None,
                paid: D | None = None) -> str:
        txn = f"{code}-I{len(self.rows):04d}"
        self.rows.append({"txn_id": txn, "date": on, "customer_code": code, "kind": "invoice", "amount": amount,
                          "due_date": due or on + dt.timedelta(days=30)})
        if paid is not None and paid <= AS_OF:
            self.rows.append({"txn_id": f"{code}-R{len(self.rows):04d}", "date": paid, "customer_code": code,
                              "kind": "receipt", "amount": amount, "reference": txn})
        return txn


def warnings_of(rows: list[dict], customers: list[dict] | None = None, **settings: object) -> pd.DataFrame:
    codes = sorted({r["customer_code"] for r in rows})
    customers = customers or [{"code": c, "name": f"Customer {c}", "category_code": "0101"} for c in codes]
    book = Book.from_rows(settings={"as_of": AS_OF.isoformat(), "coding_scheme": "2-2", **settings},
                          categories=CATEGORIES, customers=customers, transactions=rows)
    frame = early_warnings(book, build_ledger(book))
    assert list(frame.columns) == COLUMNS
    assert set(frame["code"]) <= set(WARNINGS)
    return frame


def codes_for(frame: pd.DataFrame, who: str) -> list[str]:
    return frame.loc[(frame["customer_code"] == who) | (frame["category_code"] == who) & frame["customer_code"].isna(),
                     "code"].tolist()


# ------------------------------------------------------------------ payment rhythm


def rhythm_ledger(last_two_late: tuple[int, int], pay_days: list[int] | None = None) -> list[dict]:
    """Invoices on the 1st due on the 10th, paid on the 10th (or on `pay_days`), 2025-06 … 2026-06;
    then two more (due 2026-07-10 and 2026-08-10) paid `last_two_late` days late."""
    led = Ledger()
    first = D(2025, 6, 1)
    for i in range(13):
        due = month(first, i, 10)
        paid = month(first, i, pay_days[i]) if pay_days else due
        led.invoice("R", month(first, i, 1), due=due, paid=max(paid, due))
    for i, late in zip((13, 14), last_two_late, strict=True):
        due = month(first, i, 10)
        led.invoice("R", month(first, i, 1), due=due, paid=due + dt.timedelta(days=late))
    return led.rows


def test_payment_rhythm_broken() -> None:
    frame = warnings_of(rhythm_ledger((23, 41)))
    row = frame[frame["code"] == "PAY_RHYTHM_BROKEN"].iloc[0]
    assert row["customer_code"] == "R" and row["category_code"] == "0101"
    assert row["message"].startswith("paid on about day 10 of the month (11 of 11 receipts in the 12 months to "
                                     "2026-07-10); last two invoices R-I")
    assert row["message"].endswith("are 23 and 41 days late, usually 0")
    assert "分别逾期 23、41 天" in row["message_zh"]


def test_payment_rhythm_kept_is_not_a_warning() -> None:
    assert "PAY_RHYTHM_BROKEN" not in codes_for(warnings_of(rhythm_ledger((0, 2))), "R")


def test_no_rhythm_no_warning() -> None:
    """Paid late at the end, but never on a regular day of the month before."""
    scattered = [10, 25, 17, 3, 28, 12, 21, 6, 15, 27, 19, 11, 24]
    assert "PAY_RHYTHM_BROKEN" not in codes_for(warnings_of(rhythm_ledger((23, 41), scattered)), "R")


def test_rhythm_late_at_the_usual_lateness_is_not_a_warning() -> None:
    """Always paid on the 10th, 20 days after the due date: 23 and 26 days late is nothing new."""
    led = Ledger()
    first = D(2025, 6, 1)
    for i in range(15):
        due = month(first, i, 20) - dt.timedelta(days=30)
        late = (23, 26)[i - 13] if i >= 13 else 20
        led.invoice("R", month(first, i, 1) - dt.timedelta(days=40), due=due, paid=due + dt.timedelta(days=late))
    assert "PAY_RHYTHM_BROKEN" not in codes_for(warnings_of(led.rows), "R")


# ---------------------------------------------------------------------- worsening


def worsening_ledger(recent_late: int) -> list[dict]:
    led = Ledger()
    for i in range(20):  # due 2025-02-04 … 2026-09-04
        on = month(D(2024, 12, 1), i, 5)
        late = recent_late if on >= D(2026, 3, 1) else 2
        led.invoice("W", on, paid=on + dt.timedelta(days=30 + late))
    return led.rows


def test_payment_worsening() -> None:
    frame = warnings_of(worsening_ledger(50))
    row = frame[frame["code"] == "PAY_WORSENING"].iloc[0]
    assert row["customer_code"] == "W"
    assert row["message"].startswith("invoices due in the last 6 months average ")
    assert "against 2 days for the 12 due in the 12 months before" in row["message"]


def test_steady_payer_is_not_worsening() -> None:
    assert "PAY_WORSENING" not in codes_for(warnings_of(worsening_ledger(2)), "W")


def test_habitually_late_payer_is_not_worsening() -> None:
    led = Ledger()
    for i in range(20):
        on = month(D(2024, 12, 1), i, 5)
        led.invoice("L", on, paid=on + dt.timedelta(days=30 + 45))
    assert "PAY_WORSENING" not in codes_for(warnings_of(led.rows), "L")


# ---------------------------------------------------------------- order volume drop


def volume_ledger(per_month_before: int, per_month_recent: int) -> list[dict]:
    led = Ledger()
    for i in range(12):  # 2025-10 … 2026-09
        n = per_month_recent if i >= 9 else per_month_before
        for k in range(n):
            on = month(D(2025, 10, 1), i, 2 + k)
            led.invoice("V", on, paid=on + dt.timedelta(days=20))
    led.invoice("V", D(2026, 9, 25), amount=1)  # still trading: not dormant
    return led.rows


def test_order_volume_drop() -> None:
    frame = warnings_of(volume_ledger(4, 0))
    row = frame[frame["code"] == "ORDER_VOLUME_DROP"].iloc[0]
    assert row["customer_code"] == "V"
    assert row["message"] == ("1 invoice(s) (1.00) in the 3 months to 2026-09-30, against 12.0 a quarter "
                              "(12,000.00) in the 9 months before")


def test_steady_volume_is_not_a_drop() -> None:
    assert "ORDER_VOLUME_DROP" not in codes_for(warnings_of(volume_ledger(4, 4)), "V")


def test_a_quiet_quarter_of_a_rare_buyer_is_chance() -> None:
    """Two invoices a quarter, then one: half, but that happens by chance a third of the time."""
    led = Ledger()
    for on in (D(2025, 10, 5), D(2025, 12, 5), D(2026, 1, 5), D(2026, 2, 5), D(2026, 4, 5), D(2026, 6, 5),
               D(2026, 8, 5)):
        led.invoice("V", on, paid=on + dt.timedelta(days=20))
    assert "ORDER_VOLUME_DROP" not in codes_for(warnings_of(led.rows), "V")


def test_poisson_cdf() -> None:
    assert poisson_cdf([0, 1, 2], [2.0, 2.0, 2.0]).round(4).tolist() == [0.1353, 0.406, 0.6767]
    assert poisson_cdf([0], [12.0])[0] < 1e-5


# -------------------------------------------------------------------------- dormant


def test_dormant() -> None:
    led = Ledger()
    for i in range(6):
        on = month(D(2025, 1, 1), i, 5)
        led.invoice("Z", on, paid=on + dt.timedelta(days=10))  # last receipt 2025-06-15
    led.invoice("Y", D(2026, 9, 1))
    frame = warnings_of(led.rows)
    assert codes_for(frame, "Z") == ["DORMANT"]
    assert frame.loc[frame["customer_code"] == "Z", "message"].item() == (
        "no transaction for 15 months (last on 2025-06-15; dormant after 6)")
    assert "DORMANT" not in codes_for(frame, "Y")


def test_dormant_follows_settings_and_status() -> None:
    led = Ledger()
    led.invoice("Z", D(2026, 1, 5))  # open, 8 months idle
    led.invoice("S", D(2026, 1, 5))
    customers = [{"code": "Z", "name": "Z", "category_code": "0101"},
                 {"code": "S", "name": "S", "category_code": "0101", "status": "停用"}]
    frame = warnings_of(led.rows, customers)
    assert codes_for(frame, "Z") == ["DORMANT"] and "balance 1,000.00 still owed" in frame["message"].iloc[0]
    assert codes_for(frame, "S") == []  # the user already marked it
    assert codes_for(warnings_of(led.rows, customers, dormant_months=9), "Z") == []


# ---------------------------------------------------------------------- credit limit


def test_credit_limit_warnings() -> None:
    led = Ledger()
    led.invoice("O", D(2026, 9, 1), amount=1500)
    led.invoice("N", D(2026, 9, 1), amount=950)
    led.invoice("F", D(2026, 9, 1), amount=100)
    customers = [{"code": c, "name": c, "category_code": "0101", "credit_limit": 1000} for c in "ONF"]
    frame = warnings_of(led.rows, customers)
    assert codes_for(frame, "O") == ["CREDIT_OVER_LIMIT"] and codes_for(frame, "N") == ["CREDIT_NEAR_LIMIT"]
    assert codes_for(frame, "F") == []
    assert frame.loc[frame["customer_code"] == "O", "message"].item() == (
        "exposure 1,500.00 against a credit limit of 1,000.00 (150% used)")


# ------------------------------------------------------------- slower categories


def category_ledger(days_by_quarter: tuple[int, int, int, int], category_customers: int = 2) -> list[dict]:
    """Six invoices settled in each quarter of the year to the as-of date, per customer, taking these days."""
    led = Ledger()
    quarter_starts = (D(2025, 10, 1), D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1))
    for c in range(category_customers):
        for start, days in zip(quarter_starts, days_by_quarter, strict=True):
            for k in range(3):
                settled = start + dt.timedelta(days=10 + 25 * k)
                led.invoice(f"K{c}", settled - dt.timedelta(days=days), due=settled, paid=settled)
    return led.rows


def test_category_settling_slower() -> None:
    frame = warnings_of(category_ledger((30, 35, 42, 50)))
    rows = frame[frame["code"] == "SETTLEMENT_SLOWER"]
    assert rows["category_code"].tolist() == ["01", "0101"]  # the leaf and its parent
    assert rows["customer_code"].isna().all()
    assert rows.iloc[1]["message"] == ("0101 Retail: days to settle 30 → 35 → 42 → 50 over the four quarters to "
                                       "2026-09-30 (+20 days; 6 invoices settled in the last quarter)")


def test_flat_category_is_not_slower() -> None:
    assert "SETTLEMENT_SLOWER" not in warnings_of(category_ledger((30, 33, 31, 40)))["code"].tolist()


def test_one_slow_quarter_that_recovered_is_not_a_trend() -> None:
    assert "SETTLEMENT_SLOWER" not in warnings_of(category_ledger((30, 80, 30, 50)))["code"].tolist()


def test_too_few_settled_invoices_is_no_evidence() -> None:
    assert "SETTLEMENT_SLOWER" not in warnings_of(category_ledger((30, 35, 42, 50), 1))["code"].tolist()
