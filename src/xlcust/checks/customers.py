"""Customers (客户档案): codes, names, categories, credit codes, duplicates, mnemonics."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from ..archive import STATUS_WORDS, first_duplicate_rows, likely_duplicates, parse_customer_type, parse_status
from ..book import Book, SheetTable
from ..codes import CategoryTree, CodingScheme
from ..findings import Finding, error, info, warning
from ..i18n import Msg, msg
from ..mnemonic import mnemonic_fills
from ..uscc import normalize_uscc, uscc_problem
from .cells import (
    dates_as_text,
    invalid_credit_limits,
    invalid_dates,
    invalid_days,
    number_as_text,
    odd_cells,
    rows_with,
    shown,
    status,
)
from .scaffold import blank_rows, per_cell, readable


def check_customer_cells(book: Book) -> Iterator[Finding]:
    """Excel error values anywhere, and codes typed with stray or full-width spaces."""
    yield from odd_cells(book.customers, "CUS")


def check_customer_codes(book: Book) -> Iterator[Finding]:
    """Every customer has a code, used once."""
    t = book.customers
    if not readable(t, "code"):
        return
    yield from per_cell(error, "CUS_CODE_MISSING", t, "code", blank_rows(t, "code"), msg("Customer code is blank"),
                        msg("Give the customer a code; transactions refer to customers by code"))
    codes = t.data["code"]
    for row, first in first_duplicate_rows(codes).items():
        yield error(
            "CUS_DUPLICATE_CODE", t.name,
            msg("Customer code '{code}' is already used on row {first}", code=codes[row], first=first),
            **t.where("code", row), value=codes[row],
            suggestion=msg("Give this customer its own code, or merge it with row {first}", first=first),
        )


def check_customer_names(book: Book) -> Iterator[Finding]:
    """Every customer has a name."""
    t = book.customers
    if not readable(t, "name"):
        return

    def message(row: int) -> Msg:
        code = t.data.at[row, "code"]
        return msg("Customer '{code}' has no name", code=code) if code else msg("Customer name is blank")

    yield from per_cell(error, "CUS_NAME_MISSING", t, "name", blank_rows(t, "name"), message,
                        msg("Type the customer's registered name (客户名称)"))


def check_customer_categories(book: Book) -> Iterator[Finding]:
    """Each customer's category exists and is a leaf (末级) category."""
    t = book.customers
    if not readable(t, "category_code"):
        return
    scheme = CodingScheme.from_settings(book.settings)
    tree = CategoryTree.from_frame(book.categories.data, scheme)
    on_sheet = set(book.categories.data["code"].dropna())
    yield from per_cell(error, "CUS_CATEGORY_MISSING", t, "category_code", blank_rows(t, "category_code"),
                        msg("Category code is blank; every customer belongs to a category"),
                        msg("Type the code of a leaf (末级) category from the Categories sheet"))
    codes = t.data["category_code"].dropna()
    unknown = codes[~codes.isin(on_sheet)]
    cat_status = status(t, "category_code")
    for row, code in unknown.items():
        padded = scheme.pad_suggestion(code) if cat_status.get(row) == "number" else None
        if padded is not None and padded in on_sheet:
            hint = msg("The cell is a number; format the column as Text and type '{padded}'", padded=padded)
        else:
            hint = msg("Use a code from the Categories sheet, or add the category there first")
        yield error(
            "CUS_CATEGORY_UNKNOWN", t.name, msg("Category '{code}' is not on the Categories sheet", code=code),
            **t.where("category_code", row), value=shown(t, "category_code", row), suggestion=hint,
        )
    parents = codes[codes.isin([c for c in tree.codes if not tree.is_leaf(c)])]
    for row, code in parents.items():
        leaves = tree.leaves_under(code)
        yield error(
            "CUS_CATEGORY_NOT_LEAF", t.name,
            msg("Category '{code}' ({name}) has sub-categories; customers belong to leaf (末级) categories only",
                code=code, name=tree.names.get(code) or msg("no name")),
            **t.where("category_code", row), value=code,
            suggestion=msg("Choose one of {leaves}", leaves=tree.describe_text(leaves)),
        )


def check_customer_tax_ids(book: Book) -> Iterator[Finding]:
    """Tax IDs are valid unified social credit codes (GB 32100-2015), typed as text."""
    t = book.customers
    if not readable(t, "tax_id"):
        return
    as_number = set(rows_with(t, "tax_id", "number"))
    for row, code in t.data["tax_id"].dropna().items():
        if row in as_number:
            yield error(
                "CUS_TAX_ID_NUMBER", t.name,
                msg("Tax ID {code} is a number cell; Excel keeps only 15 significant digits of an 18-digit code",
                    code=code),
                **t.where("tax_id", row), value=code,
                suggestion=msg("Format the column as Text and retype the code from the business licence"),
            )
            continue
        problem = uscc_problem(code)
        if problem is not None:
            yield error(
                "CUS_TAX_ID_INVALID", t.name,
                msg("Tax ID '{code}' is not a valid credit code: {problem}", code=code, problem=problem),
                **t.where("tax_id", row), value=shown(t, "tax_id", row),
                suggestion=msg("Copy the 18-character unified social credit code (统一社会信用代码) "
                               "from the business licence or invoice"),
            )


def _tax_keys(t: SheetTable) -> pd.Series:
    ids = t.data["tax_id"] if t.has("tax_id") else pd.Series(None, index=t.data.index, dtype=object)
    return ids.map(normalize_uscc, na_action="ignore")


def check_customer_duplicate_tax_ids(book: Book) -> Iterator[Finding]:
    """Two customers with the same tax ID are the same legal entity."""
    t = book.customers
    if not readable(t, "tax_id"):
        return
    keys = _tax_keys(t)
    for row, first in first_duplicate_rows(keys).items():
        yield error(
            "CUS_DUPLICATE_TAX_ID", t.name,
            msg("Tax ID '{tax_id}' is also the tax ID of row {first} ({name})",
                tax_id=keys[row], first=first, name=t.data.at[first, "name"] or msg("no name")),
            **t.where("tax_id", row), value=shown(t, "tax_id", row),
            suggestion=msg("Merge this customer with row {first}, or correct the tax ID", first=first),
        )


def check_customer_likely_duplicates(book: Book) -> Iterator[Finding]:
    """Names equal after normalisation suggest one customer entered twice.

    Not reported when the pair already shares a tax ID (that is an error of its own)
    or when both have different tax IDs (two registered entities).
    """
    t = book.customers
    if not readable(t, "name"):
        return
    names = t.data["name"]
    keys = _tax_keys(t)
    pairs = likely_duplicates(names)
    rows, firsts = pairs.index, pairs.to_numpy()
    for row, first, name, first_name, tax_id, first_tax_id in zip(
        rows, firsts, names.loc[rows], names.loc[firsts], keys.loc[rows], keys.loc[firsts], strict=True
    ):
        if isinstance(tax_id, str) and isinstance(first_tax_id, str):
            continue
        yield warning(
            "CUS_LIKELY_DUPLICATE", t.name,
            msg("'{name}' looks like the same customer as row {first} ('{first_name}')",
                name=name, first=first, first_name=first_name),
            **t.where("name", row), value=name,
            suggestion=msg("If they are one customer, merge them into row {first}; "
                           "if not, add their tax IDs so they can be told apart", first=first),
        )


def check_customer_credit_limits(book: Book) -> Iterator[Finding]:
    """Customer credit limit overrides are amounts, not negative."""
    t = book.customers
    if not readable(t, "credit_limit"):
        return
    yield from number_as_text(t, "credit_limit", "CUS_NUMBER_TEXT")
    yield from invalid_credit_limits(t, "CUS_CREDIT_LIMIT_INVALID")


def check_customer_terms(book: Book) -> Iterator[Finding]:
    """Customer payment-term overrides are whole, non-negative days."""
    t = book.customers
    if not readable(t, "payment_terms_days"):
        return
    yield from number_as_text(t, "payment_terms_days", "CUS_NUMBER_TEXT")
    yield from invalid_days(t, "payment_terms_days", "CUS_DAYS_INVALID")


def check_customer_mnemonics(book: Book) -> Iterator[Finding]:
    """A blank mnemonic (助记码) gets the name's pinyin initials (written with `check --write`)."""
    t = book.customers
    for row, value in mnemonic_fills(book):
        yield info(
            "CUS_MNEMONIC_FILLED", t.name,
            msg("Mnemonic is blank; the pinyin initials of the name can fill it"),
            **t.where("mnemonic", row), value="",
            suggestion=msg("{value} (written into the cell by `xlcust check --write`), or type your own",
                           value=value),
        )


def check_customer_status(book: Book) -> Iterator[Finding]:
    """Status is blank (active) or a known word: active / dormant / inactive (正常 / 休眠 / 停用)."""
    t = book.customers
    if not readable(t, "status"):
        return
    words = t.data["status"].dropna()
    known = {w: parse_status(w) for w in words.unique()}
    accepted = ", ".join(f"{ws[0]}/{next(w for w in ws if not w.isascii())}" for ws in STATUS_WORDS.values())
    for row, word in words[words.map(known).isna()].items():
        yield warning(
            "CUS_STATUS_UNKNOWN", t.name,
            msg("Status '{word}' is not a known status; the customer is treated as active", word=word),
            **t.where("status", row), value=word,
            suggestion=msg("Leave it blank or use one of: {accepted}", accepted=accepted),
        )


def check_customer_types(book: Book) -> Iterator[Finding]:
    """Customer type (客户类型) is blank or a company / individual word (企业 / 个人)."""
    t = book.customers
    if not t.present or not t.has("customer_type"):
        return
    words = t.data["customer_type"].dropna()
    known = {w: parse_customer_type(w) for w in words.unique()}
    for row, word in words[words.map(known).isna()].items():
        yield warning(
            "CUS_TYPE_UNKNOWN", t.name,
            msg("Customer type '{word}' is neither a company nor an individual", word=word),
            **t.where("customer_type", row), value=word,
            suggestion=msg("Use 企业 (company) or 个人 (individual), or leave it blank"),
        )


def check_customer_dates(book: Book) -> Iterator[Finding]:
    """Opened-on dates are real dates."""
    t = book.customers
    if not readable(t, "opened_on"):
        return
    yield from dates_as_text(t, "opened_on", "CUS_DATE_TEXT")
    yield from invalid_dates(t, "opened_on", "CUS_DATE_INVALID", warning)
