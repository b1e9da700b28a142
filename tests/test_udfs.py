"""Worksheet functions, called the way xlwings calls them, and checked against the headless commands.

xlwings hands a UDF scalars or (with ndim=2) 2-D lists; numbers arrive as float, dates as
datetime, empty cells as None. The demo workbook's cells are read here exactly so
(`tests.excel_hosts`), and each function's answer is compared with what the `xlcust`
command prints as JSON for the same customers and categories.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time

import pandas as pd
import pytest
from typer.testing import CliRunner

from xlcust import udfs
from xlcust.checks import run_checks
from xlcust.cli import app
from xlcust.codes import CategoryTree
from xlcust.excel.bundle import BUNDLED
from xlcust.io.reader import read_book

from .excel_hosts import host_from_file

UDF_NAMES = ["AGING_BUCKET", "DAYS_OVERDUE", "CUSTOMER_BALANCE", "CREDIT_SCORE", "CREDIT_GRADE", "CREDIT_EXPLAIN",
             "CATEGORY_OF", "CATEGORY_PATH", "CATEGORY_LEVEL", "VALID_CATEGORY_CODE", "VALID_TAX_ID", "MNEMONIC",
             "CATEGORY_REVENUE", "CUSTOMERS_WHERE"]
AS_OF = dt.datetime(2026, 9, 30)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    udfs.clear_cache()


@pytest.fixture(scope="module")
def demo() -> dict[str, list[list[object]]]:
    """The demo workbook's tables as xlwings hands them over (header row included)."""
    host = host_from_file(BUNDLED)
    return {name: host.read_grid(name) for name in host.sheet_names()}


@pytest.fixture(scope="module")
def book():
    return read_book(BUNDLED)


def command(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def column(values: list) -> list[list]:
    return [[v] for v in values]


def flat(rows: list[list]) -> list:
    return [r[0] for r in rows]


# ------------------------------------------------------------------- registration


def test_every_udf_is_registered_with_help_excel_can_show() -> None:
    """What xlwings registers (on Windows its decorators turn this into the VBA wrappers)."""
    import inspect

    for name in UDF_NAMES:
        f = getattr(udfs, name)
        spec = f.__xlcust_udf__
        params = inspect.signature(f).parameters
        assert f.__name__ == name and spec["category"] == "xlcust"
        assert 40 < len(f.__doc__) <= 255, name  # Excel shows the first 255 characters
        assert list(spec["args"]) == list(params), name  # every argument has help
        assert all(0 < len(o["doc"]) <= 255 for o in spec["args"].values()), name
        assert spec["args"][next(iter(params))].get("ndim") == 2, name  # a range keeps its shape
        kinds = {p.kind for p in params.values()}
        assert inspect.Parameter.KEYWORD_ONLY not in kinds  # xlwings refuses keyword-only arguments
        if inspect.Parameter.VAR_POSITIONAL in kinds:  # … and optional ones beside *args
            assert all(p.default is inspect.Parameter.empty for p in params.values())
        assert not f.__wrapped__.__annotations__, name  # xlwings would read hints as converters


def test_udf_module_imports_without_warnings() -> None:
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.reload(udfs)


# --------------------------------------------------------------------- shapes


def test_a_scalar_gives_a_scalar_and_a_range_its_shape() -> None:
    due = dt.datetime(2026, 7, 1)
    assert udfs.AGING_BUCKET(due, AS_OF) == "91-180"
    assert udfs.AGING_BUCKET([[due]], AS_OF) == [["91-180"]]
    assert udfs.AGING_BUCKET([[due, None], [AS_OF, "2026-09-01"]], AS_OF) == [["91-180", None], ["Not due", "1-30"]]
    assert udfs.AGING_BUCKET([due, AS_OF], AS_OF) == ["91-180", "Not due"]


@pytest.mark.parametrize(("days", "bucket"), [
    (-10, "Not due"), (0, "Not due"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (90, "61-90"), (91, "91-180"),
    (180, "91-180"), (181, ">180"),
])
def test_aging_bucket_bounds_are_inclusive(days: int, bucket: str) -> None:
    assert udfs.AGING_BUCKET(AS_OF - dt.timedelta(days=days), AS_OF) == bucket
    assert udfs.DAYS_OVERDUE(AS_OF - dt.timedelta(days=days), AS_OF) == days


def test_dates_as_excel_gives_them() -> None:
    serial = 46295.0  # 2026-09-30: what TODAY() passes (a number, not a date-formatted cell)
    assert udfs.DAYS_OVERDUE(dt.datetime(2026, 9, 1), serial) == 29
    assert udfs.DAYS_OVERDUE(46266.0, AS_OF) == 29
    assert udfs.DAYS_OVERDUE("2026年9月1日", AS_OF) == 29
    assert udfs.DAYS_OVERDUE(None, AS_OF) is None
    assert udfs.DAYS_OVERDUE("soon", AS_OF) is None


def test_bounds_from_text_number_or_range() -> None:
    due = AS_OF - dt.timedelta(days=45)
    assert udfs.AGING_BUCKET(due, AS_OF, "30,60") == "31-60"
    assert udfs.AGING_BUCKET(due, AS_OF, [[15.0], [45.0]]) == "16-45"
    assert udfs.AGING_BUCKET(due, AS_OF, 40.0) == ">40"
    assert udfs.AGING_BUCKET(due, AS_OF, "60,30").startswith("#xlcust: aging bounds must be positive and increasing")


def test_argument_problems_are_one_text_cell() -> None:
    assert udfs.AGING_BUCKET(AS_OF, "next week").startswith("#xlcust: 'next week' is not a date")
    assert udfs.CUSTOMER_BALANCE("C1", [[1.0, 2.0], [3.0, 4.0]]).startswith("#xlcust: the range starting '1.0, 2.0'")
    assert udfs.CUSTOMER_BALANCE("C1", "tblTransactions").startswith("#xlcust: 'tblTransactions' is not a table")
    assert udfs.CREDIT_SCORE(80.0, 70.0).startswith("#xlcust: give scale, payment, stability and risk")
    assert udfs.CREDIT_GRADE("C1", [["Code", "Name", "Category code"], ["C1", "A", "01"]]).startswith(
        "#xlcust: pass the Transactions table")


def test_argument_problems_speak_the_language_of_the_users_system(monkeypatch: pytest.MonkeyPatch) -> None:
    """A formula has no --lang: its `#xlcust:` text follows the system locale (Chinese Windows → Chinese)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert udfs.AGING_BUCKET(AS_OF, "next week") == (
        "#xlcust: “next week”不是日期（请按日期输入，如 2026-09-30，或使用 TODAY()）")
    assert udfs.CUSTOMER_BALANCE("C1", "tblTransactions").startswith("#xlcust: “tblTransactions”不是表")
    assert udfs.AGING_BUCKET(AS_OF, AS_OF, "60,30").startswith("#xlcust: 账龄分段须为递增的正数")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert udfs.AGING_BUCKET(AS_OF, "next week").startswith("#xlcust: 'next week' is not a date")


@pytest.mark.parametrize(("code", "level", "valid"), [
    ("01", 1, True), ("0101", 2, True), ("010101", 3, True), ("101", None, False), (101.0, None, False),
    ("０１", 1, True), (" 01 ", 1, True), ("0a", None, False), ("01010", None, False), (None, None, None),
])
def test_category_levels_under_the_scheme(code: object, level: int | None, valid: bool | None) -> None:
    assert udfs.CATEGORY_LEVEL(code) == level
    assert udfs.VALID_CATEGORY_CODE(code) == valid


def test_scheme_argument() -> None:
    assert udfs.CATEGORY_LEVEL([["0101", "01010001"]], "4-4") == [[1, 2]]
    assert udfs.VALID_CATEGORY_CODE("0101", 4.0) is True


def test_tax_ids_and_mnemonics() -> None:
    assert udfs.VALID_TAX_ID([["91440300708461136T"], ["91440300708461136X"], [None]]) == [[True], [False], [None]]
    assert udfs.VALID_TAX_ID("９１４４０３００７０８４６１１３６ｔ") is True
    assert udfs.MNEMONIC([["北京华远建筑有限公司", "3M中国", None]]) == [["BJHYJZYXGS", "3MZG", None]]


def test_credit_from_dimension_scores() -> None:
    pytest.importorskip("xlcust.credit", reason="credit scoring lands separately")
    assert udfs.CREDIT_SCORE(80.0, 70.0, 60.0, 50.0) == 67.5  # 80×25% + 70×40% + 60×20% + 50×15%
    assert udfs.CREDIT_SCORE(80.0, 70.0, 60.0, 50.0, "25,25,25,25") == 65.0
    assert udfs.CREDIT_SCORE([[100.0], [0.0]], 100.0, 100.0, 100.0) == [[100.0], [75.0]]
    assert udfs.CREDIT_GRADE(80.0) == "A" and udfs.CREDIT_GRADE(79.9) == "B" and udfs.CREDIT_GRADE(49.9) == "D"
    assert udfs.CREDIT_GRADE(70.0, "90,70,50") == "B"
    assert udfs.CREDIT_GRADE(80.0, 70.0, 60.0, 50.0) == "B"
    assert udfs.CREDIT_EXPLAIN(80.0, 70.0, 60.0, 50.0) == (
        "B 67.5 = scale 80 × 25% + payment 70 × 40% + stability 60 × 20% + risk 50 × 15%")
    assert udfs.CREDIT_SCORE(None, 70.0, 60.0, 50.0) is None


def test_tables_with_chinese_headers_in_any_order(demo) -> None:
    transactions = [["客户编码", "单据号", "日期", "类型", "金额"],
                    ["C1", "T1", dt.datetime(2026, 1, 5), "发票", 1200.5],
                    [101.0, "T2", dt.datetime(2026, 2, 1), "invoice", 10.0],
                    ["C1", "T3", dt.datetime(2026, 2, 1), "收款", 200.0],
                    ["C1", "T4", dt.datetime(2026, 12, 1), "invoice", 99.0],
                    [None, None, None, None, None]]
    assert udfs.CUSTOMER_BALANCE([["C1"], ["101"], [101.0], ["C9"], [None]], transactions, AS_OF) == [
        [1000.5], [10.0], [10.0], [0.0], [None]]
    assert udfs.CUSTOMER_BALANCE("C1", transactions, dt.datetime(2026, 12, 31)) == 1099.5


def test_tables_are_parsed_once_per_content(demo) -> None:
    from xlcust.excel.cells import CACHE

    codes = column([r[0] for r in demo["Customers"][1:20]])
    udfs.CUSTOMER_BALANCE(codes, demo["Transactions"], AS_OF)
    misses = CACHE.misses
    udfs.CUSTOMER_BALANCE(codes[:3], [list(r) for r in demo["Transactions"]], AS_OF)  # a fresh copy, as xlwings sends
    assert CACHE.misses == misses
    changed = [list(r) for r in demo["Transactions"]]
    changed[1][4] = 1.0
    udfs.CUSTOMER_BALANCE(codes[:3], changed, AS_OF)
    assert CACHE.misses > misses


# ---------------------------------------------------------- parity with commands


def test_aging_functions_match_xlcust_aging(demo, book) -> None:
    report = command("aging", str(BUNDLED))
    items = report["items"]
    due = column([dt.datetime.fromisoformat(i["due_date"]) for i in items])
    as_of = dt.datetime.fromisoformat(report["as_of"])
    bounds = next(r[1] for r in demo["Settings"] if r[0] == "aging_bounds")
    assert flat(udfs.AGING_BUCKET(due, as_of, bounds)) == [i["bucket"] for i in items]
    assert flat(udfs.DAYS_OVERDUE(due, as_of)) == [i["days_overdue"] for i in items]


def test_customer_balance_matches_xlcust_aging(demo, book) -> None:
    by_customer = {c["customer_code"]: c["balance"] for c in command("aging", str(BUNDLED))["by_customer"]}
    codes = sorted(set(book.customers.data["code"].dropna()) | set(by_customer))
    balances = dict(zip(codes, flat(udfs.CUSTOMER_BALANCE(column(codes), demo["Transactions"], AS_OF)), strict=True))
    assert {k: balances[k] for k in by_customer} == by_customer  # customers with something open
    assert all(v == 0 for k, v in balances.items() if k not in by_customer)  # the rest are settled


def test_credit_functions_match_xlcust_grades(demo) -> None:
    pytest.importorskip("xlcust.credit", reason="credit scoring lands separately")
    grades = command("grades", str(BUNDLED))["items"]
    codes = column([g["customer_code"] for g in grades])
    tables = (demo["Transactions"], demo["Customers"], demo["Settings"], demo["Categories"], demo["Risk"])
    assert flat(udfs.CREDIT_SCORE(codes, *tables)) == [g["score"] for g in grades]
    assert flat(udfs.CREDIT_GRADE(codes, *tables)) == [g["grade"] for g in grades]
    assert flat(udfs.CREDIT_EXPLAIN(codes, *tables)) == [g["explanation"] for g in grades]
    # the same tables in another order: recognised by their headers
    assert udfs.CREDIT_GRADE(codes[0][0], *reversed(tables)) == grades[0]["grade"]
    # dimension scores in, the command's score out
    dims = [g for g in grades if g["grade"] != "NEW"][:50]
    args = [column([g[d] for g in dims]) for d in ("scale", "payment", "stability", "risk")]
    assert flat(udfs.CREDIT_SCORE(*args)) == [g["score"] for g in dims]
    assert flat(udfs.CREDIT_GRADE(*args)) == [g["grade"] for g in dims]


def test_category_revenue_matches_xlcust_revenue(demo) -> None:
    for basis in ("historical", "current"):
        report = command("revenue", str(BUNDLED), "--from", "2026-01-01", "--to", "2026-09-30", "--by", "quarter",
                         "--basis", basis)
        expected: dict[str, float] = {}
        for item in report["items"]:
            if item["category_code"] is not None:
                expected[item["category_code"]] = round(expected.get(item["category_code"], 0) + item["net_sales"], 2)
        codes = sorted(expected)
        got = udfs.CATEGORY_REVENUE(column(codes), dt.datetime(2026, 1, 1), dt.datetime(2026, 9, 30),
                                    demo["Transactions"], demo["Customers"], demo["Categories"],
                                    demo["CategoryHistory"], demo["Settings"], basis)
        assert dict(zip(codes, flat(got), strict=True)) == pytest.approx(expected, abs=0.005)


def test_category_of_matches_the_history_the_reports_use(demo, book) -> None:
    from xlcust.history import category_at, current_categories

    tx = book.transactions.data.dropna(subset=["customer_code", "date"]).iloc[::7]
    expected = category_at(book, tx["customer_code"], tx["date"]).tolist()
    got = udfs.CATEGORY_OF(column(tx["customer_code"].tolist()), column([d.to_pydatetime() for d in tx["date"]]),
                           demo["Customers"], demo["CategoryHistory"])
    assert flat(got) == [None if pd.isna(c) else c for c in expected]
    moved = [c for c, e, now in zip(tx["customer_code"], expected, current_categories(book).reindex(
        tx["customer_code"]).tolist(), strict=True) if e != now]
    assert moved, "the demo has customers whose category changed: the history matters here"
    current = current_categories(book)
    codes = list(current.index[:30])
    assert flat(udfs.CATEGORY_OF(column(codes), None, demo["Customers"])) == list(current.iloc[:30])


def test_category_path_and_levels_match_the_tree(demo, book) -> None:
    tree = CategoryTree.from_book(book)
    codes = tree.codes
    paths = flat(udfs.CATEGORY_PATH(column(codes), demo["Categories"]))
    for code, path in zip(codes, paths, strict=True):
        assert path.split(" › ")[-1] == f"{code} {tree.names[code]}".strip()
        assert len(path.split(" › ")) == tree.level(code)
    assert flat(udfs.CATEGORY_LEVEL(column(codes))) == [tree.level(c) for c in codes]


def test_valid_tax_id_and_mnemonic_agree_with_the_checks(demo, book) -> None:
    customers = demo["Customers"]
    header = customers[0]
    tax_col, name_col, mn_col = header.index("Tax ID"), header.index("Name"), header.index("Mnemonic")
    rows = customers[1:]
    valid = flat(udfs.VALID_TAX_ID(column([r[tax_col] for r in rows])))
    flagged = {f.row for f in run_checks(book) if f.code == "CUS_TAX_ID_INVALID"}
    assert {i + 2 for i, ok in enumerate(valid) if ok is False} == flagged
    from xlcust.mnemonic import mnemonic_fills

    fills = dict(mnemonic_fills(book))  # what `xlcust check --write` writes into blank mnemonic cells
    assert fills, "the demo leaves some mnemonics blank for check --write to fill"
    expected = [r[mn_col] if r[mn_col] is not None else fills[i + 2] for i, r in enumerate(rows)]
    assert flat(udfs.MNEMONIC(column([r[name_col] for r in rows]))) == expected


# ------------------------------------------------------------------------ speed


def test_spill_over_50000_customers(capsys: pytest.CaptureFixture) -> None:
    """The Python-side time of column-wide spills (no Excel transfer); generous bounds for CI."""
    n = 50_000
    rng = random.Random(7)
    categories = [["Code", "Name"], ["01", "A"], ["0101", "A1"], ["0102", "A2"], ["02", "B"], ["0201", "B1"]]
    customers = [["Code", "Name", "Category code"]] + [
        [f"C{i:06d}", f"客户{i}", rng.choice(["0101", "0102", "0201"])] for i in range(n)]
    start = dt.datetime(2025, 1, 1)
    transactions = [["Txn ID", "Date", "Customer code", "Kind", "Amount"]]
    for i in range(n):
        for j, kind in enumerate(("invoice", "invoice", "receipt")):
            transactions.append([f"T{i}-{j}", start + dt.timedelta(days=rng.randrange(600)), f"C{i:06d}", kind,
                                 float(rng.randrange(100, 50_000))])
    codes = column([r[0] for r in customers[1:]])
    dues = column([start + dt.timedelta(days=rng.randrange(600)) for _ in range(n)])
    timings = {}

    def timed(label, call):
        began = time.perf_counter()
        result = call()
        timings[label] = time.perf_counter() - began
        return result

    buckets = timed("AGING_BUCKET", lambda: udfs.AGING_BUCKET(dues, AS_OF))
    balances = timed("CUSTOMER_BALANCE (parse)", lambda: udfs.CUSTOMER_BALANCE(codes, transactions, AS_OF))
    timed("CUSTOMER_BALANCE (cached)", lambda: udfs.CUSTOMER_BALANCE(codes, transactions, AS_OF))
    grades = timed("CREDIT_GRADE", lambda: udfs.CREDIT_GRADE(codes, transactions, customers, categories))
    assert len(buckets) == len(balances) == n
    assert isinstance(grades, str) or len(grades) == n  # a text cell when credit scoring is not installed
    with capsys.disabled():
        print("\n" + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
    assert timings["AGING_BUCKET"] < 5
    assert timings["CUSTOMER_BALANCE (cached)"] < 5
    assert timings["CUSTOMER_BALANCE (parse)"] < 60 and timings["CREDIT_GRADE"] < 120
