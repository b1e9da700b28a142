"""The `xlcust` command line as a user meets it: exit codes, JSON, files left alone, no tracebacks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.io.package import open_package
from xlcust.io.reader import read_book

from .workbooks import registry, write_book

runner = CliRunner()


def xlcust(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real console script in a child process (what a user types)."""
    return subprocess.run([sys.executable, "-m", "xlcust", *args], capture_output=True, text=True, timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    result = runner.invoke(app, ["new", str(path), "--demo"])
    assert result.exit_code == 0, result.output
    return path


def test_check_demo_is_clean_and_leaves_the_file_untouched(demo_book: Path) -> None:
    before = digest(demo_book)
    result = runner.invoke(app, ["check", str(demo_book), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["error"] == 0
    assert all(set(f) >= {"severity", "code", "sheet", "row", "column", "field", "message", "suggestion"}
               for f in document["findings"])
    assert digest(demo_book) == before


def test_check_points_at_the_broken_cells_and_exits_1(tmp_path: Path) -> None:
    rows = registry(Transactions=[
        ["Txn ID", "Date", "Customer code", "Kind", "Amount"],
        ["T1", dt.date(2024, 1, 5), "C001", "invoice", "1,2,3"],
        ["T2", "2024/2/1", "C001", "收款", 100],
        ["T2", dt.date(2024, 2, 2), "C999", "refund", 5],
    ])
    path = write_book(tmp_path / "broken.xlsx", rows, tables=("Transactions",))
    before = digest(path)
    result = runner.invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    found = {(f["code"], f["sheet"], f["column"], f["row"]) for f in json.loads(result.stdout)["findings"]}
    assert ("TXN_AMOUNT_INVALID", "Transactions", "E", 2) in found
    assert ("TXN_DATE_TEXT", "Transactions", "B", 3) in found
    assert ("TXN_DUPLICATE_ID", "Transactions", "A", 4) in found
    assert ("TXN_CUSTOMER_UNKNOWN", "Transactions", "C", 4) in found
    assert ("TXN_KIND_UNKNOWN", "Transactions", "D", 4) in found
    assert digest(path) == before


def test_check_write_adds_checks_sheet_fills_mnemonics_and_keeps_user_parts(demo_book: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    path.write_bytes(demo_book.read_bytes())
    customers_part = open_package(path).sheet_part("Customers")
    before = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    result = runner.invoke(app, ["check", str(path), "--write"])
    assert result.exit_code == 0, result.output
    pkg = open_package(path)
    assert "Checks" in pkg.sheet_names()
    after = {n: zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()}
    # Customers: filled mnemonics and highlights; Transactions: highlighted invoices over their credit limit;
    # the shared strings: the Checks sheet's repeated words appended (the user's entries unchanged).
    ours = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
            customers_part, pkg.sheet_part("Transactions"), pkg.sheet_part("Checks"), "docProps/app.xml",
            pkg.shared_strings_part()}
    changed = {n for n in before if n in after and before[n] != after[n]}
    assert changed <= ours
    assert set(before) - set(after) == set()
    book = read_book(path)
    assert book.customers.data["mnemonic"].notna().all()  # every blank mnemonic filled
    again = runner.invoke(app, ["check", str(path), "--json"])
    assert not any(f["code"] == "CUS_MNEMONIC_FILLED" for f in json.loads(again.stdout)["findings"])


def test_run_writes_output_sheets_to_a_copy_with_control_totals(demo_book: Path, tmp_path: Path) -> None:
    before = digest(demo_book)
    out = tmp_path / "out" / "ledger.xlsx"
    result = runner.invoke(app, ["run", str(demo_book), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert digest(demo_book) == before
    names = open_package(out).sheet_names()
    for sheet in ("Checks", "Allocation", "Settlement", "Aging", "AgingByCustomer", "OpenItems", "Provision",
                  "Collections"):
        assert sheet in names
    # xlcust's memory of categories: every demo customer with transactions, in its category in force.
    book = read_book(out)
    used = set(book.transactions.data["customer_code"])
    assert set(book.remembered.index) == used
    current = dict(zip(book.customers.data["code"], book.customers.data["category_code"], strict=True))
    assert all(book.remembered.at[c, "category_code"] == current[c] for c in used)
    aging = json.loads(runner.invoke(app, ["aging", str(demo_book), "--json"]).stdout)
    assert summary["control"]["balance"] == aging["total"]["balance"]
    assert summary["control"]["debits"] - summary["control"]["credits"] == pytest.approx(
        summary["control"]["balance"], abs=0.001)


def test_settlement_and_aging_json_shapes(demo_book: Path) -> None:
    settlement = json.loads(runner.invoke(app, ["settlement", str(demo_book), "--json"]).stdout)
    first = settlement["items"][0]
    assert set(first) >= {"txn_id", "customer_code", "date", "due_date", "amount", "settled_on",
                          "days_to_settle", "days_late", "open_amount"}
    aging = json.loads(runner.invoke(app, ["aging", str(demo_book), "--as-of", "2025-12-31", "--basis",
                                           "invoice", "--json"]).stdout)
    assert aging["as_of"] == "2025-12-31" and aging["basis"] == "invoice"
    assert set(aging) >= {"items", "by_customer", "by_category", "total"}
    assert all(item["date"] <= "2025-12-31" for item in aging["items"])


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.xlsx", None, "no such file"),
        ("notes.xlsx", b"customer,amount\nC1,100\n", "not an Excel workbook"),
        ("cut.xlsx", "truncate", "damaged"),
        ("secret.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptionInfo".encode("utf-16-le")
         + b"\0" * 512, "password"),
    ],
)
def test_unusable_files_exit_2_with_one_line_and_no_traceback(
    tmp_path: Path, demo_book: Path, name: str, content: object, words: str
) -> None:
    path = tmp_path / name
    if content == "truncate":
        path.write_bytes(demo_book.read_bytes()[:5000])
    elif content is not None:
        path.write_bytes(content)  # type: ignore[arg-type]
    result = xlcust("check", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert words.lower() in lines[0].lower()


def test_bad_arguments_exit_2(demo_book: Path) -> None:
    result = xlcust("aging", str(demo_book), "--as-of", "31/12/2025")
    assert result.returncode == 2
    assert "--as-of must be a date" in result.stderr
    assert "Traceback" not in result.stderr
    assert xlcust("aging", str(demo_book), "--basis", "weekly").returncode == 2
    assert xlcust("frobnicate").returncode == 2


def test_help_lists_the_commands() -> None:
    result = xlcust("--help")
    assert result.returncode == 0
    for command in ("new", "check", "settlement", "aging", "run"):
        assert command in result.stdout


def test_new_refuses_to_overwrite(demo_book: Path) -> None:
    result = runner.invoke(app, ["new", str(demo_book)])
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_run_says_which_sheets_had_more_links_than_excel_keeps(demo_book: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from xlcust.io import framexml, sheetxml

    def allocation_links(path: Path) -> int:
        pkg = open_package(path)
        return pkg.read_part(pkg.sheet_part("Allocation")).count(b"<hyperlink ")

    full = json.loads(runner.invoke(app, ["run", str(demo_book), "--out", str(tmp_path / "all.xlsx"),
                                          "--json"]).stdout)
    assert full["links_past_excel_limit"] == {}
    every = allocation_links(tmp_path / "all.xlsx")
    monkeypatch.setattr(framexml, "MAX_HYPERLINKS", 100)  # Excel keeps 65,530; the demo has fewer
    monkeypatch.setattr(sheetxml, "MAX_HYPERLINKS", 100)
    out = tmp_path / "links.xlsx"
    summary = json.loads(runner.invoke(app, ["run", str(demo_book), "--out", str(out), "--json"]).stdout)
    assert allocation_links(out) == 100
    assert summary["links_past_excel_limit"]["Allocation"] == every - 100
    text = runner.invoke(app, ["run", str(demo_book), "--out", str(tmp_path / "again.xlsx")]).output
    assert "Allocation:" in text and "plain text" in text
