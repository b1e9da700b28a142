"""Build the ledger from a Book: lines → debit items and credits → allocation → frames."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..codes import CodingScheme
from ..errors import UsageError
from ..i18n import msg
from ..settings import Settings
from ._frames import NO_DATE, day_of, from_days, text, to_days, with_money
from .allocation import AllocationResult, Credits, Debits, allocate
from .lines import Numbers, select
from .terms import category_table, customer_table

if TYPE_CHECKING:
    from ..book import Book
    from .aging import AgingReport
    from .figures import DsoReport
    from .provision import ProvisionReport
    from .reconcile import ControlTotals

BASES = ("due", "invoice")


@dataclass
class Ledger:
    """The receivables ledger at one as-of date. See `xlcust.ledger` for the semantics.

    Frames (money in int64 cents; dates datetime64[ns]):

    - `lines`: every Transactions row the ledger uses, amount signed (+debit / −credit)
    - `excluded`: rows left out, with the reason
    - `customers`: one row per customer code, with category, contact and resolved terms
    - `categories`: the Categories sheet (first row per code) with level and reminder days
    - `items`: debit items (invoices, openings, positive adjustments) with what is settled
    - `credits`: receipts, credit notes, negative adjustments with what is applied
    - `allocations`: which credit settled how much of which item, and why
    - `unapplied`: unapplied credit per customer (a Series over `customers`)
    """

    settings: Settings
    as_of: dt.date
    basis: str
    scheme: CodingScheme
    lines: pd.DataFrame
    excluded: pd.DataFrame
    customers: pd.DataFrame
    categories: pd.DataFrame
    items: pd.DataFrame
    credits: pd.DataFrame
    allocations: pd.DataFrame
    unapplied: pd.Series
    replayed_customers: int = 0
    sheet: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # typed Transactions, for reconcile
    # Row positions in `customers`, parallel to lines / items / credits (saves matching codes again).
    line_customer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    item_customer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    credit_customer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    numbers: Numbers | None = field(default=None, repr=False)  # `sheet`'s code columns numbered
    # Customer figures already computed, per window: grades, warnings and the rules all read them.
    _figures: dict[int, pd.DataFrame] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    # Reports. Each lives in its own module; these are the entry points.

    def settlement(self) -> pd.DataFrame:
        from .settlement import settlement

        return settlement(self)

    @cached_property
    def _aging(self) -> AgingReport:
        from .aging import age

        return age(self)

    def aging(self) -> AgingReport:
        return self._aging

    def customer_figures(self, window_months: int = 12) -> pd.DataFrame:
        from .figures import customer_figures

        if window_months not in self._figures:
            self._figures[window_months] = customer_figures(self, window_months)
        return self._figures[window_months].copy()  # a caller's change stays its own

    def dso_by_quarter(self) -> DsoReport:
        from .figures import dso_by_quarter

        return dso_by_quarter(self)

    def provision(self) -> ProvisionReport:
        from .provision import provision

        return provision(self)

    def collections(self) -> pd.DataFrame:
        from .collections import collections

        return collections(self)

    def reconcile(self) -> ControlTotals:
        from .reconcile import reconcile

        return reconcile(self)


def build_ledger(book: Book, as_of: dt.date | None = None, basis: str | None = None) -> Ledger:
    """The ledger of `book` at `as_of` (default: Settings as_of, else today) on `basis`
    (`due` or `invoice`; default: Settings aging_basis). Only transactions dated on or
    before `as_of` count. Raises UsageError for an unknown basis; never for odd data."""
    settings = book.settings
    t = book.transactions
    return build_ledger_from_frames(
        t.data, book.customers.data, book.categories.data, settings, as_of, basis, numbers=Numbers.of(t)
    )


def build_ledger_from_frames(
    transactions: pd.DataFrame,
    customers: pd.DataFrame,
    categories: pd.DataFrame,
    settings: Settings,
    as_of: dt.date | None = None,
    basis: str | None = None,
    *,
    replay_all: bool = False,
    numbers: Numbers | None = None,
) -> Ledger:
    """`build_ledger` on the typed frames themselves (what a Book holds).

    `numbers` are the Transactions' code columns as numbers (`Numbers.of` the Book's table),
    when the caller has them; else they are numbered here.
    """
    as_of = as_of or settings.effective_as_of()
    basis = basis or settings.aging_basis
    if basis not in BASES:
        raise UsageError(msg("aging basis must be 'due' or 'invoice', not '{basis}'", basis=basis))
    scheme = CodingScheme(tuple(settings.coding_scheme))
    as_of_ts = pd.Timestamp(as_of)

    numbers = numbers or Numbers.of_frame(transactions)
    selection = select(transactions, as_of_ts, numbers)
    lines, excluded = selection.lines, selection.excluded
    # The customer table is matched per distinct customer code, not per line.
    code_no, distinct = selection.customer_number, selection.customers
    custs = customer_table(customers, categories, distinct, scheme, settings.default_payment_terms_days)
    cats = category_table(categories, scheme)

    cust_no = custs.index.get_indexer(distinct).astype(np.int64)[code_no]
    amount = lines["amount"].to_numpy(dtype=np.int64)
    day = to_days(lines["date"].to_numpy())
    row = lines["source_row"].to_numpy(dtype=np.int64)
    txn = lines["txn_id"].to_numpy(dtype=object)
    tiebreak = _tiebreak(cust_no, day, np.sign(amount), txn, row)

    is_debit = amount > 0
    is_credit = amount < 0
    di = np.flatnonzero(is_debit)
    ci = np.flatnonzero(is_credit)

    # Due dates of debit items: as typed, else date + the customer's terms.
    explicit_due = lines["due_date"].to_numpy()[di]
    has_due = ~np.isnat(explicit_due)
    terms = custs["terms_days"].to_numpy(dtype=np.int64)[cust_no[di]]
    due = np.where(has_due, to_days(explicit_due), day[di] + terms)

    kept = selection.kept
    ref_index = _match_references(cust_no, numbers.txn_id.numbers[kept], numbers.reference.numbers[kept], di, ci,
                                  len(numbers.txn_id))

    debits = Debits(cust_no[di], day[di], due, tiebreak[di], amount[di])
    credits = Credits(cust_no[ci], day[ci], tiebreak[ci], -amount[ci], ref_index)
    result = allocate(debits, credits, replay_all=replay_all)

    fifo_order = result.debit_order
    texts = _LineTexts(kind=_Repeated(selection.kind_number, selection.kinds), customer=_Repeated(code_no, distinct))
    items = _items_frame(lines, texts, custs, di, cust_no[di], due, has_due, result, as_of_ts, fifo_order)
    credit_frame = _credits_frame(lines, ci, ref_index, result)
    allocations = _allocations_frame(lines, texts, di, ci, result)
    unapplied_cents = np.zeros(len(custs), dtype=np.int64)
    np.add.at(unapplied_cents, cust_no[ci], result.unapplied)  # exact int64 sums
    unapplied = pd.Series(unapplied_cents, index=custs.index, name="unapplied_credit")
    return Ledger(
        settings=settings, as_of=as_of_ts.date(), basis=basis, scheme=scheme, lines=lines, excluded=excluded,
        customers=custs, categories=cats, items=items, credits=credit_frame, allocations=allocations,
        unapplied=unapplied, replayed_customers=result.replayed_customers, sheet=transactions,
        line_customer=cust_no, item_customer=cust_no[di][fifo_order], credit_customer=cust_no[ci], numbers=numbers,
    )


@dataclass(frozen=True)
class _Repeated:
    """A text column with few distinct values (kinds, customer codes) as numbers into them.

    Gathering numbers and then texts from the short list of distinct ones is several
    times faster than gathering the texts themselves in a new order.
    """

    numbers: np.ndarray  # per line
    values: np.ndarray  # the distinct texts (object)

    def at(self, positions: np.ndarray) -> pd.Series:
        """text(column[positions])."""
        return text(self.values[self.numbers[positions]])


@dataclass(frozen=True)
class _LineTexts:
    kind: _Repeated
    customer: _Repeated


def _tiebreak(cust_no: np.ndarray, day: np.ndarray, sign: np.ndarray, txn: np.ndarray, row: np.ndarray
              ) -> np.ndarray:
    """The last sort key of items and credits: the rank of (txn id, row).

    It is only ever compared between debits (sign +1) of one customer on one date, or
    between credits (−1) of one customer on one date: every sort puts customer and
    date first and sorts debits and credits apart. So only those lines are ranked; the
    rest get 0. That keeps the string sort, the slowest step, to the few lines that
    need it.
    """
    tiebreak = np.zeros(len(day), dtype=np.int64)
    if len(day) < 2:
        return tiebreak
    key = (cust_no * (int(day.max() - day.min()) + 1) + (day - day.min())) * 3 + (sign + 1)
    lines = np.flatnonzero(pd.Index(key).duplicated(keep=False) & (sign != 0))
    names, _ = pd.factorize(txn[lines], sort=True)  # a missing txn id (−1) sorts first
    tiebreak[lines[np.lexsort((row[lines], names))]] = np.arange(1, len(lines) + 1)
    return tiebreak


def _match_references(cust_no: np.ndarray, txn: np.ndarray, ref: np.ndarray, di: np.ndarray,
                      ci: np.ndarray, size: int) -> np.ndarray:
    """Per credit: index into the debit items of the item its reference names, or −1.

    `txn` and `ref` are the lines' txn ids and references numbered together (0 … size − 1;
    −1 blank), so references match by number. The item must belong to the same customer;
    with a repeated txn id the first row wins. A reference to another customer's item, to
    a credit or to nothing is no reference (the credit is applied FIFO; the checks report
    the reference).
    """
    out = np.full(len(ci), -1, dtype=np.int64)
    named = np.flatnonzero(ref[ci] >= 0)
    if len(di) == 0 or len(named) == 0:
        return out
    item_code, ref_code = txn[di], ref[ci[named]]
    seen, first_row = np.unique(item_code, return_index=True)
    first = np.full(size + 1, -1, dtype=np.int64)  # the last slot takes items without a txn id (−1)
    first[seen] = first_row
    item = first[ref_code]  # the first item with the referenced txn id …
    ref_customer = cust_no[ci[named]]
    own = (item >= 0) & (cust_no[di][item] == ref_customer)  # … if it is the customer's own
    out[named[own]] = item[own]
    repeated = np.bincount(item_code[item_code >= 0], minlength=size) > 1
    rest = np.flatnonzero(~own & repeated[ref_code])
    if len(rest):
        # A txn id on items of several customers (the checks report it): match on (customer, txn id).
        width = size + 1
        keys, first_row = np.unique(cust_no[di] * width + item_code, return_index=True)
        key = ref_customer[rest] * width + ref_code[rest]
        at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
        found = keys[at] == key
        out[named[rest[found]]] = first_row[at[found]]
    return out


def _items_frame(
    lines: pd.DataFrame, texts: _LineTexts, custs: pd.DataFrame, di: np.ndarray, cust_no: np.ndarray,
    due: np.ndarray, has_due: np.ndarray, result: AllocationResult, as_of: pd.Timestamp, order: np.ndarray,
) -> pd.DataFrame:
    """Debit items in FIFO order (customer, due date, date, txn id, row): `order` of `di`."""
    di, cust_no, due, has_due = di[order], cust_no[order], due[order], has_due[order]
    due_source = np.where(has_due, "explicit", custs["terms_source"].to_numpy(dtype=object)[cust_no])
    amount = lines["amount"].to_numpy(dtype=np.int64)[di]
    date = to_days(lines["date"].to_numpy()[di])
    open_amount = result.open_amount[order]
    settled = result.settled_on[order]
    is_settled = settled != NO_DATE
    late_until = np.where(is_settled, settled, day_of(as_of))
    frame = pd.DataFrame({
        "txn_id": text(lines["txn_id"].to_numpy(dtype=object)[di]),
        "customer_code": texts.customer.at(di),
        "category_code": text(custs["category_code"].to_numpy(dtype=object)[cust_no]),
        "kind": texts.kind.at(di),
        "date": from_days(date),
        "due_date": from_days(due),
        "due_source": text(due_source),
        "amount": amount,
        "settled_amount": amount - open_amount,
        "open_amount": open_amount,
        "settled_on": from_days(settled),
        "days_to_settle": pd.arrays.IntegerArray(np.where(is_settled, settled - date, 0), ~is_settled),
        "days_late": np.maximum(late_until - due, 0),
        "source_row": lines["source_row"].to_numpy(dtype=np.int64)[di],
    }, copy=False)  # every column is a new array: no need for pandas to copy it again
    return with_money(frame, ["amount", "settled_amount", "open_amount"])


def _credits_frame(
    lines: pd.DataFrame, ci: np.ndarray, ref_index: np.ndarray, result: AllocationResult
) -> pd.DataFrame:
    """Credits in sheet order, with what was applied and what is left unapplied."""
    amount = -lines["amount"].to_numpy(dtype=np.int64)[ci]
    frame = pd.DataFrame({
        "txn_id": text(lines["txn_id"].to_numpy(dtype=object)[ci]),
        "customer_code": text(lines["customer_code"].to_numpy(dtype=object)[ci]),
        "kind": text(lines["kind"].to_numpy(dtype=object)[ci]),
        "date": lines["date"].to_numpy()[ci],
        "reference": text(lines["reference"].to_numpy(dtype=object)[ci]),
        "reference_matched": ref_index >= 0,
        "amount": amount,
        "applied_amount": amount - result.unapplied,
        "unapplied_amount": result.unapplied,
        "source_row": lines["source_row"].to_numpy(dtype=np.int64)[ci],
    }, copy=False)
    return with_money(frame, ["amount", "applied_amount", "unapplied_amount"])


_METHODS = np.array(["fifo", "reference"], dtype=object)  # by_reference False / True


def _allocations_frame(lines: pd.DataFrame, texts: _LineTexts, di: np.ndarray, ci: np.ndarray,
                       result: AllocationResult) -> pd.DataFrame:
    """The Allocation table: one row per (credit, item) pair, by credit in time order."""
    credit_line = ci[result.credit]
    debit_line = di[result.debit]
    txn = lines["txn_id"].to_numpy(dtype=object)
    rows = lines["source_row"].to_numpy(dtype=np.int64)
    frame = pd.DataFrame({
        "credit_txn_id": text(txn[credit_line]),
        "credit_kind": texts.kind.at(credit_line),
        "credit_date": lines["date"].to_numpy()[credit_line],
        "invoice_txn_id": text(txn[debit_line]),
        "customer_code": texts.customer.at(debit_line),
        "amount": result.amount,
        "method": text(_METHODS[result.by_reference.astype(np.intp)]),
        "applied_on": from_days(result.applied_on),
        "credit_row": rows[credit_line],
        "invoice_row": rows[debit_line],
    }, copy=False)
    return with_money(frame, ["amount"])
