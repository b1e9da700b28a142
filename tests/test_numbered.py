"""Code columns numbered once per Book (`SheetTable.numbered`), as checks and the ledger use them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlcust.book import Book
from xlcust.checks import run_checks
from xlcust.tables import number_columns


def test_numbers_follow_first_appearance_and_blanks_are_minus_one() -> None:
    (n,) = number_columns([pd.Series(["B", "A", None, "B", "C"], dtype=object)])
    assert list(n.values) == ["B", "A", "C"]
    assert n.numbers.tolist() == [0, 1, -1, 0, 2]
    assert n.texts().tolist() == ["B", "A", None, "B", "C"]


def test_columns_numbered_together_share_their_values() -> None:
    ids = pd.Series(["I1", "I2", "R1", "R2"], dtype=object)
    refs = pd.Series([None, None, "I2", "X9"], dtype=object)
    txn, ref = number_columns([ids, refs])
    assert txn.values is ref.values
    assert ref.numbers[2] == txn.numbers[1]  # the reference names invoice I2 by its number
    assert ref.numbers[3] not in txn.numbers  # X9 is no txn id: a number of its own
    assert ref.numbers[0] == -1


def test_a_book_numbers_a_column_once_and_renumbers_a_replaced_table() -> None:
    book = Book.from_rows(transactions=[
        {"txn_id": "I1", "customer_code": "0101", "kind": "invoice"},
        {"txn_id": "I2", "customer_code": " 0102", "kind": "发票"},
        {"txn_id": "R1", "customer_code": "0101", "kind": "receipt", "reference": "I1"},
    ])
    t = book.transactions
    customer = t.numbered("customer_code")
    assert t.numbered("customer_code") is customer
    assert list(customer.values) == ["0101", "0102"]  # typed values: the stray space is gone
    assert np.asarray(t.numbered("kind").texts()).tolist() == ["invoice", "invoice", "receipt"]
    t.data = t.data.iloc[:2]
    assert len(t.numbered("customer_code").numbers) == 2


def test_checks_name_the_same_rows_through_the_numbers() -> None:
    book = Book.from_rows(
        settings={"as_of": "2024-12-31"},
        customers=[{"code": "0101", "name": "A"}, {"code": "0102", "name": "B"}],
        transactions=[
            {"txn_id": "I1", "date": "2024-01-02", "customer_code": "0101", "kind": "invoice", "amount": 10},
            {"txn_id": "I1", "date": "2024-01-03", "customer_code": "0102", "kind": "invoice", "amount": 10},
            {"txn_id": "R1", "date": "2024-01-04", "customer_code": "0102", "kind": "receipt", "amount": 5,
             "reference": "I1"},
            {"txn_id": "R2", "date": "2024-01-05", "customer_code": "0109", "kind": "receipt", "amount": 5,
             "reference": "R1"},
        ])
    found = {(f.code, f.row) for f in run_checks(book) if f.code.startswith("TXN_")}
    assert ("TXN_DUPLICATE_ID", 3) in found
    assert ("TXN_REFERENCE_OTHER_CUSTOMER", 4) in found  # I1 is first on row 2, customer 0101's
    assert ("TXN_CUSTOMER_UNKNOWN", 5) in found
    assert ("TXN_REFERENCE_UNKNOWN", 5) in found  # R1 is a receipt, not an invoice


def test_mostly_distinct_texts_numbered_through_their_hashes_as_factorize_would() -> None:
    from xlcust.tables import _SAMPLE

    n = 2 * _SAMPLE + 5
    ids = np.array([f"T{i % (n - 7)}" if i % 11 else None for i in range(n)], dtype=object)  # repeats and blanks
    (numbered,) = number_columns([pd.Series(ids, dtype=object)])
    numbers, values = pd.factorize(ids)
    assert numbered.numbers.tolist() == numbers.tolist()
    assert list(numbered.values) == list(values)


def test_two_texts_sharing_a_hash_never_share_a_number() -> None:
    from xlcust.tables import _factorize_by_hash

    class SameHash(str):
        def __hash__(self) -> int:
            return 7

    texts = np.array([SameHash("A"), SameHash("B"), SameHash("A")], dtype=object)
    assert _factorize_by_hash(texts) is None  # the caller numbers such texts the ordinary way


def test_typing_numbers_repeated_codes_and_kinds_as_factorizing_the_typed_column_would() -> None:
    book = Book.from_rows(transactions=[
        {"txn_id": "I1", "customer_code": "0102", "kind": "receipt"},
        {"txn_id": "I2", "customer_code": "０１０１", "kind": "发票"},  # full-width: the code 0101
        {"txn_id": "I3", "customer_code": "0101 ", "kind": "invoice"},
        {"txn_id": "I4", "customer_code": None, "kind": "???"},
        {"txn_id": "I5", "customer_code": "0102", "kind": "Invoice"},
        *({"txn_id": f"R{i}", "customer_code": "0102", "kind": "receipt"} for i in range(3)),
    ])
    t = book.transactions
    assert ("customer_code",) in t.numbering and ("kind",) in t.numbering  # made while typing
    for field in ("customer_code", "kind"):
        numbers, values = pd.factorize(t.data[field].to_numpy(dtype=object))
        assert t.numbered(field).numbers.tolist() == numbers.tolist()
        assert list(t.numbered(field).values) == list(values)
    assert t.status["customer_code"].to_dict() == {3: "spaces", 4: "spaces"}
