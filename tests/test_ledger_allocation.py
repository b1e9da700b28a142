"""Allocation: references first, then FIFO in time; against a naive event-by-event model."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlcust.book import Book
from xlcust.ledger import build_ledger, build_ledger_from_frames
from xlcust.ledger.allocation import NO_DATE, Credits, Debits, allocate

# ----------------------------------------------------------------- naive model


def naive_allocate(debits: list[dict], credits: list[dict]) -> tuple[dict, list[int], list[int], list[int]]:
    """The rules of xlcust.ledger.allocation, one step at a time and as plainly as possible.

    Returns ({(credit, debit, method): (amount, applied_on)}, open per debit, unapplied per
    credit, settled_on per debit (NO_DATE while open)).
    """
    d_left = [d["amount"] for d in debits]
    c_left = [c["amount"] for c in credits]
    pieces: dict = {}
    applied: list[list[int]] = [[] for _ in debits]

    def book(c: int, d: int, amount: int, method: str) -> None:
        when = max(credits[c]["date"], debits[d]["date"])
        old = pieces.get((c, d, method), (0, when))
        pieces[(c, d, method)] = (old[0] + amount, max(old[1], when))
        applied[d].append(when)
        d_left[d] -= amount
        c_left[c] -= amount

    time_order = sorted(range(len(credits)), key=lambda c: (credits[c]["date"], credits[c]["tiebreak"]))
    for c in time_order:  # rule 1
        ref = credits[c]["ref"]
        if ref >= 0 and d_left[ref] and c_left[c]:
            book(c, ref, min(d_left[ref], c_left[c]), "reference")

    def fifo_key(d: int) -> tuple:
        return debits[d]["due"], debits[d]["date"], debits[d]["tiebreak"]

    for cust in {d["customer"] for d in debits} | {c["customer"] for c in credits}:  # rule 2
        mine_d = [d for d in range(len(debits)) if debits[d]["customer"] == cust and d_left[d]]
        mine_c = [c for c in time_order if credits[c]["customer"] == cust and c_left[c]]
        events = [(debits[d]["date"], 0, fifo_key(d), d) for d in mine_d]
        events += [(credits[c]["date"], 1, (credits[c]["tiebreak"],), c) for c in mine_c]
        arrived: list[int] = []
        pool: list[int] = []
        for _, is_credit, _, k in sorted(events):
            if not is_credit:
                while pool and d_left[k]:
                    book(pool[0], k, min(c_left[pool[0]], d_left[k]), "fifo")
                    if not c_left[pool[0]]:
                        pool.pop(0)
                arrived.append(k)
            else:
                while c_left[k]:
                    open_items = [d for d in arrived if d_left[d]]
                    if not open_items:
                        pool.append(k)
                        break
                    d = min(open_items, key=fifo_key)
                    book(k, d, min(c_left[k], d_left[d]), "fifo")
    settled = [max(applied[d]) if not d_left[d] and applied[d] else NO_DATE for d in range(len(debits))]
    return pieces, d_left, c_left, settled


def run_vectorised(debits: list[dict], credits: list[dict], replay_all: bool) -> tuple[dict, list, list, list]:
    def arr(rows: list[dict], key: str) -> np.ndarray:
        return np.array([r[key] for r in rows], dtype=np.int64)

    result = allocate(
        Debits(arr(debits, "customer"), arr(debits, "date"), arr(debits, "due"), arr(debits, "tiebreak"),
               arr(debits, "amount")),
        Credits(arr(credits, "customer"), arr(credits, "date"), arr(credits, "tiebreak"), arr(credits, "amount"),
                arr(credits, "ref")),
        replay_all=replay_all,
    )
    pieces: dict = {}
    for c, d, a, t, r in zip(result.credit, result.debit, result.amount, result.applied_on, result.by_reference,
                             strict=True):
        key = (int(c), int(d), "reference" if r else "fifo")
        assert key not in pieces, "one row per credit, item and method"
        assert a > 0
        pieces[key] = (int(a), int(t))
    return pieces, result.open_amount.tolist(), result.unapplied.tolist(), result.settled_on.tolist()


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    n_cust = draw(st.integers(1, 3))
    small = st.integers(1, 6).map(lambda x: x * 50) | st.integers(1, 400)  # ties are where bugs hide
    debits = []
    for i in range(draw(st.integers(0, 9))):
        date = draw(st.integers(0, 40))
        debits.append({"customer": draw(st.integers(0, n_cust - 1)), "date": date,
                       "due": date + draw(st.sampled_from([0, 5, 10, 30, 45])), "tiebreak": i,
                       "amount": draw(small)})
    credits = []
    for i in range(draw(st.integers(0, 9))):
        cust = draw(st.integers(0, n_cust - 1))
        own = [k for k, d in enumerate(debits) if d["customer"] == cust]
        ref = draw(st.sampled_from([-1, *own])) if own else -1
        credits.append({"customer": cust, "date": draw(st.integers(0, 45)), "tiebreak": 100 + i,
                        "amount": draw(small), "ref": ref})
    return debits, credits


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.booleans())
def test_vectorised_allocation_equals_the_naive_model(case: tuple, replay_all: bool) -> None:
    debits, credits = case
    assert run_vectorised(debits, credits, replay_all) == naive_allocate(debits, credits)


@settings(max_examples=300, deadline=None)
@given(ledgers())
def test_allocation_never_creates_or_loses_money(case: tuple) -> None:
    debits, credits = case
    pieces, open_amount, unapplied, _ = run_vectorised(debits, credits, replay_all=False)
    to_credit = [0] * len(credits)
    to_debit = [0] * len(debits)
    for (c, d, _), (amount, _) in pieces.items():
        to_credit[c] += amount
        to_debit[d] += amount
        assert debits[d]["customer"] == credits[c]["customer"]
    for c, credit in enumerate(credits):
        assert to_credit[c] + unapplied[c] == credit["amount"]
        assert 0 <= unapplied[c] <= credit["amount"]
    for d, debit in enumerate(debits):
        assert to_debit[d] <= debit["amount"]
        assert to_debit[d] + open_amount[d] == debit["amount"]
    for cust in {d["customer"] for d in debits}:  # never open items and unapplied credit together
        has_open = any(open_amount[d] for d in range(len(debits)) if debits[d]["customer"] == cust)
        has_credit = any(unapplied[c] for c in range(len(credits)) if credits[c]["customer"] == cust)
        assert not (has_open and has_credit)


@settings(max_examples=200, deadline=None)
@given(ledgers(), st.integers(0, 45))
def test_without_references_the_past_is_a_prefix_of_the_present(case: tuple, cut: int) -> None:
    """Aging at a past date agrees with the full ledger's history when nothing is referenced."""
    debits, credits = case
    for c in credits:
        c["ref"] = -1
    full, *_ = run_vectorised(debits, credits, replay_all=False)
    keep_d = [i for i, d in enumerate(debits) if d["date"] <= cut]
    keep_c = [i for i, c in enumerate(credits) if c["date"] <= cut]
    past, *_ = run_vectorised([debits[i] for i in keep_d], [credits[i] for i in keep_c], replay_all=False)
    renamed = {(keep_c[c], keep_d[d], m): v for (c, d, m), v in past.items()}
    assert renamed == {k: v for k, v in full.items() if v[1] <= cut}


def test_a_later_invoice_falling_due_first_is_replayed_exactly() -> None:
    # A (day 0, due 60) is part paid on day 5; B (day 10, due 20) jumps the queue from then on.
    debits = [
        {"customer": 0, "date": 0, "due": 60, "tiebreak": 0, "amount": 100},
        {"customer": 0, "date": 10, "due": 20, "tiebreak": 1, "amount": 100},
    ]
    credits = [
        {"customer": 0, "date": 5, "tiebreak": 2, "amount": 50, "ref": -1},
        {"customer": 0, "date": 15, "tiebreak": 3, "amount": 120, "ref": -1},
    ]
    pieces, open_amount, unapplied, settled = run_vectorised(debits, credits, replay_all=False)
    assert pieces == {(0, 0, "fifo"): (50, 5), (1, 1, "fifo"): (100, 15), (1, 0, "fifo"): (20, 15)}
    assert open_amount == [30, 0] and unapplied == [0, 0] and settled == [NO_DATE, 15]


# ----------------------------------------------------------- through the Book


def book(transactions: list[tuple], *, as_of: str = "2024-12-31", customers: list[dict] | None = None) -> Book:
    """Transactions as (txn_id, date, customer, kind, amount[, reference[, due_date]])."""
    keys = ("txn_id", "date", "customer_code", "kind", "amount", "reference", "due_date")
    rows = [dict(zip(keys, t, strict=False)) for t in transactions]
    return Book.from_rows(
        settings={"as_of": as_of, "default_payment_terms_days": 30},
        categories=[{"code": "01", "name": "Retail"}],
        customers=customers or [{"code": c, "name": c, "category_code": "01"} for c in ("A", "B")],
        transactions=rows,
    )


def allocations(ledger) -> list[tuple]:
    a = ledger.allocations
    return list(zip(a["credit_txn_id"], a["invoice_txn_id"], a["amount"].astype(int), a["method"],
                    a["applied_on"].dt.strftime("%m-%d"), strict=True))


def settled(ledger) -> dict[str, tuple]:
    i = ledger.items
    return {t: (int(o), None if pd.isna(s) else s.strftime("%m-%d"))
            for t, o, s in zip(i["txn_id"], i["open_amount"], i["settled_on"], strict=True)}


def test_partial_payments_settle_oldest_due_first() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("I2", "2024-01-05", "A", "invoice", 100),
        ("R1", "2024-02-01", "A", "receipt", 60),
        ("R2", "2024-02-10", "A", "receipt", 60),
    ]))
    assert allocations(ledger) == [
        ("R1", "I1", 6000, "fifo", "02-01"), ("R2", "I1", 4000, "fifo", "02-10"), ("R2", "I2", 2000, "fifo", "02-10"),
    ]
    assert settled(ledger) == {"I1": (0, "02-10"), "I2": (8000, None)}


def test_overpayment_leaves_unapplied_credit_and_it_settles_the_next_invoice() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("R1", "2024-01-20", "A", "receipt", 150),
        ("I2", "2024-03-01", "A", "invoice", 80),
    ]))
    assert allocations(ledger) == [("R1", "I1", 10000, "fifo", "01-20"), ("R1", "I2", 5000, "fifo", "03-01")]
    assert settled(ledger) == {"I1": (0, "01-20"), "I2": (3000, None)}
    assert ledger.unapplied["A"] == 0
    before = build_ledger(book([("I1", "2024-01-01", "A", "invoice", 100), ("R1", "2024-01-20", "A", "receipt", 150)]))
    assert before.unapplied["A"] == 5000


def test_credit_note_settles_like_a_receipt() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("CN1", "2024-01-03", "A", "credit_note", 30, "I1"),
        ("R1", "2024-01-10", "A", "receipt", 70),
    ]))
    assert allocations(ledger) == [("CN1", "I1", 3000, "reference", "01-03"), ("R1", "I1", 7000, "fifo", "01-10")]
    assert ledger.allocations["credit_kind"].tolist() == ["credit_note", "receipt"]


def test_receipt_before_invoice_waits_as_unapplied_credit() -> None:
    rows = [("R0", "2024-01-01", "A", "receipt", 100), ("I1", "2024-02-01", "A", "invoice", 100)]
    ledger = build_ledger(book(rows))
    assert allocations(ledger) == [("R0", "I1", 10000, "fifo", "02-01")]
    assert settled(ledger) == {"I1": (0, "02-01")}
    assert ledger.items["days_to_settle"].tolist() == [0]
    past = build_ledger(book(rows, as_of="2024-01-15"))
    assert past.items.empty and past.unapplied["A"] == 10000


def test_reference_to_an_already_paid_invoice_spills_fifo() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("I2", "2024-01-02", "A", "invoice", 100),
        ("R1", "2024-01-10", "A", "receipt", 100, "I1"),
        ("R2", "2024-01-11", "A", "receipt", 100, "I1"),  # I1 already paid: goes to I2
    ]))
    assert allocations(ledger) == [("R1", "I1", 10000, "reference", "01-10"), ("R2", "I2", 10000, "fifo", "01-11")]


def test_receipt_larger_than_its_invoice_spills_to_the_others_fifo() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("I2", "2024-01-02", "A", "invoice", 100),
        ("I3", "2024-01-03", "A", "invoice", 100),
        ("R1", "2024-01-10", "A", "receipt", 150, "I3"),
    ]))
    assert allocations(ledger) == [("R1", "I3", 10000, "reference", "01-10"), ("R1", "I1", 5000, "fifo", "01-10")]


def test_reference_beats_an_earlier_fifo_guess() -> None:
    """R1 names nothing and would pay I1; R2 names I1, so R1 is moved on to I2."""
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("I2", "2024-01-02", "A", "invoice", 100),
        ("R1", "2024-01-10", "A", "receipt", 100),
        ("R2", "2024-01-20", "A", "receipt", 100, "I1"),
    ]))
    assert allocations(ledger) == [("R1", "I2", 10000, "fifo", "01-10"), ("R2", "I1", 10000, "reference", "01-20")]


def test_reference_to_another_customers_invoice_is_ignored() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("I2", "2024-01-01", "B", "invoice", 100),
        ("R1", "2024-01-10", "A", "receipt", 100, "I2"),
    ]))
    assert allocations(ledger) == [("R1", "I1", 10000, "fifo", "01-10")]
    assert not ledger.credits["reference_matched"].any()


def test_reference_to_a_later_invoice_is_a_prepayment_for_it() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("R1", "2024-01-10", "A", "receipt", 100, "I2"),
        ("I2", "2024-02-01", "A", "invoice", 100),
    ]))
    assert allocations(ledger) == [("R1", "I2", 10000, "reference", "02-01")]
    assert settled(ledger) == {"I1": (10000, None), "I2": (0, "02-01")}


def test_same_day_receipt_pays_same_day_invoice() -> None:
    ledger = build_ledger(book([("R1", "2024-01-01", "A", "receipt", 100), ("I1", "2024-01-01", "A", "invoice", 100)]))
    assert allocations(ledger) == [("R1", "I1", 10000, "fifo", "01-01")]


def test_fifo_orders_by_due_date_then_date_then_txn_id() -> None:
    ledger = build_ledger(book([
        ("I3", "2024-01-01", "A", "invoice", 10, None, "2024-02-01"),
        ("I2", "2024-01-01", "A", "invoice", 10, None, "2024-02-01"),
        ("I1", "2024-01-02", "A", "invoice", 10, None, "2024-01-15"),
        ("I0", "2024-01-03", "A", "invoice", 10, None, "2024-02-01"),
        ("R1", "2024-01-10", "A", "receipt", 40),
    ]))
    assert [a[1] for a in allocations(ledger)] == ["I1", "I2", "I3", "I0"]


def test_same_day_credits_apply_in_txn_id_order() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("I2", "2024-01-02", "A", "invoice", 100),
        ("R2", "2024-01-10", "A", "receipt", 100),
        ("R1", "2024-01-10", "A", "receipt", 100),
    ]))
    assert [(a[0], a[1]) for a in allocations(ledger)] == [("R1", "I1"), ("R2", "I2")]


def test_openings_and_adjustments_by_sign() -> None:
    ledger = build_ledger(book([
        ("OB", "2023-12-31", "A", "opening", 50),
        ("ADJ+", "2024-01-01", "A", "adjustment", 20),
        ("ADJ-", "2024-01-02", "A", "adjustment", -30),  # a credit
        ("RF", "2024-01-03", "A", "receipt", -5),  # a refund: a debit
    ]))
    items = ledger.items.set_index("txn_id")
    assert set(items.index) == {"OB", "ADJ+", "RF"}
    assert allocations(ledger) == [("ADJ-", "OB", 3000, "fifo", "01-02")]
    assert ledger.credits["kind"].tolist() == ["adjustment"]
    assert int(items["open_amount"].sum()) == 5000 + 2000 - 3000 + 500


def test_invalid_and_future_rows_are_left_out_with_a_reason() -> None:
    ledger = build_ledger(book([
        ("I1", "2024-01-01", "A", "invoice", 100),
        ("X1", None, "A", "invoice", 100),
        ("X2", "2024-01-01", "A", "invoice", None),
        ("X3", "2024-01-01", "A", "gift", 100),
        ("X4", "2024-01-01", None, "invoice", 100),
        ("X5", "2025-01-01", "A", "invoice", 100),
    ]))
    assert ledger.excluded[["txn_id", "reason"]].values.tolist() == [
        ["X1", "missing_date"], ["X2", "missing_amount"], ["X3", "unknown_kind"], ["X4", "missing_customer"],
        ["X5", "after_as_of"],
    ]
    totals = ledger.reconcile()
    assert (totals.rows_used, totals.rows_excluded, totals.rows_after_as_of, totals.debits) == (1, 4, 1, 10000)


def test_unknown_customer_is_kept_without_category() -> None:
    ledger = build_ledger(book([("I1", "2024-01-01", "ZZ", "invoice", 100)]))
    assert ledger.items["category_code"].tolist() == [None]
    assert not ledger.customers.loc["ZZ", "registered"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_book_level_money_is_conserved_and_reconciles(case: tuple) -> None:
    debits, credits = case
    day0 = dt.date(2024, 1, 1)
    rows = []
    for i, d in enumerate(debits):
        rows.append({"txn_id": f"D{i}", "date": day0 + dt.timedelta(d["date"]), "customer_code": f"C{d['customer']}",
                     "kind": "invoice", "amount": d["amount"], "due_date": day0 + dt.timedelta(d["due"])})
    for i, c in enumerate(credits):
        rows.append({"txn_id": f"K{i}", "date": day0 + dt.timedelta(c["date"]), "customer_code": f"C{c['customer']}",
                     "kind": "receipt", "amount": c["amount"], "reference": f"D{c['ref']}" if c["ref"] >= 0 else None})
    b = Book.from_rows(settings={"as_of": "2024-03-31"}, transactions=rows)
    ledger = build_ledger(b)
    totals = ledger.reconcile()
    assert totals.allocated + totals.unapplied_credit == totals.credits
    assert totals.aging_total == totals.open_items
    replayed = build_ledger_from_frames(b.transactions.data, b.customers.data, b.categories.data, b.settings,
                                        replay_all=True)
    pd.testing.assert_frame_equal(replayed.allocations, ledger.allocations)
    pd.testing.assert_frame_equal(replayed.items, ledger.items)


@pytest.mark.parametrize("as_of", ["2024-01-01", "2024-01-09", "2024-01-10", "2024-06-30"])
def test_as_of_uses_only_transactions_on_or_before_it(as_of: str) -> None:
    rows = [("I1", "2024-01-01", "A", "invoice", 100), ("R1", "2024-01-10", "A", "receipt", 100)]
    ledger = build_ledger(book(rows, as_of="2024-12-31"), as_of=dt.date.fromisoformat(as_of))
    paid = as_of >= "2024-01-10"
    assert settled(ledger) == {"I1": (0, "01-10") if paid else (10000, None)}
    assert len(ledger.allocations) == int(paid)
