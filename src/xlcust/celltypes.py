"""From raw cell values to typed columns, vectorised, with a status per odd cell.

Typing decides what a value *is* (a date typed as text is still a date; `1,2,3` is
no amount); checks decide what to *say* about it. So each converter returns the
typed values and a sparse status Series (only the cells that were not plain):

    blank        nothing there
    text         the right value, but typed as text (a date or a number stored as text)
    number       a number where text belongs (a code typed as 101)
    spaces       leading/trailing/full-width characters removed
    fraction     money with fractions of a cent (rounded half-even to the cent)
    error_value  an Excel error value such as #DIV/0!
    bad          not readable as this type; the typed value is missing

Money becomes integer cents (nullable Int64); dates datetime64 (NaT when missing).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schema import (
    FALSE_WORDS,
    TRUE_WORDS,
    Column,
    ColumnType,
    Sheet,
    normalize_header,
    parse_kind,
)
from .tables import Numbered, RawSheet, SheetTable


class ExcelError(str):
    """An Excel error value (#N/A, #DIV/0! …) as read from a cell."""

    __slots__ = ()


Status = pd.Series  # index = Excel row, value = status word

_EMPTY_STATUS = pd.Series([], dtype=object)


def _status(index: pd.Index, mask: np.ndarray, word: str) -> pd.Series:
    return pd.Series(word, index=index[mask], dtype=object)


_TYPE_CODE: dict[type, int] = {
    type(None): 0, type(pd.NA): 0, type(pd.NaT): 0, str: 1, float: 2, int: 2, bool: 4, ExcelError: 5,
    dt.date: 3, dt.datetime: 3, pd.Timestamp: 3,
}


def _type_code_of(t: type) -> int:
    if t in _TYPE_CODE:
        return _TYPE_CODE[t]
    return 2 if issubclass(t, np.floating | np.integer) else 6


def _types_of(values: np.ndarray) -> tuple[np.ndarray, list[type]]:
    """Each value's type as an index into the list of distinct types.

    (Comparing an array of types with `==` is unreliable: numpy treats some classes,
    pd.Timestamp among them, as array-likes. Factorising hashes them instead.)
    """
    distinct = set(map(type, values))
    if len(distinct) <= 1:  # the usual column: no need to number the cells
        return np.zeros(len(values), dtype=np.intp), list(distinct)
    which, types = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
    return which, list(types)


def _type_codes(raw: pd.Series) -> np.ndarray:
    """Per cell: 0 blank, 1 str, 2 number, 3 date/datetime, 4 bool, 5 error, 6 other.

    Vectorised: the type of each cell is looked up once per distinct type, and only the
    text cells (for blank strings) and the float cells (for NaN) are looked at again.
    """
    values = raw.to_numpy(dtype=object)
    which, types = _types_of(values)
    codes = np.array([_type_code_of(t) for t in types] + [0], dtype=np.int8)[which]
    text = np.flatnonzero(codes == 1)
    if len(text):
        cells = values[text]
        blanks = [u for u in pd.unique(cells) if not u.strip()]
        if blanks:
            codes[text[pd.Series(cells, dtype=object).isin(blanks).to_numpy()]] = 0
    numbers = np.flatnonzero(codes == 2)
    if len(numbers):
        nan = np.isnan(values[numbers].astype(float))
        codes[numbers[nan]] = 0
    return codes


# ------------------------------------------------------------------- text & codes


def clean_text(value: str) -> str:
    """NFKC (full-width → half-width) and trimmed, as codes are compared."""
    return unicodedata.normalize("NFKC", value).strip()


# A column read whole (`xlcust.io.columns`) arrives typed: float64 numbers, datetime64
# dates, Arrow-backed text. Every cell is of one kind already, so for text all that is
# left to look at is what Python's str.strip and NFKC would change, and that can only
# happen to non-ASCII text or text with an ASCII space at either end.

_PY_SPACES = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # what str.strip removes, among ASCII characters


def _is_text_column(raw: pd.Series) -> bool:
    return isinstance(raw.dtype, pd.ArrowDtype) and pa.types.is_string(raw.dtype.pyarrow_dtype)


def _text_cells(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """An all-text column: its values (None when empty) and the positions worth a closer look."""
    cells = pa.array(raw.array)
    odd = pc.or_(pc.invert(pc.string_is_ascii(cells)),
                 pc.not_equal(pc.ascii_trim(cells, characters=_PY_SPACES), cells))
    odd_at = np.flatnonzero(pc.fill_null(odd, False).to_numpy(zero_copy_only=False))
    return cells.to_numpy(zero_copy_only=False), odd_at


def _code_from_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    out, odd_at = _text_cells(raw)
    spaces: list[int] = []
    cleaned: dict[str, str | None] = {}
    for i in odd_at:
        v = out[i]
        if v not in cleaned:
            cleaned[v] = clean_text(v) if v.strip() else None
        c = cleaned[v]
        if c != v:
            out[i] = c
            if c is not None:
                spaces.append(i)
    status = pd.Series("spaces", index=raw.index[spaces], dtype=object) if spaces else _EMPTY_STATUS
    return pd.Series(out, index=raw.index, dtype=object), status


def _text_from_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    out, odd_at = _text_cells(raw)
    stripped: dict[str, str | None] = {}
    for i in odd_at:
        v = out[i]
        if v not in stripped:
            stripped[v] = v.strip() or None
        out[i] = stripped[v]
    return pd.Series(out, index=raw.index, dtype=object), _EMPTY_STATUS


def _kind_from_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    typed, status, _numbered = _numbered_kinds(raw)
    return typed, status


def _numbered_kinds(raw: pd.Series) -> tuple[pd.Series, pd.Series, Numbered]:
    """Kinds typed as text: parsed once per distinct word, numbered as `SheetTable.numbered` would."""
    cells = pa.array(raw.array)
    words = pc.unique(cells).drop_null()  # a handful of distinct words, each parsed once
    texts = words.to_pylist()
    kinds = np.array([parse_kind(w) if w.strip() else None for w in texts] + [None], dtype=object)  # + blank
    unreadable = np.array([bool(w.strip()) and k is None for w, k in zip(texts, kinds, strict=False)] + [False])
    at = pc.fill_null(pc.index_in(cells, value_set=words), len(words)).to_numpy(zero_copy_only=False)
    bad = unreadable[at]
    status = pd.Series("bad", index=raw.index[bad], dtype=object) if bad.any() else _EMPTY_STATUS
    return pd.Series(kinds[at], index=raw.index, dtype=object), status, _renumbered(kinds, at)


def _renumbered(typed: np.ndarray, at: np.ndarray) -> Numbered:
    """The numbering of `typed[at]` (`typed`: each distinct cell's typed value in order of first
    appearance, blank last; `at`: each row's position in it), from the short `typed` alone.

    Numbering the distinct values in their order numbers the typed values in order of
    first appearance too, as `pd.factorize` on the whole column would.
    """
    numbers, values = pd.factorize(typed)
    return Numbered(np.asarray(numbers, dtype=np.int64)[at], np.asarray(values, dtype=object))


_SAMPLE = 100_000  # rows looked at to tell codes that repeat (customers) from ids that do not


def _numbered_codes(raw: pd.Series) -> tuple[pd.Series, pd.Series, Numbered] | None:
    """`_code_from_text` for a column whose codes repeat (customer codes), cleaning and numbering
    each distinct code once; None for a column of mostly distinct codes (txn ids), where
    gathering the distinct codes back costs more than it saves."""
    cells = pa.array(raw.array)
    sample = cells.slice(0, _SAMPLE)
    if pc.count_distinct(sample).as_py() > (len(sample) - sample.null_count) // 2:
        return None
    encoded = pc.dictionary_encode(cells)  # distinct texts in order of first appearance
    words = encoded.dictionary
    odd = pc.or_(pc.invert(pc.string_is_ascii(words)),
                 pc.not_equal(pc.ascii_trim(words, characters=_PY_SPACES), words))
    cleaned = words.to_numpy(zero_copy_only=False)
    moved = np.zeros(len(cleaned) + 1, dtype=bool)  # + the blank cell's slot
    for i in np.flatnonzero(pc.fill_null(odd, False).to_numpy(zero_copy_only=False)):
        v = cleaned[i]
        c = clean_text(v) if v.strip() else None
        if c != v:
            cleaned[i] = c
            moved[i] = c is not None
    at = pc.fill_null(encoded.indices, len(cleaned)).to_numpy(zero_copy_only=False)
    typed = np.append(cleaned, None)
    spaces = np.flatnonzero(moved[at])
    status = pd.Series("spaces", index=raw.index[spaces], dtype=object) if len(spaces) else _EMPTY_STATUS
    if len(spaces) or None in cleaned:  # cleaning merged codes or blanked some: number them again
        numbered = _renumbered(typed, at)
    else:  # the distinct texts are the distinct codes: their numbers are the dictionary's
        numbered = Numbered(np.where(at == len(cleaned), -1, at).astype(np.int64), cleaned)
    return pd.Series(typed[at], index=raw.index, dtype=object), status, numbered


def to_code(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Codes as text. A number cell 101.0 becomes '101' (status `number`)."""
    if _is_text_column(raw):
        return _code_from_text(raw)
    kinds = _type_codes(raw)
    out = np.full(len(raw), None, dtype=object)
    status = np.full(len(raw), None, dtype=object)
    values = raw.to_numpy(dtype=object)
    text = np.flatnonzero(kinds == 1)
    if len(text):  # codes repeat (one customer, many rows): clean each distinct text once
        cells = pd.Series(values[text], dtype=object)
        changed = {u: c for u in cells.unique() if (c := clean_text(u)) != u}
        out[text] = values[text]
        if changed:
            moved = cells.isin(list(changed)).to_numpy()
            out[text[moved]] = cells[moved].map(changed).to_numpy(dtype=object)
            status[text[moved]] = "spaces"
    for i in np.flatnonzero(kinds == 2):
        v = values[i]
        out[i] = str(int(v)) if float(v).is_integer() else str(v)
        status[i] = "number"
    for i in np.flatnonzero((kinds == 3) | (kinds == 4) | (kinds == 6)):
        out[i] = _date_text(values[i]) if kinds[i] == 3 else str(values[i])
        status[i] = "bad"
    status[kinds == 5] = "error_value"
    return pd.Series(out, index=raw.index, dtype=object), _sparse(status, raw.index)


def _date_text(v: dt.date) -> str:
    """A date cell as text: the date alone unless it has a time of day."""
    if type(v) is dt.date or v == v.replace(hour=0, minute=0, second=0, microsecond=0):  # type: ignore[call-arg]
        return v.isoformat()[:10]
    return str(v)


def to_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    if _is_text_column(raw):
        return _text_from_text(raw)
    kinds = _type_codes(raw)
    values = raw.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    for i in np.flatnonzero(kinds != 0):
        v = values[i]
        if kinds[i] == 2 and float(v).is_integer():
            out[i] = str(int(v))
        elif kinds[i] == 3:
            out[i] = _date_text(v)
        else:
            out[i] = str(v).strip()
    status = np.full(len(raw), None, dtype=object)
    status[kinds == 5] = "error_value"
    return pd.Series(out, index=raw.index, dtype=object), _sparse(status, raw.index)


def _sparse(status: np.ndarray, index: pd.Index) -> pd.Series:
    mask = np.array([s is not None for s in status], dtype=bool)
    return pd.Series(status[mask], index=index[mask], dtype=object)


# ------------------------------------------------------------------------ numbers

_PLAIN_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")
_CURRENCY = re.compile(r"^(?:[¥￥$]|RMB|CNY|人民币)\s*|\s*(?:元|RMB|CNY)$", re.IGNORECASE)


def parse_number_text(text: str) -> float | None:
    """A number typed as text: '1200.50', '1,200.50', '¥1,200', '（1,200）' → float, else None.

    Commas must group thousands properly: '1,2,3' is not a number.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    s = _CURRENCY.sub("", s).strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if _PLAIN_NUMBER.fullmatch(s):
        value = float(s)
    elif _GROUPED_NUMBER.fullmatch(s):
        value = float(s.replace(",", ""))
    else:
        return None
    return -value if negative else value


def to_float(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as float64 (NaN when missing or unreadable)."""
    if raw.dtype == np.float64:  # a column of numbers only
        return pd.Series(raw.to_numpy(copy=True), index=raw.index), _EMPTY_STATUS
    kinds = _type_codes(raw)
    values = raw.to_numpy(dtype=object)
    out = np.full(len(raw), np.nan)
    num = kinds == 2
    out[num] = values[num].astype(float)
    status = np.full(len(raw), None, dtype=object)
    for i in np.flatnonzero(kinds == 1):
        parsed = parse_number_text(values[i])
        if parsed is None:
            status[i] = "bad"
        else:
            out[i] = parsed
            status[i] = "text"
    status[(kinds == 3) | (kinds == 4) | (kinds == 6)] = "bad"
    status[kinds == 5] = "error_value"
    return pd.Series(out, index=raw.index), _sparse(status, raw.index)


def to_cents(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Money as integer cents (Int64). Sub-cent values are rounded half-even, status `fraction`."""
    values, status = to_float(raw)
    with np.errstate(over="ignore", invalid="ignore"):
        x = values.to_numpy() * 100.0
        ok = ~np.isnan(x)
        huge = ok & ~(np.abs(x) < _EXACT)  # beyond what a float counts exactly: no amount, said so
        ok &= ~huge
        x = np.where(ok, x, 0.0)
    cents = np.rint(x)
    frac = ok & (np.abs(x - cents) > 1e-6 * np.maximum(1.0, np.abs(x)))
    out = pd.array(np.where(ok, cents, 0).astype(np.int64), dtype="Int64")
    out[~ok] = pd.NA
    for mask, word in ((frac, "fraction"), (huge, "bad")):
        if mask.any():
            status = pd.concat([status[~status.index.isin(raw.index[mask])], _status(raw.index, mask, word)])
    return pd.Series(out, index=raw.index), status.sort_index()


_EXACT = 2.0**53  # integers up to here are exact in a float (and far inside int64)


def to_int(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    values, status = to_float(raw)
    x = values.to_numpy()
    ok = ~np.isnan(x)
    whole = ok & (np.floor(x) == x) & (np.abs(x) < _EXACT)
    out = pd.array(np.where(whole, x, 0).astype(np.int64), dtype="Int64")
    out[~whole] = pd.NA
    bad = ok & ~whole
    if bad.any():
        status = pd.concat([status[~status.index.isin(raw.index[bad])], _status(raw.index, bad, "bad")])
    return pd.Series(out, index=raw.index), status.sort_index()


def to_rate(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rates as fractions: 0.13 or the text '13%' (a percent typed as text is fine)."""
    if raw.dtype == np.float64:
        return to_float(raw)
    values = raw.to_numpy(dtype=object)
    pct = np.array(
        [isinstance(v, str) and v.strip().endswith(("%", "％")) for v in values], dtype=bool
    )
    if not pct.any():
        return to_float(raw)
    stripped = raw.copy()
    stripped[pct] = [v.strip()[:-1] for v in values[pct]]
    out, status = to_float(stripped)
    out = out.where(~pct, out / 100)
    typed_as_percent = status.index.isin(raw.index[pct]) & (status == "text").to_numpy()
    return out, status[~typed_as_percent]


def to_bool(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    kinds = _type_codes(raw)
    values = raw.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    status = np.full(len(raw), None, dtype=object)
    for i in np.flatnonzero(kinds != 0):
        v = values[i]
        if kinds[i] == 4 or kinds[i] == 2 and v in (0, 1):
            out[i] = bool(v)
        else:
            word = normalize_header(v)
            if word in TRUE_WORDS:
                out[i] = True
            elif word in FALSE_WORDS:
                out[i] = False
            else:
                status[i] = "error_value" if kinds[i] == 5 else "bad"
    return pd.Series(out, index=raw.index, dtype=object), _sparse(status, raw.index)


def to_kind(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    if _is_text_column(raw):
        return _kind_from_text(raw)
    kinds = _type_codes(raw)
    values = raw.to_numpy(dtype=object)
    out = np.full(len(raw), None, dtype=object)
    status = np.full(len(raw), None, dtype=object)
    cache: dict[object, str | None] = {}
    for i in np.flatnonzero(kinds != 0):
        v = values[i]
        if v not in cache:
            cache[v] = parse_kind(v) if kinds[i] == 1 else None
        out[i] = cache[v]
        if out[i] is None:
            status[i] = "error_value" if kinds[i] == 5 else "bad"
    return pd.Series(out, index=raw.index, dtype=object), _sparse(status, raw.index)


# -------------------------------------------------------------------------- dates

_ISO = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date_text(text: str) -> dt.date | None:
    """Unambiguous dates typed as text: 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105.

    Day-first or month-first forms (05/01/2024) are ambiguous and return None.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    m = _ISO.fullmatch(s) or _COMPACT.fullmatch(s)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def to_date(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_datetime64_dtype(raw.dtype):  # a column of date cells only
        return pd.Series(raw.to_numpy(dtype="datetime64[ns]", copy=True), index=raw.index), _EMPTY_STATUS
    kinds = _type_codes(raw)
    values = raw.to_numpy(dtype=object)
    out = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[ns]")
    is_date = np.flatnonzero(kinds == 3)
    if len(is_date):
        out[is_date] = _dates_ns(values[is_date])
    status = np.full(len(raw), None, dtype=object)
    status[is_date[np.isnat(out[is_date])]] = "bad"  # a date cell out of range (9999-12-31)
    cache: dict[str, dt.date | None] = {}
    for i in np.flatnonzero(kinds == 1):
        v = values[i]
        if v not in cache:
            d = parse_date_text(v)
            cache[v] = d if d is not None and _FIRST_DAY <= d <= _LAST_DAY else None
        d = cache[v]
        if d is None:
            status[i] = "bad"
        else:
            out[i] = np.datetime64(d, "ns")
            status[i] = "text"
    status[(kinds == 2) | (kinds == 4) | (kinds == 6)] = "bad"
    status[kinds == 5] = "error_value"
    return pd.Series(out, index=raw.index), _sparse(status, raw.index)


_FIRST_DAY = pd.Timestamp.min.date() + dt.timedelta(days=1)  # the days a datetime64[ns] can hold
_LAST_DAY = pd.Timestamp.max.date()


def _dates_ns(values: np.ndarray) -> np.ndarray:
    """Date, datetime and Timestamp cells (blanks → NaT) as datetime64[ns], one Python type at
    a time (pandas will not parse them mixed)."""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    which, types = _types_of(values)
    for i in range(len(types)):
        at = which == i
        out[at] = _as_ns(values[at])
    return out


def _as_ns(values: np.ndarray) -> np.ndarray:
    """Date cells of one Python type as datetime64[ns]; NaT for a date no nanosecond clock reaches.

    pandas parses 9999-12-31 at second resolution, and casting that to nanoseconds wraps
    around to 1816 without a word: such dates are caught here instead.
    """
    parsed = pd.to_datetime(pd.Series(values), errors="coerce").to_numpy(copy=True)
    days = parsed.astype("datetime64[D]")
    outside = ~np.isnat(days) & ((days < np.datetime64(_FIRST_DAY)) | (days > np.datetime64(_LAST_DAY)))
    parsed[outside] = np.datetime64("NaT")
    return parsed.astype("datetime64[ns]")


CONVERTERS = {
    ColumnType.TEXT: to_text,
    ColumnType.CODE: to_code,
    ColumnType.DATE: to_date,
    ColumnType.MONEY: to_cents,
    ColumnType.NUMBER: to_float,
    ColumnType.INT: to_int,
    ColumnType.RATE: to_rate,
    ColumnType.BOOL: to_bool,
    ColumnType.KIND: to_kind,
}


def _missing_column(column: Column, index: pd.Index) -> pd.Series:
    if column.type is ColumnType.DATE:
        return pd.Series(np.full(len(index), np.datetime64("NaT"), dtype="datetime64[ns]"), index=index)
    if column.type in (ColumnType.MONEY, ColumnType.INT):
        return pd.Series(pd.array([pd.NA] * len(index), dtype="Int64"), index=index)
    if column.type in (ColumnType.NUMBER, ColumnType.RATE):
        return pd.Series(np.full(len(index), np.nan), index=index)
    return pd.Series(np.full(len(index), None, dtype=object), index=index, dtype=object)


_BLANK_TYPES = frozenset({type(None), type(pd.NA), type(pd.NaT)})
_TEXT_TYPES = frozenset({str}) | _BLANK_TYPES
_NUMBER_TYPES = frozenset({float, int}) | _BLANK_TYPES
_DATE_TYPES = frozenset({dt.date, dt.datetime, pd.Timestamp}) | _BLANK_TYPES


def uniform(raw: pd.Series) -> pd.Series:
    """A column of Python values that are all text, all numbers or all dates, as a typed Series.

    That is the form the column reader gives (Arrow text, float64, datetime64), and the
    converters take it without looking at each cell. Any other column (mixed, or holding
    booleans or error values) is returned as it is, for the cell-by-cell converters.
    """
    if raw.dtype != object or not len(raw):
        return raw
    values = raw.to_numpy()
    which, types = _types_of(values)
    kinds = frozenset(types)
    if kinds <= _TEXT_TYPES and str in kinds:
        cells = pa.array(values, type=pa.string(), from_pandas=True)
        cells = pc.if_else(pc.equal(cells, ""), pa.scalar(None, pa.string()), cells)
        return pd.Series(pd.arrays.ArrowExtensionArray(cells), index=raw.index)
    if kinds <= _NUMBER_TYPES and kinds - _BLANK_TYPES:
        numbers = np.full(len(values), np.nan)
        for i, t in enumerate(types):
            if t in (float, int):
                at = which == i
                numbers[at] = values[at].astype(float)
        return pd.Series(numbers, index=raw.index)
    if kinds <= _DATE_TYPES and kinds - _BLANK_TYPES:
        dates = _dates_ns(values)
        if (np.isnat(dates) & ~pd.isna(values)).any():
            return raw  # a date out of range: cell by cell, where it is named
        return pd.Series(dates, index=raw.index)
    return raw


def type_sheet(raw: RawSheet | None, spec: Sheet) -> SheetTable:
    """Typed table for one sheet; every field of the spec exists (missing ones empty)."""
    if raw is None:
        empty = pd.DataFrame({c.name: _missing_column(c, pd.RangeIndex(0)) for c in spec.columns})
        return SheetTable(spec, None, pd.DataFrame(index=pd.RangeIndex(0)), empty)
    data: dict[str, pd.Series] = {}
    status: dict[str, pd.Series] = {}
    numbering: dict[tuple[str, ...], tuple[Numbered, ...]] = {}
    for column in spec.columns:
        if column.name in raw.raw.columns:
            cells = uniform(raw.raw[column.name])
            # Text codes and kinds come numbered from typing, where each distinct text is looked at anyway.
            numbered = None
            if _is_text_column(cells) and column.type is ColumnType.KIND:
                numbered = _numbered_kinds(cells)
            elif _is_text_column(cells) and column.type is ColumnType.CODE:
                numbered = _numbered_codes(cells)
            if numbered is not None:
                data[column.name], status[column.name], number = numbered
                numbering[(column.name,)] = (number,)
            else:
                data[column.name], status[column.name] = CONVERTERS[column.type](cells)
        else:
            data[column.name] = _missing_column(column, raw.raw.index)
    frame = pd.DataFrame(data, index=raw.raw.index)
    return SheetTable(
        spec, raw.sheet, raw.raw, frame, dict(raw.columns), raw.header_row, raw.table_name,
        raw.table_ref, status={k: v for k, v in status.items() if len(v)}, numbering=numbering,
    )
