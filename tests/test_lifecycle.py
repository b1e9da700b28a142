"""Lifecycle stage (潜在/新/活跃/休眠/流失) from activity thresholds in Settings (issue 14, point 9)."""

from __future__ import annotations

from datetime import date as D

import pytest

from xlcust.book import Book
from xlcust.credit import grade_customers
from xlcust.demo import SPECIAL_CUSTOMERS, demo_data
from xlcust.ledger import build_ledger
from xlcust.ledger.lifecycle import STAGES, parse_stage
from xlcust.reclass import diff, evaluate_rules
from xlcust.rules import metrics as metrics_module
from xlcust.rules.metrics import metrics_frame
from xlcust.schema import CATEGORIES, CUSTOMERS, RULES, TRANSACTIONS
from xlcust.views.metrics import metrics_sheet

AS_OF = D(2026, 9, 30)
CATS = [{"code": "01", "name": "Domestic"}]


def invoice(txn: str, customer: str, day: D) -> dict:
    return {"txn_id": txn, "date": day, "customer_code": customer, "kind": "invoice", "amount": 100,
            "due_date": day}


# (customer, its transactions' dates, stage with the defaults new 12 / dormant 6 / lost 24)
CASES = [
    ("P1", [], "potential"),
    ("N1", [D(2026, 2, 1), D(2026, 9, 1)], "new"),  # first 7 months ago
    ("N2", [D(2025, 10, 1), D(2026, 9, 1)], "new"),  # first 11 months 29 days ago: not yet 12
    ("A1", [D(2025, 9, 30), D(2026, 9, 1)], "active"),  # first exactly 12 months ago
    ("A2", [D(2020, 1, 1), D(2026, 4, 1)], "active"),  # 5 months idle
    ("D1", [D(2020, 1, 1), D(2026, 3, 30)], "dormant"),  # exactly 6 months idle
    ("D2", [D(2026, 1, 15)], "dormant"),  # traded once, 8 months ago: dormant, not new
    ("L1", [D(2020, 1, 1), D(2024, 9, 30)], "lost"),  # exactly 24 months idle
]


def book(settings: dict | None = None, rules: list[dict] | None = None) -> Book:
    txns = [invoice(f"I{c}{i}", c, day) for c, days, _ in CASES for i, day in enumerate(days)]
    customers = [{"code": c, "name": c, "category_code": "01"} for c, _, _ in CASES]
    return Book.from_rows(settings={"as_of": AS_OF.isoformat(), **(settings or {})}, categories=CATS,
                          customers=customers, transactions=txns, rules=rules)


def stages(b: Book) -> dict[str, str]:
    return build_ledger(b).customer_figures()["stage"].to_dict()


def test_each_stage_from_the_default_thresholds() -> None:
    assert stages(book()) == {c: stage for c, _, stage in CASES}


def test_thresholds_come_from_settings() -> None:
    got = stages(book({"new_customer_months": 8, "dormant_months": 3, "lost_months": 7}))
    assert got == {"P1": "potential", "N1": "new", "N2": "active", "A1": "active", "A2": "dormant",
                   "D1": "dormant", "D2": "lost", "L1": "lost"}


@pytest.mark.parametrize("word", ["dormant", "Dormant", "休眠", "休眠客户", "Dormant customer", "ＤＯＲＭＡＮＴ"])
def test_stage_words_in_either_language(word: str) -> None:
    assert parse_stage(word) == "dormant"
    assert parse_stage("流失") == "lost" and parse_stage("新客户") == "new" and parse_stage("sleeping") is None


@pytest.mark.parametrize("condition", ['stage = "休眠"', 'stage = "dormant"', '生命周期 = "休眠客户"',
                                       '"Dormant" = lifecycle_stage'])
def test_rules_test_the_stage_in_either_language(condition: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "credit_installed", lambda: False)
    b = book(rules=[{"rule_id": "S", "priority": 1, "when": condition, "then": 'tag + "回访"'}])
    result = evaluate_rules(b, build_ledger(b))
    assert {c.customer_code for c in diff(result, None)} == {"D1", "D2"}


def test_an_unknown_stage_word_is_a_finding_on_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "credit_installed", lambda: False)
    b = book(rules=[{"rule_id": "S", "priority": 1, "when": 'stage = "sleeping"', "then": 'tag + "x"'}])
    result = evaluate_rules(b, build_ledger(b))
    codes = [(f.code, f.sheet) for f in result.findings]
    assert ("RUL_BAD_VALUE", "Rules") in codes
    assert not diff(result, None)


def test_metrics_frame_and_sheet_show_the_stage_in_the_books_language() -> None:
    b = book()
    ledger = build_ledger(b)
    assert metrics_frame(b, ledger, ["stage"]).frame.set_index("customer_code")["stage"]["P1"] == "potential"
    grades = grade_customers(b, ledger)
    for lang, dormant, potential in (("en", "Dormant customer", "Potential customer"), ("zh", "休眠客户", "潜在客户")):
        sheet = metrics_sheet(b, grades, lang)
        headers = [c.header for c in sheet.columns]
        column = headers.index("生命周期" if lang == "zh" else "Lifecycle stage")
        shown = dict(zip(sheet.rows[0].tolist(), sheet.rows[column].tolist(), strict=True))
        assert shown["D2"] == dormant and shown["P1"] == potential


def test_the_demo_shows_every_stage() -> None:
    rows = demo_data().rows
    b = Book.from_rows(settings={r["key"]: r["value"] for r in rows["Settings"]}, categories=rows[CATEGORIES.key],
                       customers=rows[CUSTOMERS.key], transactions=rows[TRANSACTIONS.key], rules=rows[RULES.key])
    got = stages(b)
    assert set(got.values()) == set(STAGES)
    assert got[SPECIAL_CUSTOMERS["potential"][0]] == "potential"
    assert got[SPECIAL_CUSTOMERS["dormant"][0]] == "dormant"  # 15 months idle
    assert {got[c] for c in SPECIAL_CUSTOMERS["closed"]} == {"lost"}  # stopped in 2024
    settings = {r["key"]: r["value"] for r in rows["Settings"]}
    assert settings["lost_months"] == 24 and settings["new_customer_months"] == 12
