"""Every validation of the registry workbook, as a list of small functions.

A check is `def check_x(book: Book) -> Iterable[Finding]`, one rule each, in the
module of the sheet it reads. `CHECKS` lists them in the order they run;
`run_checks(book)` runs them all, adds the findings made while reading the file
(header, blank-row and settings problems), turns a check that crashes into a
`CHECK_CRASHED` finding instead of a traceback, and returns everything sorted by
sheet, row and column. Every code is described in `catalog.CATALOG`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable

from ..book import Book
from ..findings import Finding, Severity, error
from ..i18n import msg
from . import categories, credit, customers, history, quality, rules, settings, structure, transactions
from .catalog import CATALOG, Entry, markdown_table

Check = Callable[[Book], Iterable[Finding]]

CHECKS: list[Check] = [
    structure.check_required_sheets,
    settings.check_aging_bounds,
    settings.check_score_weights,
    settings.check_grade_thresholds,
    settings.check_provision_rates,
    settings.check_setting_ranges,
    settings.check_lifecycle_months,
    categories.check_category_cells,
    categories.check_category_codes,
    categories.check_category_duplicates,
    categories.check_category_parents,
    categories.check_category_names,
    categories.check_category_tax_rates,
    categories.check_category_days,
    categories.check_category_credit_limits,
    categories.check_category_active,
    categories.check_category_provision_rates,
    customers.check_customer_cells,
    customers.check_customer_codes,
    customers.check_customer_names,
    customers.check_customer_categories,
    customers.check_customer_tax_ids,
    customers.check_customer_duplicate_tax_ids,
    customers.check_customer_likely_duplicates,
    customers.check_customer_credit_limits,
    customers.check_customer_terms,
    customers.check_customer_mnemonics,
    customers.check_customer_status,
    customers.check_customer_types,
    customers.check_customer_dates,
    transactions.check_transaction_cells,
    transactions.check_txn_ids,
    transactions.check_txn_customers,
    transactions.check_txn_kinds,
    transactions.check_txn_dates,
    transactions.check_txn_future_dates,
    transactions.check_txn_amount_cells,
    transactions.check_txn_amount_signs,
    transactions.check_txn_due_dates,
    transactions.check_txn_references,
    transactions.check_invoice_credit_limits,
    history.check_history_cells,
    history.check_history_customers,
    history.check_history_categories,
    history.check_history_dates,
    history.check_history_periods,
    history.check_history_open_rows,
    history.check_history_matches_customers,
    history.check_history_remembered,
    rules.check_rule_cells,
    rules.check_rule_rows,
    rules.check_rule_texts,
    *credit.CHECKS,
    *quality.CHECKS,
]

# The sheet a crashing check is reported on: the one its module checks.
_MODULE_SHEET = {
    settings.__name__: "settings_table",
    categories.__name__: "categories",
    customers.__name__: "customers",
    transactions.__name__: "transactions",
    history.__name__: "history",
    rules.__name__: "rules",
    quality.__name__: "customers",
}


def run_checks(book: Book, checks: Iterable[Check] | None = None) -> list[Finding]:
    """All findings about `book`: the reader's, then every check's, sorted by sheet, row, column."""
    findings = list(book.read_findings)
    for check in CHECKS if checks is None else checks:
        try:
            findings.extend(check(book))
        except Exception as exc:  # a bug in a check must not hide the other checks' findings
            findings.append(_crashed(book, check, exc))
    return sort_by_sheet(book, findings)


def _crashed(book: Book, check: Check, exc: Exception) -> Finding:
    name = getattr(check, "__name__", repr(check))
    attr = _MODULE_SHEET.get(getattr(check, "__module__", ""))
    sheet = getattr(book, attr).name if attr else "Checks"
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return error(
        "CHECK_CRASHED", sheet,
        msg("The check {name} failed ({error}); its findings are missing", name=name,
            error=": ".join((type(exc).__name__, str(exc)))),
        suggestion=msg("Please report this xlcust bug (at {where}); the other checks ran normally",
                       where=":".join((where.filename.rsplit("/", 1)[-1], str(where.lineno)))),
    )


def sort_by_sheet(book: Book, findings: Iterable[Finding]) -> list[Finding]:
    """Findings in sheet order (Settings, Categories, Customers, Transactions, Rules,
    CategoryHistory; other sheets after), then row, column, severity and code."""
    order: dict[str, int] = {}
    for i, table in enumerate(book.tables()):
        order.setdefault(table.name, i)
        order.setdefault(table.spec.key, i)
    last = len(order) + 1
    rank = {severity: severity.rank for severity in Severity}  # tens of thousands of findings at 1M rows

    def key(f: Finding) -> tuple:
        column = (0, "") if f.column is None else (len(f.column), f.column)
        return (order.get(f.sheet, last), f.sheet, f.row or 0, column, rank[f.severity], f.code)

    return sorted(findings, key=key)


__all__ = ["CATALOG", "CHECKS", "Check", "Entry", "markdown_table", "run_checks", "sort_by_sheet"]
