"""How an output sheet's columns look: widths from their content, header alignment, title height.

Both hosts lay a sheet out with these functions (the package writer while it streams
the rows, xlwings from the values it writes), so a file and a live workbook print alike.

Widths are in Excel's character units. A value is measured as the sheet shows it
(cents as `1,234.56`, a percent as `13.00%`, a date as `2026-09-30`), East Asian wide
characters counting two. A number column is as wide as its widest value and never
narrower than its header needs on two lines; a text column likewise, up to a limit
past which its cells wrap instead of pushing the table off the page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from numbers import Integral, Real

from .sheet import CellSpec, ColumnSpec

NUMERIC_KINDS = frozenset({"int", "money", "cents", "percent", "number", "date", "datetime"})
TEXT_CAP = 30.0  # a text column wraps past this many characters (or past its own width, if wider)
MAX_WIDTH = 80.0
HEADER_LINES = 2  # header cells wrap onto up to this many lines before the column widens
FILTER_ARROW = 2.0  # the autofilter button covers about two characters of a header cell
POINTS_PER_LINE = 15.0  # 11-point text
TITLE_POINTS_PER_LINE = 17.5  # the 13-point title


@dataclass(frozen=True)
class ColumnLayout:
    """A column as printed: its width, whether its cells wrap, how its header is aligned."""

    width: float
    wrap: bool
    align: str  # "left" or "right": the header sits where the column's values do


def display_width(text: str) -> int:
    """Character cells a text takes: East Asian wide and full-width characters count two."""
    if text.isascii():  # codes, amounts, dates: the common case, and a hundred times faster
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def header_align(kind: str) -> str:
    """Right over numbers and dates (Excel right-aligns them), left over text and links."""
    return "right" if kind in NUMERIC_KINDS else "left"


def shown(value: object, kind: str) -> str:
    """The text a cell shows for a value written with this kind (its number format applied)."""
    if isinstance(value, CellSpec):
        value, kind = value.value, value.kind
    if value is None:
        return ""
    if kind == "link" and isinstance(value, (tuple, list)) and len(value) == 2:
        value = value[0] if value[0] is not None else value[1]
        kind = "text"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.date):
        if value != value:  # NaT
            return ""
        if isinstance(value, dt.datetime) and kind != "date":  # a date column shows the day only
            return f"{value:%Y-%m-%d %H:%M}"
        return f"{value:%Y-%m-%d}"
    if hasattr(value, "item") and not isinstance(value, (str, Decimal)):  # numpy scalars
        value = value.item()
    if isinstance(value, (Real, Decimal)) and not isinstance(value, bool):
        number = float(value)
        if number != number or math.isinf(number):
            return ""
        if kind == "cents":
            return f"{number / 100:,.2f}"
        if kind == "money":
            return f"{number:,.2f}"
        if kind == "percent":
            return f"{number * 100:.2f}%"
        if kind == "int":
            return str(round(number))
        if isinstance(value, Integral):
            return str(value)
        return f"{number:.10g}"  # General shows about ten significant digits
    return str(value)


def _room(value: object, kind: str) -> float:
    """Characters a value needs; a header-looking cell in the table (a later table's header) may wrap."""
    if type(value) is str:
        text = value
    elif isinstance(value, CellSpec) and value.role == "title":  # a title spills over the empty cells beside it
        return 0
    elif isinstance(value, CellSpec) and value.role == "header":
        return header_need(str(value.value), filter_arrow=False) - 2
    elif isinstance(value, CellSpec) and isinstance(value.value, str):
        text = value.value
    else:
        return display_width(shown(value, kind))
    # Text in a number column (a list below a dashboard's figures) spills into the empty
    # cells beside it rather than widening the figures' column without limit.
    return min(display_width(text), TEXT_CAP) if kind in NUMERIC_KINDS else display_width(text)


def header_need(header: str, filter_arrow: bool) -> float:
    """The narrowest width that shows a header on at most two lines without breaking a word."""
    words = header.split()
    if len(words) > 1:  # break at the best space
        two = min(max(display_width(" ".join(words[:k])), display_width(" ".join(words[k:])))
                  for k in range(1, len(words)))
    elif display_width(header) > len(header):  # CJK text breaks between any two characters …
        # … but a word of up to four characters (客户编码) reads badly broken: it stays whole
        # (plus one: a CJK glyph is a little wider than two digits, and the header is indented)
        whole = display_width(header)
        two = (whole if whole <= 8 else math.ceil(whole / HEADER_LINES)) + 1
    else:
        two = display_width(header)
    return two + 1 + (FILTER_ARROW if filter_arrow else 0)


def column_layout(column: ColumnSpec, values: Iterable[object], *, filter_arrow: bool = True) -> ColumnLayout:
    """Width, wrap and header alignment of a column from a sample of its values.

    A text column grows with its values up to TEXT_CAP characters, or its ColumnSpec.width when
    that is wider, and wraps past it; a number column is always as wide as its widest value
    (numbers never wrap), and so is a link column (codes).
    """
    content = max((_room(v, column.kind) for v in values), default=0)
    need = header_need(column.header, filter_arrow)
    align = header_align(column.kind)
    if column.kind in NUMERIC_KINDS or column.kind == "link":  # links are codes: they never wrap
        return ColumnLayout(min(max(content + 2.0, need, 6.0), MAX_WIDTH), False, align)
    cap = max(column.width or 0.0, TEXT_CAP, need)
    wanted = max(content + 2.0, need, 6.0)
    return ColumnLayout(min(wanted, cap, MAX_WIDTH), wanted > cap, align)


def layouts(columns: Sequence[ColumnSpec], samples: Sequence[Sequence[object]], *,
            filter_arrow: bool = True) -> list[ColumnLayout]:
    """Every column's layout; samples holds a list of sampled values per column."""
    return [column_layout(c, samples[i] if i < len(samples) else (), filter_arrow=filter_arrow)
            for i, c in enumerate(columns)]


# A wrapped line holds a little less than the column's width in character units: letters and
# Chinese characters are drawn in proportional fonts whose widths differ from the '0' that
# Excel's width unit measures, and Excel and LibreOffice wrap differently. Counted at 90 %
# of the width, a long note gets the line it may need rather than losing its last one.
WRAP_SLACK = 0.9

# What wrapping breaks between: a run of ASCII letters, digits and signs (a word, a code, a setting
# name such as detail_rows_in_book) moves to the next line whole; a space, or any other character
# (a Chinese character or punctuation), can end a line.
_WRAP_TOKENS = re.compile(r"[\x21-\x7e]+| +|[^\x00-\x7f]")


def lines_needed(text: str, width: float) -> int:
    """Lines a text wraps onto in a cell this many characters wide (a generous count).

    Counted as Excel and LibreOffice wrap: a word that does not fit on the line starts the
    next one, so a line ends short of the width; counting characters alone came out a line
    short on mixed Chinese and English notes, and the last line was clipped.
    """
    room = max(width - 1.0, 1.0)
    return max(1, sum(_wrapped_lines(part, room) for part in text.split("\n")))


def _wrapped_lines(part: str, room: float) -> int:
    if display_width(part) <= room:
        return 1
    room *= WRAP_SLACK
    lines, used = 1, 0.0
    for token in _WRAP_TOKENS.findall(part):
        w = display_width(token)
        if token[0] == " ":  # spaces end a line without starting the next
            used = min(used + w, room)
            continue
        if used + w > room and used > 0:
            lines, used = lines + 1, 0.0
        while w > room:  # a word longer than the line is broken where the line ends
            lines, w = lines + 1, w - room
        used += w
    return lines


def header_height(columns: Sequence[ColumnSpec], widths: Sequence[float], filter_arrow: bool = True) -> float:
    """Points for the header row: two lines at least, more when a header needs them."""
    arrow = FILTER_ARROW if filter_arrow else 0.0
    lines = max((lines_needed(c.header, w - arrow) for c, w in zip(columns, widths, strict=False)), default=1)
    return POINTS_PER_LINE * max(lines, HEADER_LINES) + 3.0


def title_height(title: str, widths: Sequence[float]) -> float:
    """Points for the title row, wrapped across the table's width."""
    return TITLE_POINTS_PER_LINE * lines_needed(title, sum(widths) * 11 / 13) + 4.0


SAMPLE_ROWS = 500  # rows measured for the column widths: all of them up to here …
SAMPLE_EVERY = 25  # … and of a frame (whose length is known in advance), every so many after


def sample_positions(n: int) -> list[int]:
    """Which of a frame's n rows are measured (a stream of rows: its first SAMPLE_ROWS)."""
    return list(range(min(n, SAMPLE_ROWS))) + list(range(SAMPLE_ROWS, n, SAMPLE_EVERY))


def column_samples(rows: Iterable[Sequence[object]], ncols: int) -> list[list[object]]:
    """The values of these rows, column by column (empty cells left out)."""
    values: list[list[object]] = [[] for _ in range(ncols)]
    for row in rows:
        for i, v in enumerate(row[:ncols]):
            if v is not None:
                values[i].append(v)
    return values


def row_height(row: Sequence[object], columns: Sequence[ColumnSpec], layout: Sequence[ColumnLayout],
               wrapping: Sequence[int]) -> float | None:
    """Points for a data row whose text wraps onto several lines; None when one line does.

    Excel and LibreOffice do not grow a row for wrapped text they did not lay out
    themselves, so the writer states the height.
    """
    lines = 1
    for i in wrapping:
        v = row[i] if i < len(row) else None
        if v is None or (type(v) is str and 2 * len(v) < layout[i].width - 1):  # fits even if all CJK
            continue
        lines = max(lines, lines_needed(shown(v, columns[i].kind), layout[i].width - 1))
    if CellSpec in map(type, row):  # a later table's header row wraps like the first one
        for i, v in enumerate(row[:len(layout)]):
            if isinstance(v, CellSpec) and v.role == "header":
                lines = max(lines, lines_needed(str(v.value), layout[i].width))
    return POINTS_PER_LINE * lines if lines > 1 else None


def key_columns(kinds: Sequence[str]) -> int:
    """Leading text columns (a code and a name, at most two) that identify a row.

    When a table is too wide for one page they print again at the left of every page.
    """
    n = 0
    while n < min(2, len(kinds) - 1) and kinds[n] in ("text", "link"):
        n += 1
    return n


def title_start(pages_wide: int, repeated: int) -> int:
    """The column the title starts in: the first, or — on a table printed several pages wide whose
    code and name columns repeat on every page — the first after them, so that those repeated
    columns carry no piece of the title onto the later pages."""
    return repeated if pages_wide > 1 else 0


def title_span(widths: Sequence[float], pages_wide: int) -> int:
    """Columns the title spans: the whole table, or those surely on the first of several pages side by side."""
    if pages_wide <= 1:
        return len(widths)
    share, used, n = sum(widths) / pages_wide, 0.0, 0
    while n < len(widths) and used + widths[n] <= share:
        used += widths[n]
        n += 1
    return max(n - 1, 1)  # a title_start past it is met by the caller (at least one column)


DEFAULT_WIDTH = 8.43  # characters: a column the sheet does not size
_EMU_PER_CHAR = 9525 * 7  # EMUs per pixel × pixels per character


def printed_widths(widths: Sequence[float], charts: Iterable[object] = ()) -> list[float]:
    """The widths a printout spans: the table's columns, and the charts beside it as one more column.

    A chart (`xlcust.views.charts.ChartSpec`) is anchored at a cell and is so many EMUs
    (or columns) wide; what reaches right of the table widens the printed page.
    """
    table = sum(widths)
    right = table
    for chart in charts:
        letters = "".join(ch for ch in chart.anchor if ch.isalpha()).upper()  # type: ignore[attr-defined]
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        col -= 1
        left = sum(widths[:col]) + max(0, col - len(widths)) * DEFAULT_WIDTH
        size_emu = chart.size_emu  # type: ignore[attr-defined]
        wide = size_emu[0] / _EMU_PER_CHAR if size_emu else chart.size[0] * DEFAULT_WIDTH  # type: ignore[attr-defined]
        right = max(right, left + wide)
    return [*widths, right - table] if right > table else list(widths)
