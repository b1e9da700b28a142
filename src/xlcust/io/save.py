"""Output sheets and edit lists into the workbook file, in one atomic save."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..book import Book
from ..findings import Finding
from ..mnemonic import mnemonic_edits
from ..views.memory import bookkeeping_sheets
from ..views.outputs import checks_sheet, highlights
from ..views.page import with_page
from ..views.sheet import OutputSheet
from .booklock import Fingerprint
from .package import open_package
from .package_write import save_package
from .template import history_look


def write_checks(path: Path, book: Book, findings: Sequence[Finding]) -> None:
    """The Checks sheet, the filled mnemonics, the highlighted cells and xlcust's memory (plus a
    CategoryHistory sheet when there is none, `views.memory`, with the template's look), in one save."""
    lang = book.settings.language
    sheets = with_page([checks_sheet(findings, lang)], book.settings)
    write_outputs(path, [*sheets, *bookkeeping_sheets(book, history_look(book))],
                  edits=[*mnemonic_edits(book), *highlights(findings)], since=book.source)


def write_outputs(path: Path, outputs: Sequence[OutputSheet], edits: Sequence[object] = (),
                  out: Path | None = None, since: Fingerprint | None = None) -> dict[str, int]:
    """Replace these output sheets (and apply the edits) in one atomic save.

    `since` is the fingerprint of the book as it was read (`Book.source`): a book changed on
    disk since then is not replaced. Returns the links each sheet had past Excel's limit,
    written as plain text (see save_package).
    """
    pkg = open_package(path)
    return save_package(pkg, out, outputs=list(outputs), edits=list(edits), since=since)
