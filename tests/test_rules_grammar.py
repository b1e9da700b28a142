"""The rule language on a small metrics frame: what conditions mean, what errors say, what is refused."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from xlcust.codes import CategoryTree, CodingScheme
from xlcust.rules import Action, ActionKind, Env, RuleError, compile_action, evaluate, parse_condition
from xlcust.rules.compiler import Context, compile_condition

T, F = True, False

# Five customers, with blanks where real data has them: C3 has no sales at all.
FRAME = pd.DataFrame({
    "customer_code": ["C1", "C2", "C3", "C4", "C5"],
    "revenue_12m": [600000.0, 120000.0, np.nan, 0.0, 500000.0],
    "overdue_90_count": [0.0, 2.0, 0.0, np.nan, 0.0],
    "overdue_90_amount": [0.0, 150000.5, 0.0, np.nan, 0.0],
    "months_since_last_txn": [0.0, 13.0, np.nan, 6.0, 12.0],
    "category_code": ["0101", "0102", None, "0201", "0101"],
    "name": ["华远建设有限公司", "Acme Trading", "新客户", "北方百货", "南方建设工程"],
    "region": ["广东", "ＧＵＡＮＧ ＤＯＮＧ", None, "北京", "广东"],
    "tags": ["VIP;重点客户", "建筑业", None, "vip，催收", ""],
    "status": ["active", "dormant", "active", "inactive", "active"],
    "last_txn_date": pd.to_datetime(["2026-09-01", "2025-08-15", None, "2026-03-31", "2025-09-30"]).to_numpy(),
    "as_of": np.full(5, np.datetime64("2026-09-30", "ns")),
    "grade": ["A", "D", None, "C", "B"],
    "score": [88.0, 31.5, np.nan, 55.0, 70.0],
})


def run(text: str, *, credit: bool = True) -> list[bool]:
    condition = compile_condition(parse_condition(text), Context(text, credit))
    return evaluate(condition, Env(FRAME)).tolist()


def fail(text: str, *, credit: bool = True) -> RuleError:
    with pytest.raises(RuleError) as caught:
        compile_condition(parse_condition(text), Context(text, credit))
    return caught.value


VALID = [
    ("revenue_12m > 500000", [T, F, F, F, F]),
    ("revenue_12m >= 500000", [T, F, F, F, T]),
    ("revenue_12m <> 0", [T, T, F, F, T]),
    ("AND(revenue_12m > 100000, overdue_90_count = 0)", [T, F, F, F, T]),
    ("OR(overdue_90_count > 0, ISBLANK(overdue_90_count))", [F, T, F, T, F]),
    ("NOT(revenue_12m > 100000)", [F, F, F, T, F]),  # C3 has no revenue: unknown, no match
    ("revenue_12m / overdue_90_count > 0", [F, T, F, F, F]),  # ÷ 0 is no value, not a crash
    ("NOT(revenue_12m / overdue_90_count > 0)", [F, F, F, F, F]),  # … and stays unknown under NOT
    ("OR(revenue_12m / 0 > 1, TRUE)", [T, T, T, T, T]),
    ("AND(revenue_12m / 0 > 1, FALSE)", [F, F, F, F, F]),
    ("overdue_90_amount = 150000.5", [F, T, F, F, F]),
    ("overdue_90_amount > 150000", [F, T, F, F, F]),
    ('category_code = "0101"', [T, F, F, F, T]),
    ('category_code <> "0101"', [F, T, F, T, F]),
    ('STARTS_WITH(category_code, "01")', [T, T, F, F, T]),
    ('IN(category_code, "0102", "0201")', [F, T, F, T, F]),
    ('CONTAINS(name, "建设")', [T, F, F, F, T]),
    ('HAS_TAG("vip")', [T, F, F, T, F]),  # any case; a full-width comma separates tags too
    ('HAS_TAG("催收")', [F, F, F, T, F]),
    ('HAS_TAG("重点")', [F, F, F, F, F]),  # a whole tag, not part of one
    ('NOT(HAS_TAG("VIP"))', [F, T, T, F, T]),
    ('status = "休眠"', [F, T, F, F, F]),
    ('IN(status, "dormant", "停用")', [F, T, F, T, F]),
    ('region = "guang dong"', [F, T, F, F, F]),  # full-width and case do not matter
    ('region = "广东"', [T, F, F, F, T]),
    ('last_txn_date < "2025-10-01"', [F, T, F, F, T]),
    ("last_txn_date < DATE(2025, 10, 1)", [F, T, F, F, T]),
    ("as_of - last_txn_date > 365", [F, T, F, F, F]),
    ("last_txn_date <= as_of - 365", [F, T, F, F, T]),
    ("last_txn_date + 30 > as_of", [T, F, F, F, F]),
    ("近12月收入 >= 50%", [T, T, F, F, T]),
    ("Revenue_12M > 500000", [T, F, F, F, F]),
    ("AND（revenue_12m ＞ 100000，TRUE）", [T, T, F, F, T]),
    ("=revenue_12m > 500000", [T, F, F, F, F]),
    ("-revenue_12m < -500000", [T, F, F, F, F]),
    ("ABS(0 - revenue_12m) > 500000", [T, F, F, F, F]),
    ("MAX(revenue_12m, 550000) = 600000", [T, F, F, F, F]),
    ("MIN(revenue_12m) = 0", [F, F, F, T, F]),
    ("1 + 2 * 3 = 7", [T, T, T, T, T]),
    ("(1 + 2) * 3 = 9", [T, T, T, T, T]),
    ("10 / 4 = 2.5", [T, T, T, T, T]),
    ('"a""b" = "A""B"', [T, T, T, T, T]),
    ("TRUE", [T, T, T, T, T]),
    ("false", [F, F, F, F, F]),
    ('grade = "d"', [F, T, F, F, F]),
    ("score < 60", [F, T, F, T, F]),
    ("ISBLANK(tags)", [F, F, T, F, T]),
    ("months_since_last_txn >= 12", [F, T, F, F, T]),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_condition_means(text: str, expected: list[bool]) -> None:
    assert run(text) == expected


def test_a_condition_is_one_column_operation_per_node_not_a_loop_per_customer() -> None:
    big = FRAME.iloc[np.tile(np.arange(len(FRAME)), 40_000)].reset_index(drop=True)  # 200,000 customers
    text = 'AND(revenue_12m / overdue_90_count > 0, HAS_TAG("建筑业"), STARTS_WITH(category_code, "01"))'
    condition = compile_condition(parse_condition(text), Context(text, True))
    started = time.process_time()
    matched = evaluate(condition, Env(big))
    assert time.process_time() - started < 3
    assert matched.sum() == 40_000


INVALID = [  # text, code, 0-based position, a word the message or suggestion must contain
    ("revenue_12m >", "RUL_SYNTAX", 13, "ends too early"),
    ("revenue_12m > > 1", "RUL_SYNTAX", 14, "unexpected '>'"),
    ("AND(revenue_12m > 1", "RUL_SYNTAX", 19, "')' is missing"),
    ("a.b > 1", "RUL_SYNTAX", 1, "attribute"),
    ("revenue_12m == 1", "RUL_SYNTAX", 13, "single ="),
    ("revenue_12m != 1", "RUL_SYNTAX", 12, "<>"),
    ("revenue_12m > 1 and overdue_90_count = 0", "RUL_SYNTAX", 16, "AND(x, y)"),
    ("1 < revenue_12m < 2", "RUL_SYNTAX", 16, "AND(a < b, b < c)"),
    ("revenue_12m > 'x'", "RUL_SYNTAX", 14, "double quotes"),
    ("revenu_12m > 1", "RUL_UNKNOWN_NAME", 0, "revenue_12m"),
    ("AND(TRUE, foo)", "RUL_UNKNOWN_NAME", 10, "foo"),
    ("AND > 1", "RUL_UNKNOWN_NAME", 0, "AND(condition"),
    ("FOO(1)", "RUL_UNKNOWN_FUNCTION", 0, "FOO"),
    ('HAS_TAGS("x")', "RUL_UNKNOWN_FUNCTION", 0, "HAS_TAG"),
    ("revenue_12m(1) > 0", "RUL_UNKNOWN_FUNCTION", 0, "Drop the brackets"),
    ("NOT(TRUE, FALSE)", "RUL_ARGUMENT_COUNT", 0, "1 argument"),
    ("IN(category_code)", "RUL_ARGUMENT_COUNT", 0, "at least 2"),
    ("DATE(2026, 1) < as_of", "RUL_ARGUMENT_COUNT", 0, "DATE(year, month, day)"),
    ("DATE(2026, 2, 30) < as_of", "RUL_BAD_DATE", 0, "not a calendar date"),
    ('last_txn_date < "soon"', "RUL_BAD_DATE", 16, "soon"),
    ('revenue_12m > "500000"', "RUL_TYPE_MISMATCH", 12, "Remove the quotes"),
    ("category_code = 0101", "RUL_TYPE_MISMATCH", 14, '"0101"'),
    ('revenue_12m + "a" > 1', "RUL_TYPE_MISMATCH", 12, "add"),
    ("last_txn_date > 5", "RUL_TYPE_MISMATCH", 14, "DATE("),
    ("TRUE > FALSE", "RUL_TYPE_MISMATCH", 5, "= or <>"),
    ("AND(revenue_12m)", "RUL_TYPE_MISMATCH", 4, "TRUE/FALSE"),
    ("revenue_12m", "RUL_NOT_CONDITION", 0, "revenue_12m > 0"),
    ("HAS_TAG(region)", "RUL_ARGUMENT", 8, "double quotes"),
    ('HAS_TAG("a;b")', "RUL_ARGUMENT", 8, "one tag"),
    ("STARTS_WITH(category_code, 1)", "RUL_TYPE_MISMATCH", 27, '"1"'),
    ('status = "asleep"', "RUL_BAD_VALUE", 9, "dormant"),
    ("1e999999 > 1", "RUL_NUMBER_RANGE", 0, "out of range"),
]


@pytest.mark.parametrize(("text", "code", "pos", "word"), INVALID)
def test_invalid_condition_is_a_precise_error(text: str, code: str, pos: int, word: str) -> None:
    problem = fail(text)
    assert (problem.code, problem.pos) == (code, pos), problem.message
    assert word in problem.message + " " + problem.suggestion


def test_credit_names_are_unknown_without_credit_scoring() -> None:
    problem = fail('grade = "A"', credit=False)
    assert problem.code == "RUL_UNKNOWN_NAME" and "credit scoring" in problem.message
    assert fail("scor < 50", credit=False).suggestion == "See the list of names in docs/rules.md"
    assert "score" in fail("scor < 50", credit=True).suggestion


HOSTILE = [
    ('__import__("os").system("ls")', "RUL_SYNTAX"),
    ('__import__("os")', "RUL_UNKNOWN_FUNCTION"),
    ('eval("1+1") = 2', "RUL_UNKNOWN_FUNCTION"),
    ('exec("import os")', "RUL_UNKNOWN_FUNCTION"),
    ('open("/etc/passwd")', "RUL_UNKNOWN_FUNCTION"),
    ("().__class__", "RUL_SYNTAX"),
    ("revenue_12m.__class__.__bases__", "RUL_SYNTAX"),
    ("lambda: 1", "RUL_SYNTAX"),
    ("[x for x in ()]", "RUL_SYNTAX"),
    ("(" * 1000 + "TRUE" + ")" * 1000, "RUL_TOO_LONG"),
    ("(" * 300 + "TRUE" + ")" * 300, "RUL_TOO_DEEP"),
    ("NOT(" * 150 + "TRUE" + ")" * 150, "RUL_TOO_DEEP"),
    ("-" * 900 + "1 > 0", "RUL_TOO_DEEP"),
    ("+".join(["1"] * 450) + " > 0", "RUL_TOO_DEEP"),
    ("AND(" + ",".join(["TRUE"] * 199) + ")", None),  # wide is fine; only deep is refused
    ("1" * 5000 + " > 0", "RUL_TOO_LONG"),
    ("1" * 500 + " > 0", "RUL_NUMBER_RANGE"),
    ("9" * 39 + " > 0", "RUL_NUMBER_RANGE"),
    ("10**1000000 > 1", "RUL_SYNTAX"),
    ("10^1000000 > 1", "RUL_SYNTAX"),
    ('"' + "x" * 10**6 + '" = name', "RUL_TOO_LONG"),
    ('"' + "x" * 990 + '" = name', None),
    ('"unterminated = name', "RUL_SYNTAX"),
    ("revenue_12m > 1 # comment", "RUL_SYNTAX"),
    ("\x00", "RUL_SYNTAX"),
    ("", "RUL_SYNTAX"),
    ("${jndi:ldap://x}", "RUL_SYNTAX"),
    ("A1:B2 > 0", "RUL_SYNTAX"),
]


@pytest.mark.parametrize(("text", "code"), HOSTILE, ids=[f"hostile{i}" for i in range(len(HOSTILE))])
def test_hostile_input_is_rejected_as_a_finding_within_a_second(text: str, code: str | None) -> None:
    started = time.process_time()
    if code is None:
        run(text)
    else:
        assert fail(text).code == code
    assert time.process_time() - started < 1


# ------------------------------------------------------------------------ actions

TREE = CategoryTree.from_frame(
    pd.DataFrame({"code": ["01", "0101", "0102", "02", "0201", "99", "9901"],
                  "name": ["Domestic", "Retail", "Wholesale", "Export", "Asia", "Other", "Dormant"]}),
    CodingScheme((2, 2)),
)

ACTIONS = [
    ('category = "0102"', Action(ActionKind.CATEGORY, "0102")),
    ('分类 = "0102"', Action(ActionKind.CATEGORY, "0102")),
    ('CATEGORY="0102"', Action(ActionKind.CATEGORY, "0102")),
    ("category = “9901”", Action(ActionKind.CATEGORY, "9901")),
    ('tag + "催收"', Action(ActionKind.TAG, "催收")),
    ('tag - "VIP"', Action(ActionKind.TAG, "VIP", remove=True)),
    ('标签 + "重点客户"', Action(ActionKind.TAG, "重点客户")),
    ('grade = "d"', Action(ActionKind.GRADE, "D")),
    ('等级 = "A"', Action(ActionKind.GRADE, "A")),
    ('flag "核对工程款结算节点"', Action(ActionKind.FLAG, "核对工程款结算节点")),
    ('flag = "check"', Action(ActionKind.FLAG, "check")),
    ('提示 "x"', Action(ActionKind.FLAG, "x")),
]


@pytest.mark.parametrize(("text", "action"), ACTIONS)
def test_action_parses(text: str, action: Action) -> None:
    assert compile_action(text, TREE) == action


BAD_ACTIONS = [
    ("category = 0102", "RUL_ACTION_VALUE", 'category = "0102"'),
    ("category = 102", "RUL_ACTION_VALUE", '"0102"'),
    ('category = "01"', "RUL_CATEGORY_NOT_LEAF", "0101 Retail, 0102 Wholesale"),
    ('category = "0999"', "RUL_CATEGORY_UNKNOWN", "Categories sheet"),
    ('category + "0102"', "RUL_ACTION_UNKNOWN", 'category = "0102"'),
    ('move "0102"', "RUL_ACTION_UNKNOWN", "tag +"),
    ('grade = "E"', "RUL_ACTION_VALUE", "A, B, C and D"),
    ('tag + "a;b"', "RUL_ACTION_VALUE", "One tag"),
    ('tag + ""', "RUL_ACTION_VALUE", "tag +"),
    ('tag "x"', "RUL_ACTION_UNKNOWN", "tag +"),
    ('tag + "x"; tag + "y"', "RUL_SYNTAX", ""),
    ('category = "0102" extra', "RUL_SYNTAX", ""),
    ('__import__("os")', "RUL_SYNTAX", ""),
    ("category =", "RUL_SYNTAX", ""),
    ('flag "' + "x" * 10**6 + '"', "RUL_TOO_LONG", ""),
]


@pytest.mark.parametrize(("text", "code", "hint"), BAD_ACTIONS)
def test_bad_action_is_a_precise_error(text: str, code: str, hint: str) -> None:
    started = time.process_time()
    with pytest.raises(RuleError) as caught:
        compile_action(text, TREE)
    assert caught.value.code == code, caught.value.message
    assert hint in caught.value.message + " " + caught.value.suggestion
    assert time.process_time() - started < 1


def test_actions_print_back_canonically() -> None:
    typed = ['分类 = "0102"', "category = “9901”", '标签 - "VIP"', 'grade = "d"', '提示 "x"']
    assert [str(compile_action(t, TREE)) for t in typed] == [
        'category = "0102"', 'category = "9901"', 'tag - "VIP"', 'grade = "D"', 'flag "x"']
