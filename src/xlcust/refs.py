"""A1 cell references: "B7" and "A1:H200" to and from (row Excel shows, 0-based column)."""

from __future__ import annotations

import re

from .errors import UsageError
from .i18n import msg
from .schema import column_index, column_letter

MAX_ROWS = 1_048_576
MAX_COLS = 16_384



_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


def parse_cell(ref: str) -> tuple[int, int]:
    """"B7" → (7, 1): the row Excel shows and the 0-based column."""
    m = _REF.match(ref.strip())
    if not m:
        raise UsageError(msg("not a cell reference: '{ref}'", ref=ref))
    row, col = int(m.group(2)), column_index(m.group(1))
    if not (1 <= row <= MAX_ROWS and 0 <= col < MAX_COLS):
        raise UsageError(msg("cell reference out of Excel's grid: '{ref}'", ref=ref))
    return row, col


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """"A1:H200" → (1, 0, 200, 7) as (first row, first col, last row, last col); "B7" works too."""
    first, _, last = ref.partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def format_range(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{column_letter(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{column_letter(c2)}{r2}"
