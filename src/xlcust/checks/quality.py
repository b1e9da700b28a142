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

import pandas as pd

from ..archive import first_duplicate_rows, parse_status
from ..book import Book
from ..codes import CategoryTree
from ..findings import Finding, info, warning
from ..i18n import msg
from ..ledger.lines import select_lines
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


def _lines(book: Book) -> pd.DataFrame:
    t = book.transactions
    if not t.present or not all(t.has(f) for f in ("customer_code", "kind", "amount", "date")):
        return pd.DataFrame(columns=["customer_code", "kind", "date", "amount"])
    lines, _excluded = select_lines(t.data, pd.Timestamp(book.settings.effective_as_of()))
    return lines


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
    lines = _lines(book)
    codes = t.data.loc[stopped.index, "code"]
    balance = lines.groupby("customer_code", sort=False)["amount"].sum()
    months = book.settings.dormant_months
    since = _months_before(book, months)
    recent = lines[(lines["kind"] == "invoice").to_numpy()
                   & (lines["date"].to_numpy(dtype="datetime64[ns]") > since.to_datetime64())]
    recent_count = recent.groupby("customer_code", sort=False).size()
    recent_last = recent.groupby("customer_code", sort=False)["date"].max()
    for row, code in codes.dropna().items():
        word = shown(t, "status", row)
        owed = int(balance.get(code, 0))
        if owed > 0:
            yield warning(
                "CUS_INACTIVE_BALANCE", t.name,
                msg("Customer '{code}' is marked '{status}' but still owes {amount}",
                    code=code, status=word, amount=money(owed)),
                **t.where("status", row), value=word,
                suggestion=msg("Collect or settle the balance before closing the customer, or set the status "
                               "back to active"),
            )
        n = int(recent_count.get(code, 0))
        if n:
            yield warning(
                "CUS_INACTIVE_INVOICED", t.name,
                msg("Customer '{code}' is marked '{status}' but has {n} invoice(s) in the last {months} months "
                    "(the latest on {day})", code=code, status=word, n=n, months=months,
                    day=date_text(recent_last[code])),
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
    lines = _lines(book)
    last = lines.groupby("customer_code", sort=False)["date"].max()
    if active.empty:
        return
    last_day = pd.Series(pd.to_datetime(last.reindex(active["code"].to_numpy()).to_numpy()), index=active.index)
    opened = pd.to_datetime(active["opened_on"] if "opened_on" in active.columns
                            else pd.Series(pd.NaT, index=active.index))
    never = last_day.isna() & opened.notna() & (opened < cutoff)
    idle = last_day.notna() & (last_day <= cutoff)
    for row in active.index[(idle | never).to_numpy()]:
        code = active.at[row, "code"]
        where = t.where("status", row) if t.has("status") else t.where("code", row)
        if pd.isna(last_day[row]):
            text = msg("Customer '{code}' is active but has had no transaction since it was opened on {day}",
                       code=code, day=date_text(opened[row]))
        else:
            text = msg("Customer '{code}' is active but its last transaction was on {day}, over {months} "
                       "months ago", code=code, day=date_text(last_day[row]), months=months)
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
