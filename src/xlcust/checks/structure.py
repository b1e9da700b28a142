"""Structure: are the sheets there? (Header and row problems come from the reader.)"""

from __future__ import annotations

from collections.abc import Iterator

from ..book import Book
from ..findings import Finding, error, info
from ..i18n import N_, msg
from ..schema import CATEGORIES, CUSTOMERS, TRANSACTIONS

# Without these there is nothing to check or report; the others have defaults (DESIGN §5).
REQUIRED_SHEETS = (CATEGORIES.key, CUSTOMERS.key, TRANSACTIONS.key)


def check_required_sheets(book: Book) -> Iterator[Finding]:
    """Categories, Customers and Transactions must exist; Settings, Rules, CategoryHistory may not."""
    for table in book.tables():
        if table.present:
            continue
        spec = table.spec
        if spec.key in REQUIRED_SHEETS:
            yield error(
                "SHEET_MISSING", spec.key,
                msg("The workbook has no {sheet} sheet; its checks and reports cannot run", sheet=spec),
                suggestion=msg("Add a sheet named '{key}' or '{zh}' with the headers {headers}, "
                               "or start from `xlcust new`",
                               key=spec.key, zh=spec.zh, headers=spec.required_header_list),
            )
        else:
            consequence = _CONSEQUENCES.get(spec.key, EMPTY)
            yield info(
                "SHEET_OPTIONAL_MISSING", spec.key,
                msg("No {sheet} sheet: {consequence}", sheet=spec, consequence=msg(consequence)),
                suggestion=msg("Nothing to do; add a sheet named '{key}' or '{zh}' when you need it",
                               key=spec.key, zh=spec.zh),
            )


EMPTY = N_("it is treated as empty")
_CONSEQUENCES = {
    "Settings": N_("every setting takes its default"),
    "Rules": N_("there are no reclassification rules"),
    "CategoryHistory": N_("category history starts from the customers' current categories"),
}
