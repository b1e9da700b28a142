"""The Rules sheet: order, ids, findings on the right cells, `xlcust check`, the catalogue and the docs page."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest

import xlcust
from xlcust.book import Book
from xlcust.celltypes import ExcelError
from xlcust.checks import CATALOG, run_checks
from xlcust.findings import Severity
from xlcust.rules import FUNCTIONS, METRICS, compile_rules
from xlcust.rules.docs import PAGE, render
from xlcust.schema import normalize_header

CATEGORIES = [
    {"code": "01", "name": "Domestic"},
    {"code": "0101", "name": "Retail"},
    {"code": "0102", "name": "Wholesale"},
    {"code": "99", "name": "Other"},
    {"code": "9901", "name": "Dormant", "active": False},
]
CUSTOMERS = [{"code": "C1", "name": "Alpha", "category_code": "0101"}]


def book(rules: list[dict]) -> Book:
    return Book.from_rows(categories=CATEGORIES, customers=CUSTOMERS, rules=rules)


def rule(rid: object, when: object = "TRUE", then: object = 'tag + "x"', **extra: object) -> dict:
    return {"rule_id": rid, "priority": extra.pop("priority", None), "when": when, "then": then,
            "active": extra.pop("active", None), "note": extra.pop("note", None)}


def test_rules_run_by_priority_then_row_with_blank_priorities_last() -> None:
    ruleset = compile_rules(book([
        rule("R1", priority=30), rule("R2"), rule("R3", priority=10), rule("R4", priority=10), rule("R5", priority=-5),
    ]))
    assert [r.rule_id for r in ruleset.rules] == ["R5", "R3", "R4", "R1", "R2"]
    assert ruleset.findings == []


def test_row_problems_are_findings_on_their_cells_and_those_rules_do_not_run() -> None:
    ruleset = compile_rules(book([
        rule("R1"),
        rule(None),  # row 3: no id
        rule("R1"),  # row 4: duplicate
        rule("R5", priority="high"),  # row 5
        rule("R6", active="maybe"),  # row 6
        rule("R7", when=None),  # row 7
        rule("R8", then=None),  # row 8
        rule(None, when=None, then=None),  # row 9: an empty row is not a rule
    ]))
    got = {(f.code, f.row, f.field, f.column) for f in ruleset.findings}
    assert got == {
        ("RUL_ID_MISSING", 3, "rule_id", "A"),
        ("RUL_ID_DUPLICATE", 4, "rule_id", "A"),
        ("RUL_PRIORITY_INVALID", 5, "priority", "B"),
        ("RUL_ACTIVE_INVALID", 6, "active", "E"),
        ("RUL_WHEN_MISSING", 7, "when", "C"),
        ("RUL_THEN_MISSING", 8, "then", "D"),
    }
    assert [r.rule_id for r in ruleset.runnable] == ["R1"]
    assert all(f.severity is Severity.ERROR for f in ruleset.findings)


def test_condition_and_action_errors_point_at_the_cell_and_the_character() -> None:
    ruleset = compile_rules(book([
        rule("R1", when="AND(revenue_12m > 1, overdue_90_count = )"),
        rule("R2", then='category = "01"'),
        rule("R3", then='category = "9901"'),
    ]))
    by_code = {f.code: f for f in ruleset.findings}
    syntax = by_code["RUL_SYNTAX"]
    assert (syntax.row, syntax.column, syntax.field) == (2, "C", "when")
    assert syntax.message.startswith("Rule R1, character 41 of 41: Syntax error: unexpected ')'")
    assert syntax.value == "AND(revenue_12m > 1, overdue_90_count = )"
    leaf = by_code["RUL_CATEGORY_NOT_LEAF"]
    assert (leaf.row, leaf.column) == (3, "D") and "0101 Retail" in leaf.suggestion
    inactive = by_code["RUL_CATEGORY_INACTIVE"]
    assert inactive.severity is Severity.WARNING and inactive.row == 4
    assert [r.rule_id for r in ruleset.runnable] == ["R3"]


def test_an_inactive_rule_with_an_error_is_only_a_note() -> None:
    ruleset = compile_rules(book([rule("R1", when="revenue_12m >", active=False), rule("R2", active="否")]))
    assert [(f.code, f.severity) for f in ruleset.findings] == [("RUL_INACTIVE_INVALID", Severity.INFO)]
    assert "Rule R1" in ruleset.findings[0].message and ruleset.runnable == []


def test_a_rule_typed_with_a_leading_equals_sign_became_an_excel_error() -> None:
    ruleset = compile_rules(book([rule("R1", when=ExcelError("#NAME?"))]))
    [finding] = ruleset.findings
    assert (finding.code, finding.row, finding.field) == ("RUL_ERROR_VALUE", 2, "when")
    assert "apostrophe" in finding.suggestion


def test_check_reports_rule_problems_once_each_with_catalogued_codes() -> None:
    findings = run_checks(book([
        rule(" R1 "), rule("R1"), rule("R3", when="revenu_12m > 0"), rule("R4", then="grade = 'D'"),
        rule("R5", priority=ExcelError("#REF!")),
    ]))
    rules = [f for f in findings if f.sheet == "Rules"]
    codes = sorted(f.code for f in rules)
    assert codes == ["RUL_ERROR_VALUE", "RUL_ID_DUPLICATE", "RUL_SPACES", "RUL_SYNTAX", "RUL_UNKNOWN_NAME"]
    for f in rules:
        assert CATALOG[f.code].severity is f.severity


def test_demo_like_rules_check_clean() -> None:
    findings = run_checks(book([
        rule("R01", 'AND(revenue_12m > 500000, overdue_90_count = 0)', 'tag + "重点客户"', priority=10),
        rule("R03", "months_since_last_txn >= 12", 'category = "0102"', priority=30),
        rule("R05", 'HAS_TAG("建筑业")', 'flag "核对工程款结算节点"', priority=50),
    ]))
    assert [f for f in findings if f.sheet == "Rules"] == []


_CODE = re.compile(r'"((?:RUL|RCL)_[A-Z_]+)"')


def test_every_rules_and_reclass_code_in_the_source_is_in_the_catalog() -> None:
    root = Path(xlcust.__file__).parent
    found: set[str] = set()
    for pattern in ("rules/*.py", "reclass/*.py", "checks/rules.py"):
        for path in root.glob(pattern):
            found |= set(_CODE.findall(path.read_text(encoding="utf-8")))
    found |= {"RUL_ERROR_VALUE", "RUL_SPACES"}  # made by checks.cells.odd_cells
    assert len(found) > 25
    assert found - set(CATALOG) == set()
    assert {c for c in CATALOG if c.startswith(("RUL_", "RCL_"))} - found == set()


def test_docs_page_is_current_and_names_every_metric_and_function() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert render(text) == text, "docs/rules.md is stale: run python -m xlcust.rules.docs"
    assert all(f"`{m.name}`" in text for m in METRICS)
    assert all(f.signature in text for f in FUNCTIONS.values())


def test_names_functions_and_constants_never_collide() -> None:
    spellings: dict[str, str] = {}
    for m in METRICS:
        for alias in m.all_names:
            key = normalize_header(alias)
            assert spellings.setdefault(key, m.name) == m.name, alias
    assert not set(spellings) & set(FUNCTIONS)
    assert not set(spellings) & {"true", "false"}


def test_the_grammar_ships_as_package_data() -> None:
    assert files("xlcust.rules").joinpath("grammar.lark").is_file()
    pyproject = tomllib.loads((Path(xlcust.__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "rules/*.lark" in pyproject["tool"]["setuptools"]["package-data"]["xlcust"]


@pytest.mark.parametrize("when", ["revenue_12m > 1", "AND(TRUE, NOT(FALSE))"])
def test_a_rule_records_the_metrics_it_reads(when: str) -> None:
    [r] = compile_rules(book([rule("R1", when)]), credit=False).rules
    assert r.metrics == ({"revenue_12m"} if "revenue" in when else set())
