"""The four credit-score dimensions, the weighted score and the grade (DESIGN §3).

Each dimension is a score from 0 to 100 rounded to one decimal; higher is better.
Figures come from `Ledger.customer_figures` and the ledger's items, at the as-of date;
"the window" is the 12 months ending on it. Anchor points are joined by straight lines
(piecewise-linear), so a value halfway between two anchors scores halfway between.

**scale** — trailing-12-month net sales (revenue_12m: invoices − credit notes in the
window) as a percentile among the *active* customers, those with revenue_12m > 0:

    scale = 100 × (average rank of the customer's revenue_12m among active customers) / n

The largest customer scores 100, the smallest 100 / n, equal sales share a rank.
A customer with no positive net sales in the window scores 0.

**payment** — how late the customer pays, from `payment_days_late`: the amount-weighted
mean days late of (a) invoices settled in the window, weighted by their amount, and
(b) invoices still open past their due date, weighted by the open amount and counted
as late as they are on the as-of date. Then

    days late   0    15   30   60   90+
    base      100    80   55   20    0

    payment = max(0, base − 50 × overdue_90_share)

where overdue_90_share is the share of the open amount more than 90 days past due.
A customer with nothing settled and nothing overdue in the window has no evidence
either way and scores PAYMENT_NO_EVIDENCE (70).

**stability** — length of the relationship and regular business:

    stability = 50 × min(tenure_months, 36) / 36  +  50 × active_months_12m / 12

tenure_months are whole months from the relationship start (the earlier of the
Customers sheet's opened_on and the first transaction) to the as-of date;
active_months_12m are the calendar months of the last 12 with any transaction.

**risk** — the industry / region risk table (`xlcust.credit.risk`): the mean of the
industry score and the region score, each neutral (70) when not listed.

**score** — the weighted mean of the four (rounded) dimensions with the Settings
weights (weight_scale, weight_payment, weight_stability, weight_risk), rounded to one
decimal: Σ weight × dimension / Σ weight. The weights must sum to 100 (checked as
SET_WEIGHTS_SUM); a negative weight counts as 0.

**grade** — on the rounded score: A ≥ grade_a_min, B ≥ grade_b_min, C ≥ grade_c_min,
else D. A customer with too little history is graded **NEW** instead: fewer than
NEW_MIN_INVOICES (3) invoices up to the as-of date, or a first transaction less than
NEW_MIN_DAYS (90) days before it, or no transactions at all. Its dimensions and score
are still shown, as a provisional figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import Settings

DIMENSIONS = ("scale", "payment", "stability", "risk")

PAYMENT_ANCHORS = ((0, 100), (15, 80), (30, 55), (60, 20), (90, 0))  # (days late, base score)
OVERDUE_90_PENALTY = 50  # points taken off per unit of overdue_90_share
PAYMENT_NO_EVIDENCE = 70
TENURE_FULL_MONTHS = 36
NEW_MIN_INVOICES = 3
NEW_MIN_DAYS = 90
GRADES = ("A", "B", "C", "D", "NEW")


def scale_scores(revenue_12m: np.ndarray) -> np.ndarray:
    """Percentile (average rank / n × 100) of revenue_12m among customers with revenue_12m > 0."""
    revenue = np.asarray(revenue_12m, dtype=np.float64)
    active = revenue > 0
    out = np.zeros(len(revenue))
    if active.any():
        out[active] = pd.Series(revenue[active]).rank(method="average", pct=True).to_numpy() * 100
    return np.round(out, 1)


def payment_scores(days_late: np.ndarray, overdue_90_share: np.ndarray) -> np.ndarray:
    """Piecewise-linear in days late (PAYMENT_ANCHORS), less 50 × overdue_90_share; 70 without evidence."""
    days = np.asarray(days_late, dtype=np.float64)
    share = np.nan_to_num(np.asarray(overdue_90_share, dtype=np.float64), nan=0.0)
    xs, ys = zip(*PAYMENT_ANCHORS, strict=True)
    base = np.interp(np.nan_to_num(days, nan=0.0), xs, ys)  # beyond the last anchor: its score
    score = np.maximum(base - OVERDUE_90_PENALTY * share, 0.0)
    return np.round(np.where(np.isnan(days), PAYMENT_NO_EVIDENCE, score), 1)


def stability_scores(tenure_months: np.ndarray, active_months_12m: np.ndarray) -> np.ndarray:
    tenure = np.clip(np.asarray(tenure_months, dtype=np.float64), 0, TENURE_FULL_MONTHS)
    active = np.clip(np.asarray(active_months_12m, dtype=np.float64), 0, 12)
    return np.round(50 * tenure / TENURE_FULL_MONTHS + 50 * active / 12, 1)


def risk_scores(industry: np.ndarray, region: np.ndarray) -> np.ndarray:
    return np.round((np.asarray(industry, dtype=np.float64) + np.asarray(region, dtype=np.float64)) / 2, 1)


def weight_shares(settings: Settings) -> dict[str, float]:
    """Each dimension's share of the score: its weight over the sum of weights (negatives as 0)."""
    weights = {d: max(w, 0) for d, w in settings.weights.items()}
    total = sum(weights.values())
    return {d: (w / total if total else 0.0) for d, w in weights.items()}


def weighted_score(dimensions: dict[str, np.ndarray], settings: Settings) -> np.ndarray:
    shares = weight_shares(settings)
    total = sum(shares[d] * np.asarray(dimensions[d], dtype=np.float64) for d in DIMENSIONS)
    return np.round(total, 1)


def grades_for(score: np.ndarray, settings: Settings) -> np.ndarray:
    """A/B/C/D by the Settings thresholds, highest first (object array)."""
    score = np.asarray(score, dtype=np.float64)
    return np.select(
        [score >= settings.grade_a_min, score >= settings.grade_b_min, score >= settings.grade_c_min],
        ["A", "B", "C"], "D",
    ).astype(object)


def is_new(invoice_count: np.ndarray, history_days: np.ndarray) -> np.ndarray:
    """Too little history to grade: < NEW_MIN_INVOICES invoices or < NEW_MIN_DAYS days (NaN: none)."""
    days = np.asarray(history_days, dtype=np.float64)
    return (np.asarray(invoice_count) < NEW_MIN_INVOICES) | ~(days >= NEW_MIN_DAYS)
