"""One-line explanations of a grade, in English and Chinese.

    A 86.2: carried by payment 98×40% (avg 1 day late) and scale 91×25% (12-month net sales …)
    B 71.3: payment 62×40% dragged it down: avg 18 days late
    C 55: payment 20×40% dragged it down: avg 41 days late; also stability 38×20%: …
    NEW: 2 invoices, first transaction 2026-08-01 (a grade needs 3 invoices and 90 days …); provisional score 64.2

A dimension *carries* a grade by the points it adds (share × score) and *drags it down*
by the points it leaves (share × (100 − score)). Grade A names the two dimensions that
added most; B, C and D name the one that lost most, and the runner-up when it lost at
least SECOND_LOSS_POINTS too. Each named dimension comes with its evidence: the figure
that produced its score.

Built column-wise (object arrays of str joined with +), not row by row: fifty thousand
customers cost a few hundredths of a second, not seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .risk import NEUTRAL_RISK
from .scoring import (
    DIMENSION_ZH,
    DIMENSIONS,
    NEW_MIN_DAYS,
    NEW_MIN_INVOICES,
    PAYMENT_NO_EVIDENCE,
)

SECOND_LOSS_POINTS = 5.0

Texts = np.ndarray  # object array of str, one per customer
# Scores have one decimal: 0.0 … 100.0 → "0" … "100", "62.5" by table lookup.
_TENTHS = np.array([f"{i // 10}" if i % 10 == 0 else f"{i / 10:.1f}" for i in range(1001)], dtype=object)


def number_texts(values: np.ndarray) -> Texts:
    """0–100 scores with one decimal as text: 62 → '62', 62.5 → '62.5'."""
    tenths = np.clip(np.rint(np.asarray(values, dtype=np.float64) * 10), 0, 1000).astype(np.int64)
    return _TENTHS[tenths]


_SMALL = np.array([str(i) for i in range(10_000)], dtype=object)


def int_texts(values: np.ndarray) -> Texts:
    """Whole numbers as text (a table lookup for 0 … 9999, the usual counts and days)."""
    values = np.asarray(values, dtype=np.int64)
    small = (values >= 0) & (values < len(_SMALL))
    out = _SMALL[np.where(small, values, 0)]
    if not small.all():
        out[~small] = [str(v) for v in values[~small].tolist()]
    return out


def money_text(cents: int) -> str:
    """Whole cents as `1,234.50` (`-35.00`): the text of `xlcust.money.format_money` (a test holds them
    equal), without its Decimal round trip, which costs more than the rest of a long list."""
    units, rest = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{units:,}.{rest:02d}"


def money_texts(cents: np.ndarray) -> Texts:
    return np.array([money_text(c) for c in np.asarray(cents, dtype=np.int64).tolist()], dtype=object)


def _plural(counts: np.ndarray, unit: str) -> Texts:
    """'1 day', '3 days'."""
    counts = np.asarray(counts, dtype=np.int64)
    return int_texts(counts) + np.where(counts == 1, f" {unit}", f" {unit}s").astype(object)


def _text(mask: np.ndarray, yes: Texts | str, no: Texts | str) -> Texts:
    return np.where(mask, yes, no).astype(object)


def _blank(values: np.ndarray) -> np.ndarray:
    return np.array([v is None or v != v or str(v).strip() == "" for v in values], dtype=bool)


class _Evidence:
    """Evidence texts for a subset of customers (`rows`, positions in the grades frame), per dimension:
    (English, Chinese) object arrays parallel to `rows`."""

    def __init__(self, frame: pd.DataFrame, rows: np.ndarray, risk_table: bool) -> None:
        self.f = frame
        self.rows = rows
        self.risk_table = risk_table

    def col(self, name: str, dtype: object = None) -> np.ndarray:
        return self.f[name].to_numpy(dtype=dtype)[self.rows]

    def scale(self) -> tuple[Texts, Texts]:
        revenue = self.col("revenue_12m", np.int64)
        money, pct = money_texts(revenue), number_texts(self.col("scale"))
        none = revenue <= 0
        return (_text(none, "no net sales in the last 12 months",
                      "12-month net sales " + money + ", percentile " + pct + " of active customers"),
                _text(none, "近 12 个月无净销售额",
                      "近 12 个月净销售额 " + money + "，在有销售的客户中居第 " + pct + " 百分位"))

    def payment(self) -> tuple[Texts, Texts]:
        days = self.col("payment_days_late", np.float64)
        none = np.isnan(days)
        whole = np.rint(np.nan_to_num(days)).astype(np.int64)
        share = np.nan_to_num(self.col("overdue_90_share", np.float64))
        pct = int_texts(np.rint(share * 100)) + "%"
        en = _text(whole == 0, "pays on time (avg 0 days late)", "avg " + _plural(whole, "day") + " late")
        zh = _text(whole == 0, "按期回款（平均逾期 0 天）", "平均逾期 " + int_texts(whole) + " 天")
        en = en + _text(share > 0, ", " + pct + " of the open amount over 90 days overdue", "")
        zh = zh + _text(share > 0, "，" + pct + " 的未清金额逾期超过 90 天", "")
        return (_text(none, f"no invoice settled or overdue in the last 12 months (neutral {PAYMENT_NO_EVIDENCE})", en),
                _text(none, f"近 12 个月无结清或逾期的发票（中性分 {PAYMENT_NO_EVIDENCE}）", zh))

    def stability(self) -> tuple[Texts, Texts]:
        tenure = self.col("tenure_months", np.int64)
        active = int_texts(self.col("active_months_12m", np.int64))
        return ("customer for " + _plural(tenure, "month") + ", active in " + active + " of the last 12 months",
                "合作 " + int_texts(tenure) + " 个月，近 12 个月中有 " + active + " 个月有业务")

    def risk(self) -> tuple[Texts, Texts]:
        n = len(self.rows)
        if not self.risk_table:
            return (np.full(n, f"no Risk sheet: neutral {NEUTRAL_RISK}", dtype=object),
                    np.full(n, f"无风险表：中性分 {NEUTRAL_RISK}", dtype=object))
        parts = []
        for kind, zh_kind in (("industry", "行业"), ("region", "地区")):
            raw = self.col(kind, object)
            blank = _blank(raw)
            name = np.array(["" if b else str(v) for v, b in zip(raw, blank, strict=True)], dtype=object)
            score = number_texts(self.col(f"{kind}_risk"))
            how = self.col(f"{kind}_risk_source", object)
            en = np.select(
                [blank, how == "listed", how == "default"],
                [f"{kind} blank: " + score, f"{kind} " + name + " " + score, f"{kind} " + name + " " + score
                 + " (the * row)"],
                f"{kind} " + name + " not in the Risk table: neutral " + score).astype(object)
            zh = np.select(
                [blank, how == "listed", how == "default"],
                [f"{zh_kind}为空：" + score, f"{zh_kind} " + name + " " + score, f"{zh_kind} " + name + " " + score
                 + "（* 行）"],
                f"{zh_kind} " + name + " 未列入风险表：中性分 " + score).astype(object)
            parts.append((en, zh))
        (ind_en, ind_zh), (reg_en, reg_zh) = parts
        return ind_en + ", " + reg_en, ind_zh + "，" + reg_zh


def explanations(frame: pd.DataFrame, shares: dict[str, float], weights: dict[str, int],
                 risk_table: bool) -> tuple[Texts, Texts]:
    """(English, Chinese) explanation per row of the grades frame."""
    n = len(frame)
    en, zh = np.empty(n, dtype=object), np.empty(n, dtype=object)
    if n == 0:
        return en, zh
    dims = np.column_stack([frame[d].to_numpy(dtype=np.float64) for d in DIMENSIONS])
    share = np.array([shares[d] for d in DIMENSIONS])
    gained, lost = dims * share, (100 - dims) * share
    grade = frame["grade"].to_numpy(dtype=object)
    is_new, is_a = grade == "NEW", grade == "A"
    at = np.arange(n)

    # Which dimensions each line names: A the two that added most, B–D the one (or two) that lost most.
    top = np.argsort(-gained, axis=1, kind="stable")
    worst = np.argsort(-lost, axis=1, kind="stable")
    first = np.where(is_a, top[:, 0], worst[:, 0])
    second = np.where(is_a, top[:, 1], worst[:, 1])
    has_second = ~is_new & np.where(is_a, gained[at, top[:, 1]] > 0, lost[at, worst[:, 1]] >= SECOND_LOSS_POINTS)

    # Term ("payment 62×40%") and evidence texts, only for the (customer, dimension) pairs named.
    term_en, term_zh = np.empty((n, 4), dtype=object), np.empty((n, 4), dtype=object)
    ev_en, ev_zh = np.empty((n, 4), dtype=object), np.empty((n, 4), dtype=object)
    for j, d in enumerate(DIMENSIONS):
        rows = np.flatnonzero((~is_new & (first == j)) | (has_second & (second == j)))
        if len(rows) == 0:
            continue
        value = number_texts(dims[rows, j]) + f"×{weights[d]}%"
        term_en[rows, j] = f"{d} " + value
        term_zh[rows, j] = f"{DIMENSION_ZH[d]} " + value
        ev_en[rows, j], ev_zh[rows, j] = getattr(_Evidence(frame, rows, risk_table), d)()

    score = number_texts(frame["score"].to_numpy())
    head = grade + " " + score

    def named(rows: np.ndarray, which: np.ndarray) -> tuple[Texts, Texts, Texts, Texts]:
        j = which[rows]
        return term_en[rows, j], ev_en[rows, j], term_zh[rows, j], ev_zh[rows, j]

    for rows, is_top in ((np.flatnonzero(is_a), True), (np.flatnonzero(~is_a & ~is_new), False)):
        t_en, e_en, t_zh, e_zh = named(rows, first)
        if is_top:
            line_en = head[rows] + ": carried by " + t_en + " (" + e_en + ")"
            line_zh = head[rows] + "：主要得分来自" + t_zh + "（" + e_zh + "）"
        else:
            line_en = head[rows] + ": " + t_en + " dragged it down: " + e_en
            line_zh = head[rows] + "：" + t_zh + " 拉低了评分：" + e_zh
        more = rows[has_second[rows]]
        t2_en, e2_en, t2_zh, e2_zh = named(more, second)
        en[rows], zh[rows] = line_en, line_zh
        if is_top:
            en[more] += " and " + t2_en + " (" + e2_en + ")"
            zh[more] += "和" + t2_zh + "（" + e2_zh + "）"
        else:
            en[more] += "; also " + t2_en + ": " + e2_en
            zh[more] += "；其次 " + t2_zh + "：" + e2_zh

    rows = np.flatnonzero(is_new)
    if len(rows):
        day = frame["first_txn_date"].to_numpy()[rows].astype("datetime64[D]")
        none = np.isnat(day)
        count = frame["invoice_count"].to_numpy(dtype=np.int64)[rows]
        when = np.datetime_as_string(day).astype(object)
        need_en = (f" (a grade needs {NEW_MIN_INVOICES} invoices and {NEW_MIN_DAYS} days of history); "
                   "provisional score ")
        need_zh = f"（评级需至少 {NEW_MIN_INVOICES} 张发票且有 {NEW_MIN_DAYS} 天往来）；参考分 "
        en[rows] = _text(none, "NEW: no transactions yet; provisional score " + score[rows],
                         "NEW: " + _plural(count, "invoice") + ", first transaction " + when + need_en + score[rows])
        zh[rows] = _text(none, "新客户：尚无交易；参考分 " + score[rows],
                         "新客户：" + int_texts(count) + " 张发票，首笔交易 " + when + need_zh + score[rows])
    return en, zh
