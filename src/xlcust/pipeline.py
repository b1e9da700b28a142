"""Everything the "Refresh all" button and `xlcust run` compute, in one place.

`refresh(book)` runs the checks, the ledger, the credit grades, the rules' dry run and
the revenue of the current year, and returns the results (findings, frames, reports).
It knows nothing of sheets: `xlcust.views.run.run_sheets` turns a `RunResult` into the
output sheets, and hosts differ only in how they write them (the CLI saves the file
through the package writer; the Excel button writes through xlwings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .book import Book
from .findings import Finding
from .i18n import N_

if TYPE_CHECKING:
    import pandas as pd

    from .ledger import ControlTotals, Ledger
    from .reclass import Change, RuleResult
    from .reports.revenue import RevenueReport

Progress = Callable[[str], None]  # called with the name of the stage about to start


@dataclass
class RunResult:
    """The results of a full run, in the order their sheets appear in the workbook."""

    findings: list[Finding]
    ledger: Ledger
    totals: ControlTotals
    grades: pd.DataFrame  # `grade_customers`: one row per customer
    warnings: pd.DataFrame  # `early_warnings`
    rules: RuleResult  # the rules' dry run
    changes: list[Change]  # what `reclassify --apply` would still change
    revenue: RevenueReport  # the current year by month
    stages: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date:
        return self.ledger.as_of


# marked for the catalog: the CLI's progress bar shows them in the reader's language
STAGES = (N_("Checking"), N_("Allocating and aging"), N_("Grading customers"), N_("Rules (dry run)"),
          N_("Revenue by category"), N_("Preparing sheets"))


def refresh(book: Book, as_of: dt.date | None = None, progress: Progress | None = None,
            recorded: object | None = None) -> RunResult:
    """Compute every result of a full run (the last stage, preparing sheets, is the views').

    `recorded` is what the AuditLog already holds (`read_audit_log(path).recorded()`), so
    the Reclass dry run lists only what `reclassify --apply` would still change.
    """
    from .checks import run_checks
    from .credit import early_warnings, grade_customers
    from .ledger import build_ledger
    from .reclass import diff, evaluate_rules
    from .reports.revenue import current_year_revenue

    step = progress or (lambda _stage: None)

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

    return RunResult(findings, ledger, totals, grades, warnings, rules, changes, revenue, list(STAGES))
