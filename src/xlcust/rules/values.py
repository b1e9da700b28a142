"""Values while a condition is evaluated: one array element per customer.

    number      float64 ndarray, NaN when missing (a blank figure, a division by zero)
    text        pandas StringArray, folded (NFKC + casefold) so comparisons ignore case
                and full-width forms, as Excel's `=` does; NA when blank
    date        datetime64[ns] ndarray, NaT when missing
    true/false  pandas BooleanArray with three-valued (Kleene) logic: a comparison
                with a missing value is unknown (NA); AND(FALSE, NA) is FALSE,
                OR(TRUE, NA) is TRUE, NOT(NA) is NA. A rule matches where its
                condition is TRUE; unknown never matches.

`Env` holds the metric columns, converted to these forms once and cached.
"""

from __future__ import annotations

import operator
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .metrics import Metric, Type


@dataclass
class Env:
    """The columns a compiled condition reads, converted once and cached."""

    frame: pd.DataFrame
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.frame)

    def column(self, metric: Metric) -> Any:
        key = ("column", metric.name)
        if key not in self._cache:
            values = self.frame[metric.name]
            if metric.type is Type.NUMBER:
                self._cache[key] = values.to_numpy(dtype="float64", na_value=np.nan)
            elif metric.type is Type.DATE:
                self._cache[key] = values.to_numpy(dtype="datetime64[ns]")
            else:
                self._cache[key] = fold_array(values.to_numpy(dtype=object))
        return self._cache[key]

    def tag_lists(self) -> pd.Series:
        """`;tag1;tag2;` per customer (folded), so one tag is one vectorised substring test."""
        key = ("tags", "")
        if key not in self._cache:
            raw = self.frame["tags"] if "tags" in self.frame.columns else pd.Series([None] * self.n, dtype=object)
            folded = pd.Series(fold_array(raw.to_numpy(dtype=object)), dtype="string").fillna("")
            self._cache[key] = ";" + folded.str.replace(TAG_SEPARATORS, ";", regex=True) + ";"
        return self._cache[key]


TAG_SEPARATORS = r"\s*[;,、|]\s*"  # after NFKC full-width ；and ，are ; and ,


def fold(text: str) -> str:
    """How text compares: NFKC (full-width → half-width), case-folded, outer spaces removed."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def fold_array(values: np.ndarray) -> pd.arrays.StringArray:
    s = pd.Series(values, dtype="string")
    return s.str.normalize("NFKC").str.strip().str.casefold().array


def bools(values: np.ndarray, missing: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool), np.asarray(missing, dtype=bool))


def numbers(values: np.ndarray) -> np.ndarray:
    """Infinities (overflow) become missing, like a division by zero."""
    values = np.asarray(values, dtype="float64")
    return np.where(np.isfinite(values), values, np.nan)


COMPARE = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
            ">=": operator.ge}


def compare_numbers(op: str, a: np.ndarray, b: np.ndarray) -> pd.arrays.BooleanArray:
    with np.errstate(invalid="ignore"):
        return bools(COMPARE[op](a, b), np.isnan(a) | np.isnan(b))


def compare_dates(op: str, a: np.ndarray, b: np.ndarray) -> pd.arrays.BooleanArray:
    return bools(COMPARE[op](a, b), np.isnat(a) | np.isnat(b))


def compare_other(op: str, a: Any, b: Any) -> pd.arrays.BooleanArray:
    return COMPARE[op](a, b)  # StringArray / BooleanArray comparisons are NA-aware already
