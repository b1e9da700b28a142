"""One-line explanations of a grade, in any language of the catalog.

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
customers cost a few hundredths of a second, not seconds. Every wording is a catalog text
with {placeholders} (`vformat` fills them a column at a time), so a translation may
reorder them; this module holds no language of its own.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from ..i18n import C_, N_, ctranslate, translate
from .risk import NEUTRAL_RISK
from .scoring import (
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


def vformat(template: str, size: int, /, **parts: Texts | str | int) -> Texts:
    """`template` (a catalog text, already translated) with each {name} filled from `parts`,
    a whole column at a time: an array part gives each row its own text."""
    out = np.full(size, "", dtype=object)
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if name is not None:
            part = parts[name]
            out = out + (part if isinstance(part, np.ndarray) else str(part))
    return out


def _text(mask: np.ndarray, yes: Texts | str, no: Texts | str) -> Texts:
    return np.where(mask, yes, no).astype(object)


def _blank(values: np.ndarray) -> np.ndarray:
    return np.array([v is None or v != v or str(v).strip() == "" for v in values], dtype=bool)


class _Evidence:
    """Evidence texts for a subset of customers (`rows`, positions in the grades frame), per dimension,
    in one language: object arrays parallel to `rows`."""

    def __init__(self, frame: pd.DataFrame, rows: np.ndarray, risk_table: bool, lang: str) -> None:
        self.f = frame
        self.rows = rows
        self.risk_table = risk_table
        self.lang = lang
        self.n = len(rows)

    def col(self, name: str, dtype: object = None) -> np.ndarray:
        return self.f[name].to_numpy(dtype=dtype)[self.rows]

    def t(self, msgid: str, **parts: Texts | str | int) -> Texts:
        return vformat(translate(msgid, self.lang), self.n, **parts)

    def scale(self) -> Texts:
        revenue = self.col("revenue_12m", np.int64)
        money, pct = money_texts(revenue), number_texts(self.col("scale"))
        return _text(revenue <= 0, self.t(N_("no net sales in the last 12 months")),
                     self.t(N_("12-month net sales {money}, percentile {percentile} of active customers"),
                            money=money, percentile=pct))

    def payment(self) -> Texts:
        days = self.col("payment_days_late", np.float64)
        none = np.isnan(days)
        whole = np.rint(np.nan_to_num(days)).astype(np.int64)
        share = np.nan_to_num(self.col("overdue_90_share", np.float64))
        pct = int_texts(np.rint(share * 100)) + "%"
        days_text = int_texts(whole)
        late = np.select([whole == 0, whole == 1],
                         [self.t(N_("pays on time (avg 0 days late)")), self.t(N_("avg {n} day late"), n=days_text)],
                         self.t(N_("avg {n} days late"), n=days_text)).astype(object)
        late = late + _text(share > 0, self.t(N_(", {percent} of the open amount over 90 days overdue"), percent=pct),
                            "")
        return _text(none, self.t(N_("no invoice settled or overdue in the last 12 months (neutral {score})"),
                                  score=PAYMENT_NO_EVIDENCE), late)

    def stability(self) -> Texts:
        tenure = self.col("tenure_months", np.int64)
        active = int_texts(self.col("active_months_12m", np.int64))
        months = int_texts(tenure)
        return _text(tenure == 1,
                     self.t(N_("customer for {n} month, active in {active} of the last 12 months"), n=months,
                            active=active),
                     self.t(N_("customer for {n} months, active in {active} of the last 12 months"), n=months,
                            active=active))

    def risk(self) -> Texts:
        if not self.risk_table:
            return self.t(N_("no Risk sheet: neutral {score}"), score=NEUTRAL_RISK)
        parts = {}
        for kind, what in (("industry", C_("risk factor", "industry")), ("region", C_("risk factor", "region"))):
            raw = self.col(kind, object)
            blank = _blank(raw)
            name = np.array(["" if b else str(v) for v, b in zip(raw, blank, strict=True)], dtype=object)
            score = number_texts(self.col(f"{kind}_risk"))
            how = self.col(f"{kind}_risk_source", object)
            shown = ctranslate("risk factor", what, self.lang)
            parts[kind] = np.select(
                [blank, how == "listed", how == "default"],
                [self.t(N_("{what} blank: {score}"), what=shown, score=score),
                 self.t(N_("{what} {name} {score}"), what=shown, name=name, score=score),
                 self.t(N_("{what} {name} {score} (the * row)"), what=shown, name=name, score=score)],
                self.t(N_("{what} {name} not in the Risk table: neutral {score}"), what=shown, name=name,
                       score=score)).astype(object)
        return self.t(N_("{industry}, {region}"), industry=parts["industry"], region=parts["region"])


DIMENSION_WORDS = {  # a dimension as an explanation names it
    "scale": C_("credit dimension", "scale"), "payment": C_("credit dimension", "payment"),
    "stability": C_("credit dimension", "stability"), "risk": C_("credit dimension", "risk"),
}


def explanations(frame: pd.DataFrame, shares: dict[str, float], weights: dict[str, int],
                 risk_table: bool, lang: str) -> Texts:
    """The explanation of each row of the grades frame, in `lang` (its texts from the catalog)."""
    n = len(frame)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out

    def t(msgid: str, count: int, /, **parts: Texts | str | int) -> Texts:
        return vformat(translate(msgid, lang), count, **parts)

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
    terms, evidence = np.empty((n, 4), dtype=object), np.empty((n, 4), dtype=object)
    for j, d in enumerate(DIMENSIONS):
        rows = np.flatnonzero((~is_new & (first == j)) | (has_second & (second == j)))
        if len(rows) == 0:
            continue
        terms[rows, j] = t(N_("{dimension} {score}×{weight}%"), len(rows),
                           dimension=ctranslate("credit dimension", DIMENSION_WORDS[d], lang),
                           score=number_texts(dims[rows, j]), weight=weights[d])
        evidence[rows, j] = getattr(_Evidence(frame, rows, risk_table, lang), d)()

    score = number_texts(frame["score"].to_numpy())
    head = grade + " " + score

    for rows, is_top in ((np.flatnonzero(is_a), True), (np.flatnonzero(~is_a & ~is_new), False)):
        j = first[rows]
        line = (N_("{head}: carried by {term} ({evidence})") if is_top
                else N_("{head}: {term} dragged it down: {evidence}"))
        out[rows] = t(line, len(rows), head=head[rows], term=terms[rows, j], evidence=evidence[rows, j])
        more = rows[has_second[rows]]
        j2 = second[more]
        tail = N_(" and {term} ({evidence})") if is_top else N_("; also {term}: {evidence}")
        out[more] += t(tail, len(more), term=terms[more, j2], evidence=evidence[more, j2])

    rows = np.flatnonzero(is_new)
    if len(rows):
        day = frame["first_txn_date"].to_numpy()[rows].astype("datetime64[D]")
        none = np.isnat(day)
        count = frame["invoice_count"].to_numpy(dtype=np.int64)[rows]
        when = np.datetime_as_string(day).astype(object)
        k = len(rows)
        common = {"n": int_texts(count), "when": when, "invoices": NEW_MIN_INVOICES, "days": NEW_MIN_DAYS,
                  "score": score[rows]}
        out[rows] = np.select(
            [none, count == 1],
            [t(N_("NEW: no transactions yet; provisional score {score}"), k, score=score[rows]),
             t(N_("NEW: {n} invoice, first transaction {when} (a grade needs {invoices} invoices and {days} days "
                  "of history); provisional score {score}"), k, **common)],
            t(N_("NEW: {n} invoices, first transaction {when} (a grade needs {invoices} invoices and {days} days "
                 "of history); provisional score {score}"), k, **common)).astype(object)
    return out
