"""Mnemonic codes (助记码): the pinyin initials of a customer's name.

T3-style registries look customers up by typing initials: 北京华远建筑 → `BJHYJZ`.
The rule, documented for users:

- the name is NFKC-normalised first (full-width `ＡＢＣ` counts as `ABC`);
- each Chinese character gives the first letter of its pinyin, chosen by
  pypinyin's phrase dictionary (重庆 → `CQ`, 银行 → `YH`), with the place names it
  reads wrongly corrected by `PLACE_READINGS` below (北京朝阳 → `BJCY`, not `BJZY`);
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

from pypinyin import Style, lazy_pinyin, load_phrases_dict

from .edits import CellEdit

if TYPE_CHECKING:
    from .book import Book

MNEMONIC_MAX = 10

# Place names whose reading pypinyin's dictionary gets wrong for a company name, as an
# accountant types them: the usual reading of the characters is a different word (朝阳
# "morning sun" zhāoyáng; 长 "grow" zhǎng) or a rare reading only the place keeps (漯河
# Luòhé, 单县 Shànxiàn). Each entry was checked against pypinyin 0.5x's own answer, and
# only those it gets wrong are here (tests/test_mnemonic_places.py keeps that true).
# Readings follow the names' standard pinyin (《中华人民共和国行政区划简册》). To add one:
# a place → its syllables with tones, then a test line. Loaded into pypinyin's phrase
# dictionary when this module is imported, so MNEMONIC(), `check --write` and the
# importer all read the same way.
PLACE_READINGS: dict[str, str] = {
    "朝阳": "cháo yáng",  # 北京朝阳区, 辽宁朝阳市 (BJCY, not BJZY)
    "长治": "cháng zhì",  # 山西长治
    "长宁": "cháng níng",  # 上海长宁区
    "长子": "cháng zǐ",  # 山西长子县
    "漯河": "luò hé",  # 河南漯河
    "单县": "shàn xiàn",  # 山东单县
    "会稽": "kuài jī",  # 浙江绍兴会稽
    "涡阳": "guō yáng",  # 安徽涡阳
    "洪洞": "hóng tóng",  # 山西洪洞
    "解州": "xiè zhōu",  # 山西运城解州
    "浚县": "xùn xiàn",  # 河南浚县
    "繁峙": "fán shì",  # 山西繁峙
    "荥经": "yíng jīng",  # 四川荥经
    "筠连": "jūn lián",  # 四川筠连
}
load_phrases_dict({place: [[syllable] for syllable in reading.split()] for place, reading in PLACE_READINGS.items()})

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
