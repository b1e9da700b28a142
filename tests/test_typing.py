"""Typing: what a raw cell value *is*, and the status that tells checks what to say."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlcust.book import Book
from xlcust.celltypes import (
    ExcelError,
    parse_date_text,
    parse_number_text,
    to_bool,
    to_cents,
    to_code,
    to_date,
    to_float,
    to_int,
    to_kind,
    to_rate,
    to_text,
    uniform,
)


def cells(*values: object) -> pd.Series:
    return pd.Series(list(values), index=range(2, 2 + len(values)), dtype=object)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05", dt.date(2024, 1, 5)),
        ("2024/1/5", dt.date(2024, 1, 5)),
        ("2024.01.05", dt.date(2024, 1, 5)),
        ("2024年1月5日", dt.date(2024, 1, 5)),
        ("２０２４－０１－０５", dt.date(2024, 1, 5)),  # full-width digits and dash
        ("20240105", dt.date(2024, 1, 5)),
        ("2024-01-05 13:45", dt.date(2024, 1, 5)),
        ("05/01/2024", None),  # day-first or month-first: ambiguous
        ("1/5/2024", None),
        ("2024-02-30", None),
        ("yesterday", None),
    ],
)
def test_date_text(text: str, expected: dt.date | None) -> None:
    assert parse_date_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200.50", 1200.50),
        ("1,200.50", 1200.50),
        ("¥1,200", 1200.0),
        ("￥ 88", 88.0),
        ("RMB 12.3", 12.3),
        ("100元", 100.0),
        ("(1,200.00)", -1200.0),
        ("-5", -5.0),
        ("1,2,3", None),
        ("12,34", None),
        ("abc", None),
        ("", None),
    ],
)
def test_number_text(text: str, expected: float | None) -> None:
    assert parse_number_text(text) == expected


def test_money_becomes_integer_cents_with_status() -> None:
    values, status = to_cents(cells(1200.5, "1,200.50", "1,2,3", ExcelError("#DIV/0!"), None, 0.1 + 0.2, 10.125))
    assert values.tolist() == [120050, 120050, pd.NA, pd.NA, pd.NA, 30, 1012]
    assert values.dtype == "Int64"
    assert status.to_dict() == {3: "text", 4: "bad", 5: "error_value", 8: "fraction"}


def test_codes_keep_text_and_flag_numbers_and_spaces() -> None:
    values, status = to_code(cells("0101", 101.0, " 01 ", "０１０２", None))
    assert values.tolist() == ["0101", "101", "01", "0102", None]
    assert status.to_dict() == {3: "number", 4: "spaces", 5: "spaces"}


def test_dates_real_text_and_bad() -> None:
    values, status = to_date(cells(dt.date(2024, 1, 5), "2024/1/6", "5/1/2024", 45000.0, dt.datetime(2024, 1, 7, 9)))
    assert [None if pd.isna(v) else v.date() for v in values] == [
        dt.date(2024, 1, 5), dt.date(2024, 1, 6), None, None, dt.date(2024, 1, 7)
    ]
    assert status.to_dict() == {3: "text", 4: "bad", 5: "bad"}


def test_kinds_in_english_and_chinese() -> None:
    values, status = to_kind(cells("invoice", "发票", "红字发票", "Receipt", "收款", "期初", "调整", "refund"))
    assert values.tolist()[:7] == ["invoice", "invoice", "credit_note", "receipt", "receipt", "opening", "adjustment"]
    assert values.tolist()[7] is None
    assert status.to_dict() == {9: "bad"}


def test_rates_and_bools() -> None:
    rates, status = to_rate(cells(0.13, "9%", "6 %", "0.03", "x"))
    assert rates.round(4).tolist()[:4] == [0.13, 0.09, 0.06, 0.03]
    assert status.to_dict() == {5: "text", 6: "bad"}
    flags, status = to_bool(cells(True, "是", "否", "TRUE", 0, "maybe"))
    assert flags.tolist() == [True, True, False, True, False, None]
    assert status.to_dict() == {7: "bad"}


def test_settings_defaults_and_bad_value_points_at_cell() -> None:
    book = Book.from_rows(settings={"coding_scheme": "4-2-2", "aging_bounds": "30,60,x", "as_of": "2026-09-30"})
    assert book.settings.coding_scheme == (4, 2, 2)
    assert book.settings.as_of == dt.date(2026, 9, 30)
    assert book.settings.aging_bounds == (30, 60, 90, 180)  # default kept
    [f] = book.read_findings
    assert (f.code, f.row, f.column) == ("SET_BAD_VALUE", 3, "B")


def test_in_memory_book_rows_are_excel_rows() -> None:
    book = Book.from_rows(customers=[{"code": "C1", "name": "甲", "category_code": "0101"}] * 2)
    assert list(book.customers.data.index) == [2, 3]
    assert book.customers.where("name", 3) == {"row": 3, "field": "name", "column": "B"}
    assert not book.rules.present


# ------------------------------------------------- uniform columns take the fast converters

_TEXTS = st.one_of(st.none(), st.sampled_from(["", " ", "\u3000", "C001", " C001", "C001\t", "０１", "ｃ００１ ",
                                               "invoice", " Receipt ", "发票", "x\x1f", "\xa0y"]),
                   st.text(max_size=6))


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXTS, max_size=12))
def test_text_columns_type_alike_cell_by_cell_and_whole(values: list) -> None:
    """A column of text and blanks gives the same values and status whether typed cell by cell or whole."""
    raw = pd.Series(values, index=pd.RangeIndex(2, 2 + len(values)), dtype=object)
    for convert in (to_code, to_text, to_kind):
        whole, cells = convert(uniform(raw)), convert(raw)
        pd.testing.assert_series_equal(whole[0], cells[0])
        assert whole[1].to_dict() == cells[1].to_dict()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False, width=64),
                          st.integers(-10**12, 10**12)), max_size=10))
def test_number_columns_type_alike_cell_by_cell_and_whole(values: list) -> None:
    raw = pd.Series(values, index=pd.RangeIndex(2, 2 + len(values)), dtype=object)
    assert uniform(raw).dtype in (np.float64, object)
    for convert in (to_float, to_cents, to_int):
        whole, cells = convert(uniform(raw)), convert(raw)
        pd.testing.assert_series_equal(whole[0], cells[0])
        assert whole[1].to_dict() == cells[1].to_dict()


def test_date_columns_type_alike_and_mixed_columns_stay_as_they_are() -> None:
    dates = pd.Series([dt.date(2024, 1, 5), dt.datetime(2024, 2, 1, 9, 30), pd.Timestamp("2024-03-01"), None],
                      index=pd.RangeIndex(2, 6), dtype=object)
    assert str(uniform(dates).dtype) == "datetime64[ns]"
    pd.testing.assert_series_equal(to_date(uniform(dates))[0], to_date(dates)[0])
    for mixed in ([dt.date(2024, 1, 5), "2024-01-06"], ["C1", 101.0], [True, 1.0], ["C1", ExcelError("#N/A")]):
        raw = pd.Series(mixed, dtype=object)
        assert uniform(raw) is raw


def test_amounts_too_large_to_count_in_cents_are_unreadable_not_wrapped() -> None:
    """1e17 yuan has no exact cent count in a float; it must not wrap around to a negative amount."""
    cents, status = to_cents(pd.Series([1e17, 9.3e16, 12.5], index=pd.RangeIndex(2, 5), dtype=object))
    assert cents.tolist() == [pd.NA, pd.NA, 1250]
    assert status.to_dict() == {2: "bad", 3: "bad"}
    ints, status = to_int(pd.Series([1e300, 7.0], dtype=object))
    assert ints.tolist() == [pd.NA, 7] and status.to_dict() == {0: "bad"}
