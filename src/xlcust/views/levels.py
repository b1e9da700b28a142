"""Warning levels (黄色预警 / 红色警报) in output sheets: labels, colours, per-customer level, order.

The core gives each warning a level code (`xlcust.credit.warnings`, red or yellow); sheets
show the label in the workbook's language, sort red first and colour the cell through a
`ValueFill` (a conditional format, so the colour survives a user's sort).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..credit.warnings import LEVEL_LABELS, LEVELS
from ..i18n import translate
from .sheet import ValueFill

# Excel's own "bad" and "neutral" cell styles: red on pink, brown on yellow.
COLOURS = {"red": ("FFC7CE", "9C0006"), "yellow": ("FFEB9C", "9C5700")}


def level_label(level: object, lang: str) -> str | None:
    """The level's words in `lang` (None for no level)."""
    return translate(LEVEL_LABELS[level], lang) if level in LEVEL_LABELS else None


def level_fills(column: int, lang: str) -> list[ValueFill]:
    """Fills for a column holding level labels."""
    return [ValueFill(column, translate(LEVEL_LABELS[level], lang), *COLOURS[level]) for level in LEVELS]


def customer_levels(warnings: pd.DataFrame | None) -> dict[object, str]:
    """Each warned customer's most urgent level."""
    if warnings is None or warnings.empty or "level" not in warnings.columns:
        return {}
    mine = warnings[warnings["customer_code"].notna()]
    rank = mine["level"].map({level: i for i, level in enumerate(LEVELS)})
    best = rank.groupby(mine["customer_code"].to_numpy(dtype=object)).min()
    return {code: LEVELS[int(r)] for code, r in best.items()}


def level_order(levels: pd.Series | list) -> np.ndarray:
    """Row positions, red first, then yellow, then none; the order within a level is kept."""
    ranks = {level: i for i, level in enumerate(LEVELS)}
    key = np.array([ranks.get(level, len(LEVELS)) for level in levels], dtype=np.int64)
    return np.argsort(key, kind="stable")


def customer_level_column(codes: pd.Series, levels: dict[object, str], lang: str
                          ) -> tuple[list[str | None], np.ndarray]:
    """Per row of a customer's sheet: its customer's level label (`customer_levels`), and the
    row positions red first (`level_order`). Looked up once per customer, not once per row."""
    number, distinct = pd.factorize(codes.to_numpy(dtype=object), use_na_sentinel=True)
    level = [levels.get(c) for c in distinct] + [None]  # a blank code (number −1) has no level
    words = {code: level_label(code, lang) for code in {*levels.values(), None}}
    label = np.array([words[v] for v in level], dtype=object)
    ranks = {code: i for i, code in enumerate(LEVELS)}
    rank = np.array([ranks.get(v, len(LEVELS)) for v in level], dtype=np.int64)
    return label[number].tolist(), np.argsort(rank[number], kind="stable")
