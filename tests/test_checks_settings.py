"""Settings that parse but do not make sense together; findings on the key's Value cell."""

from __future__ import annotations

import pytest

from xlcust.book import Book
from xlcust.checks import settings as checks
from xlcust.findings import Finding


def run(settings: dict[str, object]) -> list[Finding]:
    book = Book.from_rows(settings=settings)
    out: list[Finding] = []
    for check in (checks.check_aging_bounds, checks.check_score_weights, checks.check_grade_thresholds,
                  checks.check_provision_rates, checks.check_setting_ranges, checks.check_lifecycle_months):
        out.extend(check(book))
    return out


def test_defaults_are_consistent() -> None:
    assert run({}) == []


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"aging_bounds": "30,60,90,180"}, []),
        ({"aging_bounds": "60,30"}, [("SET_AGING_BOUNDS", 2)]),
        ({"aging_bounds": "30,30,60"}, [("SET_AGING_BOUNDS", 2)]),
        ({"aging_bounds": "0,30"}, [("SET_AGING_BOUNDS", 2)]),
        ({"aging_bounds": "30,60", "provision_rates": "0,0.1,0.5,1"}, []),
        ({"aging_bounds": "30,60"}, [("SET_PROVISION_COUNT", 2)]),  # 6 default rates for 4 buckets
        ({"note": "x", "provision_rates": "0,0.1"}, [("SET_PROVISION_COUNT", 3)]),
        ({"provision_rates": "0,0.1,0.05,0.2,0.5,1"}, [("SET_PROVISION_ORDER", 2)]),
        ({"weight_scale": 30}, [("SET_WEIGHTS_SUM", 2)]),
        ({"weight_payment": 20, "weight_scale": 45}, []),
        ({"company_name": "x", "weight_risk": -5, "weight_scale": 45}, [("SET_WEIGHT_NEGATIVE", 3)]),
        ({"weight_payment": 40, "weight_risk": -5}, [("SET_WEIGHT_NEGATIVE", 3), ("SET_WEIGHTS_SUM", 2)]),
        ({"grade_a_min": 120}, [("SET_GRADE_RANGE", 2)]),
        ({"grade_b_min": 80}, [("SET_GRADE_ORDER", 2)]),
        ({"grade_a_min": 90, "grade_b_min": 70, "grade_c_min": 75}, [("SET_GRADE_ORDER", 4)]),
        ({"default_payment_terms_days": -1}, [("SET_OUT_OF_RANGE", 2)]),
        ({"default_credit_limit": -100}, [("SET_OUT_OF_RANGE", 2)]),
        ({"dormant_months": 0}, [("SET_OUT_OF_RANGE", 2)]),
        ({"new_customer_months": 0}, [("SET_OUT_OF_RANGE", 2)]),
        ({"dormant_months": 6, "lost_months": 6}, [("SET_STAGE_ORDER", 3)]),
        ({"lost_months": 4}, [("SET_STAGE_ORDER", 2)]),  # below the default dormant_months 6
        ({"dormant_months": 30}, [("SET_STAGE_ORDER", 2)]),  # above the default lost_months 24
        ({"dormant_months": 3, "lost_months": 12, "new_customer_months": 1}, []),
    ],
)
def test_setting_checks(settings: dict[str, object], expected: list[tuple[str, int]]) -> None:
    findings = run(settings)
    assert [(f.code, f.row) for f in findings] == expected
    assert all(f.column == "B" and f.field == "value" and f.sheet == "Settings" for f in findings)
    assert all(f.suggestion for f in findings)


def test_key_found_by_chinese_alias() -> None:
    findings = run({"语言": "zh", "账龄分段": "90,30"})
    assert [(f.code, f.row, f.column) for f in findings] == [("SET_AGING_BOUNDS", 3, "B")]


def test_weights_message_names_every_weight() -> None:
    (f,) = run({"weight_scale": 30})
    assert "105" in f.message and "weight_risk 15" in f.message
