"""Worksheet XML: stream xlcust's output sheets, edit user sheets in place, find error cells.

Three jobs, all on one worksheet part at a time (the zip package around it is
`xlcust.io.package`'s business):

* `render_output_sheet` turns an `OutputSheet` (header, typed columns, rows — possibly a
  generator of a million rows) into worksheet XML by plain string building. The rows go
  to a spooled temporary file (memory for small sheets, disk for large ones); the head
  (`<dimension>`, panes, widths) and the tail (protection, autofilter, hyperlinks, page
  setup) are built once the last row is known, so the part can be written in one pass
  with its exact size. No element tree per cell. A sheet with charts
  (`OutputSheet.charts`, see `xlcust.io.charts`) also gets its `<drawing>` element, and
  the values of the cells its charts read are kept (`RenderedSheet.cells`) for the
  charts' caches.
* `SheetEditor` edits a user sheet with lxml (which keeps namespace prefixes and
  `mc:Ignorable` intact): set a cell keeping its style, append rows below a Table,
  add and remove xlcust's highlight conditional formats. Everything it does not touch
  stays as it was.
* `find_error_cells` scans raw sheet XML for cells holding Excel error values, which
  python-calamine reports as empty strings.

Cell values: numbers as `<v>`, text as inline strings (never formulas, so a name that
starts with `=`, `+`, `-` or `@` stays text), booleans `t="b"`, dates as serial numbers in
the workbook's date system with a date format. Characters XML 1.0 forbids are dropped,
text longer than Excel's 32,767-character cell limit is cut, and Excel's own `_xHHHH_`
escapes are escaped so the text reads back as written.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import itertools
import math
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from numbers import Integral, Real
from typing import IO

import pandas as pd
from lxml import etree

from ..edits import AppendRows, CellEdit, Highlight
from ..errors import UsageError, WorkbookError
from ..i18n import msg
from ..refs import MAX_COLS, MAX_ROWS, format_range, parse_cell, parse_range
from ..schema import column_index, column_letter
from ..views.layout import (
    SAMPLE_ROWS,
    ColumnLayout,
    column_samples,
    header_align,
    header_height,
    key_columns,
    layouts,
    printed_widths,
    row_height,
    sample_positions,
    title_height,
    title_span,
    title_start,
)
from ..views.page import PageSetup, choose_landscape, pages_wide
from ..views.sheet import KINDS, CellSpec, ColumnSpec, OutputSheet, estimate_width
from .sharedstrings import SharedStrings, needs_preserve

# The sheet and edit types and A1 references live with their makers (views, core); they are
# imported here too because the writer's callers have always found them in this module.
__all__ = ["AppendRows", "CellEdit", "CellSpec", "ColumnSpec", "Highlight", "KINDS", "MAX_COLS", "MAX_ROWS",
           "OutputSheet", "estimate_width", "format_range", "parse_cell", "parse_range"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

MAX_CELL_CHARS = 32_767
MAX_HYPERLINKS = 65_530  # Excel ignores (and may repair away) hyperlinks beyond this per sheet

# The formula that marks a conditional format as xlcust's highlight (always true, so the
# format shows on exactly the cells in its range). Anything else is the user's.
HIGHLIGHT_FORMULA = '"xlcust"="xlcust"'

_SPOOL_IN_MEMORY = 32 << 20  # bytes of row XML kept in memory before spilling to disk
_ROWS_PER_CHUNK = 2000

XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


# --------------------------------------------------------------------------------------
# Values


_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def clean_text(s: str) -> str:
    """Text as Excel can hold it: no XML-illegal characters, at most 32,767 characters."""
    if _ILLEGAL_XML.search(s):
        s = _ILLEGAL_XML.sub("", s)
    if len(s) > MAX_CELL_CHARS:
        s = s[:MAX_CELL_CHARS]
    return _EXCEL_ESCAPE.sub(r"_x005F_\1", s) if "_x" in s else s


def xml_text(s: str) -> str:
    """Escaped element text for a cell string (fast path: nothing to do)."""
    if _NEEDS_ESCAPE.search(s) is None and len(s) <= MAX_CELL_CHARS:
        return s
    return clean_text(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_element(escaped: str) -> str:
    """`<t>` of escaped text, xml:space="preserve" only where whitespace at its ends would be trimmed."""
    return f'<t xml:space="preserve">{escaped}</t>' if needs_preserve(escaped) else f"<t>{escaped}</t>"


def xml_attr(s: str) -> str:
    s = _ILLEGAL_XML.sub("", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@dataclass(frozen=True)
class DateSystem:
    """Excel's serial day numbers: the 1900 system (with its phantom 29 Feb 1900) or 1904."""

    date1904: bool = False

    def serial(self, value: dt.date) -> float | None:
        """Serial number of a date or datetime; None when Excel cannot show it (before its epoch)."""
        if isinstance(value, dt.datetime):
            day = value.date().toordinal()
            frac = (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
        else:
            day, frac = value.toordinal(), 0.0
        # In the 1900 system serials before 1 March 1900 count from a day later: Excel's
        # phantom 29 February 1900 sits between them.
        n = day - (_ORD_1904 if self.date1904 else _ORD_1899_12_30 if day >= _ORD_1900_03_01 else _ORD_1899_12_31)
        if n < (0 if self.date1904 else 1):
            return None
        return n + frac if frac else n


_ORD_1899_12_30 = dt.date(1899, 12, 30).toordinal()
_ORD_1899_12_31 = dt.date(1899, 12, 31).toordinal()
_ORD_1900_03_01 = dt.date(1900, 3, 1).toordinal()
_ORD_1904 = dt.date(1904, 1, 1).toordinal()


def _number_text(v: object) -> str | None:
    """`<v>` text for a real number, None for NaN/inf (left empty: Excel has no such number)."""
    if isinstance(v, Integral):
        return str(int(v))
    f = float(v)  # Decimal, numpy floats, fractions
    return repr(f) if math.isfinite(f) else None


def _cents_text(v: object) -> str | None:
    if isinstance(v, Integral) and not isinstance(v, bool):
        c = int(v)
        whole, part = divmod(abs(c), 100)
        return f"{'-' if c < 0 else ''}{whole}.{part:02d}"
    n = _number_text(v)
    return None if n is None else repr(float(n) / 100)


def _is_missing(v: object) -> bool:
    """None, NaN, NaT, pandas.NA."""
    if v is None:
        return True
    try:
        return bool(v != v)  # noqa: PLR0124
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def _plain(v: object) -> object:
    """numpy / pandas scalars → Python values; missing values → None."""
    if _is_missing(v):
        return None
    item = getattr(v, "item", None)
    if item is not None and not isinstance(v, (str, bytes, Decimal)):
        try:
            v = item()
        except (TypeError, ValueError):
            return str(v)
        if _is_missing(v):
            return None
    return v


# --------------------------------------------------------------------------------------
# Output sheets


@dataclass(frozen=True)
class OutputStyles:
    """cellXfs indices for an output sheet, appended to the workbook's styles by the package."""

    title: int
    header: int  # over text columns (left)
    link: int
    by_kind: dict[str, int]  # number-format style per column kind ("text" → 0)
    date: int
    datetime: int
    highlight_dxf: int | None = None
    header_right: int | None = None  # over number and date columns; None: as `header`
    text_wrap: int | None = None  # text in a column too narrow for it; None: as by_kind["text"]
    title_wrap: int | None = None  # the sheet's title, wrapped across the table; None: as `title`
    fill_dxfs: dict[tuple[str, str], int] = field(default_factory=dict)  # (fill, font) → dxf id

    def header_for(self, kind: str) -> int:
        """The header style that aligns with a column of this kind."""
        right = self.header_right if self.header_right is not None else self.header
        return right if header_align(kind) == "right" else self.header


@dataclass
class RenderedSheet:
    """Worksheet XML ready to go into the zip: head + spooled rows + tail."""

    head: bytes
    body: IO[bytes]
    body_size: int
    tail: bytes
    header_row: int
    last_row: int
    last_col: int
    hyperlinks: int
    hyperlinks_dropped: int = 0
    # (row Excel shows, 0-based column) → (value, kind) of each cell a chart reads; absent = empty cell
    cells: dict[tuple[int, int], tuple[object, str]] = field(default_factory=dict)
    layout: list[ColumnLayout] = field(default_factory=list)  # per column: width, wrap, header alignment

    @property
    def widths(self) -> list[float]:
        return [c.width for c in self.layout]

    @property
    def landscape(self) -> bool:
        """The orientation the sheet prints in: its own, else the one that prints the table largest."""
        return choose_landscape(printed_widths(self.widths, self.charts), self.page)

    page: PageSetup = field(default_factory=PageSetup)
    kinds: list[str] = field(default_factory=list)
    charts: Sequence[object] = ()  # the sheet's ChartSpecs: they widen the printout

    @property
    def repeat_columns(self) -> int:
        """Leading columns (a code and a name) printed on every page when the table spans pages."""
        return key_columns(self.kinds)

    @property
    def pages_wide(self) -> int:
        return pages_wide(printed_widths(self.widths, self.charts), self.page, self.landscape, self.repeat_columns,
                          charts=bool(self.charts))

    @property
    def title_first(self) -> int:
        """The column the title starts in (0, or past the columns repeated on every page)."""
        return title_start(self.pages_wide, self.repeat_columns)

    @property
    def title_columns(self) -> int:
        """The column after the title's last: it spans the table, or its first page."""
        return max(title_span(self.widths, self.pages_wide), self.title_first + 1)

    @property
    def size(self) -> int:
        return len(self.head) + self.body_size + len(self.tail)

    def write_to(self, out: IO[bytes]) -> None:
        out.write(self.head)
        self.body.seek(0)
        while chunk := self.body.read(1 << 20):
            out.write(chunk)
        out.write(self.tail)

    def close(self) -> None:
        self.body.close()

    @property
    def data_ref(self) -> str:
        """Header plus data rows, e.g. "A2:G120" (the autofilter range)."""
        return format_range(self.header_row, 0, max(self.last_row, self.header_row), self.last_col)


def table_xml(table_id: int, name: str, ref: str, headers: Sequence[str], style: str) -> bytes:
    """A table part: an Excel Table over `ref` (header row first) with these column names and style,
    as XlsxWriter writes the tables of `xlcust new` (banded rows, a filter button per column)."""
    columns = "".join(f'<tableColumn id="{i}" name="{xml_attr(h)}"/>' for i, h in enumerate(headers, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<table xmlns="{MAIN_NS}" id="{table_id}" '
            f'name="{xml_attr(name)}" displayName="{xml_attr(name)}" ref="{ref}" totalsRowShown="0">'
            f'<autoFilter ref="{ref}"/><tableColumns count="{len(headers)}">{columns}</tableColumns>'
            f'<tableStyleInfo name="{xml_attr(style)}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
            'showColumnStripes="0"/></table>').encode()


def validate_sheet_name(name: str) -> None:
    if not name or len(name) > 31 or any(ch in name for ch in "[]:*?/\\") or name[0] == "'" or name[-1] == "'":
        raise UsageError(msg("'{name}' cannot be an Excel sheet name (1–31 characters, none of []:*?/\\)",
                             name=name))
    if name.casefold() == "history":
        raise UsageError(msg("'History' is reserved by Excel and cannot be a sheet name"))


def render_output_sheet(
    sheet: OutputSheet,
    styles: OutputStyles,
    dates: DateSystem,
    *,
    tab_selected: bool = False,
    highlights: Sequence[str] = (),
    main_ns: str = MAIN_NS,
    drawing_rid: str | None = None,
    table_rid: str | None = None,
    strings: SharedStrings | None = None,
    body: IO[bytes] | None = None,
) -> RenderedSheet:
    """Stream the sheet's rows into a spool and build head and tail around them.

    drawing_rid, for a sheet with charts, is the id of its drawing in the sheet's rels;
    table_rid, for a sheet that is a Table (`OutputSheet.table`), the id of its table part;
    strings, when given, is the workbook's shared-string table: repeated text goes there;
    body, where the rows go (`write`, `tell`, `close`): by default a spooled temporary file,
    the package writer's deflates them as they come (`zipwrite.DeflatingSpool`).
    """
    columns = list(sheet.columns)
    if not columns:
        raise ValueError(f"output sheet {sheet.name!r} has no columns")
    if len(columns) > MAX_COLS:
        raise UsageError(msg("output sheet '{name}' has more columns than Excel allows", name=sheet.name))
    if sheet.tab_color and not re.fullmatch(r"#?[0-9A-Fa-f]{6}", sheet.tab_color):
        raise ValueError(f"output sheet {sheet.name!r}: tab colour must be RRGGBB, not {sheet.tab_color!r}")
    header_row = sheet.header_row
    # Closed by the caller (RenderedSheet.close) once the part is in the zip.
    if body is None:
        body = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY, mode="w+b")  # noqa: SIM115
    try:
        links: list[str] = []
        counter = _LinkCounter()
        write = body.write
        wanted = _chart_cells(sheet)
        cells = _fixed_cells(sheet, wanted)
        # Widths (and so wrapping and row heights) come from a sample of the values, taken
        # before any row is written: the first rows, and of a frame every so many after.
        if isinstance(sheet.rows, pd.DataFrame) and not wanted:  # plain columns: a column at a time
            from .framexml import write_frame_rows

            layout = layouts(columns, _frame_sample(sheet.rows, len(columns)), filter_arrow=sheet.filter_buttons)
            encoders = _encoders(columns, layout, styles, dates, links, counter, strings)
            heights = _frame_row_heights(sheet.rows, columns, layout)
            last_row = write_frame_rows(sheet.name, sheet.rows, columns, encoders, styles, dates, header_row, write,
                                        links, counter, heights, [i for i, c in enumerate(layout) if c.wrap], strings)
        else:
            rows = sheet.rows.itertuples(index=False, name=None) if hasattr(sheet.rows, "itertuples") else sheet.rows
            rows = iter(rows)
            first = list(itertools.islice(rows, SAMPLE_ROWS))
            layout = layouts(columns, column_samples(first, len(columns)), filter_arrow=sheet.filter_buttons)
            encoders = _encoders(columns, layout, styles, dates, links, counter, strings)
            last_row = _write_rows(sheet, itertools.chain(first, rows), encoders, header_row, write, wanted, cells,
                                   layout)
        body_size = body.tell()
        last_col = len(columns) - 1
        rendered = RenderedSheet(
            head=b"", body=body, body_size=body_size, tail=b"", header_row=header_row,
            last_row=last_row, last_col=last_col, hyperlinks=len(links), hyperlinks_dropped=counter.dropped,
            cells=cells, page=sheet.page, kinds=[c.kind for c in columns], charts=tuple(sheet.charts),
        )
        rendered.layout = layout
        rendered.head = (_sheet_head(sheet, columns, rendered, tab_selected, main_ns)
                         + _title_and_header_rows(sheet, columns, rendered, styles)).encode()
        rendered.tail = _sheet_tail(sheet, rendered, links, highlights, styles, drawing_rid, table_rid).encode()
        return rendered
    except BaseException:
        body.close()
        raise


def _encoders(columns: list[ColumnSpec], layout: list[ColumnLayout], styles: OutputStyles, dates: DateSystem,
              links: list[str], counter: _LinkCounter, strings: SharedStrings | None = None) -> list:
    """A cell encoder per column; text in a column that wraps gets the wrapping style."""
    wrap = styles.text_wrap
    return [_column_encoder(i, c.kind, styles, dates, links, counter,
                            wrap if wrap is not None and lay.wrap and c.kind == "text" else None, strings)
            for i, (c, lay) in enumerate(zip(columns, layout, strict=True))]


def _frame_sample(frame: pd.DataFrame, ncols: int) -> list[list[object]]:
    """A frame's values the column widths are measured on."""
    part = frame.iloc[sample_positions(len(frame))]
    return [[v for v in part.iloc[:, i].tolist() if not _is_missing(v)] for i in range(min(part.shape[1], ncols))]


def _frame_row_heights(frame: pd.DataFrame, columns: list[ColumnSpec], layout: list[ColumnLayout]) -> list[str] | None:
    """Each row's height attribute ('' for one line) when a wrapping column makes some rows taller."""
    wrapping = [i for i, c in enumerate(layout) if c.wrap and i < frame.shape[1]]
    if not wrapping:
        return None
    values = [frame.iloc[:, i].tolist() for i in wrapping]
    out: list[str] = []
    cols = list(range(len(wrapping)))
    sub_columns = [columns[i] for i in wrapping]
    sub_layout = [layout[i] for i in wrapping]
    for row in zip(*values, strict=True):
        ht = row_height([None if _is_missing(v) else v for v in row], sub_columns, sub_layout, cols)
        out.append("" if ht is None else f' ht="{ht:g}" customHeight="1"')
    return out if any(out) else None


def _chart_cells(sheet: OutputSheet) -> dict[int, list[int]]:
    """Row → columns of the cells the sheet's charts read."""
    wanted: dict[int, set[int]] = {}
    for chart in sheet.charts:
        for row, col in chart.cells():
            wanted.setdefault(row, set()).add(col)
    return {row: sorted(cols) for row, cols in wanted.items()}


def _fixed_cells(sheet: OutputSheet, wanted: dict[int, list[int]]) -> dict[tuple[int, int], tuple[object, str]]:
    """The title and header cells among those the charts read (the data rows are taken as they stream)."""
    cells: dict[tuple[int, int], tuple[object, str]] = {}
    if sheet.title and 0 in wanted.get(1, ()):
        cells[(1, 0)] = (sheet.title, "text")
    for col in wanted.get(sheet.header_row, ()):
        if col < len(sheet.columns) and sheet.columns[col].header:
            cells[(sheet.header_row, col)] = (sheet.columns[col].header, "text")
    return cells


def _write_rows(sheet: OutputSheet, rows: Iterable[Sequence[object]], encoders: list, header_row: int, write,
                wanted: dict[int, list[int]] | None = None,
                kept: dict[tuple[int, int], tuple[object, str]] | None = None,
                layout: Sequence[ColumnLayout] = ()) -> int:
    ncols = len(encoders)
    r = header_row
    chunk: list[str] = []
    columns = list(sheet.columns)
    wrapping = [i for i, c in enumerate(layout) if c.wrap]
    for values in rows:
        specs = CellSpec in map(type, values)  # a later table's header row may wrap
        r += 1
        if r > MAX_ROWS:
            raise UsageError(msg("output sheet '{name}' has more rows than Excel's {limit}",
                                 name=sheet.name, limit=f"{MAX_ROWS:,}"))
        if len(values) > ncols:
            raise ValueError(f"output sheet {sheet.name!r}, row {r}: {len(values)} values for {ncols} columns")
        if wanted and r in wanted:
            _keep_cells(sheet, values, r, wanted[r], kept)
        rs = str(r)
        cells = [enc(v, rs) for enc, v in zip(encoders, values, strict=False) if v is not None]
        if cells:
            ht = row_height(values, columns, layout, wrapping) if wrapping or specs else None
            tall = "" if ht is None else f' ht="{ht:g}" customHeight="1"'
            chunk.append(f'<row r="{rs}"{tall}>{"".join(cells)}</row>')
            if len(chunk) >= _ROWS_PER_CHUNK:
                write("".join(chunk).encode())
                chunk.clear()
    if chunk:
        write("".join(chunk).encode())
    return r


def _keep_cells(sheet: OutputSheet, values: Sequence[object], r: int, cols: list[int],
                kept: dict[tuple[int, int], tuple[object, str]] | None) -> None:
    """Keep the values of the cells a chart reads in row r, with the kind each is written as."""
    assert kept is not None
    for c in cols:
        if c >= len(values):
            continue
        v = values[c]
        if isinstance(v, CellSpec):
            v, kind = v.value, v.kind
        else:
            kind = sheet.columns[c].kind
        if not _is_missing(v):
            kept[(r, c)] = (v, kind)


def chart_cache_value(value: object, kind: str, dates: DateSystem) -> tuple[str | None, str | None]:
    """What a chart caches for a cell written with this kind: (number text or None, text or None).

    The number is what the cell holds (a "cents" value divided by 100, a date's serial
    number); the text is what a category axis or series name shows.
    """
    if kind == "link" and isinstance(value, (tuple, list)) and len(value) == 2:
        value = value[0] if value[0] is not None else value[1]
    v = _plain(value)
    if v is None:
        return None, None
    if isinstance(v, bool):
        return str(int(v)), "TRUE" if v else "FALSE"
    if isinstance(v, dt.date):
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            v = v.replace(tzinfo=None)
        serial = dates.serial(v)
        return (None if serial is None else repr(serial)), v.isoformat()
    if isinstance(v, (Real, Decimal)):
        n = _cents_text(v) if kind == "cents" else _number_text(v)
        return n, n
    return None, clean_text(str(v))


class _LinkCounter:
    dropped = 0


def _column_encoder(col: int, kind: str, styles: OutputStyles, dates: DateSystem, links: list[str],
                    counter: _LinkCounter, style: int | None = None, strings: SharedStrings | None = None):
    """A function (value, row-number text) → `<c>` XML for one column, fast paths first.

    style, when given, replaces the kind's number-format style (a header- or title-looking cell);
    strings, when given, takes the text met more than once (`SharedStrings.cell_index`).
    """
    letter = column_letter(col)
    pre = f'<c r="{letter}'
    if style is None:
        style = styles.by_kind.get(kind, 0)
    s_num = f' s="{style}"' if style else ""
    s_text = s_num
    date_style = style if kind in ("date", "datetime") else styles.date
    datetime_style = style if kind in ("date", "datetime") else styles.datetime
    link_style = styles.link
    number = _cents_text if kind == "cents" else _number_text

    # Dates from 1 March 1900 (1904 system: from 1 January 1904) have a plain offset serial.
    fast_from, epoch = (_ORD_1904, _ORD_1904) if dates.date1904 else (_ORD_1900_03_01, _ORD_1899_12_30)
    cents = kind == "cents"
    _str, _int, _float, _date, _datetime = str, int, float, dt.date, dt.datetime

    shared = None if strings is None else strings.cell_index

    def text(s: str, rs: str, s_attr: str = s_text) -> str:
        if not s:
            return ""
        if _NEEDS_ESCAPE.search(s) is not None or len(s) > MAX_CELL_CHARS:
            s = xml_text(s)
        if shared is not None and (i := shared(s)) >= 0:
            return f'{pre}{rs}"{s_attr} t="s"><v>{i}</v></c>'
        return f'{pre}{rs}"{s_attr} t="inlineStr"><is>{text_element(s)}</is></c>'

    def encode(v: object, rs: str) -> str:
        # Exact type checks first: this runs once per cell, millions of times.
        t = type(v)
        if t is _str:
            return text(v, rs)  # type: ignore[arg-type]
        if t is _float and not cents:
            return f'{pre}{rs}"{s_num}><v>{v!r}</v></c>' if v - v == 0 else ""  # type: ignore[operator]
        if t is _int and not cents:
            return f'{pre}{rs}"{s_num}><v>{v}</v></c>'
        if t is _date:
            o = v.toordinal()  # type: ignore[attr-defined]
            if o >= fast_from:
                return f'{pre}{rs}" s="{date_style}"><v>{o - epoch}</v></c>'
        elif t is _datetime and v.tzinfo is None:  # type: ignore[attr-defined]
            o = v.toordinal()  # type: ignore[attr-defined]
            if o >= fast_from:
                serial = o - epoch + (v.hour * 3600 + v.minute * 60 + v.second  # type: ignore[attr-defined]
                                      + v.microsecond / 1e6) / 86400  # type: ignore[attr-defined]
                return f'{pre}{rs}" s="{datetime_style}"><v>{serial!r}</v></c>'
        elif t is Decimal or t is _int or t is _float:
            n = number(v)
            return "" if n is None else f'{pre}{rs}"{s_num}><v>{n}</v></c>'
        return slow(v, rs)

    variants: dict[tuple[str, str | None], object] = {}  # encoders of this column for CellSpec cells

    def spec_cell(v: CellSpec, rs: str) -> str:
        key = (v.kind, v.role)
        enc = variants.get(key)
        if enc is None:
            role_style = {"header": styles.header_for(kind), "title": styles.title}.get(v.role or "")
            enc = variants[key] = _column_encoder(col, v.kind, styles, dates, links, counter, role_style, strings)
        return enc(v.value, rs)  # type: ignore[operator]

    def slow(v: object, rs: str) -> str:
        if isinstance(v, CellSpec):
            return spec_cell(v, rs)
        if isinstance(v, bool):
            return f'{pre}{rs}"{s_num} t="b"><v>{int(v)}</v></c>'
        if isinstance(v, dt.date):
            if _is_missing(v):  # NaT
                return ""
            if isinstance(v, dt.datetime) and v.tzinfo is not None:
                v = v.replace(tzinfo=None)  # Excel has no time zones: keep the wall-clock time
            serial = dates.serial(v)
            if serial is None:
                return text(v.isoformat(), rs)
            st = datetime_style if isinstance(v, dt.datetime) else date_style
            return f'{pre}{rs}" s="{st}"><v>{serial!r}</v></c>'
        if isinstance(v, (tuple, list)) and len(v) == 2 and kind == "link":
            display, target = v
            display = "" if display is None else str(display)
            if target is None:
                return text(display, rs)
            if len(links) >= MAX_HYPERLINKS:
                counter.dropped += 1
                return text(display, rs)
            links.append(f'<hyperlink ref="{letter}{rs}" location="{xml_attr(_location(target))}"/>')
            return text(display or str(target), rs, f' s="{link_style}"')
        plain = _plain(v)
        if plain is None:
            return ""
        if type(plain) in (str, int, float, bool) or isinstance(plain, dt.date):
            return encode(plain, rs)
        if isinstance(plain, Real):  # Fraction and other exotic numbers
            n = number(plain)
            return "" if n is None else f"{pre}{rs}\"{s_num}><v>{n}</v></c>"
        return text(str(plain), rs)

    return encode


def _location(target: object) -> str:
    loc = str(target).lstrip("#")
    if "://" in loc or loc.lower().startswith("mailto:"):
        raise ValueError(f"link target {loc!r}: only places inside the workbook (like 'Customers'!B7) are supported")
    return loc


def _sheet_head(sheet: OutputSheet, columns: list[ColumnSpec], r: RenderedSheet, tab_selected: bool,
                main_ns: str) -> str:
    last_letter = column_letter(r.last_col)
    pr = ""
    if sheet.tab_color:
        pr += f'<tabColor rgb="FF{sheet.tab_color.lstrip("#").upper()}"/>'
    if sheet.page.fit_width:
        pr += '<pageSetUpPr fitToPage="1"/>'
    view_attrs = ' tabSelected="1"' if tab_selected else ""
    pane = ""
    if sheet.freeze_header:
        top = f"A{r.header_row + 1}"
        pane = (f'<pane ySplit="{r.header_row}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>')
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w:.6g}" customWidth="1"/>'
                   for i, w in enumerate(r.widths))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<worksheet xmlns="{main_ns}" xmlns:r="{REL_NS}">'
        + (f"<sheetPr>{pr}</sheetPr>" if pr else "")
        + f'<dimension ref="A1:{last_letter}{max(r.last_row, r.header_row)}"/>'
        f'<sheetViews><sheetView{view_attrs} workbookViewId="0">{pane}</sheetView></sheetViews>'
        f"<cols>{cols}</cols><sheetData>"
    )


def _title_and_header_rows(sheet: OutputSheet, columns: list[ColumnSpec], r: RenderedSheet,
                           styles: OutputStyles) -> str:
    """The title row (spanning the table, wrapped, tall enough) and the header row (two lines at least)."""
    widths = r.widths
    out = []
    if sheet.title:
        first, span = r.title_first, r.title_columns
        style = styles.title if styles.title_wrap is None else styles.title_wrap
        before = "".join(f'<c r="{column_letter(i)}1" s="{style}"/>' for i in range(first))
        after = "".join(f'<c r="{column_letter(i)}1" s="{style}"/>' for i in range(first + 1, span))
        out.append(f'<row r="1" ht="{title_height(sheet.title, widths[first:span]):.4g}" customHeight="1">'
                   f'{before}<c r="{column_letter(first)}1" s="{style}" t="inlineStr"><is>'
                   f"{text_element(xml_text(sheet.title))}</is></c>{after}</row>")
    head_cells = "".join(
        f'<c r="{column_letter(i)}{r.header_row}" s="{styles.header_for(c.kind)}" t="inlineStr"><is>'
        f"{text_element(xml_text(c.header))}</is></c>"
        for i, c in enumerate(columns)
    )
    height = header_height(columns, widths, sheet.filter_buttons)
    out.append(f'<row r="{r.header_row}" ht="{height:.4g}" customHeight="1">{head_cells}</row>')
    return "".join(out)


def _sheet_tail(sheet: OutputSheet, r: RenderedSheet, links: list[str], highlights: Sequence[str],
                styles: OutputStyles, drawing_rid: str | None = None, table_rid: str | None = None) -> str:
    parts = ["</sheetData>"]
    if sheet.protect:
        # No password: this guards against accidental edits, it is not security. Sorting,
        # filtering and resizing columns stay allowed ("0" = not protected).
        parts.append('<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" '
                     'sort="0" autoFilter="0"/>')
    if sheet.autofilter:
        parts.append(f'<autoFilter ref="{r.data_ref}"/>')
    if sheet.title and r.title_columns > r.title_first + 1:  # the table (its first page), never wider
        ref = f"{column_letter(r.title_first)}1:{column_letter(r.title_columns - 1)}1"
        parts.append(f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>')
    if highlights and styles.highlight_dxf is not None:
        parts.append(_highlight_xml(highlights, styles.highlight_dxf, 1))
    parts.extend(_value_fill_xml(sheet, r, styles))
    if sheet.validations:  # after conditionalFormatting, before hyperlinks (CT_Worksheet order)
        from .validations import validations_xml  # it uses this module's escaping

        parts.append(validations_xml(sheet.validations))
    if links:
        if sheet.link_file:  # into another file: each link through its own relationship (package_write)
            links = [f'<hyperlink r:id="{link_rid(i)}"{link[len("<hyperlink"):]}' for i, link in enumerate(links)]
        parts.append(f"<hyperlinks>{''.join(links)}</hyperlinks>")
    parts.append(page_setup_xml(sheet.page, r.landscape, r.pages_wide))
    if drawing_rid:  # after headerFooter (CT_Worksheet order)
        parts.append(f'<drawing r:id="{xml_attr(drawing_rid)}"/>')
    if table_rid:  # last but extLst (CT_Worksheet order)
        parts.append(f'<tableParts count="1"><tablePart r:id="{xml_attr(table_rid)}"/></tableParts>')
    parts.append("</worksheet>")
    return "".join(parts)


def link_rid(i: int) -> str:
    """The relationship id of a sheet's i-th link into another file (`OutputSheet.link_file`)."""
    return f"rIdL{i + 1}"


def page_setup_xml(page: PageSetup, landscape: bool, wide: int = 1) -> str:
    """pageMargins, pageSetup and headerFooter of a sheet (in CT_Worksheet order).

    A table fitted to several pages side by side prints them across, then down, so the
    pages of the same rows follow each other.
    """
    m = page.margins
    parts = [f'<pageMargins left="{m.left:g}" right="{m.right:g}" top="{m.top:g}" bottom="{m.bottom:g}" '
             f'header="{m.header:g}" footer="{m.footer:g}"/>']
    setup = f'<pageSetup paperSize="{page.paper_code}" orientation="{"landscape" if landscape else "portrait"}"'
    if page.fit_width:
        setup += f' fitToWidth="{wide}" fitToHeight="0"'
    if wide > 1:
        setup += ' pageOrder="overThenDown"'
    parts.append(setup + "/>")
    if page.header or page.footer:
        hf = "<headerFooter>"
        if page.header:
            hf += f"<oddHeader>{xml_text(page.header)}</oddHeader>"
        if page.footer:
            hf += f"<oddFooter>{xml_text(page.footer)}</oddFooter>"
        parts.append(hf + "</headerFooter>")
    return "".join(parts)


def _value_fill_xml(sheet: OutputSheet, r: RenderedSheet, styles: OutputStyles) -> list[str]:
    """One conditional format per value fill: its column's data rows, the cells equal to the value."""
    out = []
    first, last = r.header_row + 1, max(r.last_row, r.header_row + 1)
    for priority, fill in enumerate(sheet.fills, start=2):  # 1 is the findings highlight
        dxf = styles.fill_dxfs.get((fill.fill, fill.font))
        if dxf is None:
            continue
        letter = column_letter(fill.column)
        value = '"' + fill.value.replace('"', '""') + '"'
        out.append(f'<conditionalFormatting sqref="{letter}{first}:{letter}{last}">'
                   f'<cfRule type="cellIs" dxfId="{dxf}" priority="{priority}" operator="equal">'
                   f"<formula>{xml_text(value)}</formula></cfRule></conditionalFormatting>")
    return out


def merge_cells_to_sqref(cells: Iterable[str]) -> str:
    """["B7", "B8", "B9", "D2"] → "B7:B9 D2": runs down a column become one range."""
    points: set[tuple[int, int]] = set()
    for ref in cells:
        r1, c1, r2, c2 = parse_range(ref)
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 1_000_000:
            raise ValueError(f"highlight range too large: {ref!r}")
        points.update((c, r) for c in range(c1, c2 + 1) for r in range(r1, r2 + 1))
    ranges: list[str] = []
    run: list[int] | None = None  # [col, first row, last row]
    for col, row in sorted(points):
        if run and run[0] == col and run[2] + 1 == row:
            run[2] = row
            continue
        if run:
            ranges.append(format_range(run[1], run[0], run[2], run[0]))
        run = [col, row, row]
    if run:
        ranges.append(format_range(run[1], run[0], run[2], run[0]))
    return " ".join(ranges)


def _highlight_xml(cells: Sequence[str], dxf_id: int, priority: int) -> str:
    formula = HIGHLIGHT_FORMULA.replace('"', "&quot;")
    return (f'<conditionalFormatting sqref="{merge_cells_to_sqref(cells)}">'
            f'<cfRule type="expression" dxfId="{dxf_id}" priority="{priority}">'
            f"<formula>{formula}</formula></cfRule></conditionalFormatting>")


# --------------------------------------------------------------------------------------
# Editing user sheets


# CT_Worksheet's child order: a new element must go in its place or Excel repairs the file.
_WORKSHEET_ORDER = {
    name: i
    for i, name in enumerate((
        "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
        "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
        "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
        "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
        "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
        "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
        "tableParts", "extLst",
    ))
}


def _local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _rank(el: etree._Element) -> int | None:
    name = _local(el)
    if name == "AlternateContent":  # mc:AlternateContent stands where its content would stand
        for choice in el:
            for child in choice:
                return _WORKSHEET_ORDER.get(_local(child))
        return None
    return _WORKSHEET_ORDER.get(name)


def insert_in_order(root: etree._Element, el: etree._Element) -> None:
    """Insert a worksheet child after every sibling that must precede it."""
    rank = _WORKSHEET_ORDER[_local(el)]
    for i, child in enumerate(root):
        r = _rank(child)
        if r is not None and r > rank:
            root.insert(i, el)
            return
    root.append(el)


@dataclass
class _CellValue:
    t: str | None  # None (number), "inlineStr", "b"
    text: str
    is_date: bool = False


def cell_value(v: object, dates: DateSystem) -> _CellValue | None:
    """How a Python value sits in a `<c>`; None for an empty cell."""
    if type(v) not in (str, int, float, bool) and not isinstance(v, dt.date):
        v = _plain(v)
    if v is None:
        return None
    if isinstance(v, str):
        return _CellValue("inlineStr", clean_text(v)) if v else None
    if isinstance(v, bool):
        return _CellValue("b", str(int(v)))
    if isinstance(v, dt.date):
        if _is_missing(v):
            return None
        if isinstance(v, dt.datetime) and v.tzinfo is not None:
            v = v.replace(tzinfo=None)
        serial = dates.serial(v)
        return _CellValue("inlineStr", v.isoformat()) if serial is None else _CellValue(None, repr(serial), True)
    if isinstance(v, (Real, Decimal)):  # Decimal is not a numbers.Real
        n = _number_text(v)
        return None if n is None else _CellValue(None, n)
    return _CellValue("inlineStr", clean_text(str(v)))


@dataclass
class EditResult:
    formulas_removed: bool = False
    wrote_formulas: bool = False


@dataclass
class SheetEditor:
    """A user sheet parsed with lxml, edited in place, serialised once."""

    xml: bytes
    name: str = ""
    root: etree._Element = field(init=False)
    ns: str = field(init=False)
    result: EditResult = field(default_factory=EditResult)
    _rows: dict[int, etree._Element] | None = field(default=None, init=False)
    _row_numbers: list[int] = field(default_factory=list, init=False)

    # The sheetData kept out by `around_cells`: a view of `xml`, so that a 300 MB sheet is not copied.
    _set_aside: memoryview | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.root = etree.fromstring(self.xml, XML_PARSER)
        self.ns = etree.QName(self.root).namespace or MAIN_NS

    @classmethod
    def around_cells(cls, xml: bytes, name: str = "") -> SheetEditor:
        """An editor of everything but the cells: sheetData is set aside unparsed and put back as it was.

        For edits after the cells (conditional formats): a million-row sheet is 100 MB of
        cell XML that need not be parsed, walked or serialised to add one rule. Falls back
        to parsing the whole sheet when the cells cannot be located unambiguously.
        """
        span = _sheet_data_span(xml)
        if span is None:
            return cls(xml, name)
        start, end, empty = span
        editor = cls(xml[:start] + empty + xml[end:], name)
        editor._set_aside = memoryview(xml)[start:end]
        return editor

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def to_bytes(self) -> bytes:
        return b"".join(self.to_pieces())

    def to_pieces(self) -> list[bytes | memoryview]:
        """The sheet's XML as pieces to write one after the other (the set-aside cells not copied)."""
        body = etree.tostring(self.root, encoding="UTF-8", xml_declaration=False)
        declaration = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        if self._set_aside is None:
            return [declaration, body]
        placeholder = _empty_sheet_data(body)
        if placeholder is None:
            raise WorkbookError(msg("{name}: could not put the sheet's cells back after editing it",
                                    name=self.name))
        start, end = placeholder
        return [declaration + body[:start], self._set_aside, body[end:]]

    # -- rows and cells -----------------------------------------------------------------

    @property
    def sheet_data(self) -> etree._Element:
        if self._set_aside is not None:
            raise AssertionError("this editor set the cells aside (SheetEditor.around_cells)")
        sd = self.root.find(self.q("sheetData"))
        if sd is None:
            sd = etree.SubElement(self.root, self.q("sheetData"))
            self.root.remove(sd)
            insert_in_order(self.root, sd)
        return sd

    def _index_rows(self) -> dict[int, etree._Element]:
        if self._rows is None:
            rows: dict[int, etree._Element] = {}
            last = 0
            for row in self.sheet_data.iterchildren(self.q("row")):
                r = row.get("r")
                last = int(r) if r else last + 1
                if not r:  # r is optional in the format; make it explicit so inserts stay ordered
                    row.set("r", str(last))
                rows[last] = row
            self._rows = rows
            self._row_numbers = sorted(rows)
        return self._rows

    def row(self, number: int, *, create: bool = True, like: etree._Element | None = None) -> etree._Element | None:
        rows = self._index_rows()
        el = rows.get(number)
        if el is not None or not create:
            return el
        el = etree.Element(self.q("row"), r=str(number))
        if like is not None:  # a new table row looks like the one above it
            for attr in ("s", "customFormat", "ht", "customHeight"):
                if like.get(attr) is not None:
                    el.set(attr, like.get(attr))
        pos = bisect.bisect_left(self._row_numbers, number)
        if pos < len(self._row_numbers):
            rows[self._row_numbers[pos]].addprevious(el)
        else:
            self.sheet_data.append(el)
        self._row_numbers.insert(pos, number)
        rows[number] = el
        return el

    def _cells(self, row: etree._Element) -> Iterator[tuple[int, etree._Element]]:
        col = -1
        for c in row.iterchildren(self.q("c")):
            ref = c.get("r")
            if ref:
                col = parse_cell(ref)[1]
            else:
                col += 1
                c.set("r", f"{column_letter(col)}{row.get('r')}")
            yield col, c

    def cell(self, row_number: int, col: int, *, create: bool = True) -> etree._Element | None:
        row = self.row(row_number, create=create)
        if row is None:
            return None
        after = None
        for c_col, c in self._cells(row):
            if c_col == col:
                return c
            if c_col > col:
                after = c
                break
        if not create:
            return None
        el = etree.Element(self.q("c"), r=f"{column_letter(col)}{row_number}")
        if after is not None:
            after.addprevious(el)
        else:
            row.append(el)
        _widen_spans(row, col)
        return el

    def set_cell(self, row_number: int, col: int, value: object, dates: DateSystem, *,
                 date_style: int | None = None, style: int | None = None, formula: str | None = None) -> None:
        """Write a value (or a formula) into a cell, keeping its style unless one is given."""
        c = self.cell(row_number, col)
        assert c is not None
        self._check_formula(c, row_number, col)
        old_f = c.find(self.q("f"))
        if old_f is not None:
            self.result.formulas_removed = True
        for child in list(c):
            c.remove(child)
        for attr in ("t", "cm", "vm"):  # type, and metadata that belonged to the old value
            if attr in c.attrib:
                del c.attrib[attr]
        if style is not None:
            c.set("s", str(style))
        if formula is not None:
            etree.SubElement(c, self.q("f")).text = formula
            self.result.wrote_formulas = True
            return
        cv = cell_value(value, dates)
        if cv is None:
            return
        if cv.is_date and c.get("s") in (None, "0") and date_style is not None:
            c.set("s", str(date_style))
        if cv.t == "inlineStr":
            c.set("t", "inlineStr")
            t = etree.SubElement(etree.SubElement(c, self.q("is")), self.q("t"))
            t.text = cv.text
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        else:
            if cv.t:
                c.set("t", cv.t)
            etree.SubElement(c, self.q("v")).text = cv.text
        self.extend_dimension(row_number, col)

    def _check_formula(self, c: etree._Element, row: int, col: int) -> None:
        f = c.find(self.q("f"))
        if f is None:
            return
        kind, ref = f.get("t"), f.get("ref")
        spans_others = ref is not None and parse_range(ref)[0:2] != parse_range(ref)[2:4]
        if (kind == "shared" and ref is not None) or (kind in ("array", "dataTable") and spans_others):
            raise WorkbookError(
                msg("{name}!{column}{row} holds a formula shared with other cells: change it in Excel, or clear the "
                    "formula first, and run again", name=self.name, column=column_letter(col), row=row)
            )

    def has_value(self, row_number: int, col: int) -> bool:
        c = self.cell(row_number, col, create=False)
        return c is not None and any(_local(ch) in ("v", "f", "is") for ch in c)

    def style_of(self, row_number: int, col: int) -> str | None:
        c = self.cell(row_number, col, create=False)
        return None if c is None else c.get("s")

    def last_row(self) -> int:
        self._index_rows()
        for number in reversed(self._row_numbers):
            row = self._rows[number]  # type: ignore[index]
            if any(_local(ch) in ("v", "f", "is") for c in row for ch in c):
                return number
        return 0

    def extend_dimension(self, row: int, col: int) -> None:
        dim = self.root.find(self.q("dimension"))
        if dim is None or not dim.get("ref"):
            return
        try:
            r1, c1, r2, c2 = parse_range(dim.get("ref"))
        except UsageError:
            return
        if r2 == 1 and c2 == 0 and r1 == 1 and not self.has_value(1, 0):
            r1, c1, r2, c2 = row, col, row, col  # "A1" on an empty sheet
        dim.set("ref", format_range(min(r1, row), min(c1, col), max(r2, row), max(c2, col)))

    # -- appending below a table --------------------------------------------------------

    def append_rows(self, first_row: int, first_col: int, rows: Sequence[Sequence[object]], dates: DateSystem, *,
                    style_row: int | None, formulas: dict[int, str] | None = None, date_style: int | None = None
                    ) -> None:
        """Write rows from first_row down; styles from style_row; formulas per column where a value is None."""
        formulas = formulas or {}
        like = self.row(style_row, create=False) if style_row else None
        styles: dict[int, str | None] = {}
        width = max((len(r) for r in rows), default=0)
        for c in set(range(first_col, first_col + width)) | set(formulas):
            styles[c] = self.style_of(style_row, c) if style_row else None
        self._index_rows()
        if not formulas and (not self._row_numbers or self._row_numbers[-1] < first_row):
            self._append_fresh(first_row, first_col, rows, dates, styles, like, date_style, width)
            return
        for i, values in enumerate(rows):
            r = first_row + i
            self.row(r, like=like)
            cols = list(range(first_col, first_col + len(values)))
            for col, value in zip(cols, values, strict=True):
                style = int(styles[col]) if styles.get(col) is not None else None
                if value is None and col in formulas:
                    self.set_cell(r, col, None, dates, style=style, formula=formulas[col])
                elif value is not None or style is not None:
                    self.set_cell(r, col, value, dates, style=style, date_style=date_style)
            for col, formula in formulas.items():
                if col not in cols:
                    style = int(styles[col]) if styles.get(col) is not None else None
                    self.set_cell(r, col, None, dates, style=style, formula=formula)
            self.extend_dimension(r, first_col)

    def _append_fresh(self, first_row, first_col, rows, dates, styles, like, date_style, width) -> None:
        """Rows below every existing row: built directly, no per-cell lookups."""
        sd = self.sheet_data
        q_row, q_c, q_v, q_is, q_t = (self.q(n) for n in ("row", "c", "v", "is", "t"))
        space = "{http://www.w3.org/XML/1998/namespace}space"
        letters = [column_letter(first_col + j) for j in range(width)]
        like_attrs = {a: like.get(a) for a in ("s", "customFormat", "ht", "customHeight")
                      if like is not None and like.get(a) is not None}
        for i, values in enumerate(rows):
            r = first_row + i
            rs = str(r)
            el = etree.SubElement(sd, q_row, r=rs, **like_attrs)
            for j, value in enumerate(values):
                style = styles.get(first_col + j)
                if value is None and style is None:
                    continue
                c = etree.SubElement(el, q_c, r=letters[j] + rs)
                if style is not None:
                    c.set("s", style)
                cv = cell_value(value, dates) if value is not None else None
                if cv is None:
                    continue
                if cv.is_date and style in (None, "0") and date_style is not None:
                    c.set("s", str(date_style))
                if cv.t == "inlineStr":
                    c.set("t", "inlineStr")
                    t = etree.SubElement(etree.SubElement(c, q_is), q_t)
                    t.text = cv.text
                    t.set(space, "preserve")
                else:
                    if cv.t:
                        c.set("t", cv.t)
                    etree.SubElement(c, q_v).text = cv.text
            self._rows[r] = el
            self._row_numbers.append(r)
        if rows:
            self.extend_dimension(first_row, first_col)
            self.extend_dimension(first_row + len(rows) - 1, first_col + width - 1)

    def extend_ranges(self, old_last: int, new_last: int, c1: int, c2: int) -> None:
        """Grow data validations and the user's conditional formats that ran to a table's last row."""
        for el in self.root.iter():
            name = _local(el)
            if name in ("dataValidation", "conditionalFormatting") and el.get("sqref"):
                if name == "conditionalFormatting" and self._is_highlight(el):
                    continue
                el.set("sqref", _extend_sqref(el.get("sqref"), old_last, new_last, c1, c2))
            elif name == "sqref" and el.text:  # x14 extensions keep the range as element text
                el.text = _extend_sqref(el.text, old_last, new_last, c1, c2)

    # -- highlights -----------------------------------------------------------------------

    def _is_highlight(self, cf: etree._Element) -> bool:
        rules = list(cf.iterchildren(self.q("cfRule")))
        return bool(rules) and all(_rule_formula(r, self.q) == HIGHLIGHT_FORMULA for r in rules)

    def remove_highlights(self) -> int:
        """Drop every xlcust highlight rule; the user's own rules stay. Returns how many went."""
        removed = 0
        for cf in list(self.root.iterchildren(self.q("conditionalFormatting"))):
            for rule in list(cf.iterchildren(self.q("cfRule"))):
                if _rule_formula(rule, self.q) == HIGHLIGHT_FORMULA:
                    cf.remove(rule)
                    removed += 1
            if not list(cf.iterchildren(self.q("cfRule"))):
                self.root.remove(cf)
        return removed

    def add_highlight(self, cells: Sequence[str], dxf_id: int) -> None:
        rules = (el for child in self.root.iterchildren()  # rules sit in conditionalFormatting and extLst only
                 if _local(child) in ("conditionalFormatting", "extLst") for el in child.iter()
                 if _local(el) == "cfRule")
        priorities = [int(p) for el in rules if (p := el.get("priority")) and p.isdigit()]
        cf = etree.SubElement(self.root, self.q("conditionalFormatting"), sqref=merge_cells_to_sqref(cells))
        rule = etree.SubElement(cf, self.q("cfRule"), type="expression", dxfId=str(dxf_id),
                                priority=str(max(priorities, default=0) + 1))
        etree.SubElement(rule, self.q("formula")).text = HIGHLIGHT_FORMULA
        self.root.remove(cf)
        insert_in_order(self.root, cf)


def _sheet_data_span(xml: bytes) -> tuple[int, int, bytes] | None:
    """(start, end, empty element) of the one sheetData element, or None when that is not clear-cut.

    Plain byte searches (a regex over a 100 MB sheet takes seconds): the name occurs in
    its start and end tags only, or once in a self-closing tag.
    """
    count = xml.count(b"sheetData")
    first = xml.find(b"sheetData")
    if count not in (1, 2) or first < 1:
        return None
    start = xml.rfind(b"<", 0, first)
    prefix = xml[start + 1:first]
    if start == -1 or not (prefix == b"" or re.fullmatch(rb"[A-Za-z_][\w.-]*:", prefix)):
        return None
    tag_end = xml.find(b">", first)
    if tag_end == -1 or xml[first + 9:first + 10] not in (b" ", b"\t", b"\r", b"\n", b"/", b">"):
        return None
    if xml[tag_end - 1:tag_end] == b"/":
        if count != 1:
            return None
        end = tag_end + 1
    else:
        close = b"</" + prefix + b"sheetData>"
        end = xml.find(close, tag_end)
        if count != 2 or end == -1:
            return None
        end += len(close)
    return start, end, b"<" + prefix + b"sheetData/>"


def _empty_sheet_data(body: bytes) -> tuple[int, int] | None:
    """Where lxml wrote the emptied sheetData back (a self-closing tag, with whatever prefix)."""
    found = list(re.finditer(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData/>", body))
    return (found[0].start(), found[0].end()) if len(found) == 1 else None


def _rule_formula(rule: etree._Element, q) -> str | None:
    f = rule.find(q("formula"))
    return None if f is None else (f.text or "").strip()


def _widen_spans(row: etree._Element, col: int) -> None:
    spans = row.get("spans")
    if not spans or ":" not in spans:
        return
    lo, _, hi = spans.partition(":")
    if lo.isdigit() and hi.isdigit():
        row.set("spans", f"{min(int(lo), col + 1)}:{max(int(hi), col + 1)}")


def _extend_sqref(sqref: str, old_last: int, new_last: int, c1: int, c2: int) -> str:
    out = []
    for part in sqref.split():
        try:
            r1, k1, r2, k2 = parse_range(part)
        except UsageError:
            out.append(part)
            continue
        if r2 == old_last and r1 < old_last and c1 <= k1 and k2 <= c2:
            part = format_range(r1, k1, new_last, k2)
        out.append(part)
    return " ".join(out)


# --------------------------------------------------------------------------------------
# Error cells


_ERROR_ATTRS = (b' t="e"', b" t='e'", b'\tt="e"', b'\nt="e"')
_R_ATTR = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_C_OPEN = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?c[\s>/]")


def find_error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """Cells holding an Excel error value: (row Excel shows, 0-based column) → "#DIV/0!".

    Scans the raw bytes for `t="e"` (rare in a sheet) and looks around each hit, so a
    100 MB sheet takes well under a second. Falls back to a full parse when a cell has no
    `r` attribute (allowed, but Excel always writes it).
    """
    found: dict[tuple[int, int], str] = {}
    for needle in _ERROR_ATTRS:
        pos = xml.find(needle)
        while pos != -1:
            hit = _error_at(xml, pos)
            if hit is None:
                return _find_error_cells_slow(xml)
            if hit:
                found[hit[0]] = hit[1]
            pos = xml.find(needle, pos + len(needle))
    return found


def _error_at(xml: bytes, pos: int) -> tuple[tuple[int, int], str] | tuple[()] | None:
    """The error cell whose start tag holds the attribute at pos; () if it is not a cell; None if unknowable."""
    start = xml.rfind(b"<", 0, pos)
    m = _C_OPEN.match(xml, start)
    if m is None:
        return ()
    tag_end = xml.find(b">", pos)
    ref = _R_ATTR.search(xml, start, tag_end)
    if ref is None:
        return None
    if xml[tag_end - 1:tag_end] == b"/":
        return ()
    prefix = (m.group(1) + b":") if m.group(1) else b""
    close = xml.find(b"</" + prefix + b"c>", tag_end)
    v_open = b"<" + prefix + b"v>"
    v = xml.find(v_open, tag_end, close)
    if v == -1:
        return ()
    v_end = xml.find(b"<", v + len(v_open))
    value = xml[v + len(v_open):v_end].decode("utf-8", "replace")
    return (int(ref.group(2)), column_index(ref.group(1).decode())), value


def _find_error_cells_slow(xml: bytes) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    row_number = 0
    col = -1
    for event, el in etree.iterparse(io.BytesIO(xml), events=("start", "end"), huge_tree=True,
                                     resolve_entities=False, no_network=True):
        name = _local(el)
        if event == "start":
            if name == "row":
                row_number = int(el.get("r") or row_number + 1)
                col = -1
            elif name == "c":
                ref = el.get("r")
                col = parse_cell(ref)[1] if ref else col + 1
            continue
        if name == "c":
            if el.get("t") == "e":
                v = next((ch.text for ch in el if _local(ch) == "v"), None)
                if v:
                    found[(row_number, col)] = v
            el.clear()
        elif name == "row":
            el.clear()
    return found
