"""Cell-level helpers shared by the checks: status lookups, blanks, values as shown.

The typing layer leaves a sparse status per odd cell (`blank`, `text`, `number`,
`spaces`, `fraction`, `error_value`, `bad`; see `xlcust.celltypes`). Checks select
rows with these helpers — vectorised, so a million-row Transactions sheet costs a
few array operations — and loop only over the rows that become findings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from ..book import SheetTable
from ..findings import Finding, error, warning
from ..i18n import Msg, msg
from ..schema import Column

_NO_STATUS = pd.Series([], dtype=object)


def status(table: SheetTable, field: str) -> pd.Series:
    """Status words of the odd cells of one column (indexed by Excel row)."""
    return table.status.get(field, _NO_STATUS)


def rows_with(table: SheetTable, field: str, *words: str) -> pd.Index:
    """Rows whose cell in `field` has one of the status `words`."""
    s = status(table, field)
    return s.index[s.isin(words).to_numpy()] if len(s) else s.index


def blank_mask(table: SheetTable, field: str) -> pd.Series:
    """True where the cell is empty (not where it held something unreadable)."""
    numbered = table.numbered_already(field)  # a million codes: their numbers say it without looking again
    missing = table.data[field].isna() if numbered is None else pd.Series(numbered.numbers < 0, index=table.data.index)
    s = status(table, field)
    if len(s):
        missing &= ~table.data.index.isin(s.index)
    return missing


def filled_mask(table: SheetTable, field: str) -> pd.Series:
    return table.data[field].notna()


def shown(table: SheetTable, field: str, row: int) -> str:
    """The cell as the user sees it, as text, for a finding's `value`."""
    source = table.raw if field in table.raw.columns else table.data
    value = source.at[row, field]
    return as_text(value)


def as_text(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        if value != value:
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def money(cents: int) -> str:
    """Integer cents as `1,200.50` (`-35.00`)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units:,}.{rest:02d}"


def date_text(value: object) -> str:
    return pd.Timestamp(value).date().isoformat()


def listing(items: list[str], limit: int = 5) -> str:
    """`a, b, c and 4 more`."""
    shown_items = ", ".join(items[:limit])
    more = len(items) - limit
    return shown_items + (f" and {more} more" if more > 0 else "")


# ------------------------------------------------------------- shared cell checks


def odd_cells(table: SheetTable, area: str, skip: tuple[str, ...] = ()) -> list[Finding]:
    """`<AREA>_ERROR_VALUE` for Excel error values, `<AREA>_SPACES` for cleaned-up codes.

    Every column of the sheet; `skip` names columns whose own check reports these.
    """
    findings: list[Finding] = []
    if not table.present:
        return findings
    for field in table.columns:
        if field in skip:
            continue
        for row in rows_with(table, field, "error_value"):
            value = shown(table, field, row)
            findings.append(error(
                f"{area}_ERROR_VALUE", table.name,
                msg("{column} holds the Excel error {value}, so the cell is read as empty",
                    column=label(table, field), value=value),
                **table.where(field, row), value=value,
                suggestion=msg("Fix the formula or type the value; a check cannot use an error value"),
            ))
        for row in rows_with(table, field, "spaces"):
            value = shown(table, field, row)
            findings.append(warning(
                f"{area}_SPACES", table.name,
                msg("{column} '{value}' has stray spaces or full-width characters; read as '{read}'",
                    column=label(table, field), value=value, read=table.data.at[row, field]),
                **table.where(field, row), value=value,
                suggestion=msg("Retype it as '{read}' (half-width, no spaces) so lookups and filters in Excel "
                               "match too", read=table.data.at[row, field]),
            ))
    return findings


def number_as_text(table: SheetTable, field: str, code: str) -> list[Finding]:
    """Warnings for numbers stored as text in a numeric column (they are read anyway)."""
    findings: list[Finding] = []
    if not table.present or not table.has(field):
        return findings
    for row in rows_with(table, field, "text"):
        value = shown(table, field, row)
        findings.append(warning(
            code, table.name,
            msg("{column} '{value}' is a number stored as text; it is read as a number",
                column=label(table, field), value=value),
            **table.where(field, row), value=value,
            suggestion=msg("Convert the cell to a number (Excel's green-triangle menu → Convert to Number)"),
        ))
    return findings


def label(table: SheetTable, field: str) -> Column | str:
    """A column for a message parameter: it renders as the header of the reader's language."""
    column = table.spec.by_name.get(field)
    return column if column is not None else field


def invalid_days(t: SheetTable, field: str, code: str) -> Iterator[Finding]:
    """Errors for day counts that are not whole numbers, or are negative."""
    for row in rows_with(t, field, "bad"):
        value = shown(t, field, row)
        yield error(
            code, t.name, msg("{column} '{value}' is not a whole number of days", column=label(t, field), value=value),
            **t.where(field, row), value=value,
            suggestion=msg("Type a whole number such as 30, or leave it blank to inherit"),
        )
    days = t.data[field].dropna()
    for row, value in days[days < 0].items():
        yield error(
            code, t.name, msg("{column} is {value}; days cannot be negative", column=label(t, field), value=value),
            **t.where(field, row), value=str(value),
            suggestion=msg("Type 0 or more days, or leave it blank to inherit"),
        )


def invalid_credit_limits(t: SheetTable, code: str) -> Iterator[Finding]:
    """Errors for credit limits that are not amounts, or are negative."""
    for row in rows_with(t, "credit_limit", "bad"):
        value = shown(t, "credit_limit", row)
        yield error(
            code, t.name, msg("Credit limit '{value}' is not an amount", value=value),
            **t.where("credit_limit", row), value=value,
            suggestion=msg("Type an amount such as 500000, or leave it blank to inherit"),
        )
    limits = t.data["credit_limit"].dropna()
    for row in limits.index[(limits < 0).to_numpy()]:
        value = shown(t, "credit_limit", row)
        yield error(
            code, t.name, msg("Credit limit {value} is negative", value=value),
            **t.where("credit_limit", row), value=value,
            suggestion=msg("Type 0 for no credit, a positive amount, or leave it blank to inherit"),
        )


def dates_as_text(t: SheetTable, field: str, code: str) -> Iterator[Finding]:
    """Warnings for dates typed as text that were still read (2024-01-05 typed, not a date cell)."""
    for row in rows_with(t, field, "text"):
        value = shown(t, field, row)
        read = date_text(t.data.at[row, field])
        yield warning(
            code, t.name, msg("{column} '{value}' is typed as text; read as {read}",
                              column=label(t, field), value=value, read=read),
            **t.where(field, row), value=value,
            suggestion=msg("Make it a real date cell (retype it, or Data → Text to Columns → Date) "
                           "so Excel can sort and filter it"),
        )


_DAY_MONTH = re.compile(r"\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{2,4})\s*")


def date_problem(value: object) -> Msg:
    """Why a cell could not be read as a date, in a phrase (a catalog text)."""
    if isinstance(value, bool):
        return msg("is TRUE/FALSE, not a date")
    if isinstance(value, dt.date):
        return msg("is {value}, outside the years 1678-2262 xlcust can count days in", value=as_text(value))
    if isinstance(value, int | float | np.integer | np.floating):
        text = as_text(value)
        if len(text) == 8 and text.isdigit():
            guess = "-".join((text[:4], text[4:6], text[6:]))
            return msg("is the number {text}, not a date; did you mean {guess}?", text=text, guess=guess)
        return msg("is the number {text}, not a date", text=text)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DAY_MONTH.fullmatch(text)
    if m:
        a, b = int(m[1]), int(m[2])
        if 1 <= a <= 12 and 1 <= b <= 12 and a != b:
            return msg("'{text}' is ambiguous: it could be day {a} of month {b} or month {a} day {b}",
                       text=text, a=a, b=b)
        return msg("'{text}' is written day/month first or month/day first, which xlcust does not guess", text=text)
    if re.fullmatch(r"\d{4}\D\d{1,2}\D\d{1,2}\D?", text):
        return msg("'{text}' is not a real calendar date", text=text)
    return msg("'{text}' is not a date", text=text)


def invalid_dates(
    t: SheetTable, field: str, code: str, make: Callable[..., Finding] = error
) -> Iterator[Finding]:
    """Findings (errors unless `make` says otherwise) for cells that could not be read as dates."""
    if field not in t.raw.columns:
        return
    for row in rows_with(t, field, "bad"):
        raw = t.raw.at[row, field]
        yield make(
            code, t.name, msg("{column} {problem}", column=label(t, field), problem=date_problem(raw)),
            **t.where(field, row), value=as_text(raw),
            suggestion=msg("Type the date as year-month-day, e.g. 2024-01-05, or as a real date cell"),
        )
