"""Console tables an accountant can read: whole right-aligned amounts, names, totals, short lists.

Rendered on a fixed rich Console (width 80 and 120, record=True) from small inline tables
and from the demo; the commands through the CLI runner, in English and in Chinese.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.io.reader import read_book
from xlcust.ledger import build_ledger
from xlcust.money import format_money
from xlcust.views.console import Column, render_table
from xlcust.views.console.reports import print_aging, print_settlement

from .workbooks import registry, write_book

runner = CliRunner()
AMOUNT = re.compile(r"-?\d{1,3}(?:,\d{3})*\.\d\d")


def recorded(width: int) -> Console:
    return Console(width=width, record=True, highlight=False)


def amounts_with_ends(line: str) -> list[tuple[str, int]]:
    return [(m.group(), m.end()) for m in AMOUNT.finditer(line)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("console") / "demo.xlsx"
    result = runner.invoke(app, ["new", str(path), "--demo", "--lang", "en"])
    assert result.exit_code == 0, result.output
    book = read_book(path)
    return path, book, build_ledger(book)


@pytest.fixture(scope="module")
def zh_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("console_zh") / "演示.xlsx"
    result = runner.invoke(app, ["new", str(path), "--demo", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    return path


# ------------------------------------------------------------------ small tables


@pytest.mark.parametrize("width", [80, 120])
def test_amounts_stay_whole_and_right_aligned_while_names_fold(width: int) -> None:
    columns = [Column("Code", "code", key=True), Column("Name", key=True),
               *(Column(f"Bucket {i}", "money") for i in range(7))]
    cents = [123_456_789_012, 5, 99_999_999, 100_000]
    rows = [(f"C{i}", "A very long customer name that has to fold somewhere " * 2,
             *(c * (k + 1) for k in range(7))) for i, c in enumerate(cents)]
    console = recorded(width)
    render_table(console, "Inline", columns, rows, lang="en", total=("", None, *([1] * 7)))
    text = console.export_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    expected = {format_money(c * (k + 1)) for c in cents for k in range(7)} | {format_money(1)}
    found = [a for line in lines for a, _end in amounts_with_ends(line)]
    assert set(found) == expected  # every amount whole, and no fragment of one anywhere
    assert len(found) == len(rows) * 7 + 7
    # within each panel, every amount of a column ends at the same position: right-aligned
    panels = text.split("Inline (part")[1:] or [text]
    for panel in panels:
        ends = {tuple(end for _a, end in amounts_with_ends(line)) for line in panel.splitlines()
                if amounts_with_ends(line)}
        assert len(ends) == 1, ends
    assert "A very long" in text and "Total" in text


def test_a_table_that_fits_is_one_panel_and_text_folds_instead_of_numbers() -> None:
    console = recorded(40)
    render_table(console, "Narrow", [Column("Name"), Column("Amount", "money")],
                 [("Shenzhen Example Trading Company Limited", 1_234_567_89)], lang="en")
    text = console.export_text()
    assert "part 1" not in text
    assert "1,234,567.89" in text
    assert "Shenzhen Example" in text and "Limited" in text


def test_headers_come_from_the_catalog_and_the_total_label_too() -> None:
    console = recorded(80)
    render_table(console, "t", [Column("Category code", "code"), Column("Category name"),
                                Column("Open amount", "money")],
                 [("01", "制造业", 1000)], lang="zh", total=("", None, 1000))
    text = console.export_text()
    assert "分类编码" in text and "分类名称" in text and "未清金额" in text and "合计" in text
    assert "Category" not in text


# -------------------------------------------------------------------- the demo


@pytest.mark.parametrize("width", [80, 120])
def test_demo_aging_has_names_whole_amounts_and_the_control_total(demo, width: int) -> None:
    _path, _book, ledger = demo
    report = ledger.aging()
    console = recorded(width)
    print_aging(console, report, "en")
    text = console.export_text()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    money = [*report.labels, "unapplied_credit", "balance"]
    expected = {format_money(v) for col in money for v in report.by_category[col]}
    expected |= {format_money(report.total[c]) for c in money}
    assert set(a for line in lines for a, _e in amounts_with_ends(line)) == expected
    for rec in report.by_category.head(8).to_dict("records"):  # names beside codes (a long name folds)
        row = next(line for line in lines if line.startswith(rec["category_code"] + " "))
        assert rec["name"].split()[0] in row, row
    totals = [line for line in lines if line.strip().startswith("Total")]
    control = ledger.reconcile()
    assert totals and format_money(control.net) in totals[-1]  # the balance ties to the ledger's control total
    assert int(report.total["balance"]) == control.net


def test_demo_settlement_is_summary_first_with_the_largest_open_items(demo) -> None:
    _path, _book, ledger = demo
    frame = ledger.settlement()
    names = {str(k): str(v) for k, v in ledger.customers["name"].items()}
    console = recorded(80)
    print_settlement(console, frame, names, "2026-09-30", "en")
    text = console.export_text()
    assert len(text.splitlines()) < 60  # not 5,929 invoices
    assert "Settled in full" in text and "Largest open items (20 of" in text
    assert f"… {len(frame) - 20:,} more; --all or --json for the full list" in text
    total = next(line for line in text.splitlines() if line.startswith("Total"))
    assert format_money(int(frame["amount"].sum())) in total and format_money(int(frame["open_amount"].sum())) in total
    biggest = frame.sort_values("open_amount", ascending=False).iloc[0]
    row = next(line for line in text.splitlines() if line.startswith(biggest["txn_id"]))
    assert names[biggest["customer_code"]][:4] in row  # the name beside the code (a long name folds)
    every = recorded(120)
    print_settlement(every, frame.head(50), names, "2026-09-30", "en", all_rows=True)
    listed = every.export_text()
    assert all(t in listed for t in frame.head(50)["txn_id"])


def test_demo_grades_summary_then_every_customer_with_all(demo) -> None:
    path, _book, ledger = demo
    short = runner.invoke(app, ["grades", str(path)])
    assert short.exit_code == 0, short.output
    doc = json.loads(runner.invoke(app, ["grades", str(path), "--json"]).stdout)
    counts = doc["summary"]["grades"]
    lines = short.stdout.splitlines()
    for grade in ("A", "B", "C", "D"):
        row = next(line for line in lines if line.startswith(f"{grade} "))
        assert re.match(rf"{grade}\s+{counts[grade]}\s", row), row
    customers = doc["summary"]["customers"]
    assert len(lines) < customers * 0.75 and f"Largest exposures (20 of {customers} customers)" in short.stdout
    assert "more; --all or --json for the full list" in short.stdout
    full = runner.invoke(app, ["grades", str(path), "--all"])
    assert full.exit_code == 0
    assert all(item["customer_code"] in full.stdout for item in doc["items"])
    about_a_category = [w for w in doc["warnings"] if not w["customer_code"]]
    assert about_a_category  # the demo's settlement slows down in some categories
    for w in about_a_category:  # named beside the code, as a customer's warning is
        row = next(line for line in full.stdout.splitlines()
                   if line.startswith(w["code"]) and w["category_code"] in line.split())
        name = str(ledger.categories["name"][w["category_code"]]).split()[0]
        assert row.count(name) == 2, row  # in the name column, and in the evidence that quotes it


def test_demo_reclassify_counts_changes_by_rule_and_shows_every_category_move(demo) -> None:
    path, _book, _ledger = demo
    doc = json.loads(runner.invoke(app, ["reclassify", str(path), "--json"]).stdout)
    changes = doc["changes"]
    assert len(changes) > 40  # a long list, so the summary applies
    short = runner.invoke(app, ["reclassify", str(path)])
    assert short.exit_code == 0 and short.stdout.startswith("Changes by rule")
    total = next(line for line in short.stdout.splitlines() if line.strip().startswith("Total"))
    assert total.split()[-1] == str(len(changes))
    moves = [c for c in changes if c["field"] == "category"]
    assert moves and all(c["customer_code"] in short.stdout for c in moves)
    shown = sum(1 for line in short.stdout.splitlines() if " → " in line)
    assert f"… {len(changes) - shown} more; --all or --json for the full list" in short.stdout
    every = runner.invoke(app, ["reclassify", str(path), "--all"])
    assert sum(1 for line in every.stdout.splitlines() if " → " in line) == len(changes)


# ------------------------------------------------------------------------ check


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = registry(Transactions=[
        ["Txn ID", "Date", "Customer code", "Kind", "Amount"],
        ["T1", "2024-01-05", "C001", "invoice", "1,2,3"],
        ["T2", "2024/2/1", "C001", "收款", 100],
        ["T2", "2024-02-02", "C999", "refund", 5],
    ])
    return write_book(tmp_path_factory.mktemp("broken") / "broken.xlsx", rows, tables=("Transactions",))


def finding_lines(stdout: str) -> dict[str, int]:
    counts = {"ERROR": 0, "WARNING": 0, "INFO": 0}
    for line in stdout.splitlines():
        word = line.split(" ", 1)[0]
        if word in counts:
            counts[word] += 1
    return counts


def test_check_shows_the_summary_then_errors_and_warnings_and_says_what_it_left_out(broken: Path) -> None:
    doc = json.loads(runner.invoke(app, ["check", str(broken), "--json"]).stdout)
    s = doc["summary"]
    assert s["error"] and s["warning"] and s["info"], s  # the book has all three, so every flag is tested
    default = runner.invoke(app, ["check", str(broken)])
    assert default.exit_code == 1
    assert finding_lines(default.stdout) == {"ERROR": s["error"], "WARNING": s["warning"], "INFO": 0}
    assert default.stdout.index("Findings by code") < default.stdout.index("ERROR")
    assert "TXN_DUPLICATE_ID" in default.stdout and "Meaning" in default.stdout
    assert f"{s['info']} info line(s) not shown; --all" in default.stderr
    errors = runner.invoke(app, ["check", str(broken), "--errors-only"])
    assert errors.exit_code == 1
    assert finding_lines(errors.stdout) == {"ERROR": s["error"], "WARNING": 0, "INFO": 0}
    assert f"{s['warning'] + s['info']} warning and info line(s) not shown" in errors.stderr
    same = runner.invoke(app, ["check", str(broken), "--min-severity", "error"])
    assert finding_lines(same.stdout) == finding_lines(errors.stdout)
    every = runner.invoke(app, ["check", str(broken), "--all"])
    assert finding_lines(every.stdout) == {"ERROR": s["error"], "WARNING": s["warning"], "INFO": s["info"]}
    assert "not shown" not in every.stderr
    info = runner.invoke(app, ["check", str(broken), "--min-severity", "info"])
    assert finding_lines(info.stdout) == finding_lines(every.stdout)
    assert len(json.loads(runner.invoke(app, ["check", str(broken), "--json", "--errors-only"]).stdout)
               ["findings"]) == len(doc["findings"])  # --json keeps the full list
    bad = runner.invoke(app, ["check", str(broken), "--min-severity", "loud"])
    assert bad.exit_code == 2 and "--min-severity must be error, warning or info" in bad.output


# ------------------------------------------------------------- Chinese console

# ASCII words a Chinese console may show, and why
ALLOWED = {
    "xlcust",  # the product
    "all", "json", "min", "severity", "errors", "only", "write", "apply", "report", "lang",  # flags (--all …)
    "warning", "info", "error",  # values of --min-severity, named as typed
    "check",  # `xlcust check`, a command as typed
    "xlsx", "xlsm", "csv", "pdf",  # file names and their kinds
}
CODE = re.compile(r"\b[A-Z][A-Z0-9_]+\b")  # finding, warning and grade codes: TXN_DATE_TEXT, DORMANT, NEW
DOCUMENT = re.compile(r"\b[A-Z]{2,4}-\d{4}-\d+\b")  # document numbers: INV-2026-000123
PATHS = re.compile(r"(?:/|\w:\\)\S+")  # file and folder names the user chose
FILES = re.compile(r"\S+\.(?:xlsx|xlsm|csv|pdf)\b")  # files xlcust wrote: statement_0101_….xlsx
HASH = re.compile(r"\b[0-9a-f]{12,}\b")  # the revenue report's data fingerprint


# and on help pages, what the user types or reads elsewhere
HELP_ALLOWED = {
    "new", "check", "settlement", "aging", "run", "grades", "reclassify", "revenue", "statements", "import",
    "customers", "transactions",  # command names
    "due", "invoice", "dmy", "mdy",  # option values as typed (--basis due, --date-order dmy)
    "language", "as_of", "amounts_include_tax",  # Settings keys, as the Settings sheet spells them
    "xls", "json", "utf", "gbk", "yyyy",  # file formats, encodings, date patterns
    "excel", "libreoffice",  # other products
}
OPTION = re.compile(r"(?<![\w-])--?[a-z][\w-]*|<[^>]+>")  # flags and their metavars: --as-of <str>


def english_words(text: str, *, help_page: bool = False) -> list[str]:
    for pattern in (PATHS, FILES, HASH, DOCUMENT, CODE, *((OPTION,) if help_page else ())):
        text = pattern.sub(" ", text)
    allowed = ALLOWED | HELP_ALLOWED if help_page else ALLOWED
    return [w for w in re.findall(r"[A-Za-z_]{3,}", text) if w.lower() not in allowed]


def test_chinese_console_of_every_command_has_no_english_words(zh_demo: Path, tmp_path: Path) -> None:
    book = str(zh_demo)
    commands = [
        ["check", book, "--all"], ["check", book, "--errors-only"],
        ["aging", book], ["settlement", book], ["grades", book],
        ["revenue", book, "--from", "2026-01-01", "--to", "2026-09-30", "--by", "quarter"],
        ["statements", book, "--from", "2026-07-01", "--to", "2026-09-30", "--category", "0101", "--out",
         str(tmp_path / "st")],
        ["reclassify", book],
        ["run", book, "--out", str(tmp_path / "out.xlsx")],
        ["new", str(tmp_path / "new.xlsx")],
    ]
    found = {}
    for args in commands:
        result = runner.invoke(app, [*args, "--lang", "zh"])
        assert result.exit_code in (0, 1), (args, result.output)
        words = english_words(result.output)
        if words:
            found[" ".join(args[:1])] = sorted(set(words))
    for args in (["--help"], ["check", "--help"], ["aging", "--help"], ["import", "customers", "--help"]):
        # help pages through the real entry point: it translates them before click parses the line
        result = subprocess.run([sys.executable, "-m", "xlcust", *args, "--lang", "zh"], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        words = english_words(result.stdout, help_page=True)
        if words:
            found[" ".join(args)] = sorted(set(words))
    assert not found, found


def test_usage_errors_speak_the_language_of_the_line(zh_demo: Path) -> None:
    def xlcust(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "xlcust", *args], capture_output=True, text=True, timeout=120)

    zh = xlcust("revenue", str(zh_demo), "--lang", "zh")
    assert zh.returncode == 2
    assert "错误：缺少选项 --from。" in zh.stderr and "查看帮助" in zh.stderr and "Missing" not in zh.stderr
    unknown = xlcust("aging", str(zh_demo), "--frob", "--lang=zh")
    assert unknown.returncode == 2 and "没有这个选项：--frob" in unknown.stderr
    en = xlcust("revenue", str(zh_demo), "--lang", "en")
    assert en.returncode == 2 and "Error: Missing option '--from'." in en.stderr
    alone = xlcust("--lang", "zh")
    assert alone.returncode == 0 and "用法：xlcust" in alone.stdout and "命令" in alone.stdout
