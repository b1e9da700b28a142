"""Frames as plain Python values: missing → None, Timestamps → dates (what writers and JSON take)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd


def plain_values(s: pd.Series) -> list[object]:
    """A column as plain Python values, as the row writer takes them: missing → None, Timestamps → dates."""
    missing = s.isna().to_numpy()
    values = s.dt.date.to_numpy(dtype=object) if pd.api.types.is_datetime64_any_dtype(s) else s.to_numpy(dtype=object)
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values.tolist()


def frame_columns(frame: pd.DataFrame, fields: Sequence[str]) -> list[list[object]]:
    """Columns of a frame as lists of plain Python values (NaT/NA → None, Timestamps → dates)."""
    return [plain_values(frame[f]) for f in fields]


def frame_rows(frame: pd.DataFrame, fields: Sequence[str]) -> Iterable[tuple]:
    """Rows of a frame as plain Python values (NaT/NA → None, Timestamps → dates)."""
    cols = frame_columns(frame, fields)
    return zip(*cols, strict=True) if cols else iter(())
