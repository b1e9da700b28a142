"""Money helpers: cents ↔ Decimal, text, JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from xlcust.money import cents_to_decimal, decimal_to_cents, format_money, money_to_json, to_money


@pytest.mark.parametrize(("cents", "decimal", "text"), [
    (0, "0.00", "0.00"), (5, "0.05", "0.05"), (-5, "-0.05", "-0.05"), (123450, "1234.50", "1,234.50"),
    (-100000001, "-1000000.01", "-1,000,000.01"),
])
def test_cents_to_decimal_and_text(cents: int, decimal: str, text: str) -> None:
    assert cents_to_decimal(cents) == to_money(np.int64(cents)) == Decimal(decimal)
    assert str(cents_to_decimal(cents)) == decimal
    assert format_money(cents) == text


@pytest.mark.parametrize(("value", "cents"), [
    ("1234.5", 123450), (Decimal("0.125"), 13), ("-0.125", -13), (0.1, 10), (2.675, 268), ("1,000", 100000), (7, 700),
])
def test_decimal_to_cents_rounds_half_up(value: object, cents: int) -> None:
    assert decimal_to_cents(value) == cents


def test_decimal_to_cents_rejects_junk() -> None:
    for junk in ("abc", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            decimal_to_cents(junk)


def test_json_numbers_are_rounded_to_the_cent() -> None:
    assert json.dumps([money_to_json(c) for c in (1, 10, 123456789012, -7)]) == "[0.01, 0.1, 1234567890.12, -0.07]"
    assert money_to_json(pd.NA) is None and money_to_json(None) is None
    assert money_to_json(2**60) == "11529215046068469.76"
    assert format_money(None) == "" and format_money(100, currency="CNY") == "CNY 1.00"
