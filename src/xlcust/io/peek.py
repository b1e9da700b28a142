"""The first rows of a sheet, read from the package without parsing the rest.

The column reader (`xlcust.io.columns`) needs to know where the header sits before
it asks fastexcel for the data below it, and every full-sheet reader parses the
whole sheet to answer that. A million-row sheet is 100 MB of XML; its header is
in the first few kilobytes. `head_rows` streams the sheet part and stops after
`limit` rows, resolving shared strings only as far as the header needs them.

The grid matches what python-calamine returns for the same rows: text as `str`,
numbers as `float`, booleans as `bool`, error values as `ExcelError`, empty cells
as None, column A at index 0.
"""

from __future__ import annotations

import os
import re

from lxml import etree

from ..celltypes import ExcelError
from ..schema import column_index
from .package import Package
from .sheetxml import MAIN_NS

_ROW = f"{{{MAIN_NS}}}row"
_C = f"{{{MAIN_NS}}}c"
_V = f"{{{MAIN_NS}}}v"
_IS = f"{{{MAIN_NS}}}is"
_T = f"{{{MAIN_NS}}}t"
_SI = f"{{{MAIN_NS}}}si"
_RPH = f"{{{MAIN_NS}}}rPh"
_EXCEL_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def head_rows(pkg: Package, sheet_name: str, limit: int) -> list[list[object]]:
    """The first `limit` rows of a worksheet as values: rows and columns from A1, 0-based, padded."""
    part = pkg.sheet_part(sheet_name)
    cells: list[tuple[int, int, str | None, etree._Element]] = []
    with pkg.parsing(part), pkg.open_part(part) as stream:
        for _, row in etree.iterparse(stream, events=("end",), tag=_ROW, huge_tree=True,
                                      resolve_entities=False, no_network=True):
            r = int(row.get("r", "0")) - 1 if row.get("r") else None
            if r is None:
                r = (cells[-1][0] + 1) if cells else 0
            if r >= limit:
                break
            column = 0
            for c in row.iterchildren(_C):
                ref = c.get("r")
                column = _column_of(ref) if ref else column
                cells.append((r, column, c.get("t"), c))
                column += 1
            if r + 1 >= limit:
                break
    wanted = {int(v) for _, _, t, c in cells if t == "s" and (v := c.findtext(_V)) and v.strip().isdigit()}
    shared = _shared_strings(pkg, max(wanted)) if wanted else []
    values = [(r, col, _value(t, c, shared)) for r, col, t, c in cells]
    values = [(r, col, v) for r, col, v in values if v is not None and v != ""]
    width = max((col for _, col, _ in values), default=-1) + 1
    height = min(limit, max((r for r, _, _ in values), default=-1) + 1)
    grid: list[list[object]] = [[None] * width for _ in range(height)]
    for r, col, v in values:
        grid[r][col] = v
    return grid


def _column_of(ref: str) -> int:
    return column_index("".join(ch for ch in ref if ch.isalpha()))


def _text(el: etree._Element) -> str:
    """A rich or plain string's text, phonetic runs (rPh) left out as Excel shows it.

    Excel's `_xHHHH_` escapes are undone as python-calamine undoes them (`_x005F_` is "_").
    """
    text = "".join(t.text or "" for t in el.iter(_T) if t.getparent().tag != _RPH)
    return _EXCEL_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _value(t: str | None, c: etree._Element, shared: list[str]) -> object:
    if t == "inlineStr":
        inline = c.find(_IS)
        return None if inline is None else _text(inline)
    v = c.findtext(_V)
    if v is None:
        return None
    if t == "s":
        i = int(v) if v.strip().isdigit() else -1
        return shared[i] if 0 <= i < len(shared) else None
    if t in ("str", "d"):
        return v
    if t == "b":
        return v.strip() in ("1", "true")
    if t == "e":
        return ExcelError(v)
    try:
        return float(v)
    except ValueError:
        return None


def _shared_strings(pkg: Package, last: int) -> list[str]:
    """Shared strings 0..last, read from the start of the table (headers come early in it)."""
    part = pkg.shared_strings_part()
    out: list[str] = []
    if part is None:
        return out
    with pkg.parsing(part), pkg.open_part(part) as stream:
        for _, si in etree.iterparse(stream, events=("end",), tag=_SI, huge_tree=True,
                                     resolve_entities=False, no_network=True):
            out.append(_text(si))
            si.clear()
            if len(out) > last:
                break
    return out


def settings_language(path: str | os.PathLike[str]) -> str | None:
    """The `language` a user set on the workbook's Settings sheet, from its first rows only; else None.

    For a host that must speak the book's language before (or without) reading it whole: the
    CLI, when an argument is refused or the book cannot be read. Any problem reading it → None.
    """
    from ..errors import XlcustError
    from ..i18n import normalize_language
    from ..schema import SETTINGS, normalize_header
    from .package import open_package

    try:
        pkg = open_package(path)
        by_norm = {normalize_header(n): n for n in pkg.sheet_names()}
        name = next((by_norm[n] for n in map(normalize_header, SETTINGS.all_names) if n in by_norm), None)
        rows = head_rows(pkg, name, _SETTINGS_ROWS) if name is not None else []
    except (XlcustError, OSError, ValueError, KeyError, etree.Error):
        return None
    for row in rows:
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip().lower() == "language":
            return normalize_language(str(row[1])) if row[1] is not None else None
    return None


_SETTINGS_ROWS = 200  # Settings has some 40 keys; users add notes and blank rows between them
