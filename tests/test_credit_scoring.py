"""Credit score formulas: each dimension at its anchor points, the weighted score, grade boundaries, NEW."""

from __future__ import annotations

import math

import numpy as np
import pytest

from xlcust.credit.scoring import (
    grades_for,
    is_new,
    payment_scores,
    risk_scores,
    scale_scores,
    stability_scores,
    weight_shares,
    weighted_score,
)
from xlcust.settings import Settings

NAN = math.nan


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [
        ([0, 100, 200, 300], [0, 33.3, 66.7, 100]),  # only active (revenue > 0) customers are ranked
        ([500], [100]),
        ([100, 100, 300, 400], [37.5, 37.5, 75, 100]),  # ties share their average rank
        ([-50, 0, 10], [0, 0, 100]),  # net credit notes: not active
        ([], []),
    ],
)
def test_scale_is_the_percentile_among_active_customers(revenue: list[int], expected: list[float]) -> None:
    assert scale_scores(np.array(revenue, dtype=np.int64)).tolist() == expected


@pytest.mark.parametrize(
    ("days_late", "share_90", "expected"),
    [
        (0, 0, 100),
        (7.5, 0, 90),  # halfway between the 0 → 100 and 15 → 80 anchors
        (15, 0, 80),
        (30, 0, 55),
        (45, 0, 37.5),
        (60, 0, 20),
        (90, 0, 0),
        (400, 0, 0),
        (0, 0.5, 75),  # 50 points per unit of the overdue > 90 share
        (15, 1.0, 30),
        (60, 1.0, 0),  # never below 0
        (10, NAN, 86.7),  # nothing open: no share, no penalty
        (NAN, 0, 70),  # nothing settled or overdue: neutral
        (NAN, NAN, 70),
    ],
)
def test_payment_anchors_and_penalty(days_late: float, share_90: float, expected: float) -> None:
    assert payment_scores(np.array([days_late]), np.array([share_90])).tolist() == [expected]


@pytest.mark.parametrize(
    ("tenure", "active", "expected"),
    [
        (0, 0, 0),
        (18, 0, 25),
        (36, 0, 50),
        (120, 0, 50),  # tenure counts up to 36 months
        (0, 6, 25),
        (0, 12, 50),
        (36, 12, 100),
        (12, 3, 29.2),
    ],
)
def test_stability(tenure: int, active: int, expected: float) -> None:
    assert stability_scores(np.array([tenure]), np.array([active])).tolist() == [expected]


def test_risk_is_the_mean_of_industry_and_region() -> None:
    assert risk_scores(np.array([40.0, 70, 100]), np.array([90.0, 70, 55])).tolist() == [65, 70, 77.5]


def _dims(scale: float, payment: float, stability: float, risk: float) -> dict[str, np.ndarray]:
    return {"scale": np.array([scale]), "payment": np.array([payment]), "stability": np.array([stability]),
            "risk": np.array([risk])}


@pytest.mark.parametrize(
    ("weights", "dims", "expected"),
    [
        ({}, (100, 0, 0, 0), 25),  # defaults 25 / 40 / 20 / 15
        ({}, (0, 100, 0, 0), 40),
        ({}, (0, 0, 100, 0), 20),
        ({}, (0, 0, 0, 100), 15),
        ({}, (80, 60, 50, 70), 64.5),
        ({"weight_scale": 10, "weight_payment": 70, "weight_stability": 10, "weight_risk": 10}, (80, 60, 50, 70), 62),
        ({"weight_scale": 0, "weight_payment": 100, "weight_stability": 0, "weight_risk": 0}, (80, 60, 50, 70), 60),
    ],
)
def test_weighted_score_uses_the_settings_weights(weights: dict, dims: tuple, expected: float) -> None:
    assert weighted_score(_dims(*dims), Settings(**weights)).tolist() == [expected]


def test_weights_not_summing_to_100_are_used_as_shares() -> None:
    """The checks report SET_WEIGHTS_SUM; meanwhile the score stays on 0–100."""
    settings = Settings(weight_scale=50, weight_payment=50, weight_stability=50, weight_risk=-10)
    assert weight_shares(settings) == {"scale": 1 / 3, "payment": 1 / 3, "stability": 1 / 3, "risk": 0}
    assert weighted_score(_dims(90, 60, 30, 0), settings).tolist() == [60]


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (80, "A"), (79.9, "B"), (65, "B"), (64.9, "C"), (50, "C"), (49.9, "D"), (0, "D")],
)
def test_grade_boundaries_default_thresholds(score: float, grade: str) -> None:
    assert grades_for(np.array([score]), Settings()).tolist() == [grade]


@pytest.mark.parametrize(
    ("score", "grade"),
    [(90, "A"), (89.9, "B"), (70, "B"), (69.9, "C"), (40, "C"), (39.9, "D")],
)
def test_grade_boundaries_follow_settings(score: float, grade: str) -> None:
    settings = Settings(grade_a_min=90, grade_b_min=70, grade_c_min=40)
    assert grades_for(np.array([score]), settings).tolist() == [grade]


@pytest.mark.parametrize(
    ("invoices", "history_days", "new"),
    [
        (0, NAN, True),  # no transactions at all
        (2, 800, True),  # too few invoices
        (3, 89, True),  # too short a history
        (3, 90, False),
        (40, 1000, False),
    ],
)
def test_new_customers(invoices: int, history_days: float, new: bool) -> None:
    assert is_new(np.array([invoices]), np.array([history_days])).tolist() == [new]


@pytest.mark.parametrize("cents", [0, 5, 99, 100, 123450, -3500, 100_000_000_00, -1, 987654321])
def test_explanation_money_text_matches_format_money(cents: int) -> None:
    from xlcust.credit.explain import money_text, money_texts
    from xlcust.money import format_money

    assert money_text(cents) == format_money(cents)
    assert money_texts(np.array([cents])).tolist() == [format_money(cents)]
