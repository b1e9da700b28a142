"""Which detail a run keeps in the workbook, and the companion file for the rest (issue 15).

Allocation, Settlement, OpenItems and Collections hold a row per transaction (or per piece
of one): on a book of a million transactions they are three quarters of a refresh and make
the book four times its input. Up to Settings `detail_rows_in_book` rows a detail sheet stays
in the book exactly as before. Past it the book keeps a short sheet of the same name — the
same title with its control totals, the row count and the column totals, and a note saying
where the rows are — and the rows go to a companion workbook beside the book,
`<book>.detail.xlsx`, when the user asks for it (`xlcust run --detail`). The companion's
sheets are the very sheets the book would have held, so their totals tie to the short
sheets'; their links lead back into the book's Transactions rows (`OutputSheet.link_file`).

Pure: sheets in, sheets out; the host writes them (`xlcust.io.detail`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..i18n import N_, term, translate
from ..settings import Settings
from .outputs import columns, sheet_title
from .sheet import CellSpec, OutputSheet

DETAIL_SHEETS = ("Allocation", "Settlement", "OpenItems", "Collections")  # a row per transaction or piece of one

# Where a detail sheet's rows went (`run --json`: detail.sheets[].where)
IN_BOOK = "book"
IN_COMPANION = "companion"
NOT_WRITTEN = "not_written"

POINTER_COLUMNS = (
    (term("column header", "Control total"), "text", 24),
    (term("column header", "Total"), "number", 18),
)
ROWS = N_("Rows")
IN_FILE = N_("The {rows} rows of this sheet are in {file} beside this workbook (sheet {sheet}), written by the same "
             "run; each links back to its line of the Transactions sheet.")
NOT_IN_FILE = N_("This run did not write the {rows} rows: xlcust run {book} --detail writes them to {file} beside "
                 "this workbook.")
WHY = N_("A detail sheet of more than {limit} rows (Settings detail_rows_in_book) keeps only its totals in the "
         "workbook, so the workbook stays small and quick to open.")


@dataclass(frozen=True)
class Placement:
    """Where one detail sheet's rows went."""

    key: str  # "Allocation" (the English name, as in `run --json`)
    sheet: str  # its tab name in the book's language
    rows: int
    where: str  # IN_BOOK, IN_COMPANION or NOT_WRITTEN


@dataclass
class DetailPlan:
    """The book's sheets (short ones in place of the moved detail) and the companion's."""

    book: list[OutputSheet]
    companion: list[OutputSheet]  # empty when no companion file is written
    placements: list[Placement]


def companion_name(book_file: str) -> str:
    """The companion file of a workbook: CustomerLedger.xlsm → CustomerLedger.detail.xlsx (no macros)."""
    stem = book_file.rsplit(".", 1)[0] if "." in book_file else book_file
    return f"{stem}.detail.xlsx"


def place_detail(sheets: Sequence[OutputSheet], settings: Settings, *, book_file: str,
                 write_companion: bool) -> DetailPlan:
    """Split a run's sheets between the book and its companion file.

    `book_file` is the name of the workbook being written (the companion's links point into
    it). With `write_companion` the companion holds every detail sheet, also those small
    enough to stay in the book; without it a detail sheet past the limit is not written
    anywhere but its totals (the short sheet says how to write it).
    """
    lang = settings.language
    limit = settings.detail_rows_in_book
    titles = {sheet_title(key, lang): key for key in DETAIL_SHEETS}
    companion_file = companion_name(book_file)
    book: list[OutputSheet] = []
    companion: list[OutputSheet] = []
    placements: list[Placement] = []
    for sheet in sheets:
        key = titles.get(sheet.name)
        if key is None or not isinstance(sheet.rows, pd.DataFrame):
            book.append(sheet)
            continue
        rows = len(sheet.rows)
        if write_companion:
            companion.append(dataclasses.replace(sheet, link_file=book_file))
        if rows <= limit:
            book.append(sheet)
            where = IN_BOOK
        else:
            where = IN_COMPANION if write_companion else NOT_WRITTEN
            book.append(pointer_sheet(sheet, lang, limit=limit, book_file=book_file,
                                      companion_file=companion_file if write_companion else None))
        placements.append(Placement(key, sheet.name, rows, where))
    return DetailPlan(book, companion, placements)


def pointer_sheet(sheet: OutputSheet, lang: str, *, limit: int, book_file: str,
                  companion_file: str | None) -> OutputSheet:
    """The short sheet the book keeps for a detail sheet whose rows are elsewhere.

    Same name, title (with the control totals) and page setup; then the row count and the
    total of every money column, which the companion's sheet (or the next run with
    --detail) reproduces to the cent; then where the rows are. `companion_file` None: the
    rows were not written.
    """
    frame = sheet.rows
    assert isinstance(frame, pd.DataFrame)
    rows = len(frame)
    table: list[tuple[object, object]] = [(translate(ROWS, lang), CellSpec(rows, "int"))]
    for i, spec in enumerate(sheet.columns):
        if spec.kind == "cents":
            table.append((spec.header, CellSpec(_total_cents(frame[i]), "cents")))
    shown = f"{rows:,}"
    table.append((None, None))
    if companion_file is None:
        table.append((translate(NOT_IN_FILE, lang, rows=shown, book=book_file, file=companion_name(book_file)), None))
    else:
        table.append((translate(IN_FILE, lang, rows=shown, file=companion_file, sheet=sheet.name), None))
        # A click opens the companion at this sheet (the link is relative: the two files travel together).
        table.append((CellSpec((companion_file, f"'{sheet.name}'!A1"), "link"), None))
    table.append((translate(WHY, lang, limit=f"{limit:,}"), None))
    return OutputSheet(
        sheet.name, columns(lang, POINTER_COLUMNS), table, title=sheet.title, tab_color=sheet.tab_color,
        page=sheet.page, autofilter=False, link_file=companion_file,
    )


def _total_cents(values: pd.Series) -> int:
    """A money column's total in cents, exactly (integer cents; a blank adds nothing)."""
    return int(sum(int(v) for v in values.dropna().tolist()))
