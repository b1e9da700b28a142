"""The output sheets of a full run (`xlcust run`, the Refresh all button), from its results."""

from __future__ import annotations

import datetime as dt

from ..book import Book
from ..pipeline import STAGES, Progress, RunResult, refresh
from .dashboard import dashboard_sheet
from .metrics import metrics_sheet
from .outputs import checks_sheet, ledger_sheets
from .page import with_page
from .reclass import reclass_sheet
from .revenue import revenue_sheet
from .sheet import OutputSheet


def run_sheets(book: Book, result: RunResult) -> list[OutputSheet]:
    """Every output sheet of a full run, in the order they appear in the workbook."""
    lang = book.settings.language
    return with_page([
        checks_sheet(result.findings, lang),
        metrics_sheet(book, result.grades, lang, result.warnings),
        reclass_sheet(result.changes, lang, book=book, as_of=result.rules.as_of),
        *ledger_sheets(book, result.ledger, lang, result.totals, result.warnings),
        revenue_sheet(result.revenue, lang),
        dashboard_sheet(book, result.ledger, lang, revenue=result.revenue, warnings=result.warnings),
    ], book.settings)


def refresh_sheets(book: Book, as_of: dt.date | None = None, progress: Progress | None = None,
                   recorded: object | None = None) -> tuple[RunResult, list[OutputSheet]]:
    """`pipeline.refresh` and then `run_sheets`, reporting the last stage: what hosts call."""
    result = refresh(book, as_of, progress=progress, recorded=recorded)
    if progress is not None:
        progress(STAGES[-1])
    return result, run_sheets(book, result)
