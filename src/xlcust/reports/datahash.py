"""The data hash: which data a report was computed from, as one SHA-256.

    data_hash(book)               SHA-256 of the typed data a report was computed from
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..book import Book

# -------------------------------------------------------------------- data hash

HASH_SHEETS = ("Transactions", "Categories", "CategoryHistory")
HASH_VERSION = "xlcust-data-hash/1"


def data_hash(book: Book, sheets: Sequence[str] = HASH_SHEETS) -> str:
    """SHA-256 (hex) of a canonical serialisation of these sheets' typed data.

    What is hashed, as UTF-8 text, each line ending in "\\n":

        xlcust-data-hash/1
        for each sheet, in the order given:
            sheet <key> <present|absent> <number of rows>
            for each column of the sheet's schema, in schema order (DESIGN §5):
                column <field name>
                one line per row, in sheet order, holding the typed value:
                    missing        \\N
                    text, code     the text, with \\ \\n \\r \\t written as \\\\ \\n \\r \\t
                    kind           the canonical English word (invoice, credit_note, …)
                    money          whole cents (12345 for 123.45)
                    whole number   decimal digits
                    rate, number   Python's shortest round-trip repr of the float (0.13)
                    yes/no         TRUE or FALSE
                    date           YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS with a time of day

    Row numbers, header spellings, column order and cell formats are not part of it, so
    inserting a blank row or renaming a header to Chinese keeps the hash; changing any
    value, adding or removing a row, or reordering rows changes it.
    """
    digest = hashlib.sha256()
    digest.update(f"{HASH_VERSION}\n".encode())
    tables = {t.spec.key: t for t in book.tables()}
    for key in sheets:
        table = tables[key]
        data = table.data.sort_index(kind="stable")
        digest.update(f"sheet {key} {'present' if table.present else 'absent'} {len(data)}\n".encode())
        for column in table.spec.columns:
            digest.update(f"column {column.name}\n".encode())
            if column.name in data.columns and len(data):
                digest.update((_canonical(data[column.name]) + "\n").encode())
            elif len(data):
                digest.update(("\\N\n" * len(data)).encode())
    return digest.hexdigest()


_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _canonical(values: pd.Series) -> str:
    """The canonical lines of one typed column, joined by newlines (see `data_hash`)."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        # Few distinct dates in a ledger: format each once.
        codes, uniques = pd.factorize(values.to_numpy(dtype="datetime64[s]"), use_na_sentinel=True)
        words = [_date_text(v) for v in np.asarray(uniques, dtype="datetime64[s]")]
        return "\n".join(np.array([*words, "\\N"], dtype=object)[codes].tolist())
    if pd.api.types.is_integer_dtype(dtype):
        missing = values.isna().to_numpy()
        numbers = values.to_numpy(dtype=np.int64, na_value=0).tolist()
        if not missing.any():  # one %-format into one string: no str object per number
            return ("%d\n" * len(numbers) % tuple(numbers))[:-1]
        strings = list(map(str, numbers))
        for i in np.flatnonzero(missing).tolist():
            strings[i] = "\\N"
        return "\n".join(strings)
    if pd.api.types.is_float_dtype(dtype):
        return "\n".join("\\N" if v != v else repr(v) for v in values.to_numpy(dtype=float).tolist())
    arr = values.to_numpy(dtype=object)
    try:  # the usual text column, every cell filled: join it as it is …
        joined = "\n".join(arr.tolist())
    except TypeError:  # (a blank or a non-text cell)
        pass
    else:
        if _needs_no_escape(joined, len(arr), 0):  # … when no cell holds a character to escape
            return joined
    missing = pd.isna(arr)
    if missing.all():
        return "\n".join(["\\N"] * len(arr))
    if pd.api.types.infer_dtype(arr, skipna=True) == "string":  # the usual text column: no Python loop
        out = arr.copy()
        out[missing] = "\\N"
        joined = "\n".join(out.tolist())
        if _needs_no_escape(joined, len(arr), int(missing.sum())):
            return joined
        return "\n".join("\\N" if m else v.translate(_ESCAPES)
                         for v, m in zip(arr.tolist(), missing.tolist(), strict=True))
    out = []
    for v, m in zip(arr.tolist(), missing.tolist(), strict=True):
        if m:
            out.append("\\N")
        elif isinstance(v, bool | np.bool_):
            out.append("TRUE" if v else "FALSE")
        else:
            out.append(str(v).translate(_ESCAPES))
    return "\n".join(out)


def _needs_no_escape(joined: str, lines: int, blanks: int) -> bool:
    """Whether `lines` cells joined by newlines (`blanks` of them written \\N) hold no \\ \\n \\r \\t.

    Counting in the joined text is one pass in C instead of one test per cell.
    """
    return (joined.count("\n") == lines - 1 and joined.count("\\") == blanks
            and "\r" not in joined and "\t" not in joined)


def _date_text(value: np.datetime64) -> str:
    text = str(value)  # 2026-01-05T00:00:00
    return text[:10] if text.endswith("T00:00:00") else text
