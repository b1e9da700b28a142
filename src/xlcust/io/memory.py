"""Reading xlcust's memory (`xlcust.memory`) from the file: the very hidden sheet `_xlcust_memory`.

Why a very hidden sheet and not a custom XML part: all three hosts read and write sheets
through the means they already have — this package writer, xlwings' object model in
desktop Excel, and Office.js under xlwings Lite, which cannot reach custom XML parts —
so the lock holds wherever the workbook is opened. Excel keeps a very hidden sheet on
every save, does not list it under Unhide, and it carries xlcust's output marker, so it
never disturbs the user's own sheets or parts. It holds three plain columns
(customer_code, category_code, seen_on) below a header row.
"""

from __future__ import annotations

import io

import pandas as pd

from ..memory import MEMORY_SHEET, empty_memory, memory_frame
from .package import Package


def read_memory(pkg: Package) -> pd.DataFrame:
    """The remembered categories, or an empty frame when the workbook has no (readable) memory."""
    name = next((n for n in pkg.sheet_names() if n.casefold() == MEMORY_SHEET.casefold()), None)
    if name is None:
        return empty_memory()
    import python_calamine  # here, not at the top: xlwings Lite imports xlcust without it

    try:
        data = pkg.for_native_readers(name)
        grid = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name).to_python()
    except Exception:  # a damaged memory must not stop a run: the lock then starts again from today
        return empty_memory()
    rows = [tuple((list(r) + [None, None, None])[:3]) for r in grid[1:]]
    return memory_frame([(_text(c), _text(k), s if s != "" else None) for c, k, s in rows])


def _text(value: object) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
