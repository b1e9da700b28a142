"""The UCI "Online Retail" data set (541,909 invoice lines) imported as transactions.

The reference figures are computed here from the file itself with the csv module and
Decimal, without xlcust: per invoice number Σ Quantity × UnitPrice over the lines that
have a CustomerID. The import must give one transaction per invoice number (credit
notes for the "C" cancellations, with positive amounts), report every line without a
customer, create the customers (code = CustomerID), leave a registry that checks clean,
and reproduce the file's net sales to the cent — exactly, once the reported roundings of
the four invoices with fractions of a cent are added back.

The data lives beside the repository (../shared/external, see its SOURCES.md); CI clones
it there. Every test here is marked `external`: skipped with the folder named when it is
absent, a failure under CI (tests/external.py).
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest

from xlcust.importer import ImportOptions, ImportReport
from xlcust.io.importing import import_transactions
from xlcust.io.reader import read_book

from .external import EXTERNAL
from .test_import_support import errors, small_registry

pytestmark = pytest.mark.external
UCI = EXTERNAL / "uci_online_retail.csv.gz"
CENT = Decimal("0.01")


class Reference:
    """Figures from the file, by the csv module and Decimal."""

    def __init__(self, path: Path) -> None:
        self.lines = 0
        self.lines_without_customer = 0
        self.amount: dict[str, Decimal] = defaultdict(Decimal)
        self.customer: dict[str, str] = {}
        with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                self.lines += 1
                if not row["CustomerID"].strip():
                    self.lines_without_customer += 1
                    continue
                invoice = row["InvoiceNo"]
                self.amount[invoice] += Decimal(row["Quantity"]) * Decimal(row["UnitPrice"])
                self.customer[invoice] = row["CustomerID"]
        self.total = sum(self.amount.values(), Decimal(0))
        self.documents = {k: v for k, v in self.amount.items() if v != 0}


@pytest.fixture(scope="module")
def reference() -> Reference:
    assert UCI.is_file(), f"{UCI} is missing: the shared external data must sit beside the repository"
    return Reference(UCI)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    book = small_registry(tmp_path_factory.mktemp("uci") / "registry.xlsx", customers=[], transactions=[],
                          categories=[])
    report = import_transactions(UCI, book, ImportOptions(create_customers=True, category="99",
                                                          new_category="Online retail (UCI)"))
    return book, report


def test_reference_figures_are_those_of_the_documented_file(reference: Reference) -> None:
    assert reference.lines == 541_909
    assert len({c for c in reference.customer.values()}) == 4_372
    assert all(v < 0 for k, v in reference.documents.items() if k.startswith("C"))


def test_one_transaction_per_invoice_number(imported: tuple[Path, ImportReport], reference: Reference) -> None:
    book, report = imported
    assert report.written, [i.message for i in report.rejected if i.code == "IMP_WOULD_BREAK_CHECKS"][:5]
    t = read_book(book).transactions.data
    assert t["txn_id"].is_unique
    assert set(t["txn_id"]) == set(reference.documents)
    kinds = dict(zip(t["txn_id"], t["kind"], strict=True))
    assert {k for k, v in kinds.items() if v == "credit_note"} == {k for k in reference.documents if k.startswith("C")}
    assert set(kinds.values()) == {"invoice", "credit_note"}
    assert (t["amount"] > 0).all()
    customers = dict(zip(t["txn_id"], t["customer_code"], strict=True))
    assert customers == {k: reference.customer[k] for k in reference.documents}
    expected = {k: int((abs(v) / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for k, v in
                reference.documents.items()}
    assert dict(zip(t["txn_id"], t["amount"].astype(int), strict=True)) == expected
    # Invoices netting to zero are reported, not imported.
    zero = {k for k, v in reference.amount.items() if v == 0}
    assert {i.key for i in report.issues if i.code == "IMP_ZERO_AMOUNT"} == zero


def test_net_sales_equal_the_files_own_sum(imported: tuple[Path, ImportReport], reference: Reference) -> None:
    book, report = imported
    t = read_book(book).transactions.data
    sign = np.where(t["kind"] == "credit_note", -1, 1)
    net_cents = int((t["amount"].astype("int64").to_numpy() * sign).sum())
    net = Decimal(net_cents) * CENT
    assert net == reference.total.quantize(CENT, rounding=ROUND_HALF_UP)
    assert report.summary["net_sales_cents"] == net_cents
    # Exactly, once the reported roundings (fractions of a cent, half-up per invoice) are added back.
    residual = Decimal(0)
    for i in report.issues:
        if i.code == "IMP_ROUNDED":
            exact, rounded = Decimal(i.value), Decimal(i.new_value)
            residual += (exact - rounded) * (-1 if i.key.startswith("C") else 1)
    assert net + residual == reference.total
    assert residual != 0  # the file has invoices with fractions of a cent; they were reported


def test_lines_without_a_customer_are_reported(imported: tuple[Path, ImportReport], reference: Reference) -> None:
    _, report = imported
    rows = np.concatenate([i.rows for i in report.issues if i.code == "IMP_NO_CUSTOMER"])
    assert len(rows) == len(np.unique(rows)) == reference.lines_without_customer == 135_080
    assert report.summary["lines_without_customer"] == 135_080


def test_customers_created_and_registry_checks_clean(imported: tuple[Path, ImportReport],
                                                     reference: Reference) -> None:
    book, report = imported
    registry = read_book(book)
    c = registry.customers.data
    assert set(c["code"]) == {reference.customer[k] for k in reference.documents}
    assert set(c["category_code"]) == {"99"}
    assert len(registry.history.data) == len(c)
    assert errors(book) == []
    assert report.timings["total"] > 0


def test_importing_again_adds_nothing(imported: tuple[Path, ImportReport], reference: Reference) -> None:
    book, _ = imported
    again = import_transactions(UCI, book, ImportOptions(create_customers=True, category="99", dry_run=True))
    assert again.added == {}
    assert again.summary["transactions_added"] == 0 and again.summary["customers_created"] == 0
    assert sum(1 for i in again.issues if i.code == "IMP_ALREADY_IMPORTED") == len(reference.documents)
