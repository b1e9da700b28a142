"""Reading the file to import: .csv (optionally gzip-compressed), .xlsx/.xlsm, .xls → a grid of cells.

CSV encodings are detected, never guessed silently: the bytes must decode strictly as
UTF-8 (with or without a BOM), else strictly as GB18030 (a superset of GBK and GB2312,
what Chinese Excel and WPS save as "CSV"); the one used is reported. Bytes that are
neither are refused with a message saying how to re-save the file. The separator is
a comma unless the first lines are consistently split by tabs or semicolons.

Rows are numbered as Excel shows them when it opens the file: a CSV record that spans
lines (a quoted line break) is one row.
"""

from __future__ import annotations

import csv
import io
import zlib
from pathlib import Path

import pandas as pd

from ..errors import CorruptWorkbook, UsageError, WorkbookError, WorkbookNotFound
from ..i18n import msg
from ..importer.source import Grid, Source, source_format
from . import safezip

_BOMS = {b"\xef\xbb\xbf": "UTF-8 with BOM"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_source(path: Path) -> Source:
    """The file to import, read into grids (see the module docstring)."""
    fmt = source_format(path)
    grids = [read_csv_grid(path)] if fmt == "csv" else read_spreadsheet_grids(path)
    return Source(path, fmt, grids)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise WorkbookNotFound(msg("{path}: no such file; check the path and run again", path=path)) from None
    except IsADirectoryError:
        raise UsageError(msg("{path} is a folder: give the file to import", path=path)) from None
    except OSError as exc:
        raise WorkbookError(msg("{name} cannot be read ({reason})",
                                name=path.name, reason=exc.strerror or exc)) from None


# ------------------------------------------------------------------------------- CSV


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding label): strict UTF-8 (BOM or not), else strict GB18030; anything else is refused."""
    for bom in _UTF16_BOMS:
        if data.startswith(bom):
            raise UsageError(msg("{name} is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8 (Comma "
                                 "delimited)' and run again", name=name))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise UsageError(msg("{name} starts with a UTF-8 mark but byte {byte} is not UTF-8: the file is "
                                 "damaged or mixes encodings; save it again as 'CSV UTF-8' and run again",
                                 name=name, byte=exc.start + 3)) from None
    try:
        text, label = data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, label = data.decode("gb18030"), "GB18030 (GBK)"
        except UnicodeDecodeError:
            raise UsageError(
                msg("{name} is neither UTF-8 nor GB18030/GBK text (byte {byte} is not UTF-8): open it in Excel or "
                    "WPS and save it as 'CSV UTF-8 (Comma delimited)', then run again",
                    name=name, byte=utf8_error.start)) from None
    if "\x00" in text:
        raise UsageError(msg("{name} holds NUL characters: it is not a text CSV (a spreadsheet renamed .csv, or "
                             "UTF-16 without a mark); save it as 'CSV UTF-8' and run again", name=name))
    return text, label


def sniff_delimiter(text: str) -> str:
    """',' unless tabs or semicolons split the first lines more consistently."""
    lines = [ln for ln in text[:65536].splitlines()[:30] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", 0
    for delim in (",", "\t", ";"):
        counts = [ln.count(delim) for ln in lines]
        common = max(set(counts), key=counts.count)
        score = common * counts.count(common) if common else 0
        if score > best_score:
            best, best_score = delim, score
    return best


def read_csv_grid(path: Path) -> Grid:
    data = _read_bytes(path)
    if data[:2] == b"\x1f\x8b":
        try:  # inflated within the ceilings of a workbook's sheet, stopping there however large the file
            data = safezip.BoundedInflater(path.name, 31, safezip.MAX_TEXT_BYTES).inflate(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise CorruptWorkbook(msg("{name}: the gzip file is damaged ({error})",
                                      name=path.name, error=exc)) from None
    text, encoding = decode_text(data, path.name)
    delimiter = sniff_delimiter(text)
    cells = _parse_csv(text, delimiter)
    return Grid(cells, path.name, "csv", encoding=encoding, delimiter=delimiter)


def _parse_csv(text: str, delimiter: str) -> pd.DataFrame:
    """Records as rows of strings ('' for empty), index = record number (1-based)."""
    head = list(csv.reader(io.StringIO(text[: 1 << 20]), delimiter=delimiter))[:1000]
    width = max((len(r) for r in head), default=0)
    frame: pd.DataFrame | None = None
    if width:
        try:  # pandas' C parser: fast; refuses a later record wider than the first thousand
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=list(range(width)),
                                dtype=object, na_filter=False, keep_default_na=False, skip_blank_lines=False,
                                quoting=csv.QUOTE_MINIMAL, engine="c")
        except (pd.errors.ParserError, ValueError):
            frame = None
    if frame is None:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        width = max((len(r) for r in rows), default=0)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=list(range(width)), dtype=object)
    if len(frame) and text.endswith(("\n", "\r")) and (frame.iloc[-1] == "").all():
        frame = frame.iloc[:-1]  # the newline ending the last record is not one more row
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame.astype(object)


# ---------------------------------------------------------------------- spreadsheets


def read_spreadsheet_grids(path: Path) -> list[Grid]:
    """Every worksheet of an .xlsx/.xlsm/.xls file, in tab order."""
    import python_calamine  # here, not at the top: xlwings Lite imports xlcust without it

    data = _read_bytes(path)  # the usual one-line errors for a missing or unreadable file
    if data.startswith(b"PK"):  # .xlsx/.xlsm: calamine is handed only a package that passed the checks
        safezip.check_package(data, path.name)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        grids = []
        for name in names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            width = max((len(r) for r in rows), default=0)
            cells = pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows], columns=list(range(width)),
                                 dtype=object)
            cells.index = pd.RangeIndex(1, len(cells) + 1)
            grids.append(Grid(cells.replace({"": None}), f"{path.name}!{name}", source_format(path), sheet=name,
                              sheets=tuple(names)))
    except Exception as exc:  # calamine raises its own error types for broken or encrypted files
        raise CorruptWorkbook(msg("{name}: cannot read it as a spreadsheet ({error}); open it in Excel, save it "
                                  "again and run again", name=path.name, error=exc)) from None
    return grids
