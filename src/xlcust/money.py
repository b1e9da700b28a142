"""Money: integer cents in the core, `Decimal` and text at the edges.

Every amount the core computes with is an integer number of cents (int64 in frames,
`int` in Python), so sums are exact and reconcile to the cent. This module is the one
place that turns cents into something a person or a JSON reader sees:

    cents_to_decimal(123450)   → Decimal('1234.50')   (alias: to_money)
    decimal_to_cents('1234.5') → 123450              (half-up to the cent)
    format_money(-123450)      → '-1,234.50'
    money_to_json(123450)      → 1234.5              (a JSON number rounded to the cent)
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import pandas as pd

CENT = Decimal("0.01")

# A float holds every whole number of cents below 2**53 exactly, and CPython's int / int
# division is correctly rounded, so `cents / 100` prints as the shortest exact decimal.
_JSON_SAFE_CENTS = 2**53


def _is_missing(cents: object) -> bool:
    return cents is None or cents is pd.NA or (isinstance(cents, float) and cents != cents)


def cents_to_decimal(cents: int | np.integer) -> Decimal:
    """Exact `Decimal` with two places for an integer number of cents."""
    return Decimal(int(cents)).scaleb(-2).quantize(CENT)


to_money = cents_to_decimal


def decimal_to_cents(value: Decimal | int | str | float) -> int:
    """Whole cents for an amount; fractions of a cent round half-up (away from zero).

    A float goes through its shortest text form (`0.1` → 10 cents, not 10.000000000000000555).
    """
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return int((amount / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(cents: int | np.integer | None, *, thousands: bool = True, currency: str = "") -> str:
    """`1,234.50` (or `CNY 1,234.50` with a currency); an empty string for a missing amount."""
    if _is_missing(cents):
        return ""
    text = f"{cents_to_decimal(cents):,.2f}" if thousands else f"{cents_to_decimal(cents):.2f}"
    return f"{currency} {text}" if currency else text


def money_to_json(cents: int | np.integer | None) -> float | str | None:
    """A JSON number rounded to the cent (None for a missing amount).

    Amounts too large for a float to hold every cent exactly (about ±90 trillion) come
    back as a decimal string instead, which DESIGN §5 also allows.
    """
    if _is_missing(cents):
        return None
    value = int(cents)
    if abs(value) >= _JSON_SAFE_CENTS:
        return str(cents_to_decimal(value))
    return value / 100
