"""Recording a reclassification in the workbook file: the plan's edits, AuditLog and Reclass in one atomic save.

    pkg, book = read_for_apply(path)
    result = evaluate_rules(book, build_ledger(book, as_of))
    changes = diff(result, read_audit_log(pkg).recorded())
    report = apply_changes(pkg, book, result, changes)

The package is opened before the book is read and saved with the same object, so a
workbook changed by someone else in between is refused rather than overwritten.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..book import Book, build_book
from ..memory import memory_after_changes
from ..reclass.apply import ApplyReport, plan_apply
from ..reclass.evaluate import Change, RuleResult
from ..views.audit import audit_sheet
from ..views.edits import render_edits
from ..views.memory import memory_sheet
from ..views.page import with_page
from ..views.reclass import reclass_sheet
from .auditlog import read_audit_log
from .memory import read_memory
from .package import Package, open_package
from .package_write import save_package
from .reader import read_raw_sheets


def read_for_apply(path: str | Path) -> tuple[Package, Book]:
    """The package (kept for saving) and the book read from it."""
    pkg = open_package(path)
    book = build_book(read_raw_sheets(pkg), path=str(path))
    book.remembered = read_memory(pkg)  # a change made while CategoryHistory was away is recorded too
    return pkg, book


def apply_changes(pkg: Package, book: Book, result: RuleResult, changes: list[Change], *,
                  now: dt.datetime | None = None, who: str | None = None, out: Path | None = None) -> ApplyReport:
    """Write `changes` into the workbook (`xlcust.reclass.apply`); nothing when there are none."""
    plan = plan_apply(book, result, changes, now=now, who=who)
    if not changes:
        return plan.report(0, written=False)
    lang = book.settings.language
    log = read_audit_log(pkg)
    outputs = with_page([audit_sheet([*log.rows, *plan.audit_rows], lang, log.sheet),
                         reclass_sheet(changes, lang, book=book, as_of=result.as_of, applied=True)], book.settings)
    # xlcust's memory follows the recorded changes in the same save, so the next run finds it current
    memory = memory_sheet(book, records=memory_after_changes(book, changes, (now or dt.datetime.now()).date()))
    save_package(pkg, out, outputs=[*outputs, memory], edits=render_edits(plan.edits, lang))
    return plan.report(len(changes), written=True)
