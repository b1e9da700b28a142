"""Mnemonic codes (助记码): the pinyin initials of a customer's name.

T3-style registries look customers up by typing initials: 北京华远建筑 → `BJHYJZ`.
The rule, documented for users:

- the name is NFKC-normalised first (full-width `ＡＢＣ` counts as `ABC`);
- each Chinese character gives the first letter of its pinyin, chosen by
  pypinyin's phrase dictionary (重庆 → `CQ`, 银行 → `YH`);
- runs of ASCII letters and digits are kept whole (`3M中国` → `3MZG`);
- punctuation, spaces and characters without a reading are dropped;
- the result is upper-case and at most `MNEMONIC_MAX` (10) characters, the width of
  the mnemonic column in common ledger packages; the first characters are the
  most telling, so the tail (usually 有限公司's `YXGS`) is what gets cut.

A mnemonic a user typed is never second-guessed: checks only fill blanks.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from pypinyin import Style, lazy_pinyin

from .edits import CellEdit

if TYPE_CHECKING:
    from .book import Book

MNEMONIC_MAX = 10

_KEEP = re.compile(r"[0-9A-Za-z]+")


def mnemonic(name: str) -> str:
    """Pinyin initials of `name`, upper-case, at most `MNEMONIC_MAX` characters ('' for no name)."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    if not text:
        return ""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    # Chinese characters come back as one letter each; any other run comes back as
    # typed, from which only ASCII letters and digits are kept.
    letters = "".join("".join(_KEEP.findall(part)) for part in parts)
    return letters.upper()[:MNEMONIC_MAX]


def mnemonic_fills(book: Book) -> list[tuple[int, str]]:
    """(Excel row, mnemonic) for each customer whose mnemonic cell is blank and name is not.

    Only when the Customers sheet has a mnemonic column: xlcust fills blanks, it does
    not add columns to a user's sheet. `xlcust check --write` writes these values.
    """
    table = book.customers
    if not table.present or not table.has("mnemonic") or not table.has("name"):
        return []
    data = table.data
    blank = data["mnemonic"].isna() & data["name"].notna()
    odd = table.status.get("mnemonic")
    if odd is not None:
        blank &= ~data.index.isin(odd.index)  # an error value is not a blank to fill
    fills: list[tuple[int, str]] = []
    for row, name in data.loc[blank, "name"].items():
        value = mnemonic(name)
        if value:
            fills.append((int(row), value))
    return fills


def mnemonic_edits(book: Book) -> list[CellEdit]:
    """Blank mnemonics filled from pinyin initials, as cells to set (only when the column exists)."""
    table = book.customers
    letter = table.columns.get("mnemonic")
    if not table.present or letter is None:
        return []
    return [CellEdit(table.name, row, letter, value) for row, value in mnemonic_fills(book)]
