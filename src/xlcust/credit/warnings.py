"""Early warnings: changes in a customer's or a category's behaviour worth a look, with evidence.

`early_warnings(book, ledger)` returns one row per warning: `code`, `customer_code`
(None for a category warning), `customer_name`, `category_code` (the customer's current
category, or the category warned about), `message` and `message_zh`, each naming the
figures that raised it, and `level` (red or yellow, below). Rows are in the order of
`WARNINGS`, then by code. All dates are relative to the ledger's as-of date; "months"
are calendar months back from it.

PAY_RHYTHM_BROKEN — a customer who paid around one day of the month now pays late.
    Take the customer's last two invoices due by the as-of date (the later one due in
    the last 180 days). The rhythm: in the 12 months up to the due date of the earlier
    of the two, at least 4 receipts in at least 4 different months, and at least 75 % of
    them within ±3 days (around the month's end too) of their mean day of the month.
    Broken: both invoices are at least 10 days late (settled late, or still open and
    that far past due), and at least 10 days later than the customer's usual: the
    amount-weighted days late of invoices it settled in those 12 months.
PAY_WORSENING — invoices due in the last 6 months are on average (amount-weighted,
    days late so far for open ones) at least 30 days late, and at least 20 days later
    than those due in the 12 months before; at least 2 and 3 invoices in the two spans.
ORDER_VOLUME_DROP — invoices dated in the last 3 months are at most half of the
    quarterly average of the 9 months before (at least 6 invoices in those 9 months),
    and so few that chance is an unlikely reason: at the usual pace (a Poisson count
    with the quarterly average as its mean) 3 months with that few invoices happen
    less than 1 time in 20. Without that test a customer who orders twice a quarter
    would be flagged for every quiet quarter. The 9-month average is steadier than the
    same quarter a year earlier and needs only a year of history; a seasonal business
    may still see this in its low season. Not raised for a dormant customer (DORMANT).
DORMANT — no transaction for Settings dormant_months months or more (months_since_last_txn),
    unless the customer's status already says inactive or dormant.
CREDIT_OVER_LIMIT / CREDIT_NEAR_LIMIT — exposure above the credit limit, or at 90 % of
    it or more (`xlcust.credit.exposure`).
SETTLEMENT_SLOWER — a category (any level; customers counted under their current
    category and its ancestors) whose amount-weighted days to settle, over invoices
    settled in each 3-month span, rose by 15 days or more from the span 9–12 months
    back to the last 3 months (at least 5 settled invoices in each of the two), without
    falling by more than 15 days from one span to the next on the way: one slow quarter
    that recovered is not a trend.

Levels (黄色预警 / 红色警报). Every warning is a yellow alert, and a red one when
    PAY_RHYTHM_BROKEN / PAY_WORSENING  the days late behind it (the smaller of the two
        invoices; the recent average) reach Settings red_alert_days_late (60);
    CREDIT_OVER_LIMIT  exposure reaches red_alert_credit_used of the limit (120 %);
    DORMANT  the idle months reach lost_months (24): the customer is lost;
    or the customer has red_alert_warnings (2) different warnings at once — the seeds'
    example: a broken payment rhythm together with falling orders. ORDER_VOLUME_DROP,
    CREDIT_NEAR_LIMIT and the category warning SETTLEMENT_SLOWER are red only that way
    (a category: never).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from ..archive import parse_status
from ..book import Book
from ..i18n import N_, Msg, msg, translate
from ..ledger._frames import day_of, sum_by, text, to_days
from ..ledger.rollup import rollup
from .explain import int_texts, money_text, money_texts, vformat
from .exposure import credit_exposure
from .registry import sheet_column, sheet_positions

if TYPE_CHECKING:
    from ..ledger import Ledger
    from ..settings import Settings


class WarningKind(NamedTuple):
    subject: str  # "customer" or "category"
    meaning: str  # a catalog text: `translate(kind.meaning, lang)`


WARNINGS: dict[str, WarningKind] = {
    "PAY_RHYTHM_BROKEN": WarningKind("customer", N_("Paid around a fixed day of the month; the last two invoices "
                                                    "are late")),
    "PAY_WORSENING": WarningKind("customer", N_("Pays markedly later than a year before")),
    "ORDER_VOLUME_DROP": WarningKind("customer", N_("Invoices in the last 3 months fell to half or less of the "
                                                    "usual")),
    "DORMANT": WarningKind("customer", N_("No transaction for the dormant period")),
    "CREDIT_OVER_LIMIT": WarningKind("customer", N_("Exposure above the credit limit")),
    "CREDIT_NEAR_LIMIT": WarningKind("customer", N_("Exposure at 90% of the credit limit or more")),
    "SETTLEMENT_SLOWER": WarningKind("category", N_("A category's days to settle rose by 15 days or more in three "
                                                    "quarters")),
}
# `message` and `message_zh` are both part of the `grades --json` contract: each row's Msg rendered twice
LANGUAGE_COLUMNS = (("message", "en"), ("message_zh", "zh"))
COLUMNS = ["code", "customer_code", "customer_name", "category_code", "message", "message_zh", "level"]
LEVELS = ("red", "yellow")  # most urgent first
LEVEL_LABELS = {"red": N_("Red alert"), "yellow": N_("Yellow alert")}

RHYTHM_MIN_RECEIPTS = 4
RHYTHM_DAY_SPREAD = 3
RHYTHM_SHARE = 0.75
RHYTHM_LATE_DAYS = 10
RHYTHM_RECENT_DAYS = 180
WORSENING_MIN_DAYS = 30
WORSENING_RISE = 20
VOLUME_MIN_INVOICES = 6
VOLUME_DROP = 0.5
VOLUME_CHANCE = 0.05
SLOWER_RISE_DAYS = 15
SLOWER_MIN_SETTLED = 5


def early_warnings(book: Book, ledger: Ledger, figures: pd.DataFrame | None = None,
                   grades: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every warning of the module docstring, one row each. `figures` (`ledger.customer_figures()`)
    and `grades` (`grade_customers(book, ledger)`: its exposure and status columns) save
    recomputing them."""
    figures = ledger.customer_figures() if figures is None else figures
    if grades is None:
        positions = sheet_positions(book, figures.index)
        exposure = credit_exposure(book, ledger, figures, positions)
        status = sheet_column(book, "status", positions)
    else:
        exposure, status = grades, grades["status"].to_numpy(dtype=object)
    a = _Arrays.of(ledger)
    rows = [
        *_rhythm(a),
        *_worsening(a),
        *_volume_drop(a, figures, book.settings.dormant_months),
        *_limits(exposure),
        *_slower_categories(ledger, a),
    ]
    columns = ("code", "customer_code", "category_code", "message", "message_zh", "gauge")
    found = {c: np.array([], dtype=object) for c in columns}
    if rows:
        texts = [r[3] for r in rows]
        found = {c: np.array([r[i] for r in rows], dtype=object) for i, c in enumerate(columns[:3])}
        for column, lang in LANGUAGE_COLUMNS:
            found[column] = np.array([t.render(lang) for t in texts], dtype=object)
        found["gauge"] = np.array([r[4] for r in rows], dtype=object)
    idle = _dormant(figures, status, book.settings.dormant_months)
    data = {c: np.concatenate([found[c], idle[c]]) for c in columns}

    customers = ledger.customers
    who = data["customer_code"]
    at = customers.index.get_indexer(who)  # −1 for a category warning (no customer)
    mine = at >= 0
    names = np.full(len(who), None, dtype=object)
    names[mine] = customers["name"].to_numpy(dtype=object)[at[mine]]
    data["category_code"][mine] = customers["category_code"].to_numpy(dtype=object)[at[mine]]
    data["customer_name"] = names
    ranks = {code: i for i, code in enumerate(WARNINGS)}
    rank = np.array([ranks[c] for c in data["code"]], dtype=np.int64)
    key = np.array([w if w is not None else (c or "") for w, c in zip(who, data["category_code"], strict=True)],
                   dtype=str)
    order = np.lexsort((key, rank))
    frame = pd.DataFrame({c: text(data[c][order]) for c in COLUMNS[:-1]})
    frame["level"] = text(warning_levels(frame["code"].to_numpy(dtype=object), frame["customer_code"].to_numpy(
        dtype=object), data["gauge"][order].astype(np.float64), book.settings))
    return frame


def warning_levels(codes: np.ndarray, customers: np.ndarray, gauges: np.ndarray, settings: Settings) -> np.ndarray:
    """"red" or "yellow" per warning (module docstring, Levels), from the Settings thresholds."""
    red = np.zeros(len(codes), dtype=bool)
    with np.errstate(invalid="ignore"):
        red |= np.isin(codes, ("PAY_RHYTHM_BROKEN", "PAY_WORSENING")) & (gauges >= settings.red_alert_days_late)
        red |= (codes == "CREDIT_OVER_LIMIT") & (gauges >= float(settings.red_alert_credit_used))
        red |= (codes == "DORMANT") & (gauges >= settings.lost_months)
    mine = pd.notna(customers)
    if mine.any():  # several signs at once (the seeds: a broken rhythm together with falling orders)
        pairs = pd.DataFrame({"customer": customers[mine], "code": codes[mine]}).drop_duplicates()
        kinds = pairs["customer"].value_counts()
        counts = pd.Series(customers[mine]).map(kinds).to_numpy(dtype=np.int64)
        red[np.flatnonzero(mine)[counts >= settings.red_alert_warnings]] = True
    return np.where(red, "red", "yellow").astype(object)


# code, customer, category, message, gauge (the figure its level is judged by; NaN: none)
Row = tuple[str, str | None, str | None, Msg, float]


@dataclass(frozen=True)
class _Arrays:
    """The ledger columns the warnings read, as arrays, taken once (`kind == …` on a million
    object cells is not free). i_ = debit items (FIFO order; every invoice line is one), r_ = receipts."""

    ledger: Ledger
    n: int
    as_of: int
    codes: np.ndarray
    i_cust: np.ndarray
    i_invoice: np.ndarray
    i_due: np.ndarray
    i_settled: np.ndarray  # NaT → the smallest int64
    i_late: np.ndarray
    i_amount: np.ndarray
    i_open: np.ndarray
    i_day: np.ndarray
    r_cust: np.ndarray
    r_day: np.ndarray

    @classmethod
    def of(cls, ledger: Ledger) -> _Arrays:
        items, credits = ledger.items, ledger.credits
        receipt = (credits["kind"].to_numpy(dtype=object) == "receipt") & (credits["amount"].to_numpy() > 0)
        return cls(
            ledger, len(ledger.customers), day_of(ledger.as_of), ledger.customers.index.to_numpy(dtype=object),
            ledger.item_customer, items["kind"].to_numpy(dtype=object) == "invoice",
            to_days(items["due_date"].to_numpy()), to_days(items["settled_on"].to_numpy()),
            items["days_late"].to_numpy(dtype=np.int64), items["amount"].to_numpy(dtype=np.int64),
            items["open_amount"].to_numpy(dtype=np.int64), to_days(items["date"].to_numpy()),
            ledger.credit_customer[receipt], to_days(credits["date"].to_numpy()[receipt]),
        )

    def months_back(self, months: int) -> int:
        return day_of(pd.Timestamp(self.ledger.as_of) - pd.DateOffset(months=months))


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


# ------------------------------------------------------------------ payment rhythm


def _rhythm(a: _Arrays) -> Iterator[Row]:
    n, as_of, cust, due, late = a.n, a.as_of, a.i_cust, a.i_due, a.i_late
    # Items are in FIFO order (customer, due date, date, txn id): a customer's last rows are its latest due.
    pick = np.flatnonzero(a.i_invoice & (due <= as_of))
    if len(pick) < 2:
        return
    c = cust[pick]
    last_pos = np.flatnonzero(np.r_[c[1:] != c[:-1], True])
    prev_pos = last_pos - 1
    ok = (prev_pos >= 0) & (c[np.maximum(prev_pos, 0)] == c[last_pos])
    last, prev = pick[last_pos[ok]], pick[prev_pos[ok]]
    owner = cust[last]
    candidate = (np.minimum(late[last], late[prev]) >= RHYTHM_LATE_DAYS) & (due[last] > as_of - RHYTHM_RECENT_DAYS)
    last, prev, owner = last[candidate], prev[candidate], owner[candidate]
    if len(owner) == 0:
        return
    ref = np.full(n, -(10**9), dtype=np.int64)  # per customer: the earlier invoice's due date (far past: none)
    ref[owner] = due[prev]

    r_ref = ref[a.r_cust]
    inside = (a.r_day <= r_ref) & (a.r_day > r_ref - 365)
    r_cust, r_day = a.r_cust[inside], a.r_day[inside]
    dates = r_day.astype("datetime64[D]")
    dom = (dates - dates.astype("datetime64[M]")).astype(np.int64)  # 0-based day of the month
    angle = 2 * np.pi * dom / 31
    count = np.bincount(r_cust, minlength=n)
    centre = np.mod(np.arctan2(np.bincount(r_cust, np.sin(angle), n), np.bincount(r_cust, np.cos(angle), n)),
                    2 * np.pi) * 31 / (2 * np.pi)
    gap = np.abs(dom - centre[r_cust])
    gap = np.minimum(gap, 31 - gap)
    near = np.bincount(r_cust[gap <= RHYTHM_DAY_SPREAD], minlength=n)
    month_pairs = np.unique(r_cust * 100_000 + dates.astype("datetime64[M]").astype(np.int64))
    months = np.bincount(month_pairs // 100_000, minlength=n)

    i_ref = ref[cust]
    s_mask = a.i_invoice & (a.i_settled <= i_ref) & (a.i_settled > i_ref - 365)
    weight = a.i_amount[s_mask].astype(np.float64)
    w_total = np.bincount(cust[s_mask], weight, n)
    usual = np.where(w_total > 0, np.bincount(cust[s_mask], weight * late[s_mask], n) / np.maximum(w_total, 1), 0.0)

    rhythm = (count[owner] >= RHYTHM_MIN_RECEIPTS) & (months[owner] >= RHYTHM_MIN_RECEIPTS) & (
        near[owner] >= RHYTHM_SHARE * count[owner])
    broken = np.minimum(late[last], late[prev]) >= usual[owner] + RHYTHM_LATE_DAYS
    txn = a.ledger.items["txn_id"].to_numpy(dtype=object)
    for i in np.flatnonzero(rhythm & broken):
        o, x, y = owner[i], prev[i], last[i]
        day = int(round(centre[o])) % 31 + 1
        still = [a.i_open[k] > 0 for k in (x, y)]
        tail = msg(" (still open)") if all(still) else (msg(" (the last still open)") if still[1] else "")
        yield ("PAY_RHYTHM_BROKEN", a.codes[o], None,
               msg("paid on about day {day} of the month ({near} of {count} receipts in the 12 months to {until}); "
                   "last two invoices {first} and {second} are {first_late} and {second_late} days late{tail}, "
                   "usually {usual}", day=day, near=near[o], count=count[o], until=_iso(ref[o]), first=txn[x],
                   second=txn[y], first_late=late[x], second_late=late[y], tail=tail, usual=round(usual[o])),
               float(min(late[x], late[y])))


# ---------------------------------------------------------------------- worsening


def _worsening(a: _Arrays) -> Iterator[Row]:
    n, cust, due = a.n, a.i_cust, a.i_due
    recent_start, prior_start = a.months_back(6), a.months_back(18)
    amount = a.i_amount.astype(np.float64)
    late = a.i_late.astype(np.float64)

    def span(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        m = a.i_invoice & (due > lo) & (due <= hi)
        w = np.bincount(cust[m], amount[m], n)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(w > 0, np.bincount(cust[m], amount[m] * late[m], n) / w, np.nan)
        return mean, np.bincount(cust[m], minlength=n)

    recent, n_recent = span(recent_start, a.as_of)
    prior, n_prior = span(prior_start, recent_start)
    hit = (n_recent >= 2) & (n_prior >= 3) & (recent >= WORSENING_MIN_DAYS) & (recent - prior >= WORSENING_RISE)
    for o in np.flatnonzero(hit):
        yield ("PAY_WORSENING", a.codes[o], None,
               msg("invoices due in the last 6 months average {recent} days late ({n_recent} invoices), against "
                   "{prior} days for the {n_prior} due in the 12 months before", recent=round(recent[o]),
                   n_recent=n_recent[o], prior=round(prior[o]), n_prior=n_prior[o]), float(recent[o]))


# ---------------------------------------------------------------- order volume drop


def _volume_drop(a: _Arrays, figures: pd.DataFrame, dormant_months: int) -> Iterator[Row]:
    n, cust, day, amount = a.n, a.i_cust, a.i_day, a.i_amount
    q_start, y_start = a.months_back(3), a.months_back(12)
    recent = a.i_invoice & (day > q_start)
    prior = a.i_invoice & (day > y_start) & (day <= q_start)
    n_recent = np.bincount(cust[recent], minlength=n)
    n_prior = np.bincount(cust[prior], minlength=n)
    idle = figures["months_since_last_txn"].to_numpy(dtype=np.float64, na_value=np.inf) >= dormant_months
    hit = (n_prior >= VOLUME_MIN_INVOICES) & (n_recent * 3 <= VOLUME_DROP * n_prior) & ~idle
    hit &= poisson_cdf(n_recent, n_prior / 3) < VOLUME_CHANCE
    if not hit.any():
        return
    sum_recent = sum_by(cust[recent], amount[recent], n)
    sum_prior = sum_by(cust[prior], amount[prior], n)
    as_of = a.ledger.as_of.isoformat()
    for o in np.flatnonzero(hit):
        per_quarter = n_prior[o] / 3
        now, usual = money_text(int(sum_recent[o])), money_text(int(sum_prior[o] // 3))
        yield ("ORDER_VOLUME_DROP", a.codes[o], None,
               msg("{n} invoice(s) ({now}) in the 3 months to {as_of}, against {per_quarter} a quarter ({usual}) in "
                   "the 9 months before", n=n_recent[o], now=now, as_of=as_of, per_quarter=f"{per_quarter:.1f}",
                   usual=usual), np.nan)


def poisson_cdf(k: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """P(X ≤ k) for X ~ Poisson(mean), element-wise (k small: summed term by term)."""
    k = np.asarray(k, dtype=np.int64)
    mean = np.asarray(mean, dtype=np.float64)
    term = np.exp(-mean)
    total = term.copy()
    for i in range(1, int(k.max(initial=0)) + 1):
        term = term * mean / i
        total += np.where(i <= k, term, 0.0)
    return np.minimum(total, 1.0)


# -------------------------------------------------------------------------- dormant


def _dormant(figures: pd.DataFrame, status: np.ndarray, limit: int) -> dict[str, np.ndarray]:
    """DORMANT rows, built column-wise: an idle registry can have tens of thousands."""
    months = figures["months_since_last_txn"].to_numpy(dtype=np.float64, na_value=np.nan)
    known = {w: parse_status(w) for w in pd.unique(status[pd.notna(status)])}
    marked = np.array([known.get(w) in ("inactive", "dormant") for w in status], dtype=bool)  # the user knows
    pick = np.flatnonzero((months >= limit) & ~marked)
    n = int_texts(months[pick].astype(np.int64))
    when = np.datetime_as_string(figures["last_txn_date"].to_numpy()[pick].astype("datetime64[D]")).astype(object)
    balance = figures["balance"].to_numpy(dtype=np.int64)[pick]
    owes = balance > 0
    money = np.full(len(pick), "", dtype=object)
    if owes.any():
        money[owes] = money_texts(balance[owes])
    found = {
        "code": np.full(len(pick), "DORMANT", dtype=object),
        "customer_code": figures.index.to_numpy(dtype=object)[pick],
        "category_code": np.full(len(pick), None, dtype=object),
        "gauge": months[pick].astype(np.float64),
    }
    for column, lang in LANGUAGE_COLUMNS:
        owed = np.where(owes, vformat(translate(N_("; balance {money} still owed"), lang), len(pick), money=money),
                        "").astype(object)
        found[column] = vformat(translate(N_("no transaction for {n} months (last on {when}; dormant after {limit})"),
                                          lang), len(pick), n=n, when=when, limit=limit) + owed
    return found


# ---------------------------------------------------------------------- credit limit


def _limits(exposure: pd.DataFrame) -> Iterator[Row]:
    codes = exposure.index.to_numpy(dtype=object)
    limit = exposure["credit_limit"].to_numpy(dtype=np.int64, na_value=0)
    used = exposure["credit_used"].to_numpy(dtype=np.float64)
    amount = exposure["exposure"].to_numpy(dtype=np.int64)
    for code, flag in (("CREDIT_OVER_LIMIT", "over_limit"), ("CREDIT_NEAR_LIMIT", "near_limit")):
        for o in np.flatnonzero(exposure[flag].to_numpy(dtype=bool)):
            share = "" if np.isnan(used[o]) else f"{used[o]:.0%}"
            owed, cap = money_text(int(amount[o])), money_text(int(limit[o]))
            yield (code, codes[o], None,
                   msg("exposure {owed} against a credit limit of {cap} ({share} used)", owed=owed, cap=cap,
                       share=share) if share else
                   msg("exposure {owed} against a credit limit of {cap}", owed=owed, cap=cap), float(used[o]))


# ----------------------------------------------------------- slower-settling categories


def _slower_categories(ledger: Ledger, a: _Arrays) -> Iterator[Row]:
    bounds = np.array([a.months_back(3 * k) for k in (4, 3, 2, 1, 0)])  # oldest first
    settled = a.i_settled
    span = np.searchsorted(bounds, settled, side="left") - 1  # (b[k], b[k+1]] → k
    pick = (settled > bounds[0]) & (settled <= bounds[-1]) & a.i_invoice
    if not pick.any():
        return
    items = ledger.items
    amount = a.i_amount[pick].astype(np.float64)
    days = items["days_to_settle"].to_numpy(dtype=np.float64, na_value=np.nan)[pick]
    frame = pd.DataFrame({
        "category_code": pd.Series(items["category_code"].to_numpy(dtype=object)[pick], dtype=object),
        "span": span[pick],
        "weight": amount,
        "weighted_days": amount * days,
        "settled": np.ones(int(pick.sum()), dtype=np.int64),
    })
    rolled = rollup(frame, ["weight", "weighted_days", "settled"], ledger.scheme, ledger.categories, keys=("span",))
    rolled = rolled[rolled["category_code"].notna()]
    rolled = rolled.assign(avg=rolled["weighted_days"] / rolled["weight"])
    avg = rolled.pivot_table(index="category_code", columns="span", values="avg", aggfunc="first")
    count = rolled.pivot_table(index="category_code", columns="span", values="settled", aggfunc="first")
    avg = avg.reindex(columns=range(4))
    count = count.reindex(columns=range(4)).fillna(0)
    names = ledger.categories["name"]
    rise = avg[3] - avg[0]
    steps = avg.diff(axis=1).iloc[:, 1:]
    steady = ~(steps < -SLOWER_RISE_DAYS).any(axis=1)  # a missing span (NaN) breaks nothing
    hit = (count[0] >= SLOWER_MIN_SETTLED) & (count[3] >= SLOWER_MIN_SETTLED) & (rise >= SLOWER_RISE_DAYS) & steady
    as_of = ledger.as_of.isoformat()
    for code in avg.index[hit.to_numpy()]:
        path = " → ".join("–" if np.isnan(v) else f"{v:.0f}" for v in avg.loc[code].to_numpy(dtype=np.float64))
        name = names.get(code)
        label = f"{code} {name}" if isinstance(name, str) and name else code
        yield ("SETTLEMENT_SLOWER", None, code,
               msg("{category}: days to settle {path} over the four quarters to {as_of} (+{rise} days; {n} invoices "
                   "settled in the last quarter)", category=label, path=path, as_of=as_of,
                   rise=f"{rise[code]:.0f}", n=int(count.loc[code, 3])), float(rise[code]))
