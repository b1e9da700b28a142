"""history.category_at: the category in force on a date, [valid_from, valid_to), with fallbacks."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcust.book import Book
from xlcust.history import categories_in_force, category_at

D = dt.date
CATEGORIES = [{"code": c, "name": c} for c in ("01", "02", "03")]
CUSTOMERS = [
    {"code": "C1", "name": "One", "category_code": "02"},
    {"code": "C2", "name": "Two", "category_code": "01"},
    {"code": "C3", "name": "Three", "category_code": None},
]


def period(customer: str | None, category: str | None, start: object, end: object = None) -> dict:
    return {"customer_code": customer, "category_code": category, "valid_from": start, "valid_to": end}


def book(history: list[dict] | None, customers: list[dict] = CUSTOMERS) -> Book:
    return Book.from_rows(settings={"coding_scheme": "2"}, categories=CATEGORIES, customers=customers,
                          history=history)


def lookup(b: Book, pairs: list[tuple[str | None, object]]) -> list[tuple[str | None, str]]:
    codes = pd.Series([p[0] for p in pairs], dtype=object)
    dates = pd.Series(pd.to_datetime([p[1] for p in pairs]), dtype="datetime64[ns]")
    frame = categories_in_force(b, codes, dates)
    return list(zip(frame["category_code"], frame["source"], strict=True))


MOVED = [period("C1", "01", D(2024, 1, 1), D(2025, 1, 1)), period("C1", "02", D(2025, 1, 1))]


@pytest.mark.parametrize(("date", "expected"), [
    (D(2024, 1, 1), ("01", "history")),  # valid_from is included
    (D(2024, 12, 31), ("01", "history")),
    (D(2025, 1, 1), ("02", "history")),  # valid_to is excluded: the next period has started
    (D(2030, 6, 1), ("02", "history")),  # the open period runs on
    (D(2023, 12, 31), ("02", "current_fallback")),  # before any period: current category, and said so
])
def test_period_bounds(date: dt.date, expected: tuple[str, str]) -> None:
    assert lookup(book(MOVED), [("C1", date)]) == [expected]


def test_customers_without_history_take_their_current_category() -> None:
    b = book(MOVED)
    assert lookup(b, [("C2", D(2024, 6, 1)), ("C3", D(2024, 6, 1)), ("C9", D(2024, 6, 1)), (None, D(2024, 6, 1))]) == [
        ("01", "current"),  # no history rows: history starts from the current category (DESIGN §5)
        (None, "none"),  # blank category cell
        (None, "none"),  # not on the Customers sheet
        (None, "none"),  # no customer code
    ]


def test_without_a_history_sheet_every_category_is_current() -> None:
    assert lookup(book(None), [("C1", D(2024, 6, 1)), ("C2", D(1999, 1, 1))]) == [("02", "current"), ("01", "current")]


def test_gap_and_missing_date_fall_back_to_the_current_category() -> None:
    b = book([period("C1", "01", D(2024, 1, 1), D(2024, 3, 1)), period("C1", "02", D(2024, 6, 1))])
    assert lookup(b, [("C1", D(2024, 4, 1)), ("C1", None)]) == [("02", "current_fallback")] * 2


def test_unusable_rows_are_skipped() -> None:
    b = book([
        period("C1", None, D(2024, 1, 1)),  # no category: HIS_CATEGORY_MISSING
        period("C1", "03", D(2024, 5, 1), D(2024, 5, 1)),  # empty period: HIS_PERIOD_EMPTY
        period("C1", "01", None),  # no start: HIS_FROM_MISSING
    ])
    assert lookup(b, [("C1", D(2024, 5, 1))]) == [("02", "current_fallback")]


def test_overlaps_latest_start_that_covers_wins() -> None:
    b = book([
        period("C1", "01", D(2024, 1, 1)),  # open
        period("C1", "03", D(2024, 3, 1), D(2024, 4, 1)),  # overlaps it (HIS_OVERLAP) and ends
        period("C1", "02", D(2024, 3, 1), D(2024, 3, 15)),  # same start, further down: wins while it lasts
    ])
    assert lookup(b, [("C1", D(2024, 2, 1)), ("C1", D(2024, 3, 10)), ("C1", D(2024, 3, 20)),
                      ("C1", D(2024, 6, 1))]) == [("01", "history"), ("02", "history"), ("03", "history"),
                                                  ("01", "history")]


def test_first_customers_row_wins_for_a_repeated_code() -> None:
    customers = [*CUSTOMERS, {"code": "C2", "name": "Two again", "category_code": "03"}]
    assert lookup(book(None, customers), [("C2", D(2024, 1, 1))]) == [("01", "current")]


def test_category_at_keeps_the_index_and_counts_sources() -> None:
    codes = pd.Series(["C1", "C1", "C2"], index=[10, 11, 12], dtype=object)
    dates = pd.Series(pd.to_datetime(["2024-06-01", "2023-01-01", "2024-06-01"]))
    result = category_at(book(MOVED), codes, dates)
    assert result.to_dict() == {10: "01", 11: "02", 12: "01"}
    assert result.attrs["source_counts"] == {"history": 1, "current": 1, "current_fallback": 1, "none": 0}


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        category_at(book(None), pd.Series(["C1"]), pd.Series([], dtype="datetime64[ns]"))


# ------------------------------------------------------- against a plain reading of the rule

customers_st = st.sampled_from(["C1", "C2", "C3", "C4"])
days_st = st.integers(0, 60)
BASE = D(2024, 1, 1)


def naive(rows: list[tuple[str, str, int, int | None]], current: dict[str, str | None], customer: str,
          day: int) -> tuple[str | None, str]:
    covering = [(start, i, cat) for i, (c, cat, start, end) in enumerate(rows)
                if c == customer and start <= day and (end is None or day < end)]
    if covering:
        return max(covering)[2], "history"
    category = current.get(customer)
    if category is None:
        return None, "none"
    return category, "current_fallback" if any(r[0] == customer for r in rows) else "current"


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(customers_st, st.sampled_from(["01", "02", "03"]), days_st,
                            st.one_of(st.none(), st.integers(1, 30))), max_size=8),
    queries=st.lists(st.tuples(customers_st, days_st), min_size=1, max_size=20),
)
def test_matches_a_naive_reading(rows: list, queries: list) -> None:
    history = [(c, cat, start, None if length is None else start + length) for c, cat, start, length in rows]
    b = book([period(c, cat, BASE + dt.timedelta(start), None if end is None else BASE + dt.timedelta(end))
              for c, cat, start, end in history] or None)
    current = {"C1": "02", "C2": "01", "C3": None}
    got = lookup(b, [(c, BASE + dt.timedelta(day)) for c, day in queries])
    assert got == [naive(history, current, c, day) for c, day in queries]
