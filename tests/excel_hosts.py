"""A `MemoryHost` holding a workbook file's cells the way xlwings hands them over."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import python_calamine

from xlcust.celltypes import ExcelError
from xlcust.excel.host import MemoryHost
from xlcust.io.package import open_package


def xlwings_value(value: object) -> object:
    """calamine's value → what xlwings gives for the same cell: floats, datetimes, None."""
    if value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


def host_from_file(path: Path) -> MemoryHost:
    pkg = open_package(path)
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    grids = {}
    for name in pkg.sheet_names():
        grid = [[xlwings_value(v) for v in row]
                for row in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        for (row, col), text in pkg.error_cells(name).items():
            grid[row - 1][col] = ExcelError(text)
        grids[name] = grid
    return MemoryHost(grids, pkg.tables(), name=path.name)
