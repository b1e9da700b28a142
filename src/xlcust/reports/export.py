"""Report exports a user takes away: CSV and standalone .xlsx files, plus the data hash.

    export_tables(path, tables)   .csv → the first table as CSV; .xlsx → one sheet per table
    write_csv(path, table)        UTF-8 with BOM, formula-like text neutralised
    write_xlsx(path, tables)      xlsxwriter workbook with print setup and a parameters block
    data_hash(book)               SHA-256 of the typed data a report was computed from

A report hands over `ExportTable`s: a title, a parameters block (label, value pairs
shown above the table in .xlsx), columns with a kind, and rows. Column kinds are
those of output sheets: "text", "int", "cents" (int cents, shown as money), "date",
"number", "percent" (a fraction: 0.125 shows as 12.5% in .xlsx, stays 0.125 in CSV).
A cell may be wrapped in `Styled` for indentation (the category tree) or bold
(subtotal rows); CSV keeps only the value.

CSV (for Excel as much as for scripts): UTF-8 with a byte-order mark, so Excel reads
Chinese text right; CRLF line ends; money as plain decimals (`-1234.50`, no thousands
separator); dates ISO. Text that a spreadsheet would run as a formula (starting with
`=`, `+`, `-`, `@`, tab or carriage return) gets a single quote in front (OWASP's CSV
injection advice). Only text: numbers, negative ones included, stay numbers.

.xlsx: text is always written as text (never as a formula), so nothing needs
neutralising there. Each sheet prints A4 landscape, one page wide, with the header
row repeated on every page and "Page n of m" in the footer.

Files are written to a temporary file next to the target and moved into place, so an
export that fails leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ..book import Book
from ..errors import UsageError, WorkbookError, WorkbookLocked
from ..money import cents_to_decimal

EXPORT_SUFFIXES = (".csv", ".xlsx")
KINDS = ("text", "int", "cents", "date", "number", "percent")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: str = "text"
    width: float | None = None  # characters; None: from the header

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Styled:
    """A cell value with presentation for .xlsx: indent (levels) and bold."""

    value: object
    indent: int = 0
    bold: bool = False


@dataclass
class ExportTable:
    """One table of an export; in .xlsx one sheet (name ≤ 31 characters)."""

    sheet_name: str
    title: str
    columns: Sequence[ExportColumn]
    rows: Iterable[Sequence[object]]
    parameters: Sequence[tuple[str, object]] = field(default_factory=tuple)


def check_export_path(path: Path) -> None:
    """Raise UsageError unless the file name ends in .csv or .xlsx (call before the work)."""
    if path.suffix.lower() not in EXPORT_SUFFIXES:
        raise UsageError(f"{path.name}: the export file name must end in .csv or .xlsx")


def export_tables(path: Path, tables: Sequence[ExportTable]) -> None:
    """Write `tables` to `path` by its suffix: CSV takes the first table, .xlsx all of them."""
    check_export_path(path)
    if path.suffix.lower() == ".csv":
        write_csv(path, tables[0])
    else:
        write_xlsx(path, tables)


# ----------------------------------------------------------------------------- CSV


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula, made inert with a leading single quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_value(value: object, kind: str) -> str:
    """One cell as CSV text (see the module docstring)."""
    if isinstance(value, Styled):
        value = value.value
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if kind == "cents" and isinstance(value, int | np.integer):
        return str(cents_to_decimal(int(value)))
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.isoformat()[:10] if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.integer | np.floating):
        value = value.item()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralise(str(value))


def write_csv(path: Path, table: ExportTable) -> None:
    kinds = [c.kind for c in table.columns]

    def write(handle) -> None:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow([neutralise(c.header) for c in table.columns])
        for row in table.rows:
            out.writerow([csv_value(v, k) for v, k in zip(row, kinds, strict=False)])

    _atomic(path, write, text=True)


# ---------------------------------------------------------------------------- xlsx


def write_xlsx(path: Path, tables: Sequence[ExportTable]) -> None:
    import xlsxwriter

    def write(target: str) -> None:
        wb = xlsxwriter.Workbook(target, {"in_memory": False, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
        formats = _Formats(wb)
        for table in tables:
            _write_sheet(wb, formats, table)
        wb.close()

    _atomic(path, write, text=False)


class _Formats:
    """xlsxwriter formats by (kind, indent, bold), made once each."""

    NUMBER_FORMATS = {"text": None, "int": "0", "cents": "#,##0.00;-#,##0.00", "date": "yyyy-mm-dd",
                      "number": "General", "percent": "0.0%"}

    def __init__(self, wb) -> None:
        self.wb = wb
        self.cache: dict[tuple[str, int, bool], object] = {}
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.label = wb.add_format({"bold": True})
        self.value = wb.add_format({"align": "left"})
        self.header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "text_wrap": True,
                                     "valign": "top"})

    def cell(self, kind: str, indent: int = 0, bold: bool = False):
        key = (kind, indent, bold)
        if key not in self.cache:
            props: dict[str, object] = {}
            if self.NUMBER_FORMATS[kind]:
                props["num_format"] = self.NUMBER_FORMATS[kind]
            if indent:
                props["indent"] = indent
            if bold:
                props["bold"] = True
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]


def _write_sheet(wb, formats: _Formats, table: ExportTable) -> None:
    ws = wb.add_worksheet(table.sheet_name[:31])
    ws.write_string(0, 0, table.title, formats.title)
    r = 1
    for label, value in table.parameters:
        ws.write_string(r, 0, str(label), formats.label)
        _write_value(ws, r, 1, value, "text", formats, fallback=formats.value)
        r += 1
    header_row = r + 1 if table.parameters else r
    for c, column in enumerate(table.columns):
        ws.write_string(header_row, c, column.header, formats.header)
        width = column.width or max(10, min(40, len(column.header) + 4))
        ws.set_column(c, c, width)
    r = header_row
    for row in table.rows:
        r += 1
        for c, (value, column) in enumerate(zip(row, table.columns, strict=False)):
            _write_value(ws, r, c, value, column.kind, formats)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, 0)
    ws.set_footer("&LPage &P of &N&R&A")
    ws.set_header("&L" + table.title.replace("&", "&&")[:200])


def _write_value(ws, r: int, c: int, value: object, kind: str, formats: _Formats, fallback=None) -> None:
    indent, bold = 0, False
    if isinstance(value, Styled):
        value, indent, bold = value.value, value.indent, value.bold
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        if bold or indent:
            ws.write_blank(r, c, None, formats.cell(kind, indent, bold))
        return
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        ws.write_string(r, c, value, fallback if fallback is not None else formats.cell("text", indent, bold))
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, formats.cell("text", indent, bold))
    elif isinstance(value, dt.date):
        when = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        ws.write_datetime(r, c, when, formats.cell("date", indent, bold))
    elif kind == "cents" and isinstance(value, int):
        ws.write_number(r, c, value / 100, formats.cell("cents", indent, bold))
    elif isinstance(value, int | float | Decimal):
        ws.write_number(r, c, float(value), formats.cell(kind if kind != "text" else "number", indent, bold))
    else:
        ws.write_string(r, c, str(value), formats.cell("text", indent, bold))


# -------------------------------------------------------------------------- files


def _atomic(path: Path, write, *, text: bool) -> None:
    """Write through a temporary file in the target's folder, then move it into place."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookError(f"cannot write {path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=folder)
    try:
        if text:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
                write(handle)
        else:
            os.close(fd)
            write(tmp)
        os.replace(tmp, path)
    except PermissionError:
        _remove(tmp)
        raise WorkbookLocked(f"cannot write {path}: it is open in another program or not writable") from None
    except OSError as exc:
        _remove(tmp)
        raise WorkbookError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(tmp)


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
