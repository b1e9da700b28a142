"""Report exports as files: CSV or a printable .xlsx, written whole or not at all.

    export_tables(path, tables)   .csv → the first table as CSV; .xlsx → one sheet per table
    write_csv(path, table)        UTF-8 with BOM, CRLF, formula-like text neutralised
    write_xlsx(path, tables)      xlsxwriter workbook with print setup and a parameters block

The layout is `xlcust.views.export`'s. Files are written to a temporary file next to
the target and moved into place, so an export that fails leaves no half-written file.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import WorkbookError, WorkbookLocked
from ..i18n import msg
from ..views.export import ExportTable, check_export_path, csv_rows, fill_xlsx


def export_tables(path: Path, tables: Sequence[ExportTable]) -> None:
    """Write `tables` to `path` by its suffix: CSV takes the first table, .xlsx all of them."""
    check_export_path(path)
    if path.suffix.lower() == ".csv":
        write_csv(path, tables[0])
    else:
        write_xlsx(path, tables)


def write_csv(path: Path, table: ExportTable) -> None:
    """`table` as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese right), CRLF line ends."""

    def write(handle) -> None:
        csv.writer(handle, lineterminator="\r\n").writerows(csv_rows(table))

    _atomic(path, write, text=True)


def write_xlsx(path: Path, tables: Sequence[ExportTable]) -> None:
    """`tables` as a printable workbook, one sheet each."""
    import xlsxwriter

    def write(target: str) -> None:
        wb = xlsxwriter.Workbook(target, {"in_memory": False, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
        fill_xlsx(wb, tables)
        wb.close()

    _atomic(path, write, text=False)


# -------------------------------------------------------------------------- files


def _atomic(path: Path, write, *, text: bool) -> None:
    """Write through a temporary file in the target's folder, then move it into place."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookError(msg("cannot write {path}: folder {folder} does not exist",
                                path=path, folder=folder))
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
        raise WorkbookLocked(msg("cannot write {path}: it is open in another program or not writable",
                                 path=path)) from None
    except OSError as exc:
        _remove(tmp)
        raise WorkbookError(msg("cannot write {path}: {reason}", path=path, reason=exc.strerror or exc)) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.remove(tmp)


