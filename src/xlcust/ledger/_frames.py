"""Small frame helpers shared by the ledger modules: day numbers and text columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

NO_DATE = np.iinfo(np.int64).min  # a day number that means "no date" (an item still open)


def to_days(dates: object) -> np.ndarray:
    """datetime64 values → int64 day numbers (days since 1970-01-01)."""
    return np.asarray(dates).astype("datetime64[D]").astype(np.int64)


def day_of(date: object) -> int:
    """One date (date, Timestamp, datetime64) → its day number."""
    return int(np.datetime64(pd.Timestamp(date).date(), "D").astype(np.int64))


def from_days(days: np.ndarray) -> np.ndarray:
    """int64 day numbers → datetime64[ns]; NO_DATE becomes NaT."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[days == NO_DATE] = np.datetime64("NaT")
    return out


def text(values: object, index: pd.Index | None = None) -> pd.Series:
    """A text column as the Book keeps them: object dtype, None when missing.

    (pandas 3 would otherwise infer its `str` dtype, which turns None into NaN.) An
    object ndarray is taken as it is: the ledger's arrays come from `text_values`.
    """
    if not (isinstance(values, np.ndarray) and values.dtype == object):
        values = text_values(values)
    return pd.Series(values, index=index, dtype=object, copy=False)


def text_values(values: object) -> np.ndarray:
    """Text cells as an object array, None when missing.

    An object column is taken as it is (the Book keeps None for a blank; scanning a
    million cells again for NaN would cost more than the rest of the step). Anything
    else (pandas' `str` dtype, lists) is converted with every missing value as None.
    """
    if isinstance(values, pd.Series | pd.Index) and values.dtype == object:
        return values.to_numpy(dtype=object, copy=False)
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return np.asarray(values.to_numpy(dtype=object, na_value=None), dtype=object)
    arr = np.asarray(values, dtype=object)
    missing = pd.isna(arr)
    if missing.any():
        arr = arr.copy()
        arr[missing] = None
    return arr


def with_money(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Mark which columns hold int64 cents (read by `xlcust.ledger.records`)."""
    frame.attrs["money_columns"] = [c for c in columns if c in frame.columns]
    return frame


def lexsort(keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """`np.lexsort(keys)` (the last key sorts first), on integer keys, several times faster.

    When the keys' ranges fit in 63 bits together they are packed into one int64 and
    argsorted: one key sorts much faster than several. Ties keep their input order, as
    with np.lexsort (the quick sort is checked for ties and redone stable when there are).
    """
    keys = tuple(np.asarray(k, dtype=np.int64) for k in keys)
    if len(keys[0]) == 0:
        return np.zeros(0, dtype=np.intp)
    lows = [int(k.min()) for k in keys]
    widths = [int(k.max()) - low + 1 for k, low in zip(keys, lows, strict=True)]
    if sum(w.bit_length() for w in widths) > 63:
        return np.lexsort(keys)
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, low, width in zip(reversed(keys), reversed(lows), reversed(widths), strict=True):
        packed *= width
        packed += key - low
    order = np.argsort(packed)
    ordered = packed[order]
    if (ordered[1:] == ordered[:-1]).any():
        order = np.argsort(packed, kind="stable")
    return order


def sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums of `values` per `index` in 0 … n − 1 (bincount would go through float64)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def group_cumsum(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum restarting where `groups` (sorted) changes."""
    total = np.cumsum(values)
    if len(values) == 0:
        return total
    start = np.empty(len(values), dtype=bool)
    start[0] = True
    np.not_equal(groups[1:], groups[:-1], out=start[1:])
    before = total - values
    first = np.flatnonzero(start)
    return total - np.repeat(before[first], np.diff(np.append(first, len(values))))
