"""How rules combine, and what they change: priority, first-wins, tags, grades, flags, the history lock."""

from __future__ import annotations

import sys
import types
from datetime import date as D

import numpy as np
import pandas as pd
import pytest

from xlcust.book import Book
from xlcust.ledger import build_ledger
from xlcust.reclass import Change, Recorded, diff, evaluate_rules, summarize_changes
from xlcust.rules import metrics as metrics_module

AS_OF = D(2026, 9, 30)
CATEGORIES = [
    {"code": c, "name": n} for c, n in (
        ("01", "Domestic"), ("0101", "Retail"), ("0102", "Wholesale"), ("02", "Export"), ("0201", "Asia"),
        ("99", "Other"), ("9901", "Dormant"))
]
CUSTOMERS = [
    {"code": "C1", "name": "Alpha", "category_code": "0101", "tags": "VIP", "opened_on": D(2020, 1, 1)},
    {"code": "C2", "name": "Beta", "category_code": "0102", "tags": "建筑业;VIP", "opened_on": D(2020, 1, 1)},
    {"code": "C3", "name": "Gamma", "category_code": "0201", "opened_on": D(2022, 5, 1)},
    {"code": "C4", "name": "Delta", "category_code": "0101"},
]
TRANSACTIONS = [
    {"txn_id": "I1", "date": D(2026, 6, 1), "customer_code": "C1", "kind": "invoice", "amount": 600000},
    {"txn_id": "R1", "date": D(2026, 6, 20), "customer_code": "C1", "kind": "receipt", "amount": 600000},
    {"txn_id": "I2", "date": D(2026, 1, 1), "customer_code": "C2", "kind": "invoice", "amount": 200000,
     "due_date": D(2026, 1, 31)},
    {"txn_id": "I3", "date": D(2021, 3, 1), "customer_code": "C3", "kind": "invoice", "amount": 1000},
    {"txn_id": "R3", "date": D(2025, 1, 1), "customer_code": "C3", "kind": "receipt", "amount": 1000},
]
HISTORY = [
    {"customer_code": "C1", "category_code": "0101", "valid_from": D(2024, 1, 1)},
    {"customer_code": "C2", "category_code": "0201", "valid_from": D(2023, 1, 1), "valid_to": D(2024, 1, 1)},
    {"customer_code": "C2", "category_code": "0102", "valid_from": D(2024, 1, 1)},
]


@pytest.fixture(autouse=True)
def no_credit(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about rules, not grades: no credit module unless a test installs a fake one."""
    monkeypatch.setattr(metrics_module, "credit_installed", lambda: False)


def make(rules: list[tuple], *, customers: list[dict] = CUSTOMERS, history: list[dict] | None = HISTORY) -> Book:
    rows = [{"rule_id": rid, "priority": prio, "when": when, "then": then, "active": active}
            for rid, prio, when, then, active in ((*r, None) if len(r) == 4 else r for r in rules)]
    return Book.from_rows(settings={"as_of": AS_OF.isoformat()}, categories=CATEGORIES, customers=customers,
                          transactions=TRANSACTIONS, rules=rows, history=history)


def changes_of(book: Book, recorded: Recorded | None = None) -> list[tuple]:
    result = evaluate_rules(book, build_ledger(book))
    return [(c.customer_code, c.field, c.old, c.new, c.rule_id) for c in diff(result, recorded)]


def test_first_matching_category_rule_wins_even_when_it_keeps_the_category() -> None:
    book = make([
        ("R2", 20, "TRUE", 'category = "0102"'),
        ("R1", 10, "months_since_last_txn >= 12", 'category = "9901"'),
        ("R0", 5, 'category_code = "0101"', 'category = "0101"'),
    ])
    assert [c for c in changes_of(book) if c[1] == "category"] == [
        ("C3", "category", "0201", "9901", "R1"),  # idle since 2025-01: R1 comes before R2
    ]
    result = evaluate_rules(book, build_ledger(book))
    assert list(result.category_rule) == ["R0", "R2", "R1", "R0"]  # C2 decided by R2, already in 0102


def test_tags_accumulate_in_priority_order_and_an_add_then_remove_is_no_change() -> None:
    book = make([
        ("R3", 10, "overdue_90_amount > 0", 'tag + "催收"'),
        ("R4", 20, "TRUE", 'tag - "vip"'),
        ("R5", 30, 'HAS_TAG("建筑业")', 'tag + "VIP"'),
        ("R6", 40, "revenue_12m >= 500000", 'tag + "重点客户"'),
    ])
    assert [c for c in changes_of(book) if c[1] == "tags"] == [
        ("C1", "tags", "VIP", None, "R4"),
        ("C1", "tags", None, "重点客户", "R6"),
        ("C2", "tags", "建筑业;VIP", "建筑业;VIP;催收", "R3"),  # R4 took VIP away, R5 put it back
    ]


def test_grade_first_rule_wins_and_flags_accumulate() -> None:
    book = make([
        ("G2", 20, "TRUE", 'grade = "C"'),
        ("G1", 10, "overdue_90_amount > 0", 'grade = "D"'),
        ("F1", 30, "TRUE", 'flag "check limits"'),
        ("F2", 40, 'HAS_TAG("vip")', 'flag "VIP review"'),
    ])
    changes = changes_of(book)
    assert [c for c in changes if c[1] == "grade"] == [
        ("C1", "grade", None, "C", "G2"), ("C2", "grade", None, "D", "G1"),
        ("C3", "grade", None, "C", "G2"), ("C4", "grade", None, "C", "G2")]
    assert [c for c in changes if c[0] == "C1" and c[1] == "flag"] == [
        ("C1", "flag", None, "check limits", "F1"), ("C1", "flag", None, "VIP review", "F2")]
    outcome = evaluate_rules(book, build_ledger(book)).outcome().set_index("customer_code")
    assert outcome.at["C2", "grade_override"] == "D" and outcome.at["C2", "grade_rule"] == "G1"
    assert outcome.at["C1", "flags"] == "check limits (F1); VIP review (F2)"
    assert outcome.at["C3", "flags"] == "check limits (F1)"


def test_recorded_overrides_and_flags_are_not_changes_until_they_go_away() -> None:
    book = make([("G1", 10, "overdue_90_amount > 0", 'grade = "D"'), ("F1", 20, 'HAS_TAG("VIP")', 'flag "x"')])
    recorded = Recorded(grades={"C2": "D", "C3": "B"}, flags={("C1", "F1", "x"), ("C4", "F1", "x"),
                                                              ("C1", "OLD", "gone")})
    assert changes_of(book, recorded) == [
        ("C1", "flag", "gone", None, "OLD"),  # a rule that no longer raises it
        ("C2", "flag", None, "x", "F1"),
        ("C3", "grade", "B", None, None),  # the override no rule gives any more is lifted
        ("C4", "flag", "x", None, "F1"),
    ]


def test_inactive_and_broken_rules_do_not_run_and_division_by_zero_matches_nobody() -> None:
    book = make([
        ("R1", 10, "TRUE", 'tag + "off"', False),
        ("R2", 20, "revenue_12m >", 'tag + "broken"'),
        ("R3", 30, "revenue_12m / invoice_count_12m > 0", 'tag + "sells"'),
        ("R4", 40, "NOT(revenue_12m / 0 > 0)", 'tag + "never"'),
    ])
    result = evaluate_rules(book, build_ledger(book))
    assert [f.code for f in result.findings] == ["RUL_SYNTAX"]
    assert [c[:4] for c in changes_of(book)] == [("C1", "tags", "VIP", "VIP;sells"),
                                                 ("C2", "tags", "建筑业;VIP", "建筑业;VIP;sells")]
    assert set(result.matched) == {"R3", "R4"} and not result.matched["R4"].any()


def test_a_category_change_takes_effect_on_the_as_of_date() -> None:
    book = make([("R1", 10, "revenue_12m > 100000", 'category = "0102"')])
    result = evaluate_rules(book, build_ledger(book))
    [change] = diff(result)
    assert change == Change("C1", "category", "0101", "0102", "R1", customer_row=2, name="Alpha", effective=AS_OF)
    assert change.to_json() == {"customer_code": "C1", "field": "category", "old": "0101", "new": "0102",
                                "rule_id": "R1"}
    i = 0
    assert result.history_change[i] and result.history.at[i, "open_row"] == 2


def test_a_customer_without_history_starts_it_from_its_first_date() -> None:
    book = make([("R1", 10, "months_since_last_txn >= 12", 'category = "9901"')])
    result = evaluate_rules(book, build_ledger(book))
    i = 2  # C3: no history rows, opened 2022-05-01, first transaction 2021-03-01
    assert result.category_change[i] and result.history_change[i] and result.history.at[i, "rows"] == 0
    assert pd.Timestamp(result.start[i]).date() == D(2021, 3, 1)


def test_a_change_made_on_the_customers_sheet_is_recorded_without_a_rule() -> None:
    customers = [dict(c) for c in CUSTOMERS]
    customers[0]["category_code"] = "0102"  # history still says 0101
    book = make([], customers=customers)
    assert changes_of(book) == [("C1", "category", "0101", "0102", None)]


def test_no_retroactive_change_before_the_open_period_starts() -> None:
    history = [*HISTORY, {"customer_code": "C4", "category_code": "0101", "valid_from": D(2026, 9, 30)}]
    book = make([("R1", 10, 'code = "C4"', 'category = "0102"')], history=history)
    result = evaluate_rules(book, build_ledger(book))
    assert diff(result) == []
    [finding] = result.findings
    assert finding.code == "RCL_BEFORE_HISTORY" and (finding.sheet, finding.row, finding.field) == (
        "CategoryHistory", 5, "valid_from")
    assert "--as-of after 2026-09-30" in finding.suggestion


def test_no_change_when_the_history_has_no_single_open_period() -> None:
    history = [*HISTORY, {"customer_code": "C1", "category_code": "0102", "valid_from": D(2025, 1, 1)}]
    book = make([("R1", 10, 'code = "C1"', 'category = "0201"')], history=history)
    result = evaluate_rules(book, build_ledger(book))
    assert diff(result) == [] and [f.code for f in result.findings] == ["RCL_HISTORY_UNCLEAR"]


def test_summary_counts_fields_and_rules() -> None:
    book = make([("R1", 10, "TRUE", 'tag + "a"'), ("R2", 20, "revenue_12m > 0", 'flag "b"')])
    result = evaluate_rules(book, build_ledger(book))
    summary = summarize_changes(diff(result))
    assert summary == {"changes": 6, "customers": 4, "by_field": {"category": 0, "tags": 4, "grade": 0, "flag": 2},
                       "by_rule": {"R1": 4, "R2": 2}}


# ------------------------------------------------------------------ credit scoring


def _fake_credit(monkeypatch: pytest.MonkeyPatch, grades) -> None:
    module = types.ModuleType("xlcust.credit")
    module.grade_customers = grades
    monkeypatch.setitem(sys.modules, "xlcust.credit", module)
    monkeypatch.setattr(metrics_module, "credit_installed", lambda: True)


def test_grades_are_metrics_when_credit_scoring_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    def grades(book, ledger) -> pd.DataFrame:
        return pd.DataFrame({"score": [90.0, 40.0, 60.0], "grade": ["A", "D", "C"], "scale": [1.0, 2, 3],
                             "payment": [1.0, 2, 3], "stability": [1.0, 2, 3], "risk": [1.0, 2, 3]},
                            index=pd.Index(["C1", "C2", "C3"], name="customer_code"))

    _fake_credit(monkeypatch, grades)
    book = make([("R1", 10, 'AND(grade = "D", score < 50)', 'grade = "C"'), ("R2", 20, "risk_score >= 3",
                                                                          'tag + "watch"')])
    assert changes_of(book) == [("C2", "grade", "D", "C", "R1"), ("C3", "tags", None, "watch", "R2")]


def test_failing_credit_scoring_skips_only_the_rules_that_need_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def grades(book, ledger) -> pd.DataFrame:
        raise ValueError("weights do not add up")

    _fake_credit(monkeypatch, grades)
    book = make([("R1", 10, 'grade = "D"', 'tag + "bad"'), ("R2", 20, 'code = "C4"', 'tag + "ok"')])
    result = evaluate_rules(book, build_ledger(book))
    assert [f.code for f in result.findings] == ["RUL_CREDIT_FAILED"]
    assert "weights do not add up" in result.findings[0].message
    assert [c[:4] for c in changes_of(book)] == [("C4", "tags", None, "ok")]


def test_evaluation_is_vectorised_over_many_customers() -> None:
    n = 50_000
    customers = [{"code": f"K{i:06d}", "name": f"K{i}", "category_code": "0101" if i % 2 else "0102",
                  "tags": "VIP" if i % 3 == 0 else None} for i in range(n)]
    rules = [("R1", 10, 'AND(STARTS_WITH(category_code, "01"), HAS_TAG("VIP"))', 'tag + "重点"'),
             ("R2", 20, "ISBLANK(last_txn_date)", 'category = "9901"'),
             ("R3", 30, 'category_code = "0101"', 'tag - "VIP"')]
    book = make(rules, customers=customers, history=None)
    import time

    started = time.perf_counter()
    result = evaluate_rules(book, build_ledger(book))
    assert time.perf_counter() - started < 20
    assert int(result.category_change.sum()) == n
    assert int(np.sum(result.matched["R1"])) == len(range(0, n, 3))
