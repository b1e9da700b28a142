"""Statement workbooks as files: one per category (or per customer) in a folder.

    files = write_statements(statements, Path("statements"))
    files = write_statements(statements, Path("statements"), per="customer")

The figures are `xlcust.reports.statements.build_statements`'; the layout is
`xlcust.views.statements`'. A folder that is not there is made; a file that cannot be
written (open in Excel or WPS, a read-only folder) is a one-line error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError, WorkbookError
from ..i18n import msg
from ..reports.statements import CategoryStatement, CustomerStatement, Statements
from ..views.statements import fill_statement_workbook
from .atomic import close_xlsxwriter

PER = ("category", "customer")


@dataclass(frozen=True)
class StatementFile:
    """A workbook written: its category, customers and closing total (cents)."""

    category_code: str
    path: Path
    customers: tuple[str, ...]
    closing_total: int
    customer_code: str | None = None  # set with per="customer"


def statement_file_name(category_code: str, start: dt.date, end: dt.date, customer_code: str | None = None) -> str:
    """`statement_<category>_<from>_<to>.xlsx`; per customer `statement_<category>_<customer>_<from>_<to>.xlsx`."""
    parts = [category_code] + ([_safe(customer_code)] if customer_code else []) + [start.isoformat(), end.isoformat()]
    return "statement_" + "_".join(parts) + ".xlsx"


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]", "_", text)


def write_statements(statements: Statements, out_dir: Path, per: str = "category") -> list[StatementFile]:
    """Write the workbooks into `out_dir` (created if missing): one per category, or per customer."""
    if per not in PER:
        raise UsageError(msg("--per must be category or customer, not '{per}'", per=per))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkbookError(msg("{folder}: cannot create the folder ({reason})",
                                folder=out_dir, reason=exc.strerror or exc)) from None
    files = []
    for group in statements.categories:
        if per == "category":
            path = out_dir / statement_file_name(group.category_code, statements.start, statements.end)
            write_category_workbook(path, statements, group)
            files.append(StatementFile(group.category_code, path, tuple(c.customer_code for c in group.customers),
                                       group.closing))
            continue
        for customer in group.customers:
            path = out_dir / statement_file_name(group.category_code, statements.start, statements.end,
                                                 customer.customer_code)
            write_category_workbook(path, statements, group, only=customer)
            files.append(StatementFile(group.category_code, path, (customer.customer_code,), customer.closing,
                                       customer.customer_code))
    return files


def write_category_workbook(path: Path, statements: Statements, group: CategoryStatement,
                            only: CustomerStatement | None = None) -> None:
    """One workbook: the summary sheet and the statement blocks (or only `only`'s block, without summary)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    fill_statement_workbook(workbook, statements, group, only)
    close_xlsxwriter(workbook, path)
