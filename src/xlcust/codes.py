"""The category coding scheme (T3 编码方案) and the category tree it implies.

A scheme such as `2-2-2` lists level lengths. A code's level is the one whose
cumulative length equals the code's length (`01` → 1, `0102` → 2, `010203` → 3);
any other length is invalid. A code's parent is its prefix at the previous level.
Codes are text of `[0-9A-Z]`; a number cell `101` where the scheme wants `0101`
is reported with that suggestion, never silently padded.

Everything here is pure: no findings, no I/O. Checks (`xlcust.checks.categories`),
UDFs and reports (roll-ups by level) build on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import pandas as pd

from .i18n import Msg, msg
from .settings import Settings

if TYPE_CHECKING:
    from .book import Book

_CODE_CHARS = re.compile(r"[0-9A-Z]+")


@dataclass(frozen=True)
class CodingScheme:
    """Level lengths of category codes, e.g. `CodingScheme((2, 2, 2))`."""

    levels: tuple[int, ...] = (2, 2, 2)

    def __post_init__(self) -> None:
        if not self.levels or any(n < 1 for n in self.levels):
            raise ValueError(f"a coding scheme needs positive level lengths, not {self.levels!r}")

    @classmethod
    def from_settings(cls, settings: Settings) -> CodingScheme:
        return cls(tuple(settings.coding_scheme))

    def __str__(self) -> str:
        return "-".join(str(n) for n in self.levels)

    @cached_property
    def lengths(self) -> tuple[int, ...]:
        """Cumulative code length of each level: 2-2-2 → (2, 4, 6)."""
        total, out = 0, []
        for n in self.levels:
            total += n
            out.append(total)
        return tuple(out)

    @property
    def depth(self) -> int:
        return len(self.levels)

    def length_of_level(self, level: int) -> int:
        """Code length at `level` (1-based)."""
        return self.lengths[level - 1]

    def level_of(self, code: str) -> int | None:
        """1-based level whose cumulative length equals len(code); None for any other length."""
        try:
            return self.lengths.index(len(code)) + 1
        except ValueError:
            return None

    def parent_of(self, code: str) -> str | None:
        """Prefix at the previous level; None for a top-level or invalid code."""
        level = self.level_of(code)
        if level is None or level == 1:
            return None
        return code[: self.lengths[level - 2]]

    def ancestors(self, code: str) -> list[str]:
        """Proper ancestors by the scheme, root first (`010203` → [`01`, `0102`])."""
        level = self.level_of(code)
        if level is None:
            return []
        return [code[:n] for n in self.lengths[: level - 1]]

    @staticmethod
    def is_valid_chars(code: str) -> bool:
        """Only digits and upper-case ASCII letters (after NFKC, as the reader normalises)."""
        return bool(_CODE_CHARS.fullmatch(code))

    def is_valid(self, code: str) -> bool:
        return self.is_valid_chars(code) and self.level_of(code) is not None

    def pad_suggestion(self, number_text: str) -> str | None:
        """The zero-padded code a number cell probably meant: `101` under 2-2-2 → `0101`.

        Only for whole numbers whose length is not a level length but is shorter
        than one: the next level length up is the suggestion. `1` → `01`, `10101`
        → `010101`; `1001` (already a valid length) and `1234567` → None.
        """
        if not number_text.isdigit() or self.level_of(number_text) is not None:
            return None
        for n in self.lengths:
            if n > len(number_text):
                return number_text.zfill(n)
        return None

    def ancestor_at_level(self, codes: pd.Series, level: int) -> pd.Series:
        """Vectorised roll-up: each code's ancestor (or itself) at `level`.

        Codes already at or above `level` are kept as they are (a customer on a
        level-1 leaf stays under that code in a level-2 report); codes whose length
        fits no level, and blanks, become missing (None).
        """
        if not 1 <= level <= self.depth:
            raise ValueError(f"level must be between 1 and {self.depth} for scheme {self}")
        n = self.lengths[level - 1]
        text = codes.astype("string")
        length = text.str.len().fillna(0).to_numpy(dtype=int)
        valid = pd.Series(length, index=codes.index).isin(self.lengths).to_numpy()
        cut = text.str[:n].to_numpy(dtype=object, na_value=None)
        whole = text.to_numpy(dtype=object, na_value=None)
        out = pd.Series(whole, index=codes.index, dtype=object, name=codes.name)
        deeper = valid & (length > n)
        out[deeper] = cut[deeper]
        out[~valid] = None
        return out


@dataclass
class CategoryTree:
    """The categories that exist, as a tree under a coding scheme.

    Built from the typed Categories frame (`Book.categories.data`). Codes with
    invalid characters or lengths are left out, and so is every repeat of a
    duplicated code (the first row wins); the checks report those rows.
    """

    scheme: CodingScheme
    rows: dict[str, int]  # code → Excel row of its (first) row
    names: dict[str, str] = field(default_factory=dict)
    _children: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, scheme: CodingScheme) -> CategoryTree:
        codes = frame["code"] if "code" in frame.columns else pd.Series([], dtype=object)
        names = frame["name"] if "name" in frame.columns else pd.Series(None, index=codes.index, dtype=object)
        rows: dict[str, int] = {}
        labels: dict[str, str] = {}
        for row, code, name in zip(codes.index, codes, names, strict=True):
            if not isinstance(code, str) or code in rows or not scheme.is_valid(code):
                continue
            rows[code] = int(row)
            labels[code] = name if isinstance(name, str) else ""
        children: dict[str, list[str]] = {}
        for code in sorted(rows):
            parent = scheme.parent_of(code)
            if parent is not None:
                children.setdefault(parent, []).append(code)
        return cls(scheme, rows, labels, children)

    @classmethod
    def from_book(cls, book: Book) -> CategoryTree:
        return cls.from_frame(book.categories.data, CodingScheme.from_settings(book.settings))

    def __contains__(self, code: object) -> bool:
        return code in self.rows

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def codes(self) -> list[str]:
        """All codes, sorted (parents before their children)."""
        return sorted(self.rows)

    def level(self, code: str) -> int | None:
        return self.scheme.level_of(code)

    @property
    def depth(self) -> int:
        """Deepest level in use (0 for an empty tree)."""
        return max((self.scheme.level_of(c) or 0 for c in self.rows), default=0)

    def children(self, code: str) -> list[str]:
        """Direct children that exist, sorted."""
        return list(self._children.get(code, ()))

    def is_leaf(self, code: str) -> bool:
        """A leaf (末级) category exists and has no children. Customers attach to leaves only."""
        return code in self.rows and code not in self._children

    def leaves_under(self, code: str) -> list[str]:
        """Leaf descendants of `code`, sorted (the code itself when it is a leaf)."""
        if self.is_leaf(code):
            return [code]
        out: list[str] = []
        for child in self.children(code):
            out.extend(self.leaves_under(child))
        return out

    @property
    def leaves(self) -> list[str]:
        return [c for c in self.codes if c not in self._children]

    def path(self, code: str) -> list[str]:
        """Root-first codes from the top level down to `code` (ancestors by the scheme)."""
        if self.scheme.level_of(code) is None:
            return []
        return [*self.scheme.ancestors(code), code]

    def ancestor_at_level(self, codes: pd.Series, level: int) -> pd.Series:
        """Vectorised roll-up of codes to `level`; see `CodingScheme.ancestor_at_level`."""
        return self.scheme.ancestor_at_level(codes, level)

    def rollup(self, level: int) -> dict[str, str]:
        """Each leaf code → its ancestor at `level` (or itself when the leaf is shallower)."""
        leaves = pd.Series(self.leaves, dtype=object)
        rolled = self.scheme.ancestor_at_level(leaves, level)
        return dict(zip(leaves, rolled, strict=True))

    def inherited(self, values: pd.Series) -> pd.Series:
        """Per code of the tree, its own value or the nearest ancestor's (DESIGN §3: category → ancestor).

        `values` is indexed by category code (missing values as NA; the first of a
        repeated code wins). Ancestors are taken by the scheme's prefixes, as the
        ledger does for payment terms, so a missing intermediate category does not
        break the chain. NA where neither the code nor any ancestor has a value.
        """
        own = values[~values.index.duplicated()]
        own = own[own.notna().to_numpy()]
        out: dict[str, object] = {}
        for code in self.codes:
            out[code] = next((own[c] for c in (code, *reversed(self.scheme.ancestors(code))) if c in own.index),
                             pd.NA)
        return pd.Series(out, dtype=values.dtype if len(out) else object)

    def describe(self, codes: Iterable[str], limit: int = 5) -> str:
        """`0101 Retail, 0102 Wholesale` — codes with names, for messages."""
        items = list(codes)
        shown = [f"{c} {self.names.get(c, '')}".strip() for c in items[:limit]]
        more = len(items) - limit
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    def describe_text(self, codes: Iterable[str], limit: int = 5) -> str | Msg:
        """`describe` for a message in the reader's language ("… and 3 more" is a catalog text)."""
        items = list(codes)
        listed = self.describe(items[:limit], limit)
        more = len(items) - limit
        return msg("{listed} and {more} more", listed=listed, more=more) if more > 0 else listed
