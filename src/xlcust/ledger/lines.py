"""Ledger lines: the Transactions rows the ledger uses, with a signed amount.

Which rows count. A row is *left out* of the ledger (and listed in `excluded` with a
reason; the checks report it to the user) when it has no date (`missing_date`), no
amount (`missing_amount`), a kind that is blank or not one of the five
(`unknown_kind`), or no customer code (`missing_customer`). A row dated after the
as-of date is left out as `after_as_of`: a report at a past date sees only what had
happened by then. A customer code that is not in the Customers sheet is kept (the
money is real); such a customer has no category and takes the default terms.

Sign. Users type positive amounts and the kind gives the direction (DESIGN §2):

    invoice, opening, adjustment   debit   (the customer owes more)   amount = +typed
    credit_note, receipt           credit  (the customer owes less)   amount = −typed

A negative typed amount turns the direction round, for every kind alike: a negative
adjustment is a credit (the issue's rule), a negative invoice (a 红字 invoice typed as
such) is a credit, a negative receipt (a refund paid out) is a debit, a negative
opening (a customer who started in credit) is a credit. So the signed amount always
says what the row does to the balance and nothing typed is lost. Zero rows move
nothing; they stay in `lines` (they are transactions) but are neither debit items
nor credits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..tables import Numbered, SheetTable, number_columns
from ._frames import text, text_values

SIGN: dict[str, int] = {"invoice": 1, "opening": 1, "adjustment": 1, "credit_note": -1, "receipt": -1}

REASONS = ("missing_date", "missing_amount", "unknown_kind", "missing_customer", "after_as_of")
LINE_COLUMNS = ("source_row", "txn_id", "customer_code", "kind", "date", "due_date", "reference", "amount")


@dataclass(frozen=True)
class Selection:
    """The lines and the rows left out, with each line's kind and customer code as a number
    into the distinct values (the ledger reuses them instead of hashing the texts again)."""

    lines: pd.DataFrame
    excluded: pd.DataFrame
    kind_number: np.ndarray  # per line, into `kinds`
    kinds: np.ndarray  # object
    customer_number: np.ndarray  # per line, into `customers`
    customers: np.ndarray  # object: the lines' distinct customer codes, in order of first appearance
    kept: np.ndarray  # per line, its position among the sheet's rows


@dataclass(frozen=True)
class Rows:
    """Which Transactions rows are ledger lines, per sheet row, before any frame is built."""

    reason: np.ndarray  # index into REASONS, len(REASONS) when the row is a line
    sign: np.ndarray  # +1 / −1 by kind (float; NaN for an unknown or blank kind)
    kind: Numbered
    customer: Numbered

    @property
    def kept(self) -> np.ndarray:
        """Positions of the lines among the sheet's rows, in sheet order."""
        return np.flatnonzero(self.reason == len(REASONS))


@dataclass(frozen=True)
class Numbers:
    """The Transactions' code columns as numbers (`SheetTable.numbered`); txn ids and references
    are numbered together, so a reference's number is that of the txn id it names."""

    kind: Numbered
    customer: Numbered
    txn_id: Numbered
    reference: Numbered

    @classmethod
    def of(cls, table: SheetTable) -> Numbers:
        """A Book's table numbers each column once, whoever asks first."""
        return cls(table.numbered("kind"), table.numbered("customer_code"),
                   *table.numbered_together("txn_id", "reference"))

    @classmethod
    def of_frame(cls, transactions: pd.DataFrame) -> Numbers:
        """Numbered here, for a typed frame that did not come with its table."""
        (kind,), (customer,) = number_columns([transactions["kind"]]), number_columns([transactions["customer_code"]])
        return cls(kind, customer, *number_columns([transactions["txn_id"], transactions["reference"]]))


def classify(transactions: pd.DataFrame, as_of: pd.Timestamp, kind: Numbered, customer: Numbered) -> Rows:
    """Each row's reason to be left out (or none), and its kind's sign, from the numbered kinds and customers."""
    t = transactions
    # One look-up per distinct kind and customer code; a blank (number −1) picks the value on the end.
    sign = np.append(np.array([SIGN.get(k, np.nan) for k in kind.values], dtype=float), np.nan)[kind.numbers]
    no_customer = np.append(np.array([c == "" for c in customer.values], dtype=bool), True)[customer.numbers]
    dates = t["date"].to_numpy(dtype="datetime64[ns]")
    tests = (
        np.isnat(dates),  # missing_date
        t["amount"].isna().to_numpy(),  # missing_amount
        np.isnan(sign),  # unknown_kind
        no_customer,  # missing_customer
        dates > as_of.to_datetime64(),  # after_as_of, for rows that are otherwise valid
    )
    # The first reason that applies, as a number (len(REASONS): none, the row is kept).
    reason = np.select(tests, np.arange(len(REASONS)), len(REASONS))
    return Rows(reason, sign, kind, customer)


def select_lines(transactions: pd.DataFrame, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(lines, excluded) from the typed Transactions frame (index = Excel row).

    `lines` has LINE_COLUMNS, `amount` signed int64 cents, in sheet order.
    `excluded` has source_row, txn_id, reason (the first reason that applies).
    """
    selection = select(transactions, as_of)
    return selection.lines, selection.excluded


def select(transactions: pd.DataFrame, as_of: pd.Timestamp, numbers: Numbers | None = None) -> Selection:
    """`select_lines` with the kinds and customer codes numbered (see `Selection`).

    `numbers` are the frame's code columns numbered (`Numbers.of` a Book's table); made here when not given.
    """
    t = transactions
    if numbers is None:
        (kind,), (customer,) = number_columns([t["kind"]]), number_columns([t["customer_code"]])
    else:
        kind, customer = numbers.kind, numbers.customer
    rows_of = classify(t, as_of, kind, customer)
    reason, sign, kind, customer = rows_of.reason, rows_of.sign, rows_of.kind, rows_of.customer
    keep = reason == len(REASONS)
    left_out = np.flatnonzero(~keep)
    kept = np.flatnonzero(keep)

    rows = t.index.to_numpy(dtype=np.int64)
    txn_ids = text_values(t["txn_id"])
    excluded = pd.DataFrame({
        "source_row": rows[left_out],
        "txn_id": text(txn_ids[left_out]),
        "reason": text(np.array(REASONS, dtype=object)[reason[left_out]]),
    }, copy=False)
    amount = t["amount"].to_numpy(dtype=np.int64, na_value=0)[kept] * sign[kept].astype(np.int64)
    kinds = np.asarray(kind.values, dtype=object)
    lines = pd.DataFrame({
        "source_row": rows[kept],
        "txn_id": text(txn_ids[kept]),
        "customer_code": text(customer.values[customer.numbers[kept]]),  # every line has one
        "kind": text(kinds[kind.numbers[kept]]),
        "date": t["date"].to_numpy(dtype="datetime64[ns]")[kept],
        "due_date": t["due_date"].to_numpy(dtype="datetime64[ns]")[kept],
        "reference": text(text_values(t["reference"])[kept]),
        "amount": amount,
    }, copy=False)  # every column is a new array
    # Only the customers the lines use, numbered as factorizing the lines' codes would.
    line_customer, used = pd.factorize(customer.numbers[kept])
    return Selection(lines, excluded, kind.numbers[kept], kinds, line_customer,
                     np.asarray(customer.values, dtype=object)[used], kept)
