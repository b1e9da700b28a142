"""Detail sheets past Settings `detail_rows_in_book`: totals in the book, rows in the companion file.

The book below has 2 Allocation rows and 3 rows each of Settlement, OpenItems and Collections;
with the limit at 2, Allocation stays in the book and the other three move out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.errors import WorkbookLocked
from xlcust.i18n import msg
from xlcust.io.detail import companion_path, save_with_companion
from xlcust.io.package_write import external_target
from xlcust.io.template import create_workbook
from xlcust.settings import SettingEntry, resolve_settings
from xlcust.views.detail import place_detail
from xlcust.views.sheet import ColumnSpec, OutputSheet

runner = CliRunner()

CATEGORIES = [{"code": "01", "name": "Domestic"}]
CUSTOMERS = [{"code": "C1", "name": "Acme", "category_code": "01"},
             {"code": "C2", "name": "Bolt", "category_code": "01"}]
TRANSACTIONS = [
    {"txn_id": "T1", "date": dt.date(2026, 1, 5), "customer_code": "C1", "kind": "invoice", "amount": 1000,
     "due_date": dt.date(2026, 2, 4)},
    {"txn_id": "T2", "date": dt.date(2026, 2, 1), "customer_code": "C1", "kind": "receipt", "amount": 400,
     "reference": "T1"},
    {"txn_id": "T3", "date": dt.date(2026, 3, 1), "customer_code": "C2", "kind": "invoice", "amount": 250.5,
     "due_date": dt.date(2026, 3, 31)},
    {"txn_id": "T4", "date": dt.date(2026, 3, 20), "customer_code": "C2", "kind": "receipt", "amount": 100},
    {"txn_id": "T5", "date": dt.date(2026, 4, 1), "customer_code": "C1", "kind": "invoice", "amount": 300,
     "due_date": dt.date(2026, 5, 1)},
]
MOVED = {"Settlement": 3, "OpenItems": 3, "Collections": 3}
ZH_TITLES = {"Allocation": "核销明细", "Settlement": "结算明细", "OpenItems": "未清明细", "Collections": "催款清单"}


def make_book(path: Path, lang: str = "en", limit: int | None = 2) -> Path:
    settings = [{"key": "as_of", "value": "2026-09-30"}, {"key": "language", "value": lang}]
    if limit is not None:
        settings.append({"key": "detail_rows_in_book", "value": limit})
    create_workbook(path, lang=lang, data={"Settings": settings, "Categories": CATEGORIES, "Customers": CUSTOMERS,
                                           "Transactions": TRANSACTIONS})
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, ["run", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def table(ws) -> list[tuple]:
    """The header and data rows of an output sheet (the title, with its run time, left out)."""
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=2)]


def links(ws) -> dict[str, tuple[str | None, str | None]]:
    return {c.coordinate: (c.hyperlink.target, c.hyperlink.location) for row in ws.iter_rows() for c in row
            if c.hyperlink is not None}


def test_a_long_detail_sheet_keeps_its_totals_in_the_book_and_says_how_to_write_its_rows(tmp_path: Path) -> None:
    book = make_book(tmp_path / "ledger.xlsx")
    code, stdout, stderr = run(book, "--json")
    assert code == 0, stderr
    detail = json.loads(stdout)["detail"]
    assert detail["file"] is None and detail["rows_in_book"] == 2
    assert {s["sheet"]: (s["rows"], s["where"]) for s in detail["sheets"]} == {
        "Allocation": (2, "book"), **{k: (n, "not_written") for k, n in MOVED.items()}}
    assert not companion_path(book).exists()

    wb = openpyxl.load_workbook(book)
    assert len(table(wb["Allocation"])) == 1 + 2  # header and both rows, as always
    settlement = wb["Settlement"]
    assert "control: debits 1,550.50 − credits 500.00 = balance 1,050.50" in settlement["A1"].value
    rows = table(settlement)
    assert rows[:4] == [("Control total", "Total"), ("Rows", 3), ("Amount", 1550.5), ("Open", 1050.5)]
    note = " ".join(str(r[0]) for r in rows[4:] if r[0])
    assert "xlcust run ledger.xlsx --detail writes them to ledger.detail.xlsx" in note
    assert not links(settlement)

    text = run(book)[2]
    assert ("Settlement 3, OpenItems 3, Collections 3: only the totals written (more than 2 rows each); xlcust run "
            "ledger.xlsx --detail writes the rows to ledger.detail.xlsx") in " ".join(text.split())


def test_detail_writes_the_companion_with_the_rows_the_book_would_hold_linked_back_to_it(tmp_path: Path) -> None:
    whole = make_book(tmp_path / "whole.xlsx", limit=None)  # default limit: every sheet in the book
    assert run(whole)[0] == 0
    book = make_book(tmp_path / "ledger.xlsx")
    code, stdout, stderr = run(book, "--detail", "--json")
    assert code == 0, stderr
    detail = json.loads(stdout)["detail"]
    companion = tmp_path / "ledger.detail.xlsx"
    assert detail["file"] == str(companion)
    assert {s["sheet"]: s["where"] for s in detail["sheets"]} == {"Allocation": "book", **dict.fromkeys(MOVED,
                                                                                                      "companion")}

    in_book, side, pointers = openpyxl.load_workbook(whole), openpyxl.load_workbook(companion), \
        openpyxl.load_workbook(book)
    assert side.sheetnames == ["Allocation", "Settlement", "OpenItems", "Collections"]
    for name in side.sheetnames:
        assert table(side[name]) == table(in_book[name]), name
        assert side[name]["A1"].value.split(" — ")[0] == in_book[name]["A1"].value.split(" — ")[0]
        # the same cells link to the same Transactions rows, in the book beside the companion
        inside = links(in_book[name])
        assert inside and {ref: (target, loc) for ref, (target, loc) in links(side[name]).items()} == {
            ref: ("ledger.xlsx", loc) for ref, (_, loc) in inside.items()}
    transactions = pointers["Transactions"]
    for ref, (_, location) in links(side["Settlement"]).items():
        assert location.startswith("'Transactions'!A")
        assert transactions[location.split("!")[1]].value == side["Settlement"][ref].value

    # The book's short sheets: totals that tie to the companion's rows, and a link to them.
    for name in MOVED:
        rows = table(pointers[name])
        data = table(side[name])
        headers, body = data[0], data[1:]
        assert rows[1] == ("Rows", len(body))
        for label, total in rows[2:]:
            if label is None or total is None:
                break
            column = headers.index(label)
            assert total == pytest.approx(sum(r[column] or 0 for r in body), abs=0.001)
        assert ("ledger.detail.xlsx", f"'{name}'!A1") in links(pointers[name]).values()
    assert table(pointers["Allocation"]) == table(in_book["Allocation"])


def test_a_small_book_keeps_everything_and_detail_still_writes_the_companion(tmp_path: Path) -> None:
    book = make_book(tmp_path / "small.xlsx", limit=None)
    code, stdout, _ = run(book, "--detail", "--json")
    assert code == 0
    detail = json.loads(stdout)["detail"]
    assert {s["where"] for s in detail["sheets"]} == {"book"}
    side = openpyxl.load_workbook(detail["file"])
    wb = openpyxl.load_workbook(book)
    assert [table(side[n]) for n in side.sheetnames] == [table(wb[n]) for n in side.sheetnames]


def test_a_chinese_book_gets_chinese_short_sheets_and_a_chinese_companion(tmp_path: Path) -> None:
    book = make_book(tmp_path / "台账.xlsx", lang="zh")
    code, _, stderr = run(book, "--detail")
    assert code == 0, stderr
    assert "结算明细 3, 未清明细 3, 催款清单 3：工作簿中只保留合计（均超过 2 行）" in " ".join(stderr.split())
    side = openpyxl.load_workbook(tmp_path / "台账.detail.xlsx")
    assert side.sheetnames == list(ZH_TITLES.values())
    rows = table(openpyxl.load_workbook(book)["结算明细"])
    assert rows[:2] == [("控制合计项", "合计"), ("行数", 3)]
    words = " ".join(str(v) for r in rows for v in r if isinstance(v, str))
    assert "台账.detail.xlsx" in words and "本表的 3 行明细" in words
    for english in ("Rows", "Total", "Settings", "written", "workbook", "sheet"):  # the key and command are codes
        assert english not in words


def test_an_open_companion_stops_the_run_before_anything_is_written(tmp_path: Path) -> None:
    book = make_book(tmp_path / "ledger.xlsx")
    before = digest(book)
    (tmp_path / "~$ledger.detail.xlsx").write_bytes(b"Excel's lock file")
    code, _, stderr = run(book, "--detail")
    assert code == 2 and "ledger.detail.xlsx" in stderr
    assert digest(book) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.xlsx", "~$ledger.detail.xlsx"]


def test_a_failed_book_save_puts_the_old_companion_back(tmp_path: Path) -> None:
    target = tmp_path / "ledger.xlsx"
    companion = companion_path(target)
    companion.write_bytes(b"the companion of the last run")
    sheet = OutputSheet("Settlement", [ColumnSpec("Txn")], [("T1",)])

    def failing_save() -> None:
        assert companion.read_bytes() != b"the companion of the last run"  # the new one is in place …
        raise WorkbookLocked(msg("the book is open"))  # … when the book cannot be saved

    with pytest.raises(WorkbookLocked):
        save_with_companion(target, [sheet], failing_save)
    assert companion.read_bytes() == b"the companion of the last run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.detail.xlsx"]  # nothing staged is left

    companion.unlink()
    with pytest.raises(WorkbookLocked):
        save_with_companion(target, [sheet], failing_save)
    assert list(tmp_path.iterdir()) == []  # there was none, and none is left


def test_the_default_limit_leaves_a_demo_sized_run_as_it_was() -> None:
    sheets = [OutputSheet(name, [ColumnSpec("x")], pd.DataFrame({0: range(5000)}))
              for name in ("Checks", "Allocation", "Settlement", "OpenItems", "Collections")]
    settings, _ = resolve_settings([])
    plan = place_detail(sheets, settings, book_file="demo.xlsx", write_companion=False)
    assert plan.book == sheets and all(a is b for a, b in zip(plan.book, sheets, strict=True))
    assert plan.companion == []


@pytest.mark.parametrize(("value", "rows", "bad"), [
    (0, 0, False), ("250000", 250_000, False), ("1,000", 1000, False), (-1, 100_000, True), ("many", 100_000, True),
])
def test_the_setting_takes_a_number_of_rows(value: object, rows: int, bad: bool) -> None:
    settings, findings = resolve_settings([SettingEntry("明细行数上限", value, row=9)])
    assert settings.detail_rows_in_book == rows
    assert [f.code for f in findings] == (["SET_BAD_VALUE"] if bad else [])


@pytest.mark.parametrize(("name", "target"), [
    ("CustomerLedger.xlsm", "CustomerLedger.xlsm"),
    ("客户台账 2026.xlsx", "客户台账%202026.xlsx"),
    ("Q#3 [final] 100%.xlsx", "Q%233%20%5bfinal%5d%20100%25.xlsx"),
])
def test_a_link_into_the_book_names_it_as_excel_writes_a_relative_file(name: str, target: str) -> None:
    assert external_target(name) == target


def test_the_companion_of_a_macro_book_is_a_plain_workbook(tmp_path: Path) -> None:
    assert companion_path(tmp_path / "CustomerLedger.xlsm") == tmp_path / "CustomerLedger.detail.xlsx"


def test_run_says_how_many_companion_links_past_excels_limit_are_plain_text(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from xlcust.io import framexml, sheetxml

    monkeypatch.setattr(framexml, "MAX_HYPERLINKS", 2)  # Excel keeps 65,530 per sheet
    monkeypatch.setattr(sheetxml, "MAX_HYPERLINKS", 2)
    book = make_book(tmp_path / "ledger.xlsx")
    code, stdout, _ = run(book, "--detail", "--json")
    detail = json.loads(stdout)["detail"]
    # Settlement links each of its 3 txn ids, Allocation its 2 credits and 2 invoices
    assert detail["links_past_excel_limit"] == {"Allocation": 2, "Settlement": 1, "OpenItems": 1, "Collections": 1}
    side = openpyxl.load_workbook(tmp_path / "ledger.detail.xlsx")
    assert len(links(side["Settlement"])) == 2
    text = " ".join(run(book, "--detail")[2].split())
    assert "ledger.detail.xlsx Settlement: 1 codes past Excel's 65,530 links per sheet are plain text" in text


def test_libreoffice_opens_the_companion_and_finds_the_book_beside_it(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    book = make_book(tmp_path / "ledger.xlsx")
    assert run(book, "--detail")[0] == 0
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "ods", "--outdir", str(tmp_path / "ods"),
                    str(tmp_path / "ledger.detail.xlsx")], check=True, capture_output=True, timeout=180)
    with zipfile.ZipFile(tmp_path / "ods" / "ledger.detail.ods") as ods:
        content = ods.read("content.xml").decode()
    # resolved against the companion's folder (the .ods sits one folder further down, and ODF
    # counts the package itself as a level): the book beside the companion, at its row
    assert 'xlink:href="../../ledger.xlsx#&apos;Transactions&apos;!A' in content
