"""Do a report's figures rest on all the data? One answer for every report command.

`xlcust run` has always exited 1 when the workbook has errors and said how many
Transactions rows the ledger used. Every other report (aging, settlement, grades,
revenue, statements) asks here instead of deciding on its own:

- `report_findings(book, needs)` runs the checks of the sheets a report reads and
  returns their errors (a required column missing, rows left out of the ledger, a
  setting that cannot be read, …): each is a reason the figures are incomplete or
  cannot be trusted, pointing at its cell;
- `ledger_coverage(ledger)` counts the Transactions rows the ledger used and the rows
  it left out as invalid (rows dated after the as-of date are left out by design and
  do not make a report incomplete).

A report with findings exits 1 and names them (DESIGN §5); the figures are still shown,
marked as computed from part of the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .book import Book
from .findings import Finding, Severity

if TYPE_CHECKING:
    from .ledger import Ledger

# Descriptive fields that never enter a figure: a bad tax ID or a blank name is an error for
# `xlcust check`, but no report's numbers change with it.
DESCRIPTIVE_FIELDS = frozenset({"name", "short_name", "mnemonic", "tax_id", "contact", "phone", "address", "memo",
                                "note"})

# The sheets each report reads (Book attribute names). Settings and the sheet structure
# are always checked: every report depends on them.
LEDGER_SHEETS = ("settings_table", "categories", "customers", "transactions")
REPORT_SHEETS: dict[str, tuple[str, ...]] = {
    "settlement": LEDGER_SHEETS,
    "aging": LEDGER_SHEETS,
    "statements": LEDGER_SHEETS,
    "grades": (*LEDGER_SHEETS, "risk"),
    "revenue": (*LEDGER_SHEETS, "history"),
}


@dataclass(frozen=True)
class Coverage:
    """How much of the Transactions sheet a ledger used."""

    rows_in_sheet: int
    rows_used: int
    rows_left_out: int  # invalid rows: no date, amount, customer or known kind
    rows_after_as_of: int  # later than the as-of date: left out by design
    reasons: dict[str, int]  # left-out rows per reason (missing_amount, unknown_kind, …)

    @property
    def complete(self) -> bool:
        return self.rows_left_out == 0

    def to_json(self) -> dict:
        return {"rows_in_sheet": self.rows_in_sheet, "rows_used": self.rows_used,
                "rows_left_out": self.rows_left_out, "rows_after_as_of": self.rows_after_as_of,
                "left_out_by_reason": dict(self.reasons), "complete": self.complete}


def ledger_coverage(ledger: Ledger) -> Coverage:
    """Rows of the Transactions sheet the ledger used, left out as invalid, or left for later."""
    reasons = ledger.excluded["reason"].value_counts()
    later = int(reasons.get("after_as_of", 0))
    invalid = {str(k): int(v) for k, v in reasons.items() if k != "after_as_of"}
    return Coverage(rows_in_sheet=len(ledger.lines) + len(ledger.excluded), rows_used=len(ledger.lines),
                    rows_left_out=sum(invalid.values()), rows_after_as_of=later, reasons=invalid)


def report_findings(book: Book, needs: Iterable[str]) -> list[Finding]:
    """The errors, on the sheets a report reads, that make its figures incomplete or untrustworthy."""
    from .checks import CHECKS, run_checks

    keys = {"settings_table", *needs}
    checks = [c for c in CHECKS if _sheet_of(c) in keys or _sheet_of(c) is None]
    names: set[str] = set()
    for key in keys:
        table = getattr(book, key)
        names.update((table.name, table.spec.key))
    return [f for f in run_checks(book, checks)
            if f.severity is Severity.ERROR and f.sheet in names and f.field not in DESCRIPTIVE_FIELDS]


def _sheet_of(check: object) -> str | None:
    """The Book attribute a check reads, from its module (None: structure checks, run for every report)."""
    module = getattr(check, "__module__", "").rsplit(".", 1)[-1]
    return {"settings": "settings_table", "categories": "categories", "customers": "customers",
            "transactions": "transactions", "history": "history", "rules": "rules", "credit": "risk"}.get(module)
