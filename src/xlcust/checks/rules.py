"""Rules (规则): each rule's cells, and whether its condition and action can run.

The rule language itself — parsing, names, types, actions — is `xlcust.rules`; these
checks report what it finds, on the cell to fix (the When or Then column of the
rule's row), so `xlcust check` shows the same problems `xlcust reclassify` would.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..book import Book
from ..findings import Finding
from .cells import odd_cells


def check_rule_cells(book: Book) -> Iterator[Finding]:
    """Excel error values and stray spaces (When and Then cells are the next checks' business)."""
    yield from odd_cells(book.rules, "RUL", skip=("when", "then"))


def check_rule_rows(book: Book) -> Iterator[Finding]:
    """Every rule has a unique id, a whole-number priority (or none) and a yes/no Active cell."""
    from ..rules import rule_rows

    yield from rule_rows(book)[1]


def check_rule_texts(book: Book) -> Iterator[Finding]:
    """Every condition parses and type-checks; every action names something xlcust can do."""
    from ..rules import compile_rules

    yield from compile_rules(book).text_findings
