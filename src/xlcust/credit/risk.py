"""The industry / region risk table (the Risk sheet, 风险表) and each customer's risk score.

One Risk row gives an industry or a region a score from 0 (riskiest) to 100 (safest):

    kind 类型      industry / 行业, or region / 地区
    name 名称      as typed in the Customers sheet's industry or region column; compared
                   ignoring case, spaces and full-/half-width forms. `*` gives the score
                   of every name of that kind the table does not list.
    score 风险分   a whole number 0–100

A customer's risk dimension is the mean of its industry part and its region part; a
part whose name is blank or not listed (and has no `*` row) is NEUTRAL_RISK (70), and
so is every part when the workbook has no Risk sheet. Rows the checks report (unknown
kind, blank name, score missing or outside 0–100) are left out; a repeated name keeps
its first row (`xlcust.checks.credit`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..book import Book
from ..schema import normalize_header

NEUTRAL_RISK = 70
ANY_NAME = "*"
KINDS = ("industry", "region")
KIND_WORDS: dict[str, str] = {
    normalize_header(word): kind
    for kind, words in {"industry": ("industry", "行业", "产业"), "region": ("region", "地区", "区域")}.items()
    for word in words
}


def parse_kind(value: object) -> str | None:
    """'industry' / 'region' for a Kind cell (English or Chinese), else None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return KIND_WORDS.get(normalize_header(value))


def risk_key(value: object) -> str | None:
    """How names are compared: normalised, None when blank."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    key = normalize_header(value)
    return key or None


@dataclass(frozen=True)
class RiskTable:
    """Usable Risk rows: per kind, normalised name → (score, Excel row)."""

    present: bool  # the workbook has a Risk sheet
    scores: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def from_book(cls, book: Book) -> RiskTable:
        table = book.risk
        scores: dict[str, dict[str, tuple[int, int]]] = {kind: {} for kind in KINDS}
        if not table.present:
            return cls(False, scores)
        data = table.data
        for row, kind_cell, name, score in zip(data.index, data["kind"], data["name"], data["score"], strict=True):
            kind, key = parse_kind(kind_cell), risk_key(name)
            if kind is None or key is None or score is pd.NA or not 0 <= int(score) <= 100:
                continue
            scores[kind].setdefault(key, (int(score), int(row)))
        return cls(True, scores)

    def __len__(self) -> int:
        return sum(len(v) for v in self.scores.values())

    def lookup(self, kind: str, names: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per name: (score, how) with how = 'listed', 'default' (the `*` row) or 'neutral'."""
        own = self.scores.get(kind, {})
        fallback = own.get(ANY_NAME)
        # One dictionary lookup per distinct name (there are few), spread back to every customer.
        codes, distinct = pd.factorize(pd.Series(np.asarray(names, dtype=object), dtype=object))
        keys = [risk_key(v) for v in distinct] + [None]  # the last slot stands for blank names
        score_of = np.empty(len(keys), dtype=np.float64)
        how_of = np.empty(len(keys), dtype=object)
        for i, key in enumerate(keys):
            if key is not None and key in own:
                score_of[i], how_of[i] = own[key][0], "listed"
            elif fallback is not None:
                score_of[i], how_of[i] = fallback[0], "default"
            else:
                score_of[i], how_of[i] = NEUTRAL_RISK, "neutral"
        codes = np.where(codes < 0, len(keys) - 1, codes)
        return score_of[codes], how_of[codes]
