"""The sheets that keep the category lock on every workbook: xlcust's memory and a first CategoryHistory.

`memory_sheet` is the very hidden sheet where xlcust remembers each used customer's
category (`xlcust.memory`); `history_sheet` is the CategoryHistory sheet added to a workbook
that has none, which is the user's from then on. Both are written by `run` and
`check --write` (`bookkeeping_sheets`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..book import Book
from ..i18n import N_, translate
from ..memory import MEMORY_COLUMNS, MEMORY_SHEET, initial_history, memory_records
from ..schema import HISTORY
from .page import PageSetup
from .sheet import ColumnSpec, OutputSheet, Validation

HISTORY_NOTE = N_("Added by xlcust: the category in force when the sheet was created, from the first transaction")


def memory_sheet(book: Book, today: dt.date | None = None,
                 records: list[tuple[str, str, dt.date]] | None = None) -> OutputSheet:
    """The very hidden memory sheet: customer_code, category_code, seen_on (machine-read, not for people).

    `records` (default: `memory_records` of the book) is what to remember, such as `memory_after_changes`.
    """
    return OutputSheet(
        name=MEMORY_SHEET,
        columns=[ColumnSpec(name, "date" if name == "seen_on" else "text") for name in MEMORY_COLUMNS],
        rows=memory_records(book, today) if records is None else records,
        visibility="veryHidden", freeze_header=False, autofilter=False,
    )


@dataclass(frozen=True)
class SheetLook:
    """What makes an added input sheet look like the one `xlcust new` makes: its drop-downs, date
    checks and header note, and its tab colour. The host builds it from the template
    (`xlcust.io.template.history_look`); without it the sheet is a plain Table."""

    validations: Sequence[Validation] = ()
    tab_color: str | None = None
    page: PageSetup | None = None  # the input sheet's print setup: its title and footer in the book's language


def history_sheet(book: Book, now: dt.datetime | None = None, look: SheetLook | None = None) -> OutputSheet:
    """A CategoryHistory sheet for a workbook without one: one open period per customer (`initial_history`)."""
    lang = book.settings.language
    now = (now or dt.datetime.now()).replace(microsecond=0)
    kinds = {"valid_from": "date", "valid_to": "date", "changed_at": "datetime"}
    note = translate(HISTORY_NOTE, lang)
    rows = [(r["customer_code"], r["category_code"], r["valid_from"], None, "xlcust", now, "xlcust", note)
            for r in initial_history(book)]
    return OutputSheet(
        name=HISTORY.title(lang),
        columns=[ColumnSpec(c.header(lang), kinds.get(c.name, "text")) for c in HISTORY.columns],
        rows=rows, protect=False, owned=False, table=HISTORY.table,
        autofilter=False,  # the Table has its own filter buttons; a sheet filter beside it would clash
        validations=look.validations if look else (), tab_color=look.tab_color if look else None,
        **({"page": look.page} if look and look.page else {}),
    )


def bookkeeping_sheets(book: Book, look: SheetLook | None = None) -> list[OutputSheet]:
    """What every writing run adds: the memory, and a CategoryHistory sheet when the workbook has none
    (with `look`, the template's: see SheetLook)."""
    sheets = [memory_sheet(book)]
    if not book.history.present:
        sheets.append(history_sheet(book, look=look))
    return sheets
