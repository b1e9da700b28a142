"""`grade_customers`: metrics, dimension scores, score, grade and explanation per customer.

One row per customer code the ledger knows (the Customers sheet ∪ codes used in
transactions), indexed by `customer_code`, in this column order:

    name, category_code, source_row           the customer (source_row: its Customers row)
    scale, payment, stability, risk, score    0–100, one decimal (`xlcust.credit.scoring`)
    grade                                     A / B / C / D, or NEW (too little history)
    explanation, explanation_zh               one line each (`xlcust.credit.explain`)
    revenue_12m                               net sales in the 12 months to the as-of date
    revenue_total, late_count,                lifetime net sales, invoices ever late, the largest
    max_overdue_amount, max_days_overdue      overdue item (`xlcust.ledger.figures`)
    payment_days_late                         days late behind the payment score
    avg_days_late                             the ledger's figure: items settled in the window only
    overdue_90_amount, overdue_90_share       open amount > 90 days past due, and its share
    invoice_count, invoice_count_12m          invoices up to the as-of date, and in the window
    first_txn_date, relationship_start        first transaction; earlier of it and opened_on
    tenure_months, active_months_12m          behind the stability score
    months_since_last_txn, stage              stage: lifecycle code (`xlcust.ledger.lifecycle`)
    industry, industry_risk, industry_risk_source,
    region, region_risk, region_risk_source   behind the risk score (source: listed / default / neutral)
    status                                    the Customers sheet's status, as typed
    balance, open_amount, overdue_amount
    credit_limit, exposure, available_credit, credit_used, over_limit, near_limit
                                              (`xlcust.credit.exposure`)

Money is int64 cents (Int64 where a limit may be missing); `frame.attrs` holds
`money_columns`, `as_of` and `risk_table` (whether the book has a Risk sheet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..book import Book
from ..ledger._frames import day_of, text, to_days
from ..ledger.figures import earlier_dates, whole_months
from .explain import explanations
from .exposure import EXPOSURE_MONEY, credit_exposure
from .registry import sheet_column, sheet_positions
from .risk import NEUTRAL_RISK, RiskTable
from .scoring import (
    DIMENSIONS,
    NEW_MIN_DAYS,
    NEW_MIN_INVOICES,
    OVERDUE_90_PENALTY,
    PAYMENT_ANCHORS,
    PAYMENT_NO_EVIDENCE,
    TENURE_FULL_MONTHS,
    grades_for,
    is_new,
    payment_scores,
    risk_scores,
    scale_scores,
    stability_scores,
    weight_shares,
    weighted_score,
)

if TYPE_CHECKING:
    from ..ledger import Ledger

MONEY_COLUMNS = ["revenue_12m", "revenue_total", "max_overdue_amount", "overdue_90_amount", "balance",
                 "open_amount", "overdue_amount", *EXPOSURE_MONEY]


def grade_customers(book: Book, ledger: Ledger, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """The grades frame of the module docstring. `figures` saves recomputing `ledger.customer_figures()`."""
    settings = book.settings
    figures = ledger.customer_figures() if figures is None else figures
    codes = figures.index
    positions = sheet_positions(book, codes)
    registry = _registry(book, positions)
    as_of = pd.Timestamp(ledger.as_of)

    days_late = np.round(payment_days_late(ledger), 1)  # as shown; the payment score is computed from it
    invoice_count = _invoice_count(ledger)
    first_txn = figures["first_txn_date"]
    start = earlier_dates(registry["opened_on"], first_txn)
    tenure = whole_months(start, as_of)
    history_days = ((as_of - first_txn).dt.days).to_numpy(dtype=np.float64, na_value=np.nan)

    risk = RiskTable.from_book(book)
    industry_risk, industry_how = risk.lookup("industry", registry["industry"])
    region_risk, region_how = risk.lookup("region", registry["region"])

    dims = {
        "scale": scale_scores(figures["revenue_12m"].to_numpy()),
        "payment": payment_scores(days_late, figures["overdue_90_share"].to_numpy()),
        "stability": stability_scores(tenure, figures["active_months_12m"].to_numpy()),
        "risk": risk_scores(industry_risk, region_risk),
    }
    score = weighted_score(dims, settings)
    grade = np.where(is_new(invoice_count, history_days), "NEW", grades_for(score, settings)).astype(object)

    exposure = credit_exposure(book, ledger, figures, positions)
    def words(values: object) -> pd.Series:  # text stays object (None when blank), as the Book keeps it
        return text(np.asarray(values, dtype=object), codes)

    frame = pd.DataFrame({
        "name": words(ledger.customers["name"].reindex(codes).to_numpy(dtype=object)),
        "category_code": words(figures["category_code"].to_numpy(dtype=object)),
        "source_row": registry["source_row"].array,
        **dims,
        "score": score,
        "grade": words(grade),
        "explanation": words(np.full(len(codes), None, dtype=object)),
        "explanation_zh": words(np.full(len(codes), None, dtype=object)),
        "revenue_12m": figures["revenue_12m"].to_numpy(dtype=np.int64),
        "revenue_total": figures["revenue_total"].to_numpy(dtype=np.int64),
        "late_count": figures["late_count"].to_numpy(dtype=np.int64),
        "max_overdue_amount": figures["max_overdue_amount"].to_numpy(dtype=np.int64),
        "max_days_overdue": figures["max_days_overdue"].to_numpy(dtype=np.int64),
        "payment_days_late": days_late,
        "avg_days_late": figures["avg_days_late"].to_numpy(dtype=np.float64),
        "overdue_90_amount": figures["overdue_90_amount"].to_numpy(dtype=np.int64),
        "overdue_90_share": figures["overdue_90_share"].to_numpy(dtype=np.float64),
        "invoice_count": invoice_count,
        "invoice_count_12m": figures["invoice_count_12m"].to_numpy(dtype=np.int64),
        "first_txn_date": first_txn.to_numpy(),
        "relationship_start": start.to_numpy(),
        "tenure_months": tenure,
        "active_months_12m": figures["active_months_12m"].to_numpy(dtype=np.int64),
        "months_since_last_txn": figures["months_since_last_txn"].array,
        "stage": words(figures["stage"].to_numpy(dtype=object)),
        "industry": words(registry["industry"].to_numpy(dtype=object)),
        "industry_risk": industry_risk,
        "industry_risk_source": words(industry_how),
        "region": words(registry["region"].to_numpy(dtype=object)),
        "region_risk": region_risk,
        "region_risk_source": words(region_how),
        "status": words(registry["status"].to_numpy(dtype=object)),
        "balance": figures["balance"].to_numpy(dtype=np.int64),
        "open_amount": figures["open_amount"].to_numpy(dtype=np.int64),
        "overdue_amount": figures["overdue_amount"].to_numpy(dtype=np.int64),
    }, index=codes)
    for column in exposure.columns:
        frame[column] = exposure[column].array  # same index: no alignment

    # both columns are part of the `grades --json` contract; their wording comes from the catalog
    for column, lang in (("explanation", "en"), ("explanation_zh", "zh")):
        frame[column] = words(explanations(frame, weight_shares(settings), settings.weights, risk.present, lang))
    frame.attrs.update(money_columns=list(MONEY_COLUMNS), as_of=ledger.as_of, risk_table=risk.present)
    return frame


def parameters(book: Book) -> dict:
    """What produced the grades, for the JSON output and the docs: weights, thresholds, anchors."""
    settings = book.settings
    risk = RiskTable.from_book(book)
    return {
        "weights": settings.weights,
        "thresholds": {"A": settings.grade_a_min, "B": settings.grade_b_min, "C": settings.grade_c_min},
        "new_customer": {"min_invoices": NEW_MIN_INVOICES, "min_days": NEW_MIN_DAYS},
        "payment_anchors": [list(p) for p in PAYMENT_ANCHORS],
        "overdue_90_penalty": OVERDUE_90_PENALTY,
        "payment_no_evidence": PAYMENT_NO_EVIDENCE,
        "tenure_full_months": TENURE_FULL_MONTHS,
        "neutral_risk": NEUTRAL_RISK,
        "risk_table": {"present": risk.present, "rows": len(risk)},
        "dormant_months": settings.dormant_months,
        "lifecycle": {"new_customer_months": settings.new_customer_months,
                      "dormant_months": settings.dormant_months, "lost_months": settings.lost_months},
        "red_alert": {"days_late": settings.red_alert_days_late,
                      "credit_used": float(settings.red_alert_credit_used),
                      "warnings": settings.red_alert_warnings},
        "near_limit_share": float(settings.credit_near_limit),
    }


def payment_days_late(ledger: Ledger, window_months: int = 12) -> np.ndarray:
    """Amount-weighted days late per customer (`xlcust.credit.scoring`, payment); NaN without evidence.

    Items settled in the window weigh their amount; items still open past their due date
    weigh their open amount and count the days late so far.
    """
    n = len(ledger.customers)
    items = ledger.items
    cust = ledger.item_customer
    as_of = day_of(ledger.as_of)
    start = day_of(pd.Timestamp(ledger.as_of) - pd.DateOffset(months=window_months))
    settled = to_days(items["settled_on"].to_numpy())  # NaT → the smallest int64
    amount = items["amount"].to_numpy(dtype=np.int64)
    open_amount = items["open_amount"].to_numpy(dtype=np.int64)
    late = items["days_late"].to_numpy(dtype=np.int64)
    due = to_days(items["due_date"].to_numpy())
    in_window = (settled > start) & (settled <= as_of)
    overdue_open = (open_amount > 0) & (due < as_of)
    weight = np.where(in_window, amount, 0) + np.where(overdue_open, open_amount, 0)
    weight = weight.astype(np.float64)
    total = np.bincount(cust, weights=weight, minlength=n)
    days = np.bincount(cust, weights=weight * late, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, days / total, np.nan)


def _invoice_count(ledger: Ledger) -> np.ndarray:
    """Invoices up to the as-of date per customer (every invoice line is a debit item)."""
    invoices = ledger.items["kind"].to_numpy(dtype=object) == "invoice"
    return np.bincount(ledger.item_customer[invoices], minlength=len(ledger.customers)).astype(np.int64)


def _registry(book: Book, positions: np.ndarray) -> pd.DataFrame:
    """Customers-sheet columns per code (first row wins), with the Excel row; None / NA for unregistered codes."""
    data = book.customers.data
    found = positions >= 0
    at = np.where(found, positions, 0)
    opened = np.full(len(positions), np.datetime64("NaT"), dtype="datetime64[ns]")
    rows = np.zeros(len(positions), dtype=np.int64)
    if found.any():
        opened[found] = data["opened_on"].to_numpy(dtype="datetime64[ns]")[at[found]]
        rows[found] = data.index.to_numpy(dtype=np.int64)[at[found]]
    return pd.DataFrame({
        "industry": sheet_column(book, "industry", positions),
        "region": sheet_column(book, "region", positions),
        "status": sheet_column(book, "status", positions),
        "opened_on": opened,
        "source_row": pd.arrays.IntegerArray(rows, ~found),
    })


__all__ = ["DIMENSIONS", "MONEY_COLUMNS", "grade_customers", "parameters", "payment_days_late"]
