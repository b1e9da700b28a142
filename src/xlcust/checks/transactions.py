"""Transactions (往来明细): ids, customers, kinds, dates, amounts, references.

This sheet can fill Excel (1,048,575 rows), so every check selects its rows with
vectorised masks and loops only over the rows that become findings.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..book import Book
from ..findings import Finding, error, info, warning
from ..i18n import N_, Msg, msg
from ..schema import KIND_TEXT, KIND_ZH, KINDS
from ..tables import Numbered
from .cells import (
    date_text,
    dates_as_text,
    invalid_dates,
    money,
    odd_cells,
    rows_with,
    shown,
)
from .scaffold import blank_rows, per_cell, readable

# Kinds whose amount may be negative: an adjustment carries its own sign.
SIGNED_KINDS = ("adjustment",)
# What a receipt or credit note may settle.
SETTLED_KINDS = ("invoice", "opening")
SETTLING_KINDS = ("receipt", "credit_note")


def _rows(mask: pd.Series | np.ndarray, index: pd.Index) -> pd.Index:
    return index[np.asarray(mask, dtype=bool)]


def check_transaction_cells(book: Book) -> Iterator[Finding]:
    """Excel error values (amounts aside: TXN_AMOUNT_ERROR_VALUE), codes with stray spaces."""
    yield from odd_cells(book.transactions, "TXN", skip=("amount",))


def check_txn_ids(book: Book) -> Iterator[Finding]:
    """Every transaction has an id (单据号), used once."""
    t = book.transactions
    if not readable(t, "txn_id"):
        return
    ids, _refs = t.numbered_together("txn_id", "reference")
    yield from per_cell(error, "TXN_ID_MISSING", t, "txn_id", blank_rows(t, "txn_id"),
                        msg("Txn ID is blank"),
                        msg("Give every transaction its voucher or invoice number; receipts refer to invoices by it"))
    rows = t.data.index.to_numpy()
    first = _first_positions(ids.numbers, len(ids))
    # A row repeats an id when the id's first row is an earlier one (a blank id, −1, repeats nothing).
    later = np.flatnonzero((ids.numbers >= 0) & (first[ids.numbers] != np.arange(len(rows))))
    for at in later:
        row, txn_id = int(rows[at]), ids.values[ids.numbers[at]]
        first_row = int(rows[first[ids.numbers[at]]])
        yield error(
            "TXN_DUPLICATE_ID", t.name,
            msg("Txn ID '{txn_id}' is already used on row {first}", txn_id=txn_id, first=first_row),
            **t.where("txn_id", row), value=txn_id,
            suggestion=msg("Give this transaction its own id, or delete it if it repeats row {first}",
                           first=first_row),
        )


def check_txn_customers(book: Book) -> Iterator[Finding]:
    """Every transaction names a customer that is on the Customers sheet."""
    t = book.transactions
    if not readable(t, "customer_code"):
        return
    customer = t.numbered("customer_code")  # each distinct code looked up once
    yield from per_cell(error, "TXN_CUSTOMER_MISSING", t, "customer_code", blank_rows(t, "customer_code"),
                        msg("Customer code is blank"),
                        msg("Type the code of the customer from the Customers sheet"))
    customers = book.customers
    if not readable(customers, "code"):
        return  # SHEET_MISSING / HDR_MISSING_COLUMN already say why nothing can match
    known = customers.data["code"].dropna()
    # A blank code (−1) is TXN_CUSTOMER_MISSING.
    is_known = np.append(pd.Index(customer.values, dtype=object).isin(known.to_numpy(dtype=object)), True)
    at = np.flatnonzero(~is_known[customer.numbers])
    if not len(at):
        return
    unknown = pd.Series(customer.values[customer.numbers[at]], index=t.data.index[at], dtype=object)
    as_number = set(rows_with(t, "customer_code", "number"))
    if as_number:
        lengths = sorted(known.str.len().unique())
        known_set = set(known)
    for row, code in unknown.items():
        hint = msg("Add the customer to the Customers sheet first, or correct the code")
        if row in as_number:
            padded = next((code.zfill(n) for n in lengths if code.zfill(n) in known_set), None)
            if padded is not None:
                hint = msg("The cell is a number; format the column as Text and type '{padded}'", padded=padded)
        yield error(
            "TXN_CUSTOMER_UNKNOWN", t.name, msg("Customer '{code}' is not on the Customers sheet", code=code),
            **t.where("customer_code", row), value=shown(t, "customer_code", row), suggestion=hint,
        )


TRANSACTION, UNKNOWN_KIND = N_("transaction"), N_("row of unknown kind")


class _AcceptedKinds:
    """The kind words a user may type, as a message parameter: both languages' words for an
    English reader (either is accepted), the Chinese words for a Chinese one."""

    def render(self, lang: str) -> str:
        if lang == "zh":
            return "、".join(KIND_ZH[k] for k in KINDS)
        return "; ".join(f"{k} / {KIND_ZH[k]}" for k in KINDS)


def _accepted_kinds() -> Msg:
    return msg("Type one of: {kinds}", kinds=_AcceptedKinds())


def kind_text(kind: object, unknown: str) -> Msg:
    """A kind named in a message, in the reader's language; `unknown` when blank or not a kind."""
    return msg(KIND_TEXT.get(str(kind), unknown) if kind else unknown)


def check_txn_kinds(book: Book) -> Iterator[Finding]:
    """Every transaction has a known kind, in English or Chinese."""
    t = book.transactions
    if not readable(t, "kind"):
        return
    t.numbered("kind")  # (blank_rows reads the blanks off the numbers)
    yield from per_cell(error, "TXN_KIND_MISSING", t, "kind", blank_rows(t, "kind"),
                        msg("Kind is blank"),
                        _accepted_kinds())
    for row in rows_with(t, "kind", "bad"):
        value = shown(t, "kind", row)
        yield error(
            "TXN_KIND_UNKNOWN", t.name, msg("Kind '{value}' is not a transaction kind", value=value),
            **t.where("kind", row), value=value, suggestion=_accepted_kinds(),
        )


def check_txn_dates(book: Book) -> Iterator[Finding]:
    """Dates (and due dates) are real dates; a date typed as text is read but flagged."""
    t = book.transactions
    if not t.present:
        return
    if t.has("date"):
        yield from per_cell(error, "TXN_DATE_MISSING", t, "date", blank_rows(t, "date"),
                            msg("Date is blank"),
                            msg("Type the transaction date, e.g. 2024-01-05"))
    for field in ("date", "due_date"):
        if t.has(field):
            yield from dates_as_text(t, field, "TXN_DATE_TEXT")
            yield from invalid_dates(t, field, "TXN_DATE_INVALID")


def check_txn_future_dates(book: Book) -> Iterator[Finding]:
    """Transactions dated after the as-of date are noted (they count in no report up to as-of)."""
    t = book.transactions
    if not readable(t, "date"):
        return
    as_of = pd.Timestamp(book.settings.effective_as_of())
    as_of_text = as_of.date().isoformat()
    dates = t.data["date"]
    later = dates[(dates > as_of).to_numpy()]
    # A registry can hold many later-dated rows but few distinct dates: write each date once.
    codes, days = pd.factorize(later)
    texts = [date_text(day) for day in days]
    for row, code in zip(later.index, codes, strict=True):
        text = texts[code]
        yield info(
            "TXN_DATE_FUTURE", t.name, msg("Date {date} is after the as-of date {as_of}", date=text, as_of=as_of_text),
            **t.where("date", row), value=text,
            suggestion=msg("Check the year; otherwise nothing to do (later reports will include it)"),
        )


def check_txn_amount_cells(book: Book) -> Iterator[Finding]:
    """Amounts are numbers: present, no error values, no text that is not a number, whole cents."""
    t = book.transactions
    if not readable(t, "amount"):
        return
    yield from per_cell(error, "TXN_AMOUNT_MISSING", t, "amount", blank_rows(t, "amount"),
                        msg("Amount is blank"),
                        msg("Type the amount as a positive number; the kind gives the sign"))
    for row in rows_with(t, "amount", "error_value"):
        value = shown(t, "amount", row)
        yield error(
            "TXN_AMOUNT_ERROR_VALUE", t.name, msg("Amount holds the Excel error {value}; it cannot be counted",
                                                  value=value),
            **t.where("amount", row), value=value,
            suggestion=msg("Fix the formula that gives the error, or type the amount"),
        )
    for row in rows_with(t, "amount", "bad"):
        value = shown(t, "amount", row)
        yield error(
            "TXN_AMOUNT_INVALID", t.name, msg("Amount '{value}' is not a number", value=value),
            **t.where("amount", row), value=value,
            suggestion=msg("Type the amount as a number such as 1200.50 (commas only between thousands)"),
        )
    amounts = t.data["amount"]
    for row in rows_with(t, "amount", "text"):
        value = shown(t, "amount", row)
        yield warning(
            "TXN_AMOUNT_TEXT", t.name, msg("Amount '{value}' is a number stored as text; read as {amount}",
                                           value=value, amount=money(amounts[row])),
            **t.where("amount", row), value=value,
            suggestion=msg("Convert the cell to a number (Excel's green-triangle menu → Convert to Number)"),
        )
    for row in rows_with(t, "amount", "fraction"):
        value = shown(t, "amount", row)
        yield warning(
            "TXN_AMOUNT_FRACTION", t.name,
            msg("Amount {value} has fractions of a cent; counted as {amount}", value=value, amount=money(amounts[row])),
            **t.where("amount", row), value=value,
            suggestion=msg("Round the amount to the cent, e.g. =ROUND(...,2) in the formula that makes it"),
        )


def check_txn_amount_signs(book: Book) -> Iterator[Finding]:
    """Amounts are positive (the kind gives the sign); only adjustments may be negative."""
    t = book.transactions
    if not readable(t, "amount"):
        return
    amounts = t.data["amount"]
    kinds = t.data["kind"]
    below_zero = t.data.index[(amounts < 0).fillna(False).to_numpy(dtype=bool)]
    negative = below_zero[~kinds.loc[below_zero].isin(SIGNED_KINDS).to_numpy()]  # kinds of these rows only
    for row in negative:
        yield error(
            "TXN_AMOUNT_NEGATIVE", t.name,
            msg("Amount {amount} is negative on a {kind}; amounts are positive and the kind gives the sign",
                amount=money(amounts[row]), kind=kind_text(kinds[row], TRANSACTION)),
            **t.where("amount", row), value=shown(t, "amount", row),
            suggestion=msg("Type the amount without the minus sign and choose the kind (a refund of an invoice "
                           "is a credit_note); for an opening credit balance use an adjustment"),
        )
    zero = (amounts == 0).fillna(False).to_numpy(dtype=bool)
    for row in t.data.index[zero]:
        yield warning(
            "TXN_AMOUNT_ZERO", t.name, msg("Amount is zero"),
            **t.where("amount", row), value=shown(t, "amount", row),
            suggestion=msg("Delete the row if it records nothing, or type the amount"),
        )


def check_txn_due_dates(book: Book) -> Iterator[Finding]:
    """A due date is not before the transaction date."""
    t = book.transactions
    if not readable(t, "due_date", "date"):
        return
    due, date = t.data["due_date"], t.data["date"]
    early = (due < date).to_numpy()
    for row in t.data.index[early]:
        yield error(
            "TXN_DUE_BEFORE_DATE", t.name,
            msg("Due date {due} is before the transaction date {date}",
                due=date_text(due[row]), date=date_text(date[row])),
            **t.where("due_date", row), value=date_text(due[row]),
            suggestion=msg("Correct the due date, or leave it blank to use the payment terms"),
        )


def check_txn_references(book: Book) -> Iterator[Finding]:
    """A receipt or credit note's reference names an invoice (or opening balance) of the same customer."""
    t = book.transactions
    if not readable(t, "reference", "txn_id"):
        return
    d = t.data
    settling, settled = _of_kinds(t.numbered("kind"), SETTLING_KINDS, SETTLED_KINDS)
    ids, refs_numbered = t.numbered_together("txn_id", "reference")  # a reference's number is its txn id's
    settling &= refs_numbered.numbers >= 0
    if not settling.any():
        return
    rows = d.index.to_numpy()
    # Positions (not rows) of the references and of what they may settle; a million rows
    # hold hundreds of thousands of each.
    at_ref, at_invoice = np.flatnonzero(settling), np.flatnonzero(settled)
    ref_code = refs_numbered.numbers[at_ref]
    refs = ids.values[ref_code]
    invoice_of = _first_positions(ids.numbers[at_invoice], len(ids))[ref_code]  # into at_invoice; -1: none
    unknown = np.flatnonzero(invoice_of < 0)
    if len(unknown):
        # What an unknown reference names instead, if anything: the first row with that id.
        first_at = _first_positions(ids.numbers, len(ids))[ref_code[unknown]]
        first_row = {refs[j]: rows[at] for j, at in zip(unknown, first_at, strict=True) if at >= 0}
        for j in unknown:
            ref = refs[j]
            other = first_row.get(ref)
            if other is not None:
                message = msg("Reference '{ref}' is row {other}, a {kind}, not an invoice", ref=ref, other=other,
                              kind=kind_text(d.at[other, "kind"], UNKNOWN_KIND))
            else:
                message = msg("Reference '{ref}' is not the Txn ID of any invoice", ref=ref)
            yield error(
                "TXN_REFERENCE_UNKNOWN", t.name, message,
                **t.where("reference", rows[at_ref[j]]), value=ref,
                suggestion=msg("Type the Txn ID of the invoice this settles, or leave Reference blank to settle "
                               "the oldest open invoices"),
            )
    found = np.flatnonzero(invoice_of >= 0)
    at_own, at_theirs = at_ref[found], at_invoice[invoice_of[found]]
    customers = d["customer_code"].to_numpy(dtype=object)
    own, theirs = customers[at_own], customers[at_theirs]
    differ = np.flatnonzero(own != theirs)  # a blank customer on either side is not a mismatch
    mismatch = differ[pd.notna(own[differ]) & pd.notna(theirs[differ])]
    for j in mismatch:
        yield error(
            "TXN_REFERENCE_OTHER_CUSTOMER", t.name,
            msg("Reference '{ref}' is an invoice of customer '{theirs}' (row {row}), not of '{own}'",
                ref=refs[found[j]], theirs=theirs[j], row=rows[at_theirs[j]], own=own[j]),
            **t.where("reference", rows[at_own[j]]), value=refs[found[j]],
            suggestion=msg("Correct the reference or the customer code; a receipt settles its own customer's "
                           "invoices"),
        )


def _of_kinds(kinds: Numbered, *groups: tuple[str, ...]) -> list[np.ndarray]:
    """For each group of kinds, which rows are of one of them (the kinds numbered once per Book)."""
    words = np.asarray(kinds.values, dtype=object)
    # A lookup table per group, indexed by each row's number; a blank kind's -1 picks the final False.
    return [np.append(np.isin(words, group), False)[kinds.numbers] for group in groups]


def _first_positions(codes: np.ndarray, size: int) -> np.ndarray:
    """For each code 0..size-1, the first position in `codes` holding it (-1 where none does).

    Code -1 (a blank) is skipped.
    """
    at = np.flatnonzero(codes >= 0)
    first = np.full(size, len(codes))
    np.minimum.at(first, codes[at], at)
    first[first == len(codes)] = -1
    return first


MARKS_PER_CUSTOMER = 10


def check_invoice_credit_limits(book: Book) -> Iterator[Finding]:
    """An invoice row does not take its customer's balance over (or near) the credit limit.

    The same rows the workbook's conditional format marks as they are typed
    (`xlcust.credit.typed`): balance through the row, in sheet order.
    """
    from ..credit.typed import invoice_credit_marks

    t = book.transactions
    marks = invoice_credit_marks(book)
    share = format(book.settings.credit_near_limit * 100, "f").rstrip("0").rstrip(".") + "%"
    # A customer far over its limit has every later invoice marked: the first MARKS_PER_CUSTOMER rows of
    # each kind are reported one by one, the rest in one finding on the last of them.
    nth = marks.groupby(["customer_code", "over"], sort=False).cumcount().to_numpy()
    count = marks.groupby(["customer_code", "over"], sort=False)["row"].transform("size").to_numpy()
    last = nth == count - 1
    for (row, customer, balance, limit, over), i, n, is_last in zip(
            marks[["row", "customer_code", "balance", "credit_limit", "over"]].itertuples(index=False, name=None),
            nth, count, last, strict=True):
        if i >= MARKS_PER_CUSTOMER and not is_last:
            continue
        if i >= MARKS_PER_CUSTOMER:
            code = "TXN_OVER_CREDIT_LIMIT" if over else "TXN_NEAR_CREDIT_LIMIT"
            make = warning if over else info
            yield make(
                code, t.name,
                msg("{n} more invoice rows of customer '{customer}' are marked (not listed one by one); this last "
                    "one takes the balance to {balance} against a credit limit of {limit}", n=n - MARKS_PER_CUSTOMER,
                    customer=customer, balance=money(balance), limit=money(limit)),
                **t.where("amount", int(row)), value=money(balance),
                suggestion=msg("The Transactions sheet colours every one of them"),
            )
            continue
        figures = dict(customer=customer, balance=money(balance), limit=money(limit))
        if over:
            yield warning(
                "TXN_OVER_CREDIT_LIMIT", t.name,
                msg("This invoice takes customer '{customer}' to a balance of {balance}, over its credit limit of "
                    "{limit} by {excess}", excess=money(balance - limit), **figures),
                **t.where("amount", int(row)), value=money(balance),
                suggestion=msg("Collect first, ask for approval of a higher limit, or split the delivery"),
            )
        else:
            yield info(
                "TXN_NEAR_CREDIT_LIMIT", t.name,
                msg("This invoice takes customer '{customer}' to a balance of {balance}, {share} or more of its "
                    "credit limit of {limit} ({available} left)", share=share, available=money(limit - balance),
                    **figures),
                **t.where("amount", int(row)), value=money(balance),
                suggestion=msg("Nothing to do yet; follow up on the customer's open invoices"),
            )
