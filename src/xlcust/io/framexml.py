"""Output-sheet rows from a DataFrame, a column at a time.

The row writer (`sheetxml._write_rows`) encodes one cell at a time in Python, which
is right for small sheets of mixed cells and costs about a microsecond per cell. The
ledger's detail sheets at Excel's limit are half a million rows of plain columns:
integer cents, dates, codes. Here each such column becomes its `<c>` elements in one
Arrow compute expression per chunk of rows, and the rows are joined the same way, so
no Python code runs per cell. A column that is not plain (links, booleans, mixed
values) goes through the row writer's own encoder, cell by cell, so both paths write
the same XML for it; plain columns differ in how a float is spelled (the shortest
text that reads back as the same number, e.g. `5` rather than `5.0`) and in leaving out
each cell's `r="B7"` where its left neighbour is written (the format places such a cell
after it; Excel, LibreOffice, python-calamine, fastexcel and openpyxl all do). Row
numbers compress poorly: without them a detail sheet deflates to about half the bytes.
Repeated text goes to the shared-string table (`sharedstrings`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from ..i18n import msg
from ..plain import plain_values
from ..schema import column_letter
from .sharedstrings import SharedStrings
from .sheetxml import (
    _ORD_1899_12_30,
    _ORD_1900_03_01,
    _ORD_1904,
    MAX_CELL_CHARS,
    MAX_HYPERLINKS,
    MAX_ROWS,
    ColumnSpec,
    DateSystem,
    OutputStyles,
    _LinkCounter,
    _location,
    xml_attr,
    xml_text,
)

CHUNK = 50_000  # rows encoded at a time: bounds the memory of the joined XML

# sheetxml._NEEDS_ESCAPE but &, < and >, in RE2 syntax (Arrow text is valid UTF-8: no surrogates)
_NEEDS_CLEANING = "[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_"
_TRIMMABLE = "^[ \t\n\r]|[ \t\n\r]$"
_ORDINAL_1970 = dt.date(1970, 1, 1).toordinal()  # datetime64 counts days from here

Encoder = Callable[[object, str], str]
Head = str | pa.Array  # the start of each cell: "<c", or '<c r="B7"' where the cell before it is empty


def write_frame_rows(name: str, frame: pd.DataFrame, columns: Sequence[ColumnSpec], encoders: Sequence[Encoder],
                     styles: OutputStyles, dates: DateSystem, header_row: int, write: Callable[[bytes], object],
                     links: list[str], counter: _LinkCounter, heights: Sequence[str] | None = None,
                     wrapped: Collection[int] = (), strings: SharedStrings | None = None) -> int:
    """Write the frame's rows below the header; returns the last row number (as `_write_rows` does).

    `links` and `counter` are the sheet's hyperlinks and dropped-link count, shared with the encoders.
    `heights`, when given, holds each row's height attributes ('' for a row of one line);
    `wrapped` the positions of the text columns whose cells wrap. With `strings`, text that
    repeats in its column is written as shared strings (see `sharedstrings`).
    """
    n = len(frame)
    if frame.shape[1] > len(columns):
        raise ValueError(f"output sheet {name!r}: {frame.shape[1]} columns of values for {len(columns)} columns")
    if header_row + n > MAX_ROWS:
        raise UsageError(msg("output sheet '{name}' has more rows than Excel's {limit}",
                             name=name, limit=f"{MAX_ROWS:,}"))
    link_rows = frame.attrs.get("links", {})
    # Text columns are escaped whole, so that a string's count in its column decides shared or inline.
    texts: dict[int, tuple[pa.Array, np.ndarray | None]] = {}
    for i in range(min(frame.shape[1], len(columns))):
        s = frame.iloc[:, i]
        if i in link_rows:
            text = _escaped(pd.Series(_shown(s), dtype=object))
        elif columns[i].kind != "link" and (s.dtype == object or isinstance(s.dtype, pd.StringDtype | pd.ArrowDtype)):
            text = _escaped(s)
        else:
            continue
        if text is not None:
            texts[i] = (text, None if strings is None else strings.column_indices(text))
    for start in range(0, n, CHUNK):
        part = frame.iloc[start:start + CHUNK]
        first = header_row + 1 + start
        numbers = pa.array(np.arange(first, first + len(part), dtype=np.int64)).cast(pa.string())
        cells: list[pa.Array] = []
        for i in range(part.shape[1]):
            # A cell's r="B7" is needed only after a gap: a cell without it is the one after its left
            # neighbour (column A if first), as the format defines and every reader follows. Dropping
            # it halves the compressed size of the detail sheets (row numbers deflate poorly).
            head = "<c" if i == 0 else pc.if_else(pc.equal(cells[-1], ""), pc.binary_join_element_wise(
                f'<c r="{column_letter(i)}', numbers, '"', ""), "<c")
            text = None
            if i in texts:
                whole, shared = texts[i]
                text = (whole.slice(start, len(part)), None if shared is None else shared[start:start + len(part)])
            if i in link_rows and text is not None:
                rows, target = link_rows[i]
                cells.append(_row_link_cells(text, rows[start:start + CHUNK], target, i, styles,
                                             numbers, head, links, counter))
            else:
                cells.append(_column_cells(part.iloc[:, i], i, columns[i].kind, encoders[i], styles, dates, numbers,
                                           head, links, counter, i in wrapped, text))
        if not cells:
            continue
        joined = pc.binary_join_element_wise(*cells, "") if len(cells) > 1 else cells[0]
        if heights is None:
            rows = pc.binary_join_element_wise('<row r="', numbers, '">', joined, "</row>", "")
        else:
            tall = pa.array(heights[start:start + CHUNK], type=pa.string())
            rows = pc.binary_join_element_wise('<row r="', numbers, '"', tall, ">", joined, "</row>", "")
        rows = rows.filter(pc.not_equal(joined, ""))  # a row with no value is left out, as the row writer does
        if len(rows):
            write(_utf8(rows))
    return header_row + n


def _utf8(strings: pa.Array) -> bytes:
    """The concatenated bytes of a string array without nulls."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[strings.offset:strings.offset + len(strings) + 1]
    return strings.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def _column_cells(s: pd.Series, col: int, kind: str, encode: Encoder, styles: OutputStyles, dates: DateSystem,
                  numbers: pa.Array, head: Head, links: list[str], counter: _LinkCounter, wrap: bool = False,
                  text: tuple[pa.Array, np.ndarray | None] | None = None) -> pa.Array:
    """One column's `<c>` elements for these rows ('' where a cell stays empty).

    `head` starts each cell (`<c`, or `<c r="B7"` after a gap); `text`, for a column of text,
    is its escaped text and shared-string indices for these rows.
    """
    style = styles.by_kind.get(kind, 0)
    if wrap and kind == "text" and styles.text_wrap is not None:
        style = styles.text_wrap
    s_num = f' s="{style}"' if style else ""
    cells = None
    if kind == "link":  # (text, target) pairs; frame_sheet's links come as target rows (_row_link_cells)
        cells = None
    elif kind == "cents" and pd.api.types.is_integer_dtype(s.dtype):
        cents = pa.array(s, type=pa.int64(), from_pandas=True)
        whole = pc.divide(pc.abs(cents), 100)
        part = pc.utf8_lpad(pc.cast(pc.subtract(pc.abs(cents), pc.multiply(whole, 100)), pa.string()), 2, "0")
        sign = pc.if_else(pc.less(cents, 0), "-", "")
        value = pc.binary_join_element_wise(sign, pc.cast(whole, pa.string()), ".", part, "")
        cells = pc.binary_join_element_wise(head, f'{s_num}><v>', value, "</v></c>", "")
    elif kind != "cents" and pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        value = pc.cast(pa.array(s, type=pa.int64(), from_pandas=True), pa.string())
        cells = pc.binary_join_element_wise(head, f'{s_num}><v>', value, "</v></c>", "")
    elif kind != "cents" and pd.api.types.is_float_dtype(s.dtype):
        x = s.to_numpy(dtype=np.float64)
        value = pc.cast(pa.array(np.where(np.isfinite(x), x, np.nan), from_pandas=True), pa.string())
        cells = pc.binary_join_element_wise(head, f'{s_num}><v>', value, "</v></c>", "")
    elif pd.api.types.is_datetime64_dtype(s.dtype):
        cells = _date_cells(s, kind, style, styles, dates, head)
    elif text is not None:
        cells = _text_cells(*text, s_num, head)
    if cells is None:  # not a plain column: the row writer's encoder, cell by cell
        rows = numbers.to_pylist()
        cells = pa.array([("" if v is None else encode(v, r)) for v, r in zip(plain_values(s), rows, strict=True)],
                         type=pa.string())
    return pc.fill_null(cells, "")


def _date_cells(s: pd.Series, kind: str, style: int, styles: OutputStyles, dates: DateSystem,
                head: Head) -> pa.Array | None:
    """Day serial numbers (the time of day is dropped, as frame values become dates)."""
    days = s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    missing = np.isnat(days)
    ordinal = days.astype(np.int64) + _ORDINAL_1970
    fast_from, epoch = (_ORD_1904, _ORD_1904) if dates.date1904 else (_ORD_1900_03_01, _ORD_1899_12_30)
    if (ordinal[~missing] < fast_from).any():
        return None  # Excel's phantom 29 February 1900 and earlier: the row writer knows them
    date_style = style if kind in ("date", "datetime") else styles.date
    value = pa.array(np.where(missing, 0, ordinal - epoch), mask=missing).cast(pa.string())
    return pc.binary_join_element_wise(head, f' s="{date_style}"><v>', value, "</v></c>", "")


def _shown(s: pd.Series) -> np.ndarray:
    """A link column's text: None where the cell stays empty."""
    return np.array([None if v is None or v == "" else str(v) for v in plain_values(s)], dtype=object)


def _row_link_cells(text: tuple[pa.Array, np.ndarray | None], rows: np.ndarray, target: str, col: int,
                    styles: OutputStyles, numbers: pa.Array, head: Head, links: list[str],
                    counter: _LinkCounter) -> pa.Array:
    """Text that links to a row of a user's sheet (`target` + row number, e.g. 'Transactions'!A7).

    The targets are row numbers, made into link text only for the links Excel keeps (as the
    row writer's encoder would); the rest are counted as dropped and stay plain text.
    """
    shown = pc.is_valid(text[0]).to_numpy(zero_copy_only=False)
    linkable = np.flatnonzero(~np.isnan(rows) & shown)
    room = max(0, MAX_HYPERLINKS - len(links))
    counter.dropped += max(0, len(linkable) - room)
    linked = linkable[:room]
    letter = column_letter(col)
    at = numbers.to_pylist() if len(linked) else []
    location = xml_attr(_location(target))  # the same sheet and column for every row: escaped once
    targets = rows[linked].astype(np.int64).tolist()
    links.extend(f'<hyperlink ref="{letter}{at[i]}" location="{location}{r}"/>'
                 for i, r in zip(linked.tolist(), targets, strict=True))
    attrs = np.full(len(shown), "", dtype=object)
    attrs[linked] = f' s="{styles.link}"'
    cells = _text_cells(*text, pa.array(attrs, type=pa.string()), head)
    return pc.fill_null(cells, "")


def _escaped(s: pd.Series) -> pa.Array | None:
    """A column's text as XML element text, null where no cell is written; None if not all text."""
    try:
        text = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return None  # not all text (or lone surrogates): cell by cell
    # &, < and > are escaped here; anything else xml_text would change (control characters,
    # _xHHHH_ sequences, text past Excel's cell limit) goes through xml_text itself
    odd = pc.or_(pc.match_substring_regex(text, _NEEDS_CLEANING), pc.greater(pc.utf8_length(text), MAX_CELL_CHARS))
    at = np.flatnonzero(pc.fill_null(odd, False).to_numpy(zero_copy_only=False))
    if len(at):
        values = text.to_numpy(zero_copy_only=False)
        for i in at:
            values[i] = xml_text(values[i])
        escaped = np.zeros(len(values), dtype=bool)
        escaped[at] = True
        text = pa.array(values, type=pa.string())
    else:
        escaped = None
    plain = text
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        plain = pc.replace_substring(plain, char, entity)
    text = plain if escaped is None else pc.if_else(pa.array(escaped), text, plain)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)  # '' writes no cell


def _text_cells(text: pa.Array, shared: np.ndarray | None, s_attr: str | pa.Array, head: Head) -> pa.Array:
    """Escaped text as shared-string cells where `shared` has an index, inline strings elsewhere."""
    inline_at = None if shared is None else shared < 0
    cells = None
    if inline_at is None or inline_at.any():
        # xml:space="preserve" only where a reader could trim something: whitespace at either end
        space = pc.if_else(pc.match_substring_regex(text, _TRIMMABLE), ' xml:space="preserve"', "")
        cells = pc.binary_join_element_wise(head, s_attr, ' t="inlineStr"><is><t', space, ">", text,
                                            "</t></is></c>", "")
    if shared is not None and not inline_at.all():
        index = pa.array(shared).cast(pa.string())
        as_shared = pc.binary_join_element_wise(head, s_attr, ' t="s"><v>', index, "</v></c>", "")
        cells = as_shared if cells is None else pc.if_else(pa.array(inline_at), cells, as_shared)
    return cells
