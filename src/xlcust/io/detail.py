"""A run's book and its companion detail file, saved together: both or neither (`xlcust run --detail`).

The companion (`CustomerLedger.detail.xlsx` beside the book, `xlcust.views.detail`) is a new
workbook made of output sheets only, written by the same package writer as the book's sheets
(same styles, page setup and print titles) into a bare XlsxWriter workbook.

Both or neither: the companion is first written to a hidden file beside it; then the old
companion (if any) steps aside, the new one takes its name, and the book is saved
(atomically, `save_package`). When the book's save fails, the old companion is put back, so a
failed run leaves both files as they were. An open companion (Excel's or LibreOffice's lock
file beside it) stops the run before anything is written.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from ..errors import WorkbookBusy
from ..i18n import msg
from ..views.detail import companion_name
from ..views.sheet import OutputSheet
from . import booklock
from .atomic import _check_not_open
from .package import Package
from .package_write import save_package

T = TypeVar("T")

STAGED_SUFFIX = ".xlcust-staged"  # the new companion while the book is being written
PREVIOUS_SUFFIX = ".xlcust-previous"  # the old companion while the book is being written


def companion_path(target: Path) -> Path:
    """Where the companion of the workbook written to `target` goes: beside it."""
    return target.with_name(companion_name(target.name))


def save_with_companion(target: Path, sheets: Sequence[OutputSheet], save_book: Callable[[], T]
                        ) -> tuple[T, dict[str, int]]:
    """Write the companion of `target` with these sheets and save the book (`save_book`), both or neither.

    Returns what `save_book` returns, and the companion's links past Excel's limit per sheet
    (written as plain text, see `save_package`). Raises WorkbookLocked when the companion is
    open or cannot be replaced; whatever `save_book` raises, after putting the old companion back.
    """
    companion = companion_path(target)
    _check_not_open(companion)  # before the work: an open companion would fail the run at its very end
    staged = companion.with_name(f".{companion.name}{STAGED_SUFFIX}")
    with booklock.hold(companion):
        try:
            dropped = save_package(Package(staged, _bare_workbook(sheets[0].name)), staged, outputs=list(sheets))
            return _swap_in(staged, companion, save_book), dropped
        finally:
            _discard(staged)


def _swap_in(staged: Path, companion: Path, save_book: Callable[[], T]) -> T:
    """Put the staged companion in place, save the book; on failure the old companion comes back."""
    previous = companion.with_name(f".{companion.name}{PREVIOUS_SUFFIX}")
    had_one = companion.exists()
    if had_one:
        _move(companion, previous, companion)
    try:
        _move(staged, companion, companion)
        try:
            result = save_book()
        except BaseException:
            _discard(companion)
            raise
    except BaseException:
        if had_one:
            os.replace(previous, companion)
        raise
    if had_one:
        _discard(previous)
    return result


def _move(source: Path, target: Path, companion: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:  # Windows: the companion is open in Excel (it holds the file)
        raise WorkbookBusy(msg("{file} cannot be replaced ({error}): close it in Excel, WPS or LibreOffice and run "
                               "again", file=companion.name, error=exc.strerror or str(exc))) from None


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _bare_workbook(sheet_name: str) -> bytes:
    """A workbook of one empty sheet named like the first output, which the writer then replaces.

    XlsxWriter makes the parts Excel expects of a new file (properties, theme, styles); the
    sheet's name is an output sheet's, so the package writer takes it as its own to replace.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet(sheet_name)
    workbook.close()
    return buffer.getvalue()
