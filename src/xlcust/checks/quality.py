"""Data-quality sweep (数据清理): blanks a firm requires, customers that no longer fit, duplicates, idle rows.

Each check is one rule over whole columns (no per-row Python loop until a finding is
built), so a registry of 50,000 customers is swept in well under a second:

CUS_REQUIRED_BLANK     a Customers field listed in Settings required_customer_fields is blank
CUS_CATEGORY_INACTIVE  the customer's category (or one of its ancestors) is marked inactive
CUS_INACTIVE_BALANCE   status inactive/dormant, yet the customer still owes money
CUS_INACTIVE_INVOICED  status inactive/dormant, yet invoiced within the last dormant_months months
CUS_SAME_PHONE         the same phone number on another customer (digits compared)
CUS_SAME_ADDRESS       the same address on another customer (spaces and full-width ignored)
CUS_ACTIVE_IDLE        status active, no transaction for dormant_months months (nor ever, when
                       opened before then)
CAT_EMPTY_LEAF         an active leaf (末级) category no customer is in

Same tax IDs are CUS_DUPLICATE_TAX_ID (`checks.customers`). Balances are the signed sum of
the customer's transactions up to the as-of date (invoices and openings up, receipts and
credit notes down), the same figure the ledger's balance comes to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..archive import first_duplicate_rows, parse_status
from ..book import Book
from ..codes import CategoryTree
from ..findings import Finding, info, warning
from ..i18n import msg
from ..ledger._frames import sum_by
from ..ledger.lines import classify
from .cells import blank_mask, date_text, label, money, shown
from .settings import setting_rows


def check_required_fields(book: Book) -> Iterator[Finding]:
    """The Customers fields of Settings required_customer_fields are filled on every row."""
    t = book.customers
    fields = book.settings.required_customer_fields
    if not t.present or not fields:
        return
    for field in fields:
        if not t.has(field):
            yield warning(
                "CUS_REQUIRED_BLANK", book.settings_table.name,
                msg("Settings require {column}, but the Customers sheet has no such column", column=label(t, field)),
                **book.settings_table.where("value", setting_rows(book).get("required_customer_fields")),
                suggestion=msg("Add the column {column}, or remove '{field}' from required_customer_fields",
                               column=label(t, field), field=field),
            )
            continue
        for row in t.data.index[blank_mask(t, field).to_numpy()]:
            yield warning(
                "CUS_REQUIRED_BLANK", t.name,
                msg("Customer '{code}' has no {column}; Settings required_customer_fields requires it",
                    code=_code(t.data, row), column=label(t, field)),
                **t.where(field, row),
                suggestion=msg("Fill in {column} from the customer's archive", column=label(t, field)),
            )


def _code(frame: pd.DataFrame, row: int) -> str:
    code = frame.at[row, "code"] if "code" in frame.columns else None
    return "" if code is None or code is pd.NA else str(code)


def inactive_categories(book: Book) -> set[str]:
    """Codes of categories marked inactive, and of every category under one."""
    cats = book.categories.data
    if "active" not in cats.columns:
        return set()
    off = set(cats.loc[cats["active"].eq(False).fillna(False).to_numpy(), "code"].dropna())
    if not off:
        return set()
    tree = CategoryTree.from_book(book)
    return {code for code in tree.codes if off.intersection(tree.path(code))} | off


def check_customer_category_active(book: Book) -> Iterator[Finding]:
    """Customers are not kept in an inactive (停用) category."""
    t = book.customers
    if not t.present or not t.has("category_code"):
        return
    off = inactive_categories(book)
    if not off:
        return
    codes = t.data["category_code"]
    for row, category in codes[codes.isin(off).fillna(False).to_numpy()].items():
        yield warning(
            "CUS_CATEGORY_INACTIVE", t.name,
            msg("Customer '{code}' is in category '{category}', which is marked inactive",
                code=_code(t.data, row), category=category),
            **t.where("category_code", row), value=category,
            suggestion=msg("Move the customer to an active category (`xlcust reclassify` records the date), "
                           "or activate the category again"),
        )


def _stopped(book: Book) -> pd.Series:
    """Per Customers row: the status word when it says inactive or dormant, else NA."""
    t = book.customers
    words = t.data["status"].astype(object) if t.has("status") else pd.Series(None, index=t.data.index)
    # A handful of distinct words: parse each once.
    parsed = {w: parse_status(w) for w in pd.unique(words.to_numpy(dtype=object))}
    state = words.map(lambda w: parsed.get(w))
    return state.where(state.isin(("inactive", "dormant")).to_numpy())


_NO_DAY = np.iinfo(np.int64).min  # NaT as int64: "no line"


class _Lines:
    """The ledger's lines (`xlcust.ledger.lines.classify`), per customer code of the Transactions sheet.

    Customers are looked up by number (`SheetTable.numbered`), never by matching a
    million codes; `at(codes)` maps a few codes to those numbers.
    """

    def __init__(self, book: Book) -> None:
        t = book.transactions
        self.usable = t.present and all(t.has(f) for f in ("customer_code", "kind", "amount", "date"))
        customer = t.numbered("customer_code")
        self._index = pd.Index(customer.values, dtype=object)  # object: pandas would infer its str dtype
        self.size = len(customer) + 1  # the last slot: a code with no line
        if not self.usable:
            self.customer = np.zeros(0, dtype=np.int64)
            self.days = self.amount = self._kind = self.customer
            self._kinds = []
            return
        rows = classify(t.data, pd.Timestamp(book.settings.effective_as_of()), t.numbered("kind"), customer)
        kept = rows.kept
        self.customer = customer.numbers[kept]
        self.days = t.data["date"].to_numpy(dtype="datetime64[ns]").view(np.int64)[kept]
        self.amount = t.data["amount"].to_numpy(dtype=np.int64, na_value=0)[kept] * rows.sign[kept].astype(np.int64)
        self._kinds = list(rows.kind.values)
        self._kind = rows.kind.numbers[kept]

    def of_kind(self, kind: str) -> np.ndarray:
        """Which lines are of `kind`."""
        return self._kind == (self._kinds.index(kind) if kind in self._kinds else -2)

    def at(self, codes: np.ndarray) -> np.ndarray:
        """Each code's number (the last slot for a code with no line)."""
        at = self._index.get_indexer(codes)
        return np.where(at < 0, self.size - 1, at)

    def last_day(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Per customer number, the latest date of its lines (of `mask`'s lines), as int64 (_NO_DAY: none)."""
        out = np.full(self.size, _NO_DAY, dtype=np.int64)
        sel = slice(None) if mask is None else mask
        np.maximum.at(out, self.customer[sel], self.days[sel])
        return out


def _months_before(book: Book, months: int) -> pd.Timestamp:
    return pd.Timestamp(book.settings.effective_as_of()) - pd.DateOffset(months=months)


def check_stopped_customers_trading(book: Book) -> Iterator[Finding]:
    """An inactive or dormant customer owes nothing and was not invoiced in the last dormant_months months."""
    t = book.customers
    if not t.present or not t.has("code") or not t.has("status"):
        return
    stopped = _stopped(book).dropna()
    if stopped.empty:
        return
    lines = _Lines(book)
    codes = t.data.loc[stopped.index, "code"]
    balance = sum_by(lines.customer, lines.amount, lines.size)
    months = book.settings.dormant_months
    since = _months_before(book, months)
    recent = lines.of_kind("invoice") & (lines.days > since.to_datetime64().astype("datetime64[ns]").view(np.int64))
    recent_count = np.bincount(lines.customer[recent], minlength=lines.size)
    recent_last = lines.last_day(recent)
    codes = codes.dropna()
    numbers = lines.at(codes.to_numpy(dtype=object))
    for (row, code), number in zip(codes.items(), numbers, strict=True):
        word = shown(t, "status", row)
        owed = int(balance[number])
        if owed > 0:
            yield warning(
                "CUS_INACTIVE_BALANCE", t.name,
                msg("Customer '{code}' is marked '{status}' but still owes {amount}",
                    code=code, status=word, amount=money(owed)),
                **t.where("status", row), value=word,
                suggestion=msg("Collect or settle the balance before closing the customer, or set the status "
                               "back to active"),
            )
        n = int(recent_count[number])
        if n:
            yield warning(
                "CUS_INACTIVE_INVOICED", t.name,
                msg("Customer '{code}' is marked '{status}' but has {n} invoice(s) in the last {months} months "
                    "(the latest on {day})", code=code, status=word, n=n, months=months,
                    day=date_text(pd.Timestamp(int(recent_last[number])))),
                **t.where("status", row), value=word,
                suggestion=msg("Set the status back to active if the customer trades again, or check that the "
                               "invoices were booked to the right customer"),
            )


_NOT_DIGIT = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def _phone_keys(values: pd.Series) -> pd.Series:
    """Digits only, without a leading +86 / 0086 country code: '138-0013 8000' = '13800138000'."""
    def key(value: object) -> str:
        digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", str(value)))
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
                digits = digits[len(prefix):]
                break
        return digits if len(digits) >= 5 else ""  # an extension alone says nothing

    return _keys(values, key)


def _address_keys(values: pd.Series) -> pd.Series:
    """Half-width, without spaces, case-folded."""
    return _keys(values, lambda v: _SPACES.sub("", unicodedata.normalize("NFKC", str(v))).casefold())


def _keys(values: pd.Series, key) -> pd.Series:
    text = values.astype(object).where(values.notna(), None)
    distinct = {v: key(v) for v in pd.unique(text.dropna().to_numpy(dtype=object))}
    return text.map(lambda v: "" if v is None else distinct[v])


def _same_value(book: Book, field: str, code: str, keys: pd.Series) -> Iterator[Finding]:
    t = book.customers
    for row, first in first_duplicate_rows(keys).items():
        yield warning(
            code, t.name,
            msg("Customer '{code}' has the same {column} as customer '{other}' on row {first}",
                code=_code(t.data, row), column=label(t, field), other=_code(t.data, first), first=first),
            **t.where(field, row), value=shown(t, field, row),
            suggestion=msg("If they are one firm, merge them; otherwise correct the {column}",
                           column=label(t, field)),
        )


def check_same_phone(book: Book) -> Iterator[Finding]:
    """No two customers share a phone number."""
    t = book.customers
    if t.present and t.has("phone"):
        yield from _same_value(book, "phone", "CUS_SAME_PHONE", _phone_keys(t.data["phone"]))


def check_same_address(book: Book) -> Iterator[Finding]:
    """No two customers share an address."""
    t = book.customers
    if t.present and t.has("address"):
        yield from _same_value(book, "address", "CUS_SAME_ADDRESS", _address_keys(t.data["address"]))


def check_idle_active_customers(book: Book) -> Iterator[Finding]:
    """A customer still marked active has traded in the last dormant_months months."""
    t = book.customers
    if not t.present or not t.has("code"):
        return
    months = book.settings.dormant_months
    if months < 1:
        return  # SET_OUT_OF_RANGE
    cutoff = _months_before(book, months)
    stopped = _stopped(book)
    active = t.data[stopped.isna().to_numpy() & t.data["code"].notna().to_numpy()]
    if active.empty:
        return
    lines = _Lines(book)
    codes = active["code"].to_numpy(dtype=object)
    last_day = lines.last_day()[lines.at(codes)]  # int64 ns; _NO_DAY: no line
    opened = (active["opened_on"].to_numpy(dtype="datetime64[ns]") if "opened_on" in active.columns
              else np.full(len(active), np.datetime64("NaT"), dtype="datetime64[ns]"))
    cut = cutoff.to_datetime64().astype("datetime64[ns]")
    never = (last_day == _NO_DAY) & ~np.isnat(opened) & (opened < cut)
    idle = (last_day != _NO_DAY) & (last_day <= cut.view(np.int64))
    rows = active.index.to_numpy()
    for i in np.flatnonzero(idle | never):
        row, code = int(rows[i]), codes[i]
        where = t.where("status", row) if t.has("status") else t.where("code", row)
        if last_day[i] == _NO_DAY:
            text = msg("Customer '{code}' is active but has had no transaction since it was opened on {day}",
                       code=code, day=date_text(opened[i]))
        else:
            text = msg("Customer '{code}' is active but its last transaction was on {day}, over {months} "
                       "months ago", code=code, day=date_text(pd.Timestamp(int(last_day[i]))), months=months)
        yield warning(
            "CUS_ACTIVE_IDLE", t.name, text, **where,
            suggestion=msg("Set the status to dormant or inactive if the customer has stopped buying; "
                           "Settings dormant_months sets the period"),
        )


def check_empty_leaf_categories(book: Book) -> Iterator[Finding]:
    """Every active leaf (末级) category has at least one customer."""
    c, t = book.categories, book.customers
    if not c.present or not c.has("code") or not t.present or not t.has("category_code"):
        return
    tree = CategoryTree.from_book(book)
    used = set(t.data["category_code"].dropna())
    if not used:
        return  # a registry still being set up: every category is empty, and that is no news
    off = inactive_categories(book)
    empty = {code for code in tree.leaves if code not in used and code not in off}
    if not empty:
        return
    codes = c.data["code"]
    rows = codes[codes.isin(empty).to_numpy() & ~codes.duplicated().to_numpy()]
    for row, code in rows.items():
        yield info(
            "CAT_EMPTY_LEAF", c.name, msg("No customer is in category '{code}'", code=code),
            **c.where("code", row), value=code,
            suggestion=msg("Nothing to do if it is new; otherwise mark it inactive, or delete it if no history "
                           "refers to it"),
        )


CHECKS = [
    check_empty_leaf_categories,
    check_required_fields,
    check_customer_category_active,
    check_same_phone,
    check_same_address,
    check_stopped_customers_trading,
    check_idle_active_customers,
]
