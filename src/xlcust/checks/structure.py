"""Structure: are the sheets there? (Header and row problems come from the reader.)"""

from __future__ import annotations

from collections.abc import Iterator

from ..book import Book
from ..findings import Finding, error, info
from ..schema import CATEGORIES, CUSTOMERS, TRANSACTIONS

# Without these there is nothing to check or report; the others have defaults (DESIGN §5).
REQUIRED_SHEETS = (CATEGORIES.key, CUSTOMERS.key, TRANSACTIONS.key)


def check_required_sheets(book: Book) -> Iterator[Finding]:
    """Categories, Customers and Transactions must exist; Settings, Rules, CategoryHistory may not."""
    for table in book.tables():
        if table.present:
            continue
        spec = table.spec
        headers = ", ".join(f"{c.en} ({c.zh})" for c in spec.required_columns)
        if spec.key in REQUIRED_SHEETS:
            yield error(
                "SHEET_MISSING", spec.key,
                f"The workbook has no {spec.key} sheet ({spec.zh}); its checks and reports cannot run",
                suggestion=f"Add a sheet named '{spec.key}' or '{spec.zh}' with the headers {headers}, "
                "or start from `xlcust new`",
            )
        else:
            consequence = {
                "Settings": "every setting takes its default",
                "Rules": "there are no reclassification rules",
                "CategoryHistory": "category history starts from the customers' current categories",
            }.get(spec.key, "it is treated as empty")
            yield info(
                "SHEET_OPTIONAL_MISSING", spec.key,
                f"No {spec.key} sheet ({spec.zh}): {consequence}",
                suggestion=f"Nothing to do; add a sheet named '{spec.key}' or '{spec.zh}' when you need it",
            )
