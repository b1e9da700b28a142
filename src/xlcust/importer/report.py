"""What an import did, as records: every cleaning change, skip, duplicate and rejection.

An `Issue` is a finding about the *source file*: `sheet` is the file (or its sheet),
`rows` the source rows it concerns (the row numbers Excel shows when it opens the
file; a CSV's record numbers), `column` the source column letter. One issue may cover
many rows when the same thing happened to each (the same value cleaned the same way,
the lines of one invoice). Severity says what happened to the rows:

    error    not imported (rejected), with the reason
    warning  not imported because it is already there (a duplicate), or imported
             after a change the user should look at
    info     imported, with this cleaning change (or skipped as a blank / subtotal row)

Codes are stable (`IMPORT_CODES`); docs/import.md lists them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import field as _field  # `field` is also an Issue attribute
from pathlib import Path

import numpy as np
import pandas as pd

from ..findings import Severity
from ..i18n import DEFAULT_LANGUAGE, Msg, render

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO  # N: a note

# code → (severity, what it means). Severity here is the usual one; a few codes are
# raised at another level where the context says so.
IMPORT_CODES: dict[str, tuple[Severity, str]] = {
    # the file
    "IMP_ENCODING": (N, "Text encoding of a CSV file, as detected (UTF-8, UTF-8 with BOM or GB18030/GBK)"),
    "IMP_DELIMITER": (N, "A CSV file separated by tabs or semicolons rather than commas"),
    "IMP_SHEET": (N, "Which sheet of a workbook was read"),
    "IMP_TITLE_ROWS": (N, "Rows above the header (a title, merged or not) were ignored"),
    "IMP_COLUMN_IGNORED": (N, "A column that maps to no field; it is not imported"),
    "IMP_BLANK_ROWS": (N, "Blank rows were skipped"),
    "IMP_SUBTOTAL_ROW": (N, "A subtotal or total row (合计, 小计, 总计, Total) was skipped"),
    "IMP_HEADER_REPEATED": (N, "A repeated header row (a page break in an exported report) was skipped"),
    # cleaning (the row is imported with the cleaned value)
    "IMP_TRIMMED": (N, "Leading or trailing spaces removed"),
    "IMP_FULL_WIDTH": (N, "Full-width characters made half-width (ＡＢ１２ → AB12)"),
    "IMP_UPPER_CASE": (N, "Letters of a credit code made upper-case"),
    "IMP_INNER_SPACES": (N, "Spaces or hyphens inside a credit code removed"),
    "IMP_CODE_NUMBER": (N, "A code typed as a number cell, read as text"),
    "IMP_NUMBER_TEXT": (N, "A number stored as text, read as a number"),
    "IMP_THOUSANDS": (N, "Thousands separators removed (1,200.50 → 1200.50)"),
    "IMP_CURRENCY": (N, "Currency sign or word removed (¥, ￥, RMB, CNY, 元 …)"),
    "IMP_PARENTHESES": (N, "An amount in parentheses read as negative ((1,200) → -1200)"),
    "IMP_DATE_TEXT": (N, "A date typed as text in a Chinese or other common form, read as a date"),
    "IMP_DATE_ORDER": (N, "Day/month order of slashed dates, detected from the column (or --date-order)"),
    "IMP_DATE_SERIAL": (N, "An Excel date serial number in a date column, read as a date"),
    "IMP_TIME_DROPPED": (N, "A time of day dropped: the registry keeps dates"),
    "IMP_DAYS_UNIT": (N, "A unit word after payment terms removed (30天 → 30)"),
    "IMP_DEBIT_CREDIT": (N, "Debit/credit columns or a 借/贷 direction turned into a kind and a positive amount"),
    "IMP_KIND_BY_SIGN": (N, "No kind given: positive amounts are invoices, negative ones credit notes"),
    "IMP_NEGATIVE_INVOICE": (N, "A negative invoice amount (红字) imported as a credit note with a positive amount"),
    "IMP_LINES_GROUPED": (N, "Lines with the same document number grouped into one transaction"),
    "IMP_ROUNDED": (N, "Fractions of a cent rounded half-up to the cent"),
    "IMP_CODE_ASSIGNED": (N, "A customer without a code got the next code of the pattern"),
    "IMP_MNEMONIC": (N, "Mnemonic (助记码) filled with the pinyin initials of the name"),
    "IMP_CATEGORY_BY_NAME": (N, "Category given by its name, read as its code"),
    "IMP_CATEGORY_DEFAULT": (N, "No category in the file: placed in the default category, for rules to refine"),
    "IMP_CATEGORY_CREATED": (N, "The default category was added to the Categories sheet (--new-category)"),
    "IMP_OPENED_TODAY": (N, "Opened-on left blank in the file: set to the import date"),
    "IMP_CUSTOMER_BY_NAME": (N, "A transaction's customer found by name in the registry"),
    "IMP_CUSTOMER_CREATED": (N, "A customer created for transactions (--create-customers)"),
    "IMP_CUSTOMER_NAME_DIFFERS": (W, "The file's customer name differs from the registry's for that code"),
    # not imported: already there
    "IMP_DUPLICATE_IN_FILE": (W, "The same customer or transaction appears earlier in the file; imported once"),
    "IMP_DUPLICATE_IN_REGISTRY": (W, "Already in the registry (same code, tax ID or normalised name); not imported"),
    "IMP_ALREADY_IMPORTED": (N, "This transaction is already in the registry with the same content"),
    "IMP_ZERO_AMOUNT": (W, "A transaction whose amount is zero (or whose lines net to zero) records nothing"),
    # not imported: rejected
    "IMP_NAME_MISSING": (E, "Customer name is blank"),
    "IMP_CODE_CONFLICT": (E, "The customer code belongs to another customer in the registry or file"),
    "IMP_CODE_INVALID": (E, "A code that is not text (a date, a true/false cell)"),
    "IMP_TAX_ID_INVALID": (E, "Tax ID is not a valid unified social credit code (GB 32100-2015)"),
    "IMP_TAX_ID_NUMBER": (E, "Tax ID is a number cell: Excel keeps only 15 of its 18 digits"),
    "IMP_CATEGORY_UNKNOWN": (E, "Category is neither a code nor a name on the Categories sheet"),
    "IMP_CATEGORY_NOT_LEAF": (E, "Category has sub-categories; customers belong to leaf (末级) categories"),
    "IMP_CATEGORY_NONE": (E, "No category for the customer and no --category default"),
    "IMP_NUMBER_INVALID": (E, "An amount or number that cannot be read"),
    "IMP_CREDIT_LIMIT_INVALID": (E, "Credit limit is negative"),
    "IMP_DAYS_INVALID": (E, "Payment terms are not a whole number of days ≥ 0"),
    "IMP_STATUS_UNKNOWN": (E, "Status is not a known status word"),
    "IMP_DATE_INVALID": (E, "A date that cannot be read"),
    "IMP_DATE_AMBIGUOUS": (E, "A slashed date whose day/month order the column does not reveal"),
    "IMP_TXN_ID_MISSING": (E, "Document number (Txn ID) is blank"),
    "IMP_TXN_CONFLICT": (E, "The Txn ID is in the registry (or repeated in the file) with different content"),
    "IMP_KIND_UNKNOWN": (E, "Kind is not a transaction kind"),
    "IMP_DIRECTION_UNKNOWN": (E, "Direction is not 借/贷, debit/credit, D/C"),
    "IMP_AMOUNT_MISSING": (E, "No amount (or quantity and unit price) on the line"),
    "IMP_AMOUNT_SIGN": (E, "A negative amount that no kind allows (a negative receipt or opening balance)"),
    "IMP_DEBIT_AND_CREDIT": (E, "Both a debit and a credit amount on one line"),
    "IMP_NO_CUSTOMER": (E, "A transaction line without a customer"),
    "IMP_CUSTOMER_UNKNOWN": (E, "The customer is not in the registry (import customers first, or --create-customers)"),
    "IMP_LINES_DISAGREE": (E, "Lines of one document disagree on customer, date, due date, reference or kind"),
    "IMP_LINE_REJECTED": (E, "A document not imported because one of its lines cannot be"),
    "IMP_DUE_BEFORE_DATE": (E, "Due date is before the transaction date"),
    "IMP_REFERENCE_UNKNOWN": (E, "A receipt's or credit note's reference is not an invoice of that customer"),
    "IMP_WOULD_BREAK_CHECKS": (E, "The import would leave an error in the registry's checks; nothing was written"),
}


@dataclass
class Issue:
    """One thing that happened to one or more source rows (see the module docstring).

    As with a Finding, `message` and `suggestion` are given as `i18n.Msg`s: the issue keeps
    them in `text` / `fix` for views to render in the reader's language, and `message` /
    `suggestion` hold the English rendering for logs and tests.
    """

    severity: Severity
    code: str
    message: str
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    column: str | None = None  # source column letter
    field: str | None = None
    value: str | None = None  # what the file held
    new_value: str | None = None  # what is imported instead
    suggestion: str = ""
    key: str | None = None  # customer code or txn id concerned
    text: Msg | None = _field(default=None, compare=False, repr=False)
    fix: Msg | None = _field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.message, Msg):
            self.text, self.message = self.message, self.message.render(DEFAULT_LANGUAGE)
        if isinstance(self.suggestion, Msg):
            self.fix, self.suggestion = self.suggestion, self.suggestion.render(DEFAULT_LANGUAGE)

    def message_in(self, lang: str) -> str:
        """What happened, in `lang`."""
        return render(self.text, lang) if self.text is not None else self.message

    def suggestion_in(self, lang: str) -> str:
        """What to do, in `lang` ('' when nothing)."""
        return render(self.fix, lang) if self.fix is not None else self.suggestion

    @property
    def row(self) -> int | None:
        return int(self.rows[0]) if len(self.rows) else None

    @property
    def count(self) -> int:
        return len(self.rows)

    def to_json(self, sheet: str, lang: str = DEFAULT_LANGUAGE) -> dict:
        """The issue as a JSON record; codes and keys stay English, message and suggestion are in `lang`."""
        data = {
            "severity": self.severity.value, "code": self.code, "sheet": sheet, "row": self.row,
            "column": self.column, "field": self.field, "message": self.message_in(lang),
            "suggestion": self.suggestion_in(lang),
            "rows": [int(r) for r in self.rows],
        }
        for name in ("value", "new_value", "key"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data


def issue(code: str, message: str | Msg, rows: Iterable[int] | np.ndarray | int = (), *,
          severity: Severity | None = None, **more: object) -> Issue:
    """An Issue with the code's usual severity."""
    if isinstance(rows, (int, np.integer)):
        rows = [int(rows)]
    arr = np.asarray(rows if isinstance(rows, np.ndarray) else list(rows), dtype=np.int64)
    return Issue(severity or IMPORT_CODES[code][0], code, message, arr, **more)  # type: ignore[arg-type]


def row_ranges(rows: Sequence[int] | np.ndarray, limit: int = 8) -> str:
    """`2-5, 9, 12-40 … +3` (3 more ranges) for a message or a terminal line; no words, any language."""
    if len(rows) == 1:
        return str(int(rows[0]))
    values = np.unique(np.asarray(rows, dtype=np.int64))
    if not len(values):
        return ""
    breaks = np.flatnonzero(np.diff(values) != 1) + 1
    starts = np.concatenate(([values[0]], values[breaks]))
    ends = np.concatenate((values[breaks - 1], [values[-1]]))
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts, ends, strict=True)]
    more = len(parts) - limit
    return ", ".join(parts[:limit]) + (f" … +{more}" if more > 0 else "")  # no words: it goes into any language


@dataclass(frozen=True)
class MappedColumn:
    column: str  # source letter
    header: str  # as typed in the file
    field: str
    by: str  # "header" (recognised) or "map" (--map)


@dataclass
class SourceInfo:
    path: str
    name: str  # how issues name the source: the file name, or the sheet of a workbook
    format: str  # csv, xlsx, xls
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    rows: int = 0  # data rows below the header (blank ones included)

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class ImportReport:
    """Everything one `xlcust import` did or would do."""

    what: str  # "customers" | "transactions"
    book: str
    source: SourceInfo
    mapping: list[MappedColumn] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    added: dict[str, pd.DataFrame] = field(default_factory=dict)  # registry sheet key → new rows
    registry_rows: dict[str, str] = field(default_factory=dict)  # sheet key (Customers …) → "202-215"
    registry_sheets: dict[str, str] = field(default_factory=dict)  # sheet key → its name in the workbook
    summary: dict[str, object] = field(default_factory=dict)
    dry_run: bool = True
    written: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    book_language: str | None = None  # the registry's Settings `language`, when the user set one

    def add(self, *items: Issue) -> None:
        self.issues.extend(items)

    def extend(self, items: Iterable[Issue]) -> None:
        self.issues.extend(items)

    @property
    def rejected(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for i in self.issues if i.severity is s) for s in Severity}

    def rows_with(self, *codes: str) -> int:
        """Source rows concerned by issues of these codes (each row once)."""
        chosen = [i.rows for i in self.issues if i.code in codes]
        return len(np.unique(np.concatenate(chosen))) if chosen else 0

    def sorted_issues(self) -> list[Issue]:
        return sorted(self.issues, key=lambda i: (i.severity.rank, i.row if i.row is not None else 0, i.code))

    def to_json(self, lang: str = DEFAULT_LANGUAGE) -> dict:
        """The `import --json` document: codes and keys in English, issue texts in `lang`."""
        from ..plain import frame_rows

        added = {}
        for key, frame in self.added.items():
            cols = list(frame.columns)
            added[key] = [dict(zip(cols, _jsonable(r, lang), strict=True)) for r in frame_rows(frame, cols)]
        return {
            "what": self.what,
            "book": self.book,
            "dry_run": self.dry_run,
            "written": self.written,
            "source": self.source.to_json(),
            "mapping": [m.__dict__ for m in self.mapping],
            "summary": self.summary,
            "registry_rows": self.registry_rows,
            "registry_sheets": self.registry_sheets,
            "added": added,
            "issues": [i.to_json(self.source.name, lang) for i in self.sorted_issues()],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def write_csv(self, path: Path, lang: str = DEFAULT_LANGUAGE) -> int:
        """Every issue, one line per source row, for a spreadsheet; UTF-8 with BOM so Excel reads it.

        The header names are the JSON keys (a script reads them); messages are in `lang`.
        """
        buffer = io.StringIO()
        w = csv.writer(buffer, lineterminator="\r\n")
        w.writerow(["row", "column", "field", "severity", "code", "key", "value", "new_value", "message",
                    "suggestion"])
        lines = 0
        for i in sorted(self.issues, key=lambda i: (i.row or 0, i.severity.rank)):
            rows = i.rows if len(i.rows) else [None]
            message, suggestion = i.message_in(lang), i.suggestion_in(lang)
            for r in rows:
                w.writerow([r, i.column, i.field, i.severity.value, i.code, i.key, i.value, i.new_value, message,
                            suggestion])
                lines += 1
        path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        return lines


def _jsonable(values: Iterable[object], lang: str) -> list[object]:
    from decimal import Decimal

    out: list[object] = []
    for v in values:
        if hasattr(v, "render"):  # a history source or note, as the workbook will read it
            out.append(v.render(lang))
        elif isinstance(v, (list, tuple, np.ndarray)):
            out.append([int(x) for x in v])
        elif isinstance(v, Decimal):
            out.append(float(v))
        else:
            out.append(v)
    return out
