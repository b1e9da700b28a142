"""The category lock without a CategoryHistory sheet (issue 14, point 1): xlcust remembers each used
customer's category in a very hidden sheet, adds the history sheet when it is missing, and a change made
while the history was away is caught, keeps closed periods where they were, and is recorded with a date."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from xlcust.book import Book
from xlcust.checks import history as history_checks
from xlcust.checks.history import unrecorded_changes
from xlcust.cli import app
from xlcust.edits import CellEdit
from xlcust.history import category_at
from xlcust.io.package import open_package
from xlcust.io.package_write import save_package
from xlcust.io.reader import read_book
from xlcust.memory import MEMORY_SHEET, initial_history, memory_records

from .workbooks import write_book

runner = CliRunner()
D = dt.date

SHEETS = {
    "Settings": [["Key", "Value"], ["as_of", "2026-06-30"], ["coding_scheme", "2-2"]],
    "Categories": [["Code", "Name"], ["01", "Domestic"], ["0101", "Building"], ["0102", "Civil"],
                   ["0103", "Design"]],
    "Customers": [["Code", "Name", "Category code"], ["C001", "华远建筑有限公司", "0103"],
                  ["C002", "Acme Trading", "0102"], ["C003", "New Prospect", "0101"]],
    "Transactions": [["Txn ID", "Date", "Customer code", "Kind", "Amount"],
                     ["T1", D(2025, 3, 1), "C001", "invoice", 10449.00],
                     ["T2", D(2025, 4, 1), "C002", "invoice", 500.00],
                     ["T3", D(2026, 2, 1), "C001", "invoice", 100.00]],
}


def small_book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "book.xlsx", SHEETS, tables=("Categories", "Customers", "Transactions"))


def cli(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def codes(document: dict) -> set[str]:
    return {f["code"] for f in document["findings"] if f["severity"] == "error"}


def revenue_2025(path: Path) -> dict[str, float]:
    _, doc = cli("revenue", str(path), "--from", "2025-01-01", "--to", "2025-12-31", "--by", "year")
    return {i["category_code"]: i["net_sales"] for i in doc["items"] if i.get("net_sales") and
            len(i["category_code"] or "") == 4}


def hide_sheet_from_xlcust(path: Path, name: str) -> None:
    """As if the user deleted the sheet: rename it (and its Table) to names xlcust does not read."""
    data = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == "xl/workbook.xml":
                body = body.replace(f'name="{name}"'.encode(), b'name="Old notes"')
            if info.filename.startswith("xl/tables/"):  # and its Table, which the reader finds by name
                body = body.replace(f'"tbl{name}"'.encode(), b'"tblOldNotes"')
            new.writestr(info, body)
    path.write_bytes(data.getvalue())


def set_cell(path: Path, sheet: str, ref: str, value: object) -> None:
    """A user's edit, saved."""
    letters = ref.rstrip("0123456789")
    save_package(open_package(path), None, edits=[CellEdit(sheet, int(ref[len(letters):]), letters, value)])


def test_the_issue_scenario_end_to_end(tmp_path: Path) -> None:
    path = small_book(tmp_path)
    assert not read_book(path).history.present
    assert revenue_2025(path)["0103"] == 10449.00

    # check --write adds the CategoryHistory sheet and the memory, as one save.
    assert cli("check", str(path), "--write")[0] == 0
    book = read_book(path)
    assert book.history.present
    rows = book.history.data.set_index("customer_code")
    assert rows.at["C001", "category_code"] == "0103"
    assert rows.at["C001", "valid_from"] == pd.Timestamp("2025-03-01")  # the first transaction
    assert pd.isna(rows.at["C001", "valid_to"])
    assert book.remembered["category_code"].to_dict() == {"C001": "0103", "C002": "0102"}  # used customers only
    with zipfile.ZipFile(path) as z:
        assert f'name="{MEMORY_SHEET}"'.encode() in z.read("xl/workbook.xml")
        assert b'state="veryHidden"' in z.read("xl/workbook.xml")

    # The history sheet goes away, then C001's category changes: caught on the Customers cell.
    hide_sheet_from_xlcust(path, "CategoryHistory")
    set_cell(path, "Customers", "C2", "0102")
    status, doc = cli("check", str(path))
    assert status == 1 and "HIS_CHANGE_NO_HISTORY" in codes(doc)
    (f,) = [f for f in doc["findings"] if f["code"] == "HIS_CHANGE_NO_HISTORY"]
    assert (f["sheet"], f["row"], f["column"]) == ("Customers", 2, "C")
    assert "'0103'" in f["message"] and "'0102'" in f["message"] and "reclassify" in f["suggestion"]
    # …and closed-period revenue did not move.
    assert revenue_2025(path) == {"0103": 10449.00, "0102": 500.00}

    # run adds the sheet again, with the remembered category open: the existing history check takes over.
    assert cli("run", str(path))[0] == 1
    book = read_book(path)
    assert book.history.data.set_index("customer_code").at["C001", "category_code"] == "0103"
    status, doc = cli("check", str(path))
    assert status == 1 and codes(doc) == {"HIS_CHANGE_UNRECORDED"}

    # reclassify --apply records the change from the as-of date; past revenue stays in 0103.
    seen_before = read_book(path).remembered["seen_on"].to_dict()
    assert runner.invoke(app, ["reclassify", str(path), "--apply"]).exit_code == 0
    # the apply keeps xlcust's memory current itself: C001 remembered in 0102 from today, C002 untouched
    remembered = read_book(path).remembered
    assert remembered["category_code"].to_dict() == {"C001": "0102", "C002": "0102"}
    assert remembered.at["C001", "seen_on"] == pd.Timestamp(dt.date.today())
    assert remembered.at["C002", "seen_on"] == seen_before["C002"]
    assert cli("check", str(path))[0] == 0
    assert revenue_2025(path) == {"0103": 10449.00, "0102": 500.00}
    assert cli("check", str(path), "--write")[0] == 0
    assert read_book(path).remembered["category_code"].to_dict() == {"C001": "0102", "C002": "0102"}


def test_the_memory_survives_a_round_trip_and_keeps_the_day_it_was_seen(tmp_path: Path) -> None:
    path = small_book(tmp_path)
    assert cli("check", str(path), "--write")[0] == 0
    first = read_book(path).remembered
    assert cli("run", str(path))[0] == 0  # written again: same categories, same days seen
    again = read_book(path).remembered
    pd.testing.assert_frame_equal(first, again)
    assert set(again["seen_on"].dt.date) == {dt.date.today()}


def test_a_change_made_in_a_book_without_history_is_recorded_by_reclassify(tmp_path: Path) -> None:
    """The sheet edited away (here: never there) — reclassify needs the sheet, which check --write adds."""
    path = small_book(tmp_path)
    cli("check", str(path), "--write")
    set_cell(path, "Customers", "C3", "0101")  # C002: 0102 → 0101
    hide_sheet_from_xlcust(path, "CategoryHistory")
    result = runner.invoke(app, ["reclassify", str(path), "--apply"])
    assert result.exit_code == 2 and "check --write" in result.output
    cli("check", str(path), "--write")
    assert runner.invoke(app, ["reclassify", str(path), "--apply"]).exit_code == 0
    h = read_book(path).history.data
    mine = h[h["customer_code"] == "C002"].sort_values("valid_from")
    assert mine["category_code"].tolist() == ["0102", "0101"]
    assert mine["valid_to"].iloc[0] == pd.Timestamp("2026-06-30") == mine["valid_from"].iloc[1]


# ------------------------------------------------------------------ on inline tables

CATS = [{"code": "01", "name": "A"}, {"code": "0101", "name": "x"}, {"code": "0102", "name": "y"}]
TXNS = [{"txn_id": "T1", "date": D(2025, 5, 1), "customer_code": "C1", "kind": "invoice", "amount": 100}]


def inline(customers: list[dict], remembered=None, history=None) -> Book:
    return Book.from_rows(settings={"coding_scheme": "2-2", "as_of": "2026-06-30"}, categories=CATS,
                          customers=customers, transactions=TXNS, history=history, remembered=remembered)


def test_no_memory_no_finding() -> None:
    assert list(history_checks.check_history_remembered(inline([{"code": "C1", "name": "A",
                                                                  "category_code": "0102"}]))) == []


def test_only_used_customers_without_history_rows_are_reported() -> None:
    customers = [{"code": "C1", "name": "A", "category_code": "0102"},
                 {"code": "C2", "name": "B", "category_code": "0102"}]  # no transactions
    book = inline(customers, remembered=[("C1", "0101", "2026-01-31"), ("C2", "0101", "2026-01-31")])
    assert unrecorded_changes(book)["customer_code"].tolist() == ["C1"]
    with_rows = inline(customers, remembered=[("C1", "0101", "2026-01-31")],
                       history=[{"customer_code": "C1", "category_code": "0101", "valid_from": D(2025, 1, 1)}])
    assert unrecorded_changes(with_rows).empty  # HIS_CHANGE_UNRECORDED's business


def test_past_transactions_stay_in_the_remembered_category_until_recorded() -> None:
    book = inline([{"code": "C1", "name": "A", "category_code": "0102"}], remembered=[("C1", "0101", None)])
    got = category_at(book, pd.Series(["C1"]), pd.Series([pd.Timestamp("2025-05-01")]))
    assert got.tolist() == ["0101"]
    assert memory_records(book, D(2026, 7, 1)) == [("C1", "0101", D(2026, 7, 1))]  # not forgotten
    assert initial_history(book) == [{"customer_code": "C1", "category_code": "0101",
                                      "valid_from": D(2025, 5, 1), "valid_to": None}]


def test_the_memory_survives_a_libreoffice_save(tmp_path: Path) -> None:
    """LibreOffice keeps the sheet (as merely hidden: it has no very hidden state); xlcust reads it and
    hides it deeply again on its next save."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    path = small_book(tmp_path)
    cli("check", str(path), "--write")
    before = read_book(path).remembered
    out = tmp_path / "saved"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300)
    saved = out / "book.xlsx"
    pd.testing.assert_frame_equal(read_book(saved).remembered, before)
    assert cli("check", str(saved), "--write")[0] == 0
    with zipfile.ZipFile(saved) as z:
        assert re.search(rf'<sheet name="{MEMORY_SHEET}"[^>]*state="veryHidden"', z.read("xl/workbook.xml").decode())


def test_new_always_creates_the_history_sheet(tmp_path: Path) -> None:
    for lang in ("en", "zh"):
        path = tmp_path / f"new-{lang}.xlsx"
        assert runner.invoke(app, ["new", str(path), "--lang", lang]).exit_code == 0
        assert read_book(path).history.present


def test_the_added_history_sheet_is_the_table_new_makes(tmp_path: Path) -> None:
    """The CategoryHistory `run` adds is an Excel Table like `new`'s (name, headers in the book's language,
    style), so the next check has nothing to say about the sheet xlcust itself made."""
    from xlcust.io.template import create_workbook

    for lang, title in (("en", "CategoryHistory"), ("zh", "分类历史")):
        path = small_book(tmp_path)
        if lang == "zh":
            set_cell(path, "Settings", "A2", "language")
            set_cell(path, "Settings", "B2", "zh")
        runner.invoke(app, ["run", str(path)])
        made = tmp_path / f"new-{lang}.xlsx"
        create_workbook(made, lang=lang)
        pkg, new = open_package(path), open_package(made)
        (added,) = [t for t in pkg.tables() if t.sheet == title]
        (fresh,) = [t for t in new.tables() if t.sheet == title]
        assert (added.name, added.columns, added.header_row_count) == (fresh.name, fresh.columns, 1)
        assert added.ref == "A1:H4"  # header and one row per customer
        style = re.compile(rb'<tableStyleInfo name="([^"]+)"')
        assert style.search(pkg.read_part(added.part)).group(1) == style.search(new.read_part(fresh.part)).group(1)
        assert b"<autoFilter" not in pkg.read_part(next(s.part for s in pkg._sheets if s.name == title))
        book = read_book(path)
        assert book.history.present and book.history.table_name == "tblCategoryHistory"
        _, doc = cli("check", str(path))
        assert not [f for f in doc["findings"] if f["sheet"] == title], lang


def test_the_added_history_sheet_has_the_drop_downs_date_checks_and_note_new_gives(tmp_path: Path) -> None:
    """Issue 14: the sheet `check --write` adds is typed into like `new`'s: the same validations per column
    (customer and category codes from their sheets, dates), the template's note on the header, its tab colour."""
    import openpyxl

    from xlcust.io.template import create_workbook

    for lang, title in (("en", "CategoryHistory"), ("zh", "分类历史")):
        path = small_book(tmp_path)
        if lang == "zh":
            set_cell(path, "Settings", "A2", "language")
            set_cell(path, "Settings", "B2", "zh")
        assert cli("check", str(path), "--write")[0] == 0
        made = tmp_path / f"new-{lang}.xlsx"
        create_workbook(made, lang=lang)

        def rules(book: Path, title: str = title) -> dict[str, tuple]:
            ws = openpyxl.load_workbook(book)[title]
            return {str(v.sqref).split(":")[0]: (v.type, v.error, v.prompt, ws.sheet_properties.tabColor.rgb)
                    for v in ws.data_validations.dataValidation}

        added, fresh = rules(path), rules(made)
        assert {k: v[:2] for k, v in added.items() if k != "A1"} == {k: v[:2] for k, v in fresh.items()}
        assert added["A2"][0] == "list" and added["C2"][0] == "date"
        assert added["A1"][2] and added["A1"][2][:12] in str(openpyxl.load_workbook(made)[title]["A1"].comment.text)
        assert added["A2"][3] == fresh["A2"][3]  # the tab colour
        ws = openpyxl.load_workbook(path)[title]
        lists = {str(v.sqref).split(":")[0]: v.formula1 for v in ws.data_validations.dataValidation if v.type == "list"}
        assert "'Customers'!$A$2" in lists["A2"] and "'Categories'!$A$2" in lists["B2"]  # this book's own columns
        fresh_ws = openpyxl.load_workbook(made)[title]  # printed as new's: title on top, landscape
        assert ws.oddHeader.left.text == fresh_ws.oddHeader.left.text and ws.page_setup.orientation == "landscape"
