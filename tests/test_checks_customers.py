"""Customers: codes, names, categories, credit codes, duplicates, numbers, mnemonics, status."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlcust.archive import (
    customer_credit_limits,
    first_duplicate_rows,
    likely_duplicates,
    normalize_name,
    parse_status,
)
from xlcust.book import Book
from xlcust.checks import customers as checks
from xlcust.findings import Finding, Severity
from xlcust.mnemonic import MNEMONIC_MAX, mnemonic, mnemonic_fills

CATEGORIES = [
    {"code": "01", "name": "Domestic", "payment_terms_days": 30, "credit_limit": 1000},
    {"code": "0101", "name": "Construction"},
    {"code": "0102", "name": "Online", "payment_terms_days": 15},
    {"code": "02", "name": "Export"},
]
VALID = ("91440300708461136T", "91440300123456788M", "91110108MA01ABCD5T")


def book(customers: list[dict], **extra) -> Book:
    return Book.from_rows(settings={"coding_scheme": "2-2"}, categories=CATEGORIES, customers=customers, **extra)


def run(check, customers: list[dict]) -> list[Finding]:
    return list(check(book(customers)))


def at(findings: list[Finding]) -> list[tuple[str, int, str | None]]:
    return [(f.code, f.row, f.field) for f in findings]


def test_codes_blank_and_duplicated() -> None:
    findings = run(checks.check_customer_codes, [
        {"code": "C1", "name": "a"}, {"code": None, "name": "b"}, {"code": "C1", "name": "c"},
    ])
    assert at(findings) == [("CUS_CODE_MISSING", 3, "code"), ("CUS_DUPLICATE_CODE", 4, "code")]
    assert "row 2" in findings[1].message


def test_name_required() -> None:
    findings = run(checks.check_customer_names, [{"code": "C1", "name": None}, {"code": "C2", "name": "x"}])
    assert at(findings) == [("CUS_NAME_MISSING", 2, "name")]
    assert "'C1'" in findings[0].message


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("0101", []),
        ("02", []),  # a top-level leaf is fine
        ("01", ["CUS_CATEGORY_NOT_LEAF"]),
        ("99", ["CUS_CATEGORY_UNKNOWN"]),
        (None, ["CUS_CATEGORY_MISSING"]),
    ],
)
def test_category_exists_and_is_a_leaf(category: object, expected: list[str]) -> None:
    findings = run(checks.check_customer_categories, [{"code": "C1", "name": "x", "category_code": category}])
    assert [f.code for f in findings] == expected
    assert all(f.field == "category_code" and f.row == 2 for f in findings)


def test_parent_category_suggests_its_leaves() -> None:
    (f,) = run(checks.check_customer_categories, [{"code": "C1", "name": "x", "category_code": "01"}])
    assert "0101 Construction" in f.suggestion and "0102 Online" in f.suggestion


def test_number_category_suggests_padding() -> None:
    (f,) = run(checks.check_customer_categories, [{"code": "C1", "name": "x", "category_code": 101}])
    assert f.code == "CUS_CATEGORY_UNKNOWN" and "'0101'" in f.suggestion


@pytest.mark.parametrize(
    ("tax_id", "expected"),
    [
        (VALID[0], []),
        (VALID[2].lower(), []),  # compared upper-case
        (None, []),
        ("91440300708461136X", ["CUS_TAX_ID_INVALID"]),
        ("9144030070846113", ["CUS_TAX_ID_INVALID"]),
        (914403007084611360, ["CUS_TAX_ID_NUMBER"]),
    ],
)
def test_tax_ids(tax_id: object, expected: list[str]) -> None:
    findings = run(checks.check_customer_tax_ids, [{"code": "C1", "name": "x", "tax_id": tax_id}])
    assert [f.code for f in findings] == expected


def test_invalid_tax_id_says_what_is_wrong() -> None:
    (f,) = run(checks.check_customer_tax_ids, [{"code": "C1", "name": "x", "tax_id": "91440300708461136X"}])
    assert "expected 'T'" in f.message


def test_same_tax_id_is_an_error_naming_the_other_row() -> None:
    findings = run(checks.check_customer_duplicate_tax_ids, [
        {"code": "C1", "name": "Alpha", "tax_id": VALID[0]},
        {"code": "C2", "name": "Beta", "tax_id": VALID[1]},
        {"code": "C3", "name": "Gamma", "tax_id": " " + VALID[0].lower()},
    ])
    assert at(findings) == [("CUS_DUPLICATE_TAX_ID", 4, "tax_id")]
    assert "row 2" in findings[0].message and "Alpha" in findings[0].message


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("华远建筑有限公司", "华远建筑"),
        ("华远建筑有限公司", "华远建筑（集团）有限公司"),
        ("华远建筑股份有限公司", "华 远 建 筑 有限责任公司"),
        ("耐克（中国）有限公司", "耐克有限公司"),
        ("Acme Trading Co., Ltd.", "ACME TRADING"),
        ("Acme Inc.", "ａｃｍｅ"),
    ],
)
def test_likely_duplicates_by_normalised_name(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)
    findings = run(checks.check_customer_likely_duplicates, [
        {"code": "C1", "name": a}, {"code": "C2", "name": "Other"}, {"code": "C3", "name": b},
    ])
    assert at(findings) == [("CUS_LIKELY_DUPLICATE", 4, "name")]
    assert findings[0].severity is Severity.WARNING and "row 2" in findings[0].message


@pytest.mark.parametrize(("a", "b"), [("Zinc Co", "Z"), ("华远建筑", "华远建材"), ("北京分公司", "上海分公司")])
def test_different_names_stay_apart(a: str, b: str) -> None:
    assert normalize_name(a) != normalize_name(b)


def test_likely_duplicate_skipped_when_tax_ids_tell_them_apart_or_already_match() -> None:
    findings = run(checks.check_customer_likely_duplicates, [
        {"code": "C1", "name": "华远建筑", "tax_id": VALID[0]},
        {"code": "C2", "name": "华远建筑有限公司", "tax_id": VALID[1]},  # two registered entities
        {"code": "C3", "name": "星河贸易", "tax_id": VALID[2]},
        {"code": "C4", "name": "星河贸易有限公司", "tax_id": VALID[2]},  # CUS_DUPLICATE_TAX_ID covers it
        {"code": "C5", "name": "星河贸易集团"},  # no tax id: flagged against row 4
    ])
    assert at(findings) == [("CUS_LIKELY_DUPLICATE", 6, "name")]


names = st.text(alphabet="华远建筑有限公司集团 ()（）.,ACMEcoltdinc", max_size=14)


@given(names, names)
def test_duplicate_detection_is_symmetric(a: str, b: str) -> None:
    forward = likely_duplicates(pd.Series([a, b], index=[2, 3]))
    backward = likely_duplicates(pd.Series([b, a], index=[2, 3]))
    assert len(forward) == len(backward)
    assert (len(forward) == 1) == (normalize_name(a) == normalize_name(b) != "")


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("华远建筑有限公司", "华远建筑"),
        ("华远建筑集团有限公司", "华远建筑"),  # the longest suffix goes first
        ("华远集团公司", "华远"),  # then the next one
        ("有限公司", "有限"),  # a suffix never takes the whole name
        ("公司", "公司"),
        ("Acme (China) Co., Ltd.", "acme"),
        ("", ""),
    ],
)
def test_normalize_name(name: str, normal: str) -> None:
    assert normalize_name(name) == normal


@pytest.mark.parametrize(
    ("keys", "repeats"),
    [
        (["A", "B", "A", None, None, "", "", "B", "A"], {4: 2, 9: 3, 10: 2}),  # blanks and '' never match
        ([-1, -2, -1], {4: 2}),  # -1 and -2 share a Python hash; only equal keys repeat
        ([], {}),
    ],
)
def test_first_duplicate_rows(keys: list, repeats: dict[int, int]) -> None:
    found = first_duplicate_rows(pd.Series(keys, index=range(2, 2 + len(keys)), dtype=object))
    assert found.to_dict() == repeats


@given(st.lists(st.sampled_from(["a", "b", "", None, float("nan"), -1, -2, 0]), max_size=20))
def test_first_duplicate_rows_is_the_first_earlier_row_with_the_key(keys: list) -> None:
    first: dict = {}
    repeats = {}
    for row, key in enumerate(keys, start=2):
        if pd.isna(key) or key == "":
            continue
        if key in first:
            repeats[row] = first[key]
        else:
            first[key] = row
    found = first_duplicate_rows(pd.Series(keys, index=range(2, 2 + len(keys)), dtype=object))
    assert found.to_dict() == repeats


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("credit_limit", 50000, []),
        ("credit_limit", "50,000", ["CUS_NUMBER_TEXT"]),
        ("credit_limit", "1,2", ["CUS_CREDIT_LIMIT_INVALID"]),
        ("credit_limit", -1, ["CUS_CREDIT_LIMIT_INVALID"]),
        ("payment_terms_days", "45", ["CUS_NUMBER_TEXT"]),
        ("payment_terms_days", "forty", ["CUS_DAYS_INVALID"]),
        ("payment_terms_days", -2, ["CUS_DAYS_INVALID"]),
    ],
)
def test_numbers(field: str, value: object, expected: list[str]) -> None:
    b = book([{"code": "C1", "name": "x", field: value}])
    findings = [*checks.check_customer_credit_limits(b), *checks.check_customer_terms(b)]
    assert [f.code for f in findings] == expected
    assert all(f.field == field for f in findings)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("北京华远建筑", "BJHYJZ"),
        ("重庆银行", "CQYH"),
        ("3M中国", "3MZG"),
        ("ＡＢＣ商贸", "ABCSM"),
        ("（北京）华远·建筑", "BJHYJZ"),
        ("北京华远建筑工程有限公司", "BJHYJZGCYX"),  # capped at 10
        ("", ""),
    ],
)
def test_mnemonic(name: str, expected: str) -> None:
    assert mnemonic(name) == expected
    assert len(mnemonic(name)) <= MNEMONIC_MAX


def test_blank_mnemonic_is_filled_as_info() -> None:
    customers = [
        {"code": "C1", "name": "重庆银行", "mnemonic": None},
        {"code": "C2", "name": "星河贸易", "mnemonic": "MINE"},  # a user's own choice is kept
        {"code": "C3", "name": None, "mnemonic": None},
    ]
    b = book(customers)
    assert mnemonic_fills(b) == [(2, "CQYH")]
    findings = list(checks.check_customer_mnemonics(b))
    assert at(findings) == [("CUS_MNEMONIC_FILLED", 2, "mnemonic")]
    assert findings[0].severity is Severity.INFO and "CQYH" in findings[0].suggestion


def test_no_mnemonic_column_no_fills() -> None:
    assert mnemonic_fills(book([{"code": "C1", "name": "重庆银行"}])) == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [(None, "active"), ("正常", "active"), ("Active", "active"), ("停用", "inactive"), ("inactive", "inactive"),
     ("dormant", "dormant"), ("休眠", "dormant"), ("gone", None)],
)
def test_status_words(word: object, expected: str | None) -> None:
    assert parse_status(word) == expected


def test_unknown_status_is_a_warning() -> None:
    findings = run(checks.check_customer_status, [
        {"code": "C1", "name": "x", "status": "停用"}, {"code": "C2", "name": "y", "status": "gone"},
    ])
    assert at(findings) == [("CUS_STATUS_UNKNOWN", 3, "status")]


def test_opened_on_dates() -> None:
    findings = run(checks.check_customer_dates, [
        {"code": "C1", "name": "x", "opened_on": dt.date(2020, 1, 1)},
        {"code": "C2", "name": "y", "opened_on": "2020-01-01"},
        {"code": "C3", "name": "z", "opened_on": "01/02/2020"},
    ])
    assert at(findings) == [("CUS_DATE_TEXT", 3, "opened_on"), ("CUS_DATE_INVALID", 4, "opened_on")]


def test_code_cells_with_spaces() -> None:
    findings = run(checks.check_customer_cells, [{"code": "C1 ", "name": "x", "category_code": "０１０１"}])
    assert at(findings) == [("CUS_SPACES", 2, "code"), ("CUS_SPACES", 2, "category_code")]


def test_credit_limits_inherit() -> None:
    b = book([
        {"code": "C1", "name": "a", "category_code": "0101"},  # from 01
        {"code": "C2", "name": "b", "category_code": "0102", "credit_limit": 5},  # its own
        {"code": "C3", "name": "c", "category_code": "02"},  # none anywhere: no limit
    ])
    limits = customer_credit_limits(b)
    assert limits.iloc[:2].tolist() == [100000, 500] and limits.iloc[2] is pd.NA
    with_default = Book.from_rows(settings={"coding_scheme": "2-2", "default_credit_limit": 70},
                                  categories=CATEGORIES, customers=[{"code": "C3", "name": "c", "category_code": "02"}])
    assert customer_credit_limits(with_default).tolist() == [7000]
