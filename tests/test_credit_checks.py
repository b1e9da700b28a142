"""Checks of the Risk sheet (and risk rows left in Settings); the risk table the score reads."""

from __future__ import annotations

import pytest

from xlcust.book import Book
from xlcust.checks import CATALOG, run_checks
from xlcust.checks.credit import CHECKS
from xlcust.credit import RiskTable
from xlcust.findings import Severity

CUSTOMERS = [
    {"code": "C1", "name": "Acme", "category_code": "01", "industry": "Construction", "region": "广东"},
    {"code": "C2", "name": "Beta", "category_code": "01", "industry": "Retail", "region": "上海"},
]


def risk_findings(risk: list[dict] | None, settings: dict | None = None) -> list[tuple[str, int | None, str | None]]:
    book = Book.from_rows(settings=settings, categories=[{"code": "01", "name": "All"}], customers=CUSTOMERS,
                          risk=risk)
    findings = [f for check in CHECKS for f in check(book)]
    for f in findings:
        assert CATALOG[f.code].severity is f.severity, f
    return [(f.code, f.row, f.column) for f in findings]


def test_a_clean_table_and_no_table_have_no_findings() -> None:
    clean = [{"kind": "industry", "name": "Construction", "score": 40}, {"kind": "地区", "name": "广东", "score": 80},
             {"kind": "region", "name": "*", "score": 60}]
    assert risk_findings(clean) == []
    assert risk_findings(None) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"kind": "sector", "name": "Construction", "score": 40}, [("SET_RISK_KIND", 2, "A")]),
        ({"kind": None, "name": "Construction", "score": 40}, [("SET_RISK_KIND", 2, "A")]),
        ({"kind": "industry", "name": None, "score": 40}, [("SET_RISK_NAME_MISSING", 2, "B")]),
        ({"kind": "industry", "name": "Construction", "score": 101}, [("SET_RISK_SCORE", 2, "C")]),
        ({"kind": "industry", "name": "Construction", "score": -1}, [("SET_RISK_SCORE", 2, "C")]),
        ({"kind": "industry", "name": "Construction", "score": "high"}, [("SET_RISK_SCORE", 2, "C")]),
        ({"kind": "industry", "name": "Construction", "score": 40.5}, [("SET_RISK_SCORE", 2, "C")]),
        ({"kind": "industry", "name": "Construction", "score": None}, [("SET_RISK_SCORE", 2, "C")]),
        ({"kind": "industry", "name": "Constrution", "score": 40}, [("SET_RISK_UNUSED", 2, "B")]),
    ],
)
def test_bad_rows(row: dict, expected: list) -> None:
    assert risk_findings([row]) == expected


def test_unused_name_suggests_the_closest() -> None:
    book = Book.from_rows(categories=[{"code": "01", "name": "All"}], customers=CUSTOMERS,
                          risk=[{"kind": "industry", "name": "Constrution", "score": 40}])
    (finding,) = [f for f in run_checks(book) if f.code == "SET_RISK_UNUSED"]
    assert finding.severity is Severity.INFO and finding.sheet == "Risk"
    assert finding.suggestion.startswith("Did you mean 'Construction'?")


def test_duplicates_keep_the_first_row() -> None:
    rows = [{"kind": "industry", "name": "Construction", "score": 40},
            {"kind": "行业", "name": " construction ", "score": 90}]
    assert risk_findings(rows) == [("SET_RISK_DUPLICATE", 3, "B")]
    book = Book.from_rows(customers=CUSTOMERS, risk=rows)
    assert RiskTable.from_book(book).scores["industry"] == {"construction": (40, 2)}


def test_rows_the_checks_reject_are_not_scored() -> None:
    rows = [{"kind": "sector", "name": "Construction", "score": 10}, {"kind": "industry", "name": None, "score": 10},
            {"kind": "industry", "name": "Retail", "score": 101}, {"kind": "region", "name": "广东", "score": 80}]
    table = RiskTable.from_book(Book.from_rows(customers=CUSTOMERS, risk=rows))
    assert table.present and len(table) == 1 and table.scores["region"] == {"广东": (80, 5)}


def test_risk_rows_in_settings_are_pointed_at_the_risk_sheet() -> None:
    findings = risk_findings(None, settings={"risk.industry.Construction": 40, "company_name": "x"})
    assert findings == [("SET_RISK_IN_SETTINGS", 2, "A")]


def test_run_checks_includes_the_risk_checks() -> None:
    book = Book.from_rows(categories=[{"code": "01", "name": "All"}], customers=CUSTOMERS,
                          risk=[{"kind": "sector", "name": "x", "score": 1}])
    assert "SET_RISK_KIND" in {f.code for f in run_checks(book)}
