"""The customer archive (客户档案): name normalisation, likely duplicates, status words,
and terms / credit limits resolved by inheritance.

Names are compared after `normalize_name`: full-width → half-width, case folded,
spaces and punctuation removed, a "(中国)" / "(China)" marker dropped, and company
suffixes (有限公司, 股份有限公司, 集团, Co., Ltd., Inc. …) stripped from the end, so
`华远建筑有限公司` and `华远建筑 (集团)` are flagged as the same customer.

Credit limits resolve customer override → category → nearest ancestor category →
Settings (DESIGN §3); payment terms resolve the same way in `xlcust.ledger.terms`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .codes import CategoryTree

if TYPE_CHECKING:
    from .book import Book

# Stripped longest first, repeatedly, never leaving an empty name.
COMPANY_SUFFIXES_ZH: tuple[str, ...] = (
    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "分公司", "总公司",
    "集团", "公司", "商行", "工作室",
)
COMPANY_SUFFIXES_EN: frozenset[str] = frozenset({
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "plc",
    "gmbh", "group", "holdings",
})
_COUNTRY_MARKER = re.compile(r"\((?:中国|china|prc)\)")
_WORDS = re.compile(r"[^\W_]+")
# The name minus its longest company suffix: `(.+?)` is as short as it can be, but not empty.
_ZH_SUFFIX = re.compile("(.+?)(?:" + "|".join(map(re.escape, COMPANY_SUFFIXES_ZH)) + ")", re.DOTALL)


def normalize_name(name: object) -> str:
    """The form in which two customer names are compared ('' for a blank name)."""
    if name is None or (isinstance(name, float) and name != name):
        return ""
    text = unicodedata.normalize("NFKC", str(name)).casefold()
    if "(" in text:
        text = _COUNTRY_MARKER.sub(" ", text)
    # Most names are one word already (华远建筑有限公司); isalnum() is what _WORDS matches.
    words = [text] if text.isalnum() else _WORDS.findall(text)
    while len(words) > 1 and words[-1] in COMPANY_SUFFIXES_EN:
        words.pop()
    squashed = "".join(words)
    stripped = squashed
    while stripped.endswith(COMPANY_SUFFIXES_ZH) and (match := _ZH_SUFFIX.fullmatch(stripped)):
        stripped = match[1]
    return stripped or squashed


def first_duplicate_rows(keys: pd.Series) -> pd.Series:
    """For each row whose key repeats an earlier row's, the row number of the first one.

    `keys` is indexed by Excel row; blanks (None / '' / NA) never match. The result is
    indexed by the repeating rows only.
    """
    values = keys.to_numpy(dtype=object)
    # Equal keys hash equal, so only rows sharing a hash with another row can repeat one.
    # Sorting a million hashes (Python caches each string's) costs far less than a hash
    # table of a million strings; the exact grouping below runs on the sharing rows only.
    hashes = np.fromiter(map(hash, values), dtype=np.int64, count=len(values))
    ordered = np.sort(hashes)
    shared = ordered[1:][ordered[1:] == ordered[:-1]]
    maybe = np.flatnonzero(np.isin(hashes, shared))
    codes, uniques = pd.factorize(values[maybe])  # blanks get code -1
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    repeated = np.flatnonzero(counts > 1)
    repeated = repeated[uniques[repeated] != ""]
    in_group = np.isin(codes, repeated)
    if not in_group.any():
        return pd.Series([], dtype="int64")
    group_rows = keys.index[maybe[in_group]]
    rows = pd.Series(group_rows.to_numpy())
    first = rows.groupby(codes[in_group]).transform("min")
    repeats = (first != rows).to_numpy()
    return pd.Series(first[repeats].to_numpy(), index=group_rows[repeats], dtype="int64")


def likely_duplicates(names: pd.Series) -> pd.Series:
    """Rows whose normalised name equals an earlier row's → that earlier row."""
    codes, distinct = pd.factorize(names)  # each distinct name is normalised once
    normalized = np.array([*map(normalize_name, distinct), None], dtype=object)  # a blank's code -1 picks None
    return first_duplicate_rows(pd.Series(normalized[codes], index=names.index))


# --------------------------------------------------------------------------- status

STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "active": ("active", "normal", "正常", "启用", "有效"),
    "inactive": ("inactive", "disabled", "closed", "停用", "禁用", "注销"),
    "dormant": ("dormant", "休眠"),
}
_STATUS_LOOKUP = {unicodedata.normalize("NFKC", w).casefold(): s for s, ws in STATUS_WORDS.items() for w in ws}


def parse_status(value: object) -> str | None:
    """'active' / 'inactive' / 'dormant' for a status word; blank is active; None when unknown."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return "active"
    return _STATUS_LOOKUP.get(unicodedata.normalize("NFKC", str(value)).strip().casefold())


# 客户类型 as T3 knows it: a company (企业) or a private person (个人).
CUSTOMER_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "company": ("company", "enterprise", "business", "企业", "单位", "公司"),
    "individual": ("individual", "person", "private", "个人", "自然人"),
}
_TYPE_LOOKUP = {unicodedata.normalize("NFKC", w).casefold(): t for t, ws in CUSTOMER_TYPE_WORDS.items() for w in ws}


def parse_customer_type(value: object) -> str | None:
    """'company' / 'individual' for a customer-type word (企业 / 个人 …); None when blank or unknown."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return _TYPE_LOOKUP.get(unicodedata.normalize("NFKC", str(value)).strip().casefold())


# ---------------------------------------------------------------------- inheritance
# Payment terms resolve in the ledger (`xlcust.ledger.terms`, which also records
# where each customer's terms came from); credit limits resolve here, the same way.


def customer_credit_limits(book: Book) -> pd.Series:
    """Credit limit in cents per customer row: customer → category → nearest ancestor → Settings.

    NA means no limit. Indexed like the Customers sheet (Excel rows).
    """
    tree = CategoryTree.from_book(book)
    cats = book.categories.data
    own = pd.Series(cats["credit_limit"].to_numpy(), index=cats["code"].to_numpy(), dtype="Int64")
    own = own[own.index.notna()]
    by_category = tree.inherited(own)
    customers = book.customers.data
    from_category = customers["category_code"].map(by_category).astype("Int64")
    out = customers["credit_limit"].astype("Int64").fillna(from_category)
    default = book.settings.default_credit_limit
    return out if default is None else out.fillna(default)
