"""Categories: codes under the scheme, the tree, per-category values."""

from __future__ import annotations

import pytest

from xlcust.book import Book
from xlcust.celltypes import ExcelError
from xlcust.checks import categories as checks
from xlcust.checks import run_checks
from xlcust.findings import Finding


def run(check, categories: list[dict], scheme: str = "2-2-2") -> list[Finding]:
    return list(check(Book.from_rows(settings={"coding_scheme": scheme}, categories=categories)))


def codes_at(findings: list[Finding]) -> list[tuple[str, int, str | None]]:
    return [(f.code, f.row, f.column) for f in findings]


@pytest.mark.parametrize(
    ("code", "scheme", "expected"),
    [
        ("01", "2-2-2", None),
        ("0101", "2-2-2", None),
        ("010101", "2-2-2", None),
        ("AB", "2-2-2", None),
        ("011", "2-2-2", "CAT_CODE_LENGTH"),
        ("0101010", "2-2-2", "CAT_CODE_LENGTH"),
        ("01", "4-2", "CAT_CODE_LENGTH"),
        ("ab", "2-2-2", "CAT_CODE_CHARS"),
        ("0-1", "2-2-2", "CAT_CODE_CHARS"),
        ("０１", "2-2-2", None),  # full-width is read half-width (CAT_SPACES says so)
        (101, "2-2-2", "CAT_CODE_LEADING_ZEROS"),
        (1, "2-2-2", "CAT_CODE_LEADING_ZEROS"),
        (1001, "2-2-2", "CAT_CODE_NUMBER"),
        (1234567, "2-2-2", "CAT_CODE_LENGTH"),
        (None, "2-2-2", "CAT_CODE_MISSING"),
    ],
)
def test_code_under_scheme(code: object, scheme: str, expected: str | None) -> None:
    findings = run(checks.check_category_codes, [{"code": code, "name": "n"}], scheme)
    assert [f.code for f in findings] == ([expected] if expected else [])
    assert all((f.row, f.column, f.field) == (2, "A", "code") for f in findings)


def test_leading_zeros_suggests_the_padded_text() -> None:
    (f,) = run(checks.check_category_codes, [{"code": 101, "name": "Retail"}])
    assert "'0101'" in f.suggestion and "Text" in f.suggestion and f.value == "101"


def test_lower_case_suggests_upper_case() -> None:
    (f,) = run(checks.check_category_codes, [{"code": "a1", "name": "x"}])
    assert "'A1'" in f.suggestion


def test_length_message_names_the_valid_lengths() -> None:
    (f,) = run(checks.check_category_codes, [{"code": "011", "name": "x"}], "2-2-2")
    assert "2, 4 or 6" in f.message and "2-2-2" in f.message


def test_spaces_and_full_width_are_warned() -> None:
    findings = run(checks.check_category_cells, [{"code": " 01", "name": "x"}, {"code": "０２", "name": "y"}])
    assert codes_at(findings) == [("CAT_SPACES", 2, "A"), ("CAT_SPACES", 3, "A")]
    assert "read as '02'" in findings[1].message


def test_error_value_cell() -> None:
    findings = run(checks.check_category_cells, [{"code": "01", "name": ExcelError("#REF!")}])
    assert codes_at(findings) == [("CAT_ERROR_VALUE", 2, "B")]
    assert findings[0].value == "#REF!"


def test_parent_missing() -> None:
    findings = run(checks.check_category_parents, [
        {"code": "01", "name": "a"},
        {"code": "0101", "name": "b"},
        {"code": "0201", "name": "c"},
        {"code": "020101", "name": "d"},  # its parent 0201 exists (it is 0201 that lacks one)
    ])
    assert codes_at(findings) == [("CAT_PARENT_MISSING", 4, "A")]
    assert "'02'" in findings[0].message


def test_duplicates_name_the_first_row() -> None:
    findings = run(checks.check_category_duplicates, [
        {"code": "01", "name": "a"}, {"code": "02", "name": "b"}, {"code": "01", "name": "c"},
        {"code": "01", "name": "d"},
    ])
    assert codes_at(findings) == [("CAT_DUPLICATE_CODE", 4, "A"), ("CAT_DUPLICATE_CODE", 5, "A")]
    assert all("row 2" in f.message for f in findings)


def test_name_required() -> None:
    findings = run(checks.check_category_names, [{"code": "01", "name": " "}, {"code": "02", "name": "x"}])
    assert codes_at(findings) == [("CAT_NAME_MISSING", 2, "B")]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (0.13, []),
        ("13%", []),
        (0, []),
        (0.09, []),
        (0.06, []),
        (0.03, []),
        (0.01, []),
        (0.05, []),
        (0.17, ["CAT_TAX_RATE_UNUSUAL"]),
        (1.0, ["CAT_TAX_RATE_UNUSUAL"]),
        (13, ["CAT_TAX_RATE_INVALID"]),
        (-0.1, ["CAT_TAX_RATE_INVALID"]),
        ("abc", ["CAT_TAX_RATE_INVALID"]),
        ("0.13", ["CAT_NUMBER_TEXT"]),
    ],
)
def test_tax_rates(rate: object, expected: list[str]) -> None:
    findings = run(checks.check_category_tax_rates, [{"code": "01", "name": "x", "tax_rate": rate}])
    assert [f.code for f in findings] == expected
    assert all((f.row, f.column) == (2, "C") for f in findings)


def test_tax_rate_of_13_suggests_percent() -> None:
    (f,) = run(checks.check_category_tax_rates, [{"code": "01", "name": "x", "tax_rate": 13}])
    assert "13%" in f.suggestion and "0.13" in f.suggestion


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("payment_terms_days", 30, []),
        ("payment_terms_days", 0, []),
        ("payment_terms_days", -1, ["CAT_DAYS_INVALID"]),
        ("payment_terms_days", 30.5, ["CAT_DAYS_INVALID"]),
        ("payment_terms_days", "thirty", ["CAT_DAYS_INVALID"]),
        ("payment_terms_days", "30", ["CAT_NUMBER_TEXT"]),
        ("reminder_days", -7, ["CAT_DAYS_INVALID"]),
        ("reminder_days", 7, []),
    ],
)
def test_days(field: str, value: object, expected: list[str]) -> None:
    findings = run(checks.check_category_days, [{"code": "01", "name": "x", field: value}])
    assert [f.code for f in findings] == expected
    assert all((f.row, f.column, f.field) == (2, "C", field) for f in findings)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100000, []),
        (0, []),
        ("100,000", ["CAT_NUMBER_TEXT"]),
        ("lots", ["CAT_CREDIT_LIMIT_INVALID"]),
        (-5, ["CAT_CREDIT_LIMIT_INVALID"]),
    ],
)
def test_credit_limits(value: object, expected: list[str]) -> None:
    findings = run(checks.check_category_credit_limits, [{"code": "01", "name": "x", "credit_limit": value}])
    assert [f.code for f in findings] == expected


def test_active_words() -> None:
    findings = run(checks.check_category_active, [
        {"code": "01", "name": "x", "active": "是"}, {"code": "02", "name": "y", "active": "perhaps"},
    ])
    assert codes_at(findings) == [("CAT_ACTIVE_INVALID", 3, "C")]


def test_missing_name_column_is_left_to_the_reader() -> None:
    # Without a Name column the reader reports HDR_MISSING_COLUMN once, not a finding per row.
    findings = run_checks(Book.from_rows(categories=[{"code": "01"}, {"code": "02"}]))
    assert not [f for f in findings if f.code == "CAT_NAME_MISSING"]
