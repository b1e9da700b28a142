"""Where each customer's CategoryHistory stands (`history_state`), the input of the category lock."""

from __future__ import annotations

from datetime import date as D

import numpy as np
import pandas as pd

from xlcust.book import Book
from xlcust.reclass.lock import history_state

HISTORY = [  # Excel rows 2 …
    {"customer_code": "C1", "category_code": "0101", "valid_from": D(2024, 1, 1)},  # row 2: C1 open
    {"customer_code": "C2", "category_code": "0201", "valid_from": D(2022, 1, 1), "valid_to": D(2023, 1, 1)},
    {"customer_code": "C2", "category_code": "0101", "valid_from": D(2023, 1, 1), "valid_to": D(2024, 6, 1)},
    {"customer_code": "C3", "category_code": "0101", "valid_from": D(2020, 1, 1), "valid_to": D(2021, 1, 1)},
    {"customer_code": "C3", "category_code": "0102", "valid_from": D(2021, 1, 1)},  # row 6: C3 open …
    {"customer_code": "C3", "category_code": "0201", "valid_from": D(2022, 1, 1)},  # row 7: … twice
    {"customer_code": "C5", "valid_from": D(2025, 3, 1)},  # row 8: C5 open, category blank
]


def test_history_state_per_code() -> None:
    book = Book.from_rows(settings={"as_of": "2026-09-30"}, history=HISTORY)
    codes = np.array(["C1", "C2", "C3", "C4", "C5", "C1", None], dtype=object)
    state = history_state(book, codes)
    assert state["rows"].tolist() == [1, 2, 3, 0, 1, 1, 0]
    assert state["open"].tolist() == [1, 0, 2, 0, 1, 1, 0]
    assert state["open_row"].tolist() == [2, pd.NA, pd.NA, pd.NA, 8, 2, pd.NA]
    assert [None if pd.isna(d) else pd.Timestamp(d).date() for d in state["open_from"]] == [
        D(2024, 1, 1), None, None, None, D(2025, 3, 1), D(2024, 1, 1), None]
    assert state["open_category"].tolist() == ["0101", None, None, None, None, "0101", None]
    assert [None if pd.isna(d) else pd.Timestamp(d).date() for d in state["last_end"]] == [
        None, D(2024, 6, 1), D(2021, 1, 1), None, None, None, None]
    assert list(state.dtypes.astype(str)) == ["int64", "int64", "Int64", "datetime64[ns]", "object",
                                             "datetime64[ns]"]


def test_history_state_without_history() -> None:
    state = history_state(Book.from_rows(settings={"as_of": "2026-09-30"}), np.array(["C1"], dtype=object))
    assert state["rows"].tolist() == [0] and state["open"].tolist() == [0]
    assert state["open_row"].isna().all() and state["open_category"].tolist() == [None]
