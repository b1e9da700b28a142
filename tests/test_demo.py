"""The demo data set and the credit-code validator it relies on.

The demo must pass `xlcust check` (DESIGN §3), so these tests re-derive each rule
from the rows themselves rather than trusting the generator.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from xlcust.book import Book
from xlcust.demo import (
    AS_OF,
    DATA_QUALITY,
    DEMO_SEED,
    DORMANT_CATEGORY,
    LEDGER_START,
    RETIRED_CATEGORY,
    SPECIAL_CUSTOMERS,
    SWITCHED,
    DemoData,
    demo_data,
)
from xlcust.mnemonic import mnemonic
from xlcust.schema import CATEGORIES, CUSTOMERS, HISTORY, KIND_ZH, RULES, TRANSACTIONS
from xlcust.uscc import is_valid_uscc, make_uscc, uscc_check_char, uscc_problem

# ----------------------------------------------------------------------- USCC

# Published valid codes: python-stdnum's doctest (91110000600037341L), hutool's tests
# (91310115591693856A, 91310110666007217T) and the codes on well-known firms'
# business licences (Tencent, Huawei, Alibaba).
VALID = [
    "91110000600037341L",
    "91310115591693856A",
    "91310110666007217T",
    "91440300708461136T",
    "914403001922038216",
    "91330100716105852F",
]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_are_valid(code: str) -> None:
    assert is_valid_uscc(code)
    assert uscc_problem(code) is None
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("typed", [" 91110000600037341L ", "91110000600037341l",
                                   "９１１１００００６０００３７３４１Ｌ"])
def test_spacing_case_and_full_width_are_forgiven(typed: str) -> None:
    assert is_valid_uscc(typed)


@pytest.mark.parametrize(("code", "reason"), [
    ("91110000600037341M", "check character is 'M', expected 'L'"),
    ("91110000600037342L", "organisation code 60003734-2 fails its check (GB 11714 expects '1')"),
    ("9111000060003734L", "has 17 characters"),
    ("911100006000373411L", "has 19 characters"),
    ("", "has 0 characters"),
    ("91110000600O37341L", "character 12 'O' is not allowed"),
    ("91110000600037341S", "character 18 'S' is not allowed"),
    ("91-10000600037341L", "character 3 '-' is not allowed"),
    ("91AB0000600037341L", "characters 3-8 'AB0000' must be the 6-digit administrative division"),
    # An early pilot-region code that never met the national standard (hutool's example).
    ("91350211M00013FA1N", "check character is 'N', expected '3'"),
])
def test_invalid_codes_say_why(code: str, reason: str) -> None:
    assert not is_valid_uscc(code)
    assert reason in str(uscc_problem(code))


def test_check_char_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_char("9111000060003734")
    with pytest.raises(ValueError, match="'I'"):
        uscc_check_char("9111000060003734I")


def test_make_uscc_computes_both_check_characters() -> None:
    assert make_uscc("9", "1", "110000", "60003734") == "91110000600037341L"
    assert make_uscc("9", "1", "440300", "19220382") == "914403001922038216"


# ----------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return demo_data()


@pytest.fixture(scope="module")
def demo_zh() -> DemoData:
    return demo_data(lang="zh")


def _by(rows: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in rows}


def _cents(value: float) -> int:
    cents = Decimal(repr(value)) * 100
    assert cents == cents.to_integral_value(), f"{value} has fractions of a cent"
    return int(cents)


def _balances(demo: DemoData) -> dict[str, int]:
    sign = {"invoice": 1, "opening": 1, "receipt": -1, "credit_note": -1}
    out: dict[str, int] = defaultdict(int)
    for t in demo.rows[TRANSACTIONS.key]:
        out[t["customer_code"]] += sign[t["kind"]] * _cents(t["amount"])
    return out


def _limits(demo: DemoData) -> dict[str, int]:
    """Credit limit in cents: customer override, else its category, else the nearest ancestor."""
    cats = _by(demo.rows[CATEGORIES.key], "code")
    out = {}
    for c in demo.rows[CUSTOMERS.key]:
        limit = c["credit_limit"]
        code = c["category_code"]
        while limit is None and code:
            limit, code = cats[code]["credit_limit"], code[:-2]
        out[c["code"]] = _cents(limit)
    return out


def test_same_seed_same_rows() -> None:
    assert demo_data(DEMO_SEED).rows == demo_data(DEMO_SEED).rows
    assert demo_data(7).rows == demo_data(7).rows


def test_another_seed_other_data_same_stories() -> None:
    a, b = demo_data(1), demo_data(2)
    assert a.rows[CUSTOMERS.key] != b.rows[CUSTOMERS.key]
    for profile, codes in SPECIAL_CUSTOMERS.items():
        assert a.customers_with(profile) == b.customers_with(profile) == sorted(codes)


def test_languages_differ_in_words_only(demo: DemoData, demo_zh: DemoData) -> None:
    en, zh = demo.rows[TRANSACTIONS.key], demo_zh.rows[TRANSACTIONS.key]
    assert [(t["txn_id"], t["date"], t["amount"], t["reference"]) for t in en] == [
        (t["txn_id"], t["date"], t["amount"], t["reference"]) for t in zh]
    assert [KIND_ZH[t["kind"]] for t in en] == [t["kind"] for t in zh]
    assert {t["kind"] for t in zh} == {"期初", "发票", "红字发票", "收款"}
    assert {c["status"] for c in demo_zh.rows[CUSTOMERS.key]} == {"正常", "休眠"}  # 停用 is inactive
    assert [c["tax_id"] for c in demo.rows[CUSTOMERS.key]] == [
        c["tax_id"] for c in demo_zh.rows[CUSTOMERS.key]]


def test_sizes(demo: DemoData) -> None:
    sizes = {key: len(rows) for key, rows in demo.rows.items()}
    assert 35 <= sizes[CATEGORIES.key] <= 60
    assert 180 <= sizes[CUSTOMERS.key] <= 220
    assert 8_000 <= sizes[TRANSACTIONS.key] <= 15_000
    assert 4 <= sizes[RULES.key] <= 10
    assert sizes[HISTORY.key] == sizes[CUSTOMERS.key] + len(SWITCHED)


def test_settings(demo: DemoData) -> None:
    values = {r["key"]: r["value"] for r in demo.rows["Settings"]}
    assert values["as_of"] == AS_OF == dt.date(2026, 9, 30)
    assert values["coding_scheme"] == "2-2-2"
    assert values["company_name"]


def test_rows_have_only_schema_fields(demo: DemoData) -> None:
    from xlcust.schema import SHEETS_BY_KEY

    for key, rows in demo.rows.items():
        names = {c.name for c in SHEETS_BY_KEY[key].columns}
        assert all(set(r) <= names for r in rows), key


def test_typing_reads_every_cell_cleanly(demo_zh: DemoData) -> None:
    """Through the same typing as a file read: no cell is odd, no setting is wrong."""
    r = demo_zh.rows
    book = Book.from_rows(
        settings={row["key"]: row["value"] for row in r["Settings"]},
        categories=r[CATEGORIES.key], customers=r[CUSTOMERS.key],
        transactions=r[TRANSACTIONS.key], rules=r[RULES.key], history=r[HISTORY.key],
    )
    assert book.read_findings == []
    for table in book.tables():
        assert table.status == {}, table.spec.key
    assert book.settings.as_of == AS_OF


# ------------------------------------------------------------------ categories


def test_category_tree_follows_2_2_2(demo: DemoData) -> None:
    codes = [c["code"] for c in demo.rows[CATEGORIES.key]]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"\d{2}|\d{4}|\d{6}", code)
        if len(code) > 2:
            assert code[:-2] in codes, f"{code} has no parent"
    assert DORMANT_CATEGORY in codes


def test_category_attributes(demo: DemoData) -> None:
    for c in demo.rows[CATEGORIES.key]:
        assert c["tax_rate"] in (0.13, 0.09, 0.06)
        assert c["payment_terms_days"] in (30, 45, 60, 90)
        assert c["credit_limit"] > 0
        assert c["invoice_type"] in ("VAT special", "VAT general")
        assert c["reminder_days"] > 0
        assert isinstance(c["active"], bool)
    assert any(not c["active"] for c in demo.rows[CATEGORIES.key])


# ------------------------------------------------------------------- customers


def test_customers_sit_in_active_leaves(demo: DemoData) -> None:
    cats = _by(demo.rows[CATEGORIES.key], "code")
    parents = {code[:-2] for code in cats}
    for c in demo.rows[CUSTOMERS.key]:
        code = c["category_code"]
        assert code in cats and code not in parents, f"{c['code']}: {code} is not a leaf"
        # The retired category's one customer is a slip for the data-quality sweep to find.
        assert cats[code]["active"] or code == RETIRED_CATEGORY


def test_customer_codes_names_and_tax_ids_are_unique_and_valid(demo: DemoData) -> None:
    customers = demo.rows[CUSTOMERS.key]
    slips = {code for codes in DATA_QUALITY.values() for code in codes}  # blanks and repeats on purpose
    for field in ("code", "name", "short_name", "tax_id"):
        values = [c[field] for c in customers]
        assert len(values) == len(set(values)), field
    for c in customers:
        assert is_valid_uscc(c["tax_id"]), (c["code"], c["tax_id"], uscc_problem(c["tax_id"]))
        assert c["name"].endswith("有限公司")
        assert c["short_name"] in c["name"] or c["short_name"][:2] in c["name"]
        if c["code"] in slips:
            continue
        assert re.fullmatch(r"1[3-9]\d{9}", c["phone"])
        assert c["contact"] and c["address"] and c["region"] in c["address"]
    for field in ("phone", "address"):
        values = [c[field] for c in customers if c["code"] not in slips]
        assert len(values) == len(set(values)), field


def test_mnemonics_blank_for_some_and_right_for_the_rest(demo: DemoData) -> None:
    customers = demo.rows[CUSTOMERS.key]
    blank = [c for c in customers if c["mnemonic"] is None]
    assert 20 <= len(blank) <= 100
    for c in customers:
        if c["mnemonic"] is not None:
            assert c["mnemonic"] == mnemonic(c["name"])  # what `check --write` would fill
            assert re.fullmatch(r"[A-Z]{4,10}", c["mnemonic"])


def test_region_leaves_hold_customers_of_that_region(demo: DemoData) -> None:
    provinces = {"华东": {"上海", "江苏", "浙江", "山东", "安徽", "福建"},
                 "华南": {"广东", "广西", "海南"}, "华北": {"北京", "天津", "河北", "山西"}}
    cats = _by(demo_data(lang="zh").rows[CATEGORIES.key], "code")
    for c in demo.rows[CUSTOMERS.key]:
        name = cats[c["category_code"]]["name"]
        for region, members in provinces.items():
            if name.endswith(region):
                assert c["region"] in members, (c["code"], name, c["region"])


def test_overrides_tags_and_statuses(demo: DemoData) -> None:
    customers = demo.rows[CUSTOMERS.key]
    assert sum(c["credit_limit"] is not None for c in customers) >= 10
    assert sum(c["payment_terms_days"] is not None for c in customers) >= 10
    tags = Counter(t for c in customers if c["tags"] for t in c["tags"].split(";"))
    assert {"VIP", "重点客户", "建筑业"} <= set(tags)
    statuses = {c["code"]: c["status"] for c in customers}
    assert [code for code, s in statuses.items() if s == "dormant"] == sorted(
        [*SPECIAL_CUSTOMERS["closed"], *DATA_QUALITY["marked_dormant"]])


# ----------------------------------------------------------------- transactions


def test_transaction_ids_kinds_and_dates(demo: DemoData) -> None:
    txns = demo.rows[TRANSACTIONS.key]
    ids = [t["txn_id"] for t in txns]
    assert len(ids) == len(set(ids))
    opened = {c["code"]: c["opened_on"] for c in demo.rows[CUSTOMERS.key]}
    prefix = {"invoice": "INV", "receipt": "RCT", "credit_note": "CN", "opening": "OB"}
    for t in txns:
        m = re.fullmatch(r"([A-Z]+)-(\d{4})-\d{6}", t["txn_id"])
        assert m and m[1] == prefix[t["kind"]] and int(m[2]) == t["date"].year, t["txn_id"]
        assert LEDGER_START <= t["date"] <= AS_OF
        assert t["date"] >= opened[t["customer_code"]], t["txn_id"]
        assert _cents(t["amount"]) > 0
        if t["due_date"] is not None:
            assert t["kind"] in ("invoice", "opening")
            assert t["due_date"] >= t["date"]
    kinds = Counter(t["kind"] for t in txns)
    assert kinds["opening"] >= 50 and kinds["credit_note"] >= 50
    blank_due = [t for t in txns if t["kind"] == "invoice" and t["due_date"] is None]
    assert 100 <= len(blank_due) <= kinds["invoice"] // 5


def test_money_is_whole_cents(demo: DemoData) -> None:
    for t in demo.rows[TRANSACTIONS.key]:
        _cents(t["amount"])
    for row in demo.rows[CUSTOMERS.key] + demo.rows[CATEGORIES.key]:
        if row["credit_limit"] is not None:
            _cents(row["credit_limit"])


def test_references_point_to_an_earlier_invoice_of_the_same_customer(demo: DemoData) -> None:
    txns = demo.rows[TRANSACTIONS.key]
    by_id = _by(txns, "txn_id")
    for t in txns:
        if t["reference"] is None:
            assert t["kind"] in ("receipt", "opening", "invoice")
            continue
        assert t["kind"] in ("receipt", "credit_note")
        inv = by_id[t["reference"]]
        assert inv["kind"] == "invoice"
        assert inv["customer_code"] == t["customer_code"]
        assert inv["date"] <= t["date"]


def test_settlement_variety(demo: DemoData) -> None:
    """Partial payments, overpayments, unreferenced receipts, credit notes up to the invoice."""
    txns = demo.rows[TRANSACTIONS.key]
    by_id = _by(txns, "txn_id")
    applied: dict[str, list[dict]] = defaultdict(list)
    for t in txns:
        if t["reference"]:
            applied[t["reference"]].append(t)
    partial = overpaid = 0
    for ref, lines in applied.items():
        invoice = _cents(by_id[ref]["amount"])
        credit = sum(_cents(t["amount"]) for t in lines if t["kind"] == "credit_note")
        paid = [_cents(t["amount"]) for t in lines if t["kind"] == "receipt"]
        assert credit <= invoice
        partial += len(paid) >= 2
        overpaid += sum(paid) > invoice - credit
    assert partial >= 20
    assert 3 <= overpaid <= 20
    assert sum(t["kind"] == "receipt" and t["reference"] is None for t in txns) >= 100
    assert min(_balances(demo).values()) >= 0  # nobody ends up in credit


def _days_late(demo: DemoData, code: str, since: dt.date, until: dt.date) -> list[int]:
    """Days from the due date to the first receipt quoting the invoice, per paid invoice."""
    customers = _by(demo.rows[CUSTOMERS.key], "code")
    cats = _by(demo.rows[CATEGORIES.key], "code")
    c = customers[code]
    terms = c["payment_terms_days"] or cats[c["category_code"]]["payment_terms_days"]
    first_paid: dict[str, dt.date] = {}
    for t in demo.rows[TRANSACTIONS.key]:
        if t["kind"] == "receipt" and t["reference"]:
            first_paid.setdefault(t["reference"], t["date"])
    out = []
    for t in demo.rows[TRANSACTIONS.key]:
        if t["customer_code"] == code and t["kind"] == "invoice" and since <= t["date"] < until:
            due = t["due_date"] or t["date"] + dt.timedelta(days=terms)
            if t["txn_id"] in first_paid:
                out.append((first_paid[t["txn_id"]] - due).days)
    return out


def test_the_dormant_customer_has_been_idle_for_a_year(demo: DemoData) -> None:
    (code,) = SPECIAL_CUSTOMERS["dormant"]
    dates = [t["date"] for t in demo.rows[TRANSACTIONS.key] if t["customer_code"] == code]
    assert dates and max(dates) < dt.date(2025, 10, 1)
    assert _by(demo.rows[CUSTOMERS.key], "code")[code]["status"] == "active"
    assert _balances(demo)[code] == 0
    for code in SPECIAL_CUSTOMERS["closed"]:
        assert max(t["date"] for t in demo.rows[TRANSACTIONS.key]
                   if t["customer_code"] == code) < dt.date(2025, 1, 1)


def test_only_the_over_limit_customer_is_over_its_limit(demo: DemoData) -> None:
    balances, limits = _balances(demo), _limits(demo)
    over = sorted(code for code in limits if balances[code] > limits[code])
    assert over == list(SPECIAL_CUSTOMERS["over_limit"])


def test_the_worsening_payer_got_worse_in_2026(demo: DemoData) -> None:
    (code,) = SPECIAL_CUSTOMERS["worsening"]
    before = _days_late(demo, code, LEDGER_START, dt.date(2026, 1, 1))
    recent = _days_late(demo, code, dt.date(2026, 1, 1), AS_OF)
    assert before and recent
    assert max(before) <= 0 < 45 <= min(recent)
    receipts = [t["date"] for t in demo.rows[TRANSACTIONS.key]
                if t["customer_code"] == code and t["kind"] == "receipt"]
    assert any(d >= dt.date(2026, 4, 1) for d in receipts)


def test_late_payers_are_30_to_120_days_late(demo: DemoData) -> None:
    late = demo.customers_with("late")
    assert 15 <= len(late) <= 40
    for code in late:
        days = _days_late(demo, code, LEDGER_START, AS_OF)
        assert days and min(days) >= 30 and max(days) <= 120, code
    prompt = demo.customers_with("prompt")
    assert prompt and all(max(_days_late(demo, c, LEDGER_START, AS_OF) or [0]) <= 0 for c in prompt)


# ---------------------------------------------------------------------- history


def test_history_is_consistent(demo: DemoData) -> None:
    customers = _by(demo.rows[CUSTOMERS.key], "code")
    cats = _by(demo.rows[CATEGORIES.key], "code")
    parents = {code[:-2] for code in cats}
    rows: dict[str, list[dict]] = defaultdict(list)
    for h in demo.rows[HISTORY.key]:
        rows[h["customer_code"]].append(h)
        assert h["category_code"] in cats and h["category_code"] not in parents
    assert set(rows) == set(customers)
    for code, periods in rows.items():
        periods.sort(key=lambda h: h["valid_from"])
        open_rows = [h for h in periods if h["valid_to"] is None]
        assert len(open_rows) == 1 and open_rows[0] is periods[-1]
        assert open_rows[0]["category_code"] == customers[code]["category_code"]
        assert periods[0]["valid_from"] == customers[code]["opened_on"]
        for a, b in zip(periods, periods[1:], strict=False):
            assert a["valid_from"] < a["valid_to"] == b["valid_from"], code  # no gap, no overlap
            assert a["category_code"] != b["category_code"]
    switched = {code for code, periods in rows.items() if len(periods) > 1}
    assert switched == set(SWITCHED)
    for code, day in SWITCHED.items():
        assert any(t["customer_code"] == code and t["date"] < day
                   for t in demo.rows[TRANSACTIONS.key]), f"{code} has no sales before its switch"


# ------------------------------------------------------------------------ rules


def test_rules(demo: DemoData) -> None:
    rules = demo.rows[RULES.key]
    assert len({r["rule_id"] for r in rules}) == len(rules)
    assert sorted(r["priority"] for r in rules) == [r["priority"] for r in rules]
    assert any(not r["active"] for r in rules)
    cats = _by(demo.rows[CATEGORIES.key], "code")
    parents = {code[:-2] for code in cats}
    for r in rules:
        m = re.fullmatch(r'category = "(\w+)"', r["then"])
        if m:
            assert m[1] in cats and m[1] not in parents
        assert r["when"].count("(") == r["when"].count(")")
        assert re.match(r'(category =|tag \+|grade =|flag )', r["then"])
