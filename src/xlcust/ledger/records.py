"""Ledger frames as JSON records (DESIGN §5): ISO dates, money as numbers rounded to the cent.

Frames made by the ledger mark their int64-cent columns in `frame.attrs["money_columns"]`;
`json_records` turns those into JSON numbers through `xlcust.money.money_to_json`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..money import money_to_json


def _column(series: pd.Series, money: bool) -> list:
    if money:
        values = series.to_numpy(dtype=object)
        return [money_to_json(v) for v in values]
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v.date().isoformat() for v in series]
    if pd.api.types.is_bool_dtype(series.dtype):
        return [None if v is pd.NA else bool(v) for v in series.tolist()]
    if pd.api.types.is_integer_dtype(series.dtype):
        return [None if v is pd.NA else int(v) for v in series.astype(object).tolist()]
    if pd.api.types.is_float_dtype(series.dtype):
        return [None if np.isnan(v) else float(v) for v in series.to_numpy(dtype=float)]
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
            for v in series.to_numpy(dtype=object)]


def json_records(frame: pd.DataFrame, money_columns: list[str] | None = None) -> list[dict]:
    """One dict per row with JSON-ready values (column names as keys)."""
    money = set(frame.attrs.get("money_columns", []) if money_columns is None else money_columns)
    columns = [str(c) for c in frame.columns]
    data = [_column(frame[c], c in money) for c in frame.columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*data, strict=True)] if len(frame) else []
