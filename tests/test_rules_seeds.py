"""The seeds' own rules: lifetime sales, tenure, times late and the largest overdue item (issue 14, point 4).

"当客户累计交易金额超过50万元时，自动升级为A级" and "连续三个月未发生交易" (好会计) are written
with `revenue_total`, `tenure_months`, `months_since_last_txn`; `late_count` and
`max_overdue_amount` complete the 违约次数 / 最大逾期 picture. Figures are hand-computed below.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date as D
from decimal import Decimal

import pytest

from xlcust.book import Book
from xlcust.demo import SPECIAL_CUSTOMERS, demo_data
from xlcust.ledger import build_ledger
from xlcust.reclass import diff, evaluate_rules
from xlcust.rules import metrics as metrics_module
from xlcust.rules.metrics import metrics_frame
from xlcust.schema import CATEGORIES, CUSTOMERS, HISTORY, RISK, RULES, TRANSACTIONS

AS_OF = D(2026, 9, 30)
CATS = [{"code": "01", "name": "Domestic"}, {"code": "0101", "name": "Retail"}]
CUSTS = [
    {"code": "C1", "name": "Alpha", "category_code": "0101", "opened_on": D(2024, 1, 15)},
    {"code": "C2", "name": "Beta", "category_code": "0101"},
    {"code": "C3", "name": "Gamma", "category_code": "0101", "opened_on": D(2026, 1, 1)},  # never traded
    {"code": "C4", "name": "Delta", "category_code": "0101", "opened_on": D(2026, 8, 1)},  # registered lately
    {"code": "C5", "name": "Epsilon", "category_code": "0101", "opened_on": D(2020, 1, 1)},
]
TXNS = [
    # C1: 300,000 in 2025 (outside the 12 months) paid 10 days late; 250,000 − 10,000 in 2026, open, 122 days late
    {"txn_id": "I1", "date": D(2025, 1, 1), "customer_code": "C1", "kind": "invoice", "amount": 300000,
     "due_date": D(2025, 1, 31)},
    {"txn_id": "R1", "date": D(2025, 2, 10), "customer_code": "C1", "kind": "receipt", "amount": 300000},
    {"txn_id": "I2", "date": D(2026, 5, 1), "customer_code": "C1", "kind": "invoice", "amount": 250000,
     "due_date": D(2026, 5, 31)},
    {"txn_id": "N2", "date": D(2026, 5, 2), "customer_code": "C1", "kind": "credit_note", "amount": 10000,
     "reference": "I2"},
    # C2: one small invoice three months ago, open, 91 days past due
    {"txn_id": "I3", "date": D(2026, 6, 1), "customer_code": "C2", "kind": "invoice", "amount": 1000,
     "due_date": D(2026, 7, 1)},
    # C5: 499,999.99 paid on the day, and 600 paid 1 day late, last month: never 500,000, late once
    {"txn_id": "I4", "date": D(2025, 3, 1), "customer_code": "C5", "kind": "invoice", "amount": 499399.99,
     "due_date": D(2025, 3, 31)},
    {"txn_id": "R4", "date": D(2025, 3, 31), "customer_code": "C5", "kind": "receipt", "amount": 499399.99},
    {"txn_id": "I5", "date": D(2026, 8, 1), "customer_code": "C5", "kind": "invoice", "amount": 600,
     "due_date": D(2026, 8, 31)},
    {"txn_id": "R5", "date": D(2026, 9, 1), "customer_code": "C5", "kind": "receipt", "amount": 600},
]
UPGRADE = ("revenue_total > 500000", "累计交易金额 > 500000")
IDLE = ("AND(tenure_months >= 3, OR(ISBLANK(months_since_last_txn), months_since_last_txn >= 3))",
        "AND(合作月数 >= 3, OR(ISBLANK(未交易月数), 未交易月数 >= 3))")
RISKY = ("AND(late_count >= 2, max_overdue_amount > 100000)", "AND(违约次数 >= 2, 最大逾期金额 > 100000)")


@pytest.fixture(autouse=True)
def no_credit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "credit_installed", lambda: False)


def book(rules: list[dict] | None = None) -> Book:
    return Book.from_rows(settings={"as_of": AS_OF.isoformat()}, categories=CATS, customers=CUSTS,
                          transactions=TXNS, rules=rules)


def test_new_figures_match_the_hand_computation() -> None:
    b = book()
    frame = metrics_frame(b, build_ledger(b)).frame.set_index("customer_code")
    assert frame["revenue_total"].to_dict() == {"C1": 540000.0, "C2": 1000.0, "C3": 0.0, "C4": 0.0,
                                                "C5": 499999.99}
    assert frame["revenue_12m"]["C1"] == 240000.0  # the 2025 invoice is older than 12 months
    assert frame["late_count"].to_dict() == {"C1": 2, "C2": 1, "C3": 0, "C4": 0, "C5": 1}
    assert frame["max_overdue_amount"].to_dict() == {"C1": 240000.0, "C2": 1000.0, "C3": 0, "C4": 0, "C5": 0}
    assert frame["max_days_overdue"].to_dict() == {"C1": 122, "C2": 91, "C3": 0, "C4": 0, "C5": 0}
    # C1 from 2024-01-15: 2 years 8 months; C2 from its first invoice 2026-06-01; C3/C4 from opened_on
    assert frame["tenure_months"].to_dict() == {"C1": 32, "C2": 3, "C3": 8, "C4": 1, "C5": 80}


@pytest.mark.parametrize("lang", [0, 1], ids=["english names", "chinese names"])
def test_the_seed_rules_fire_on_the_right_customers(lang: int) -> None:
    b = book([
        {"rule_id": "UP", "priority": 10, "when": UPGRADE[lang], "then": 'tag + "A级客户"'},
        {"rule_id": "IDLE", "priority": 20, "when": IDLE[lang], "then": 'tag + "待激活"'},
        {"rule_id": "RISK", "priority": 30, "when": RISKY[lang], "then": 'flag "授信复核"'},
    ])
    result = evaluate_rules(b, build_ledger(b))
    assert not [f for f in result.findings if f.severity.value == "error"]
    fired = defaultdict(set)
    for change in diff(result, None):
        fired[change.rule_id].add(change.customer_code)
    assert fired["UP"] == {"C1"}  # 540,000 lifetime although 240,000 in 12 months; C5 is 0.01 short
    # C1 4 months idle, C2 3 months, C3 never traded in 8 months; C4 registered 1 month ago; C5 traded in Sept
    assert fired["IDLE"] == {"C1", "C2", "C3"}
    assert fired["RISK"] == {"C1"}  # C2 and C5 were late too, but nothing large is overdue


# ---------------------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def demo() -> tuple[Book, dict]:
    rows = demo_data().rows
    b = Book.from_rows(
        settings={r["key"]: r["value"] for r in rows["Settings"]}, categories=rows[CATEGORIES.key],
        customers=rows[CUSTOMERS.key], transactions=rows[TRANSACTIONS.key], rules=rows[RULES.key],
        history=rows[HISTORY.key], risk=rows[RISK.key],
    )
    return b, rows


def test_the_demo_carries_the_seed_rules_and_they_fire_where_the_rows_say(demo) -> None:
    b, rows = demo
    ids = {r["rule_id"]: r for r in rows[RULES.key]}
    assert ids["R07"]["when"] == "revenue_total > 500000" and ids["R07"]["active"]
    assert "tenure_months" in ids["R08"]["when"]
    # lifetime net sales straight from the Transactions rows (yuan, exact)
    lifetime: dict[str, Decimal] = defaultdict(Decimal)
    for t in rows[TRANSACTIONS.key]:
        sign = {"invoice": 1, "credit_note": -1}.get(t["kind"], 0)
        if t["date"] <= b.settings.as_of:
            lifetime[t["customer_code"]] += sign * Decimal(str(t["amount"]))
    fired = defaultdict(set)
    for change in diff(evaluate_rules(b, build_ledger(b)), None):
        fired[change.rule_id].add(change.customer_code)
    assert fired["R07"] == {c for c, v in lifetime.items() if v > 500000}
    assert 50 < len(fired["R07"]) < 150
    idle = {*SPECIAL_CUSTOMERS["dormant"], *SPECIAL_CUSTOMERS["closed"]}
    assert fired["R08"] == idle
    assert fired["R09"] and not fired["R09"] & idle


def test_the_chinese_demo_spells_the_seed_rules_in_chinese_and_they_compile() -> None:
    rows = demo_data(lang="zh").rows
    r07 = next(r for r in rows[RULES.key] if r["rule_id"] == "R07")
    assert r07["when"] == "累计交易金额 > 500000"
    b = Book.from_rows(settings={r["key"]: r["value"] for r in rows["Settings"]}, categories=rows[CATEGORIES.key],
                       customers=rows[CUSTOMERS.key], transactions=rows[TRANSACTIONS.key], rules=rows[RULES.key])
    result = evaluate_rules(b, build_ledger(b))
    assert not [f for f in result.findings if f.severity.value == "error"]
    assert {c.rule_id for c in diff(result, None)} >= {"R07", "R08", "R09"}
