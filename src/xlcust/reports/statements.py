"""Customer statements (对账单): per customer and period, grouped by leaf category, print-ready.

    statements = build_statements(book, dt.date(2026, 7, 1), dt.date(2026, 9, 30), category="01")
    files = write_statements(statements, Path("statements"))   # xlcust.io.statements: the workbooks

What a statement says (DESIGN §3; the ledger decides which rows count and their sign):

- **Opening balance** at `start`: Σ signed ledger lines dated before `start`.
- **Lines**: every ledger line dated `start` … `end` (both included), by date then sheet
  order, each with a running balance: the opening plus a cumsum over int64 cents.
- **Closing balance** = opening + debits − credits. It must equal the ledger's balance of
  the customer at `end` (open items − unapplied credit).
- **Aging** of what is open at `end`: the ledger's aging at as-of = `end`.
- **Credit limit**: customer → category → ancestors → Settings default
  (`archive.customer_credit_limits`); available credit = limit − closing balance.

Customers are grouped by their current category: one `CategoryStatement` per leaf
category (of `category` when given, which may be any level) with at least one customer
that has a line in the period or a balance at either end. The group's closing total
must equal the ledger aging balance of the category at `end`. Both ties are checked on
every build; a difference is a bug in xlcust and raises `StatementImbalance` (an
AssertionError, like `LedgerImbalance`). Customers with activity whose category is not
a leaf (blank, unknown, a parent) fit no category workbook and are listed in `skipped`.

The workbooks are laid out by `xlcust.views.statements` and written by
`xlcust.io.statements`; this module holds the figures only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..archive import customer_credit_limits
from ..codes import CategoryTree
from ..errors import UsageError
from ..i18n import msg
from ..ledger import build_ledger

if TYPE_CHECKING:
    from ..book import Book


class StatementImbalance(AssertionError):
    """Statement figures disagree with the ledger: a bug in xlcust, never a data problem."""


# ------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class CustomerStatement:
    """One customer's statement; money in int cents."""

    customer_code: str
    name: str
    category_code: str
    details: Mapping[str, str | None]  # tax_id, contact, phone, address
    opening: int
    lines: pd.DataFrame  # date, txn_id, kind, memo, debit, credit, balance (int64 cents), source_row
    closing: int
    aging: Mapping[str, int]  # bucket label → open amount at the end date
    open_amount: int
    unapplied_credit: int
    credit_limit: int | None  # None: no limit

    @property
    def debits(self) -> int:
        return int(self.lines["debit"].sum())

    @property
    def credits(self) -> int:
        return int(self.lines["credit"].sum())

    @property
    def available_credit(self) -> int | None:
        return None if self.credit_limit is None else self.credit_limit - self.closing


@dataclass(frozen=True)
class CategoryStatement:
    """The statements of one leaf category, and the ledger's aging balance they tie to."""

    category_code: str
    category_name: str
    customers: tuple[CustomerStatement, ...]
    aging_balance: int

    @property
    def opening(self) -> int:
        return sum(c.opening for c in self.customers)

    @property
    def debits(self) -> int:
        return sum(c.debits for c in self.customers)

    @property
    def credits(self) -> int:
        return sum(c.credits for c in self.customers)

    @property
    def closing(self) -> int:
        return sum(c.closing for c in self.customers)


@dataclass(frozen=True)
class SkippedCustomer:
    """A customer with activity that no category workbook can hold."""

    customer_code: str
    category_code: str | None
    closing: int
    reason: str  # no_category | unknown_category (not in Categories) | not_a_leaf


@dataclass(frozen=True)
class Statements:
    """Every statement of one run: the period, the words' language and the groups."""

    start: dt.date
    end: dt.date
    category: str | None  # as asked (any level), None = all
    language: str
    company_name: str
    currency: str
    basis: str
    bucket_labels: tuple[str, ...]
    categories: tuple[CategoryStatement, ...]
    skipped: tuple[SkippedCustomer, ...] = ()
    excluded_rows: int = 0  # Transactions rows the ledger leaves out as invalid (the checks report them)
    selected: bool = False  # only some customers (statements --where): totals tie to theirs, not the category's
    paper_size: str = "A4"  # Settings paper_size: what the printable statements are laid out on


def build_statements(book: Book, start: dt.date, end: dt.date, category: str | None = None,
                     customers: Collection[str] | None = None) -> Statements:
    """Statements of every customer with activity from `start` to `end` (both included).

    `category` (any level) limits them to its leaf categories; `customers` (codes, e.g.
    those a `--where` condition selected) to those customers, each category's total then
    tying to the aging balance of the customers shown. Raises UsageError for a
    period that ends before it starts or an unknown category; StatementImbalance on a bug.
    """
    if start > end:
        raise UsageError(msg("the period starts ({start}) after it ends ({end})", start=start, end=end))
    tree = CategoryTree.from_book(book)
    wanted = _wanted_leaves(tree, category)
    ledger = build_ledger(book, as_of=end)
    aging = ledger.aging()
    chosen = customers
    customers = ledger.customers
    codes = customers.index.to_numpy(dtype=object)

    lines = ledger.lines
    cust = ledger.line_customer
    amount = lines["amount"].to_numpy(dtype=np.int64)
    before = (lines["date"] < pd.Timestamp(start)).to_numpy()
    opening = _sum_by(cust[before], amount[before], len(codes))
    movement = _sum_by(cust[~before], amount[~before], len(codes))
    n_lines = np.bincount(cust[~before], minlength=len(codes))
    closing = opening + movement

    by_customer = aging.by_customer.set_index("customer_code")
    balance = by_customer["balance"].reindex(codes, fill_value=0).to_numpy(dtype=np.int64)
    differ = np.flatnonzero(closing != balance)
    if len(differ):
        shown = ", ".join(f"{codes[i]} {closing[i]} != {balance[i]}" for i in differ[:5])
        raise StatementImbalance(f"closing balances differ from the ledger at {end} (a bug in xlcust): {shown}")

    active = (n_lines > 0) | (opening != 0) | (closing != 0)
    if chosen is not None:
        active &= pd.Index(codes).isin(list(chosen))
    category_of = customers["category_code"].to_numpy(dtype=object)
    in_wanted = customers["category_code"].isin(wanted).to_numpy(dtype=bool)
    stated = ~before & in_wanted[cust]  # only the lines a workbook will show
    period = _period_lines(book, lines[stated], cust[stated], opening)
    limits = _credit_limits(book)
    details = _details(book)
    leaves = set(tree.leaves)
    aging_by_category = aging.by_category.set_index("category_code")["balance"]
    if chosen is not None:  # the customers left out are not in the total either
        aging_by_category = pd.Series(balance[active], dtype=np.int64).groupby(category_of[active]).sum()

    groups: list[CategoryStatement] = []
    for leaf in wanted:
        members = np.flatnonzero(active & (category_of == leaf))
        if not len(members):
            continue
        statements = tuple(
            CustomerStatement(
                customer_code=str(codes[i]),
                name=customers["name"].iat[i] or "",
                category_code=leaf,
                details=details.get(codes[i], {"contact": customers["contact"].iat[i],
                                               "phone": customers["phone"].iat[i]}),
                opening=int(opening[i]),
                lines=period.get(i, _NO_LINES),
                closing=int(closing[i]),
                aging=_aging_of(by_customer, codes[i], aging.labels),
                open_amount=_cents(by_customer, codes[i], "open_amount"),
                unapplied_credit=_cents(by_customer, codes[i], "unapplied_credit"),
                credit_limit=limits.get(codes[i]),
            )
            for i in members
        )
        group = CategoryStatement(leaf, tree.names.get(leaf, ""), statements,
                                  int(aging_by_category.get(leaf, 0)))
        if group.closing != group.aging_balance:
            raise StatementImbalance(f"category {leaf}: closing total {group.closing} != aging balance "
                                     f"{group.aging_balance} at {end} (a bug in xlcust)")
        groups.append(group)

    skipped = tuple(
        SkippedCustomer(str(codes[i]), category_of[i], int(closing[i]), _why_skipped(category_of[i], tree))
        for i in np.flatnonzero(active)
        if category_of[i] not in leaves and _under(category_of[i], category)
    )
    settings = book.settings
    return Statements(
        start=start, end=end, category=category, language=settings.language, company_name=settings.company_name,
        currency=settings.currency, basis=ledger.basis, bucket_labels=tuple(aging.labels),
        categories=tuple(groups), skipped=skipped,
        excluded_rows=int((ledger.excluded["reason"] != "after_as_of").sum()), selected=chosen is not None,
        paper_size=settings.paper_size,
    )


_NO_LINES = pd.DataFrame({
    "date": pd.Series([], dtype="datetime64[ns]"), "txn_id": pd.Series([], dtype=object),
    "kind": pd.Series([], dtype=object), "memo": pd.Series([], dtype=object),
    **{c: pd.Series([], dtype=np.int64) for c in ("debit", "credit", "balance", "source_row")},
})


def _wanted_leaves(tree: CategoryTree, category: str | None) -> list[str]:
    if category is None:
        return tree.leaves
    if category not in tree:
        known = tree.describe([c for c in tree.codes if tree.level(c) == 1])
        raise UsageError(msg("--category {category}: no such category (top-level categories: {known})",
                             category=category, known=known or msg("none")))
    return tree.leaves_under(category)


def _under(code: str | None, category: str | None) -> bool:
    """Whether a customer's category falls in the asked category (anything when none was asked)."""
    if category is None:
        return True
    return code is not None and code.startswith(category)


def _why_skipped(code: str | None, tree: CategoryTree) -> str:
    if code is None:
        return "no_category"
    return "not_a_leaf" if code in tree else "unknown_category"


def _sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums per index (bincount would go through float64)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, index, values)
    return out


def _period_lines(book: Book, lines: pd.DataFrame, cust: np.ndarray, opening: np.ndarray) -> dict[int, pd.DataFrame]:
    """Per customer position: its lines of the period with debit, credit and running balance."""
    amount = lines["amount"].to_numpy(dtype=np.int64)
    memo = book.transactions.data["memo"].reindex(lines["source_row"].to_numpy())
    frame = pd.DataFrame({
        "customer": cust,
        "date": lines["date"].to_numpy(),
        "txn_id": lines["txn_id"].to_numpy(dtype=object),
        "kind": lines["kind"].to_numpy(dtype=object),
        "memo": memo.to_numpy(dtype=object),
        "debit": np.where(amount > 0, amount, 0),
        "credit": np.where(amount < 0, -amount, 0),
        "amount": amount,
        "source_row": lines["source_row"].to_numpy(dtype=np.int64),
    })
    frame = frame.sort_values(["customer", "date", "source_row"], kind="stable")
    frame["balance"] = opening[frame["customer"].to_numpy()] + frame.groupby("customer")["amount"].cumsum()
    columns = ["date", "txn_id", "kind", "memo", "debit", "credit", "balance", "source_row"]
    return {int(k): g[columns].reset_index(drop=True) for k, g in frame.groupby("customer", sort=False)}


def _first_rows(book: Book) -> pd.DataFrame:
    data = book.customers.data
    codes = data["code"]
    return data[codes.notna().to_numpy() & ~codes.duplicated().to_numpy()]


def _credit_limits(book: Book) -> dict[str, int]:
    """Customer code → resolved credit limit in cents (no entry: no limit); the first row of a code wins."""
    rows = _first_rows(book)
    limits = customer_credit_limits(book).reindex(rows.index)
    return {code: int(v) for code, v in zip(rows["code"], limits, strict=True) if not pd.isna(v)}


def _details(book: Book) -> dict[str, dict[str, str | None]]:
    rows = _first_rows(book)

    def cell(value: object) -> str | None:
        return None if value is None or pd.isna(value) else str(value)

    from ..codes import CodingScheme
    from ..ledger.terms import archive_defaults

    fields = [f for f in ("tax_id", "contact", "phone", "address") if f in rows.columns]
    details = {code: {f: cell(rows[f].iat[i]) for f in fields} for i, code in enumerate(rows["code"])}
    # Settlement method and invoice type as the customer's category tree resolves them (ledger.terms).
    defaults = archive_defaults(book.customers.data, book.categories.data, CodingScheme.from_settings(book.settings))
    for code, method, invoice in zip(defaults.index, defaults["settlement_method"], defaults["invoice_type"],
                                     strict=True):
        if code in details:
            details[code].update(settlement_method=cell(method), invoice_type=cell(invoice))
    return details


def _aging_of(by_customer: pd.DataFrame, code: str, labels: Iterable[str]) -> dict[str, int]:
    return {label: _cents(by_customer, code, label) for label in labels}


def _cents(by_customer: pd.DataFrame, code: str, column: str) -> int:
    return int(by_customer.at[code, column]) if code in by_customer.index else 0
