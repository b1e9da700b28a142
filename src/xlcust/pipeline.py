"""Everything the "Refresh all" button and `xlcust run` do, in one place.

`refresh(book)` runs the checks, the ledger, the credit grades, the revenue of the
current year and the other reports, and returns the output sheets to write plus the
figures a summary needs. Hosts differ only in how they write: the CLI saves the file
through the package writer; the Excel button writes through xlwings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .book import Book
from .findings import Finding
from .io.sheetxml import OutputSheet

Progress = Callable[[str], None]  # called with the name of the stage about to start


@dataclass
class RunResult:
    findings: list[Finding]
    sheets: list[OutputSheet]
    ledger: object  # xlcust.ledger.Ledger
    totals: object  # xlcust.ledger.ControlTotals
    stages: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date:
        return self.ledger.as_of


STAGES = ("Checking", "Allocating and aging", "Grading customers", "Rules (dry run)", "Revenue by category",
          "Preparing sheets")


def refresh(book: Book, as_of: dt.date | None = None, progress: Progress | None = None,
            recorded: object | None = None) -> RunResult:
    """Compute every output sheet of a full run, in the order they appear in the workbook.

    `recorded` is what the AuditLog already holds (`read_audit_log(path).recorded()`), so
    the Reclass dry run lists only what `reclassify --apply` would still change.
    """
    from .checks import run_checks
    from .credit import early_warnings, grade_customers
    from .credit.sheet import metrics_sheet
    from .io.outputs import checks_sheet, ledger_sheets
    from .ledger import build_ledger
    from .reclass import diff, evaluate_rules, reclass_sheet
    from .reports.dashboard import dashboard_sheet
    from .reports.revenue import current_year_revenue, revenue_sheet

    step = progress or (lambda _stage: None)
    lang = book.settings.language

    step(STAGES[0])
    findings = run_checks(book)

    step(STAGES[1])
    ledger = build_ledger(book, as_of=as_of)
    totals = ledger.reconcile()

    step(STAGES[2])
    grades = grade_customers(book, ledger)
    warnings = early_warnings(book, ledger, grades=grades)

    step(STAGES[3])
    rules = evaluate_rules(book, ledger)
    changes = diff(rules, recorded)

    step(STAGES[4])
    revenue = current_year_revenue(book, ledger.as_of)

    step(STAGES[5])
    sheets = [
        checks_sheet(findings, lang),
        metrics_sheet(book, grades, lang, warnings),
        reclass_sheet(changes, lang, book=book, as_of=rules.as_of),
        *ledger_sheets(book, ledger, lang, totals),
        revenue_sheet(revenue, lang),
        dashboard_sheet(book, ledger, lang, revenue=revenue),
    ]
    return RunResult(findings, sheets, ledger, totals, list(STAGES))
