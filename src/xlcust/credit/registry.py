"""Customers-sheet rows per customer code, for the credit frames (which are indexed by code)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..book import Book


def sheet_positions(book: Book, codes: pd.Index) -> np.ndarray:
    """Per code: the position in `book.customers.data` of its first row (the one the ledger
    uses; the checks report repeats), or −1 for a code only seen in transactions."""
    sheet = book.customers.data["code"]
    values = sheet.to_numpy(dtype=object)
    keep = pd.notna(values) & ~sheet.duplicated().to_numpy()
    first = np.flatnonzero(keep)
    at = pd.Index(values[keep], dtype=object).get_indexer(codes)
    out = np.full(len(at), -1, dtype=np.int64)
    out[at >= 0] = first[at[at >= 0]]
    return out


def sheet_column(book: Book, field: str, positions: np.ndarray) -> np.ndarray:
    """A Customers column per code (object array; None for unregistered codes and blanks)."""
    values = book.customers.data[field].to_numpy(dtype=object)
    out = np.full(len(positions), None, dtype=object)
    found = positions >= 0
    taken = values[positions[found]]
    out[found] = np.where(pd.isna(taken), None, taken)
    return out
