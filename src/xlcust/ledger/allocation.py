"""Allocation: which credit settled how much of which debit item, and when.

Works on plain arrays (one entry per debit item, one per credit), all amounts
positive int64 cents, dates int64 day numbers. `xlcust.ledger.core` turns the
Transactions sheet into these arrays and the result back into frames.

The rules
---------
1. **References first.** A credit whose reference names a debit item of the same
   customer pays that item first. The credits referencing one item are applied in
   time order (date, then txn id, then row), each capped at what the earlier ones
   left of the item's amount. A reference is a fact the user typed, so it is honoured
   whatever else happened: an earlier *unreferenced* receipt that FIFO would have
   put on the same invoice moves on to the next one. What a referenced credit cannot
   place (its invoice was already paid by other references, or it is larger than the
   invoice) spills into rule 2 like an unreferenced credit. A reference to an item
   dated after the credit is a prepayment for that item: it is applied when the item
   appears (`applied_on` = the item's date).
2. **FIFO for the rest, in time.** The remaining credits are replayed in time order
   against the remaining debit amounts as they fall due to be paid:
   - a credit pays the open debit items *that exist on its date* in FIFO order: due
     date, then date, then txn id (then row), until it is used up;
   - what is left is unapplied credit, held in credit order; a debit item that
     appears later takes from it at once (`applied_on` = the item's date). This is
     how a receipt dated before its invoice (an advance payment) is handled;
   - on one date, debit items are booked before credits, so a receipt can pay an
     invoice of the same day.
   So a credit never pays an invoice that did not exist yet while an older one was
   open, and the allocation up to any date depends only on the transactions up to
   that date (aging at a past as-of date agrees with the full ledger's history,
   except where a later reference re-points a payment, rule 1).

`applied_on` of an allocation is the day it took effect: the later of the credit's
date and the item's date. An item's `settled_on` is the largest
`applied_on` among its allocations once nothing is left open.

How it is computed
------------------
Rule 1 is a grouped cumulative sum over the referenced credits per item.

Rule 2 is an interval merge: per customer, the remaining debit amounts are laid end
to end in FIFO order ([P, P + a) in "cent" coordinates) and the remaining credits in
time order; cent x of credit goes to the debit whose interval holds x. This equals
the replay exactly when every debit item already exists when the first cent meant
for it is applied, i.e. when for each item i with P_i < Σ credits:
date_i ≤ max(date of the credit holding cent P_i, first date by which the debits
that exist hold more than P_i cents). Customers who fail that test (a later invoice
falls due before an older one that is part paid) are replayed exactly, one Python
step per transaction of those customers only. `AllocationResult.replayed_customers`
says how many there were.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np

from ._frames import NO_DATE, group_cumsum, lexsort, sum_by


@dataclass(frozen=True)
class Debits:
    """Debit items: invoices, openings, positive adjustments (and refunds)."""

    customer: np.ndarray  # int64 customer number, 0 … n_customers − 1
    date: np.ndarray  # int64 day number
    due: np.ndarray  # int64 day number
    tiebreak: np.ndarray  # int64 rank of (txn id, row): the last FIFO key
    amount: np.ndarray  # int64 cents, > 0


@dataclass(frozen=True)
class Credits:
    """Credits: receipts, credit notes, negative adjustments."""

    customer: np.ndarray
    date: np.ndarray
    tiebreak: np.ndarray
    amount: np.ndarray  # int64 cents, > 0
    reference: np.ndarray  # int64 index into Debits, −1 for none


@dataclass(frozen=True)
class AllocationResult:
    """Allocations (parallel arrays, indices into the inputs) and what is left."""

    credit: np.ndarray
    debit: np.ndarray
    amount: np.ndarray
    applied_on: np.ndarray
    by_reference: np.ndarray  # bool
    open_amount: np.ndarray  # per debit
    unapplied: np.ndarray  # per credit
    settled_on: np.ndarray  # per debit, NO_DATE while open
    replayed_customers: int
    debit_order: np.ndarray  # the debits in FIFO order (customer, due date, date, tiebreak)


def allocate(debits: Debits, credits: Credits, *, replay_all: bool = False) -> AllocationResult:
    """Allocate credits to debit items by the rules in the module docstring.

    `replay_all` sends every customer through the exact replay (tests compare it
    with the interval merge).
    """
    n_cust = int(max(debits.customer.max(initial=-1), credits.customer.max(initial=-1))) + 1
    # Work in sorted positions: debits in FIFO order, credits in time order, by customer.
    d_ord = lexsort((debits.tiebreak, debits.date, debits.due, debits.customer))
    c_ord = lexsort((credits.tiebreak, credits.date, credits.customer))
    d_pos = np.empty_like(d_ord)
    d_pos[d_ord] = np.arange(len(d_ord))
    d_cust, d_date, d_amount = debits.customer[d_ord], debits.date[d_ord], debits.amount[d_ord]
    c_cust, c_date, c_amount = credits.customer[c_ord], credits.date[c_ord], credits.amount[c_ord]
    c_ref = credits.reference[c_ord]
    if len(d_pos):
        c_ref = np.where(c_ref >= 0, d_pos[np.maximum(c_ref, 0)], -1)

    r_credit, r_debit, r_amount = _by_reference(c_amount, c_ref, d_amount)
    d_left = d_amount - sum_by(r_debit, r_amount, len(d_amount))
    c_left = c_amount - sum_by(r_credit, r_amount, len(c_amount))
    r_time = np.maximum(c_date[r_credit], d_date[r_debit])

    f_credit, f_debit, f_amount, f_time, replayed = _fifo(
        d_cust, d_date, d_left, c_cust, c_date, c_left, n_cust, replay_all
    )
    open_amount = d_left - sum_by(f_debit, f_amount, len(d_amount))
    unapplied = c_left - sum_by(f_credit, f_amount, len(c_amount))

    credit = np.concatenate([r_credit, f_credit])
    debit = np.concatenate([r_debit, f_debit])
    amount = np.concatenate([r_amount, f_amount])
    applied_on = np.concatenate([r_time, f_time])
    by_ref = np.concatenate([np.ones(len(r_credit), bool), np.zeros(len(f_credit), bool)])
    settled = np.full(len(d_amount), NO_DATE, dtype=np.int64)
    np.maximum.at(settled, debit, applied_on)
    settled[open_amount > 0] = NO_DATE

    # Readable order: by credit (time order), reference part first, then items in FIFO order.
    order = lexsort((debit, ~by_ref, credit))
    credit, debit, amount, applied_on, by_ref = (a[order] for a in (credit, debit, amount, applied_on, by_ref))

    out_open = np.empty_like(open_amount)
    out_open[d_ord] = open_amount
    out_settled = np.empty_like(settled)
    out_settled[d_ord] = settled
    out_unapplied = np.empty_like(unapplied)
    out_unapplied[c_ord] = unapplied
    return AllocationResult(
        credit=c_ord[credit], debit=d_ord[debit], amount=amount, applied_on=applied_on,
        by_reference=by_ref, open_amount=out_open, unapplied=out_unapplied, settled_on=out_settled,
        replayed_customers=replayed, debit_order=d_ord,
    )


# ------------------------------------------------------------------ helpers


def _by_reference(c_amount: np.ndarray, c_ref: np.ndarray, d_amount: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rule 1: referenced credits pay their item in time order, capped at its amount."""
    referenced = np.flatnonzero(c_ref >= 0)
    order = referenced[np.argsort(c_ref[referenced], kind="stable")]  # time order kept per item
    item = c_ref[order]
    amount = c_amount[order]
    before = group_cumsum(amount, item) - amount
    paid = np.clip(d_amount[item] - before, 0, amount)
    keep = paid > 0
    return order[keep], item[keep], paid[keep]


def _fifo(
    d_cust: np.ndarray, d_date: np.ndarray, d_left: np.ndarray,
    c_cust: np.ndarray, c_date: np.ndarray, c_left: np.ndarray,
    n_cust: int, replay_all: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Rule 2 over what rule 1 left; returns (credit, debit, amount, applied_on, replayed)."""
    dk = np.flatnonzero(d_left > 0)  # still FIFO-sorted by customer
    ck = np.flatnonzero(c_left > 0)  # still time-sorted by customer
    dc, dd, da = d_cust[dk], d_date[dk], d_left[dk]
    cc, cd, ca = c_cust[ck], c_date[ck], c_left[ck]
    d_total = sum_by(dc, da, n_cust)
    c_total = sum_by(cc, ca, n_cust)
    applied = np.minimum(d_total, c_total)
    # One cent line for all customers: customer k owns [base_k, base_k + span_k).
    span = np.maximum(d_total, c_total) + 1
    base = np.cumsum(span) - span
    d_end = base[dc] + group_cumsum(da, dc)
    d_start = d_end - da
    c_end = base[cc] + group_cumsum(ca, cc)
    # Debits in the order they appear (date, then FIFO position): the cents that exist by a date.
    arrival = lexsort((np.arange(len(dk)), dd, dc))
    a_end = base[dc[arrival]] + group_cumsum(da[arrival], dc[arrival])
    a_date = dd[arrival]

    def appeared_by(cent: np.ndarray) -> np.ndarray:
        """First date by which the existing debits of the customer hold more than `cent`."""
        return a_date[np.searchsorted(a_end, cent, side="right")]

    def credit_at(cent: np.ndarray) -> np.ndarray:
        return np.minimum(np.searchsorted(c_end, cent, side="right"), max(len(ck) - 1, 0))

    # The interval merge is exact for a customer unless some item is due to get cents
    # before it exists (see the module docstring).
    reached = (d_start - base[dc]) < c_total[dc]
    replay = np.zeros(n_cust, dtype=bool)
    if reached.any():
        first_cent = d_start[reached]
        when = np.maximum(cd[credit_at(first_cent)], appeared_by(first_cent))
        replay[dc[reached][dd[reached] > when]] = True
    if replay_all:
        replay[:] = True
    replay &= applied > 0

    # Interval merge for the others: a piece starts at every debit or credit start.
    fast_d = ~replay[dc]
    fast_c = ~replay[cc]
    starts = np.concatenate([d_start[fast_d], (c_end - ca)[fast_c]])
    owner = np.concatenate([dc[fast_d], cc[fast_c]])
    starts, first = np.unique(starts, return_index=True)
    owner = owner[first]
    inside = starts < base[owner] + applied[owner]
    starts = starts[inside]
    piece_d = np.searchsorted(d_end, starts, side="right")
    piece_c = np.searchsorted(c_end, starts, side="right")
    ends = np.minimum(d_end[piece_d], c_end[piece_c])
    # A credit pays items that exist on its date, and unapplied credit is taken when an item
    # appears, so an allocation takes effect on the later of the two dates.
    when = np.maximum(cd[piece_c], dd[piece_d])

    credit, debit, amount, time = [ck[piece_c]], [dk[piece_d]], [ends - starts], [when]
    replayed = np.flatnonzero(replay)
    if len(replayed):
        # The replayed customers' debits and credits as plain lists, one slice per customer.
        rd, rc = np.flatnonzero(replay[dc]), np.flatnonzero(replay[cc])
        d_lo, d_hi = np.searchsorted(dc[rd], replayed), np.searchsorted(dc[rd], replayed, side="right")
        c_lo, c_hi = np.searchsorted(cc[rc], replayed), np.searchsorted(cc[rc], replayed, side="right")
        d_date, d_amount, c_date, c_amount = dd[rd].tolist(), da[rd].tolist(), cd[rc].tolist(), ca[rc].tolist()
        pieces, p_credit, p_debit, p_amount, p_time = [], [], [], [], []
        for k0, k1, j0, j1 in zip(d_lo.tolist(), d_hi.tolist(), c_lo.tolist(), c_hi.tolist(), strict=True):
            pc, pd_, pa, pt = _replay(d_date[k0:k1], d_amount[k0:k1], c_date[j0:j1], c_amount[j0:j1])
            pieces.append(len(pa))
            p_credit += pc
            p_debit += pd_
            p_amount += pa
            p_time += pt
        # Back from each customer's own numbering to positions in the sorted arrays.
        credit.append(ck[rc[np.repeat(c_lo, pieces) + np.asarray(p_credit, dtype=np.int64)]])
        debit.append(dk[rd[np.repeat(d_lo, pieces) + np.asarray(p_debit, dtype=np.int64)]])
        amount.append(np.asarray(p_amount, dtype=np.int64))
        time.append(np.asarray(p_time, dtype=np.int64))
    return (np.concatenate(credit), np.concatenate(debit), np.concatenate(amount), np.concatenate(time),
            len(replayed))


def _replay(
    d_date: list[int], d_amount: list[int], c_date: list[int], c_amount: list[int]
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Rule 2 for one customer, event by event. Debits are given in FIFO order (index =
    priority), credits in time order. Returns (credit, debit, amount, applied_on) lists."""
    arrival = sorted(range(len(d_date)), key=lambda i: (d_date[i], i))
    left = list(d_amount)
    open_items: list[int] = []  # heap of FIFO positions
    pool: deque[list[int]] = deque()  # [credit, unapplied] in credit order
    out_c: list[int] = []
    out_d: list[int] = []
    out_a: list[int] = []
    out_t: list[int] = []
    i = j = 0
    while i < len(arrival) or j < len(c_date):
        if i < len(arrival) and (j == len(c_date) or d_date[arrival[i]] <= c_date[j]):
            item = arrival[i]
            i += 1
            while pool and left[item]:
                entry = pool[0]
                take = min(entry[1], left[item])
                out_c.append(entry[0])
                out_d.append(item)
                out_a.append(take)
                out_t.append(d_date[item])
                left[item] -= take
                entry[1] -= take
                if not entry[1]:
                    pool.popleft()
            if left[item]:
                heapq.heappush(open_items, item)
        else:
            credit = j
            j += 1
            rest = c_amount[credit]
            while open_items and rest:
                item = open_items[0]
                take = min(rest, left[item])
                out_c.append(credit)
                out_d.append(item)
                out_a.append(take)
                out_t.append(c_date[credit])
                left[item] -= take
                rest -= take
                if not left[item]:
                    heapq.heappop(open_items)
            if rest:
                pool.append([credit, rest])
    return out_c, out_d, out_a, out_t
