"""Customers and categories as the ledger sees them, with inherited terms.

Payment terms (DESIGN §3) resolve in this order, and the ledger records which one
gave each customer's terms (`terms_source`, `terms_category`):

    customer     the customer's own payment_terms_days
    category     the customer's category's payment_terms_days
    ancestor     the nearest ancestor category (by the coding scheme) that has terms
    default      Settings default_payment_terms_days

Settlement method (结算方式) resolves the same way as terms — customer, category, nearest
ancestor — and invoice type (发票类型) category → nearest ancestor (customers have no
column of their own for it); blank everywhere is blank: neither has a default in
Settings. `archive_defaults` gives both per customer, with where each came from.

Reminder days (催款天数) resolve category → nearest ancestor; blank everywhere means
"remind as soon as it is overdue". When a code appears on several rows the first row
wins (the checks report the repeats). Ancestors are taken by the coding scheme's
prefixes, so a customer whose own category row is missing still inherits from the
category above it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import CodingScheme
from ._frames import text, text_values

# The columns of the Customers and Categories sheets the ledger reads (customer_table,
# category_table), and no others: a worksheet function keeps its ledger while these are
# unchanged (`xlcust.excel.ledgercache`); tests change every other column and compare.
CUSTOMER_FIELDS = ("code", "name", "category_code", "contact", "phone", "payment_terms_days")
CATEGORY_FIELDS = ("code", "name", "payment_terms_days", "reminder_days", "provision_rates")


def _first_rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    codes = frame[key]
    keep = codes.notna().to_numpy() & (codes != "").to_numpy() & ~codes.duplicated().to_numpy()
    return frame[keep].set_index(key, drop=False)


def _own_values(frame: pd.DataFrame, column: str) -> dict[str, object]:
    values = frame[column]
    present = values.notna()
    return dict(zip(frame.index[present.to_numpy()], values[present], strict=True))


def inherit(codes: pd.Index, values: dict[str, object], scheme: CodingScheme) -> pd.DataFrame:
    """Per category code: its own value or the nearest ancestor's, and where it came from.

    Columns `value` (object, None when nothing found), `source_code`, `inherited` (bool).
    One Python step per distinct category code, which is a short list.
    """
    out_value, out_source, out_inherited = [], [], []
    for code in codes:
        value, source, inherited = None, None, False
        if isinstance(code, str):
            chain = [code, *reversed(scheme.ancestors(code))]
            for depth, candidate in enumerate(chain):
                if candidate in values:
                    value, source, inherited = values[candidate], candidate, depth > 0
                    break
        out_value.append(value)
        out_source.append(source)
        out_inherited.append(inherited)
    return pd.DataFrame(
        {"value": out_value, "source_code": out_source, "inherited": out_inherited}, index=codes
    )


def category_table(categories: pd.DataFrame, scheme: CodingScheme) -> pd.DataFrame:
    """Categories (first row per code), indexed by code: name, level, reminder_days (inherited),
    provision_rates (the category's own cell, as typed; `xlcust.ledger.provision` inherits it)."""
    first = _first_rows(categories, "code")
    codes = pd.Index(first.index, dtype=object)
    reminder = inherit(codes, _own_values(first, "reminder_days"), scheme)["value"]
    own_rates = (first["provision_rates"].to_numpy(dtype=object) if "provision_rates" in first.columns
                 else np.full(len(codes), None, dtype=object))
    return pd.DataFrame({
        "name": text(first["name"].to_numpy(dtype=object), codes),
        "level": pd.array([scheme.level_of(c) for c in codes], dtype="Int64"),
        "reminder_days": pd.array(reminder.to_numpy(dtype=object), dtype="Int64"),
        "provision_rates": text(text_values(own_rates), codes),
    }, index=codes)


def customer_table(
    customers: pd.DataFrame,
    categories: pd.DataFrame,
    codes_in_lines: np.ndarray,
    scheme: CodingScheme,
    default_terms_days: int,
) -> pd.DataFrame:
    """One row per customer code (Customers sheet ∪ codes used in transactions), sorted by code.

    Columns: name, category_code, category_name, contact, phone, terms_days (int64),
    terms_source, terms_category, reminder_days (Int64), registered (in the Customers sheet).
    """
    registry = _first_rows(customers, "code")
    registered = registry.index.to_numpy(dtype=object)
    seen = pd.unique(codes_in_lines)
    unregistered = seen[~pd.Index(seen, dtype=object).isin(registered)]  # usually few: a smaller sort below
    codes = pd.Index(np.unique(np.concatenate([registered.astype(str), unregistered.astype(str)])), dtype=object,
                     name="customer_code")
    used = list(CUSTOMER_FIELDS[1:])
    reg = registry[used].reindex(codes)  # customers only seen in transactions get NaN here …

    def cells(column: str) -> np.ndarray:  # … which becomes None, as in the Book
        return text_values(reg[column].to_numpy(dtype=object))

    cats = _first_rows(categories, "code")
    category_code = cells("category_code")
    cat_codes = pd.Index(pd.unique(category_code[pd.notna(category_code)]), dtype=object)

    terms = inherit(cat_codes, _own_values(cats, "payment_terms_days"), scheme).reindex(category_code)
    reminder = inherit(cat_codes, _own_values(cats, "reminder_days"), scheme).reindex(category_code)

    own_terms = reg["payment_terms_days"]
    has_own = own_terms.notna().to_numpy()
    has_cat = terms["value"].notna().to_numpy() & ~has_own
    terms_days = np.full(len(codes), int(default_terms_days), dtype=np.int64)
    terms_days[has_own] = own_terms.to_numpy(dtype=np.int64, na_value=0)[has_own]
    terms_days[has_cat] = terms["value"].to_numpy(dtype=object)[has_cat].astype(np.int64)
    source = np.full(len(codes), "default", dtype=object)
    source[has_cat] = np.where(terms["inherited"].to_numpy(dtype=bool)[has_cat], "ancestor", "category")
    source[has_own] = "customer"
    terms_category = np.where(has_cat, terms["source_code"].to_numpy(dtype=object), None)

    names = text_values(cats["name"].reindex(category_code).to_numpy(dtype=object))
    return pd.DataFrame({
        "name": text(cells("name"), codes),
        "category_code": text(category_code, codes),
        "category_name": text(names, codes),
        "contact": text(cells("contact"), codes),
        "phone": text(cells("phone"), codes),
        "terms_days": terms_days,
        "terms_source": text(source, codes),
        "terms_category": text(terms_category, codes),
        "reminder_days": pd.array(reminder["value"].to_numpy(dtype=object), dtype="Int64"),
        "registered": codes.isin(registry.index),
    }, index=codes)


def archive_defaults(customers: pd.DataFrame, categories: pd.DataFrame, scheme: CodingScheme) -> pd.DataFrame:
    """Per customer code (first row of the Customers sheet): settlement_method and invoice_type, inherited.

    Columns: settlement_method, settlement_source ("customer", "category", "ancestor" or
    None), settlement_category (the category that gave it), invoice_type, invoice_type_category.
    """
    registry = _first_rows(customers, "code")
    cats = _first_rows(categories, "code")
    category_code = (text_values(registry["category_code"].to_numpy(dtype=object))
                     if "category_code" in registry.columns else np.full(len(registry), None, dtype=object))
    cat_codes = pd.Index(pd.unique(category_code[pd.notna(category_code)]), dtype=object)

    def from_tree(column: str) -> pd.DataFrame:
        own = _own_values(cats, column) if column in cats.columns else {}
        return inherit(cat_codes, own, scheme).reindex(category_code)

    settlement, invoice = from_tree("settlement_method"), from_tree("invoice_type")
    own = (registry["settlement_method"] if "settlement_method" in registry.columns
           else pd.Series([None] * len(registry), index=registry.index, dtype=object))
    has_own = own.notna().to_numpy()
    has_cat = settlement["value"].notna().to_numpy() & ~has_own
    value = np.where(has_own, own.to_numpy(dtype=object), settlement["value"].to_numpy(dtype=object))
    source = np.full(len(registry), None, dtype=object)
    source[has_cat] = np.where(settlement["inherited"].to_numpy(dtype=bool)[has_cat], "ancestor", "category")
    source[has_own] = "customer"
    codes = registry.index
    return pd.DataFrame({
        "settlement_method": text(text_values(value), codes),
        "settlement_source": text(source, codes),
        "settlement_category": text(text_values(np.where(has_cat, settlement["source_code"].to_numpy(dtype=object),
                                                         None)), codes),
        "invoice_type": text(text_values(invoice["value"].to_numpy(dtype=object)), codes),
        "invoice_type_category": text(text_values(invoice["source_code"].to_numpy(dtype=object)), codes),
    }, index=codes)
