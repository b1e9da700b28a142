"""The safe workbook writer: what xlcust does not own survives byte for byte.

Input workbooks are built here with XlsxWriter (a Table, data validation, a defined
name, a comment, a chart, a form button, conditional formatting, an error cell) and,
for .xlsm, a VBA project part. Every test saves through `save_package` and reads the
result back with python-calamine, openpyxl and the raw zip.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine
import xlsxwriter
from lxml import etree

from xlcust.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    NotAWorkbook,
    UsageError,
    WorkbookLocked,
    WorkbookNotFound,
)
from xlcust.io import package as package_module
from xlcust.io import sheetxml, zipwrite
from xlcust.io.package import OUTPUT_MARKER, open_package
from xlcust.io.package_write import save_package
from xlcust.io.sheetxml import AppendRows, CellEdit, ColumnSpec, Highlight, OutputSheet

VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"not really a VBA project, but bytes that must survive" * 40


def build_registry(path: Path, *, vba: Path | None = None) -> Path:
    """A small registry: Customers table with validation, comment, chart, button; a Notes sheet."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Customers")
    money = wb.add_format({"num_format": "#,##0.00", "bg_color": "#FFF2CC"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.add_table("A1:D4", {
        "name": "tblCustomers",
        "columns": [{"header": "Code"}, {"header": "Name"}, {"header": "Credit limit", "format": money},
                    {"header": "Opened on", "format": date}],
        "data": [["0101", "Acme", 1000, dt.date(2024, 1, 2)], ["0102", "Beta", 2000, dt.date(2024, 2, 3)],
                 ["0103", "Gamma", 3000, dt.date(2024, 3, 4)]],
    })
    ws.write_formula("F1", "=1/0", None, "#DIV/0!")
    ws.write("F3", "after")
    ws.data_validation("C2:C4", {"validate": "decimal", "criteria": ">=", "value": 0})
    ws.conditional_format("C2:C4", {"type": "cell", "criteria": ">", "value": 1500, "format": money})
    ws.write_comment("B2", "key account")
    ws.insert_button("H2", {"macro": "run_checks", "caption": "Check"})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=Customers!$C$2:$C$4"})
    ws.insert_chart("H5", chart)
    notes = wb.add_worksheet("Notes")
    notes.write("A1", "notes")
    notes.repeat_rows(0)  # a sheet-scoped _xlnm.Print_Titles on the last sheet
    wb.define_name("AsOf", "=Notes!$A$1")
    if vba is not None:
        wb.add_vba_project(str(vba))
    wb.close()
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return build_registry(tmp_path / "Registry.xlsx")


@pytest.fixture
def macro_book(tmp_path: Path) -> Path:
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(VBA_BYTES)
    return build_registry(tmp_path / "Registry.xlsm", vba=vba)


def checks(rows=None, **kw) -> OutputSheet:
    columns = [ColumnSpec("Severity"), ColumnSpec("Cell", "link"), ColumnSpec("Amount", "money"),
               ColumnSpec("Due", "date"), ColumnSpec("Checked at", "datetime"), ColumnSpec("Share", "percent"),
               ColumnSpec("Days", "int"), ColumnSpec("Open", "cents")]
    if rows is None:
        rows = [
            ("error", ("Customers!B2", "'Customers'!B2"), Decimal("1234.50"), dt.date(2024, 5, 6),
             dt.datetime(2024, 5, 6, 7, 8, 9), 0.125, 42, 123456),
            ("=SUM(A1)", None, 1.5, None, None, None, True, -5),
        ]
    return OutputSheet("Checks", columns, rows, **kw)


def parts(path: Path) -> dict[str, tuple[bytes, int]]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: (z.read(i), i.compress_type) for i in z.infolist()}


def sheet_xml(path: Path, sheet: str) -> str:
    pkg = open_package(path)
    return pkg.read_part(pkg.sheet_part(sheet)).decode()


def calamine_rows(path: Path, sheet: str) -> list[list[object]]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


# --------------------------------------------------------------------------------------
# What survives


@pytest.mark.parametrize("fixture", ["book", "macro_book"])
def test_parts_not_ours_survive_byte_for_byte(fixture: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(fixture)
    before = parts(path)
    pkg = open_package(path)
    customers_part = pkg.sheet_part("Customers")
    table_part = pkg.tables()[0].part

    save_package(pkg, outputs=[checks()], edits=[
        CellEdit("Customers", 3, "B", "Bravo"),
        AppendRows("Customers", "tblCustomers", [["0104", "Delta", 4000, dt.date(2024, 4, 5)]]),
        Highlight("Customers", ["B2"]),
    ])

    after = parts(path)
    new_parts = set(after) - set(before)
    assert new_parts == {pkg.sheet_part("Checks")}
    assert set(before) - set(after) == set()
    strings = pkg.shared_strings_part()
    may_differ = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                  customers_part, table_part, strings}
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= may_differ, changed - may_differ
    # the shared strings are appended to: every entry the user's sheets index is where it was
    entries = lambda xml: re.findall(rb"<si>.*?</si>", xml, re.S)  # noqa: E731
    assert entries(after[strings][0])[:len(entries(before[strings][0]))] == entries(before[strings][0])
    for keep in ("xl/drawings/vmlDrawing1.vml", "xl/comments1.xml", "xl/charts/chart1.xml", "docProps/app.xml"):
        assert after[keep] == before[keep]
    if fixture == "macro_book":
        assert after["xl/vbaProject.bin"][0] == VBA_BYTES
        content_types = after["[Content_Types].xml"][0].decode()
        assert "application/vnd.ms-office.vbaProject" in content_types
        assert "sheet.macroEnabled.main+xml" in content_types


def test_untouched_parts_are_copied_without_recompressing(book: Path) -> None:
    """A part the save does not change keeps its compressed bytes (no inflate, no deflate: a 300 MB
    Transactions sheet costs a copy), its CRC and its time."""
    with zipfile.ZipFile(book) as z:  # deflated at a level no writer here uses: a recompressed part would differ
        packed = {i: z.read(i) for i in z.infolist()}
    with zipfile.ZipFile(book, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info, data in packed.items():
            z.writestr(info, data, compresslevel=1)
    before_bytes = book.read_bytes()
    with zipfile.ZipFile(book) as z:
        before = {i.filename: i for i in z.infolist()}
    save_package(open_package(book), outputs=[checks()])
    after_bytes = book.read_bytes()
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None
        after = {i.filename: i for i in z.infolist()}
    rewritten = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                 "xl/sharedStrings.xml"}  # the Checks sheet's repeated words are appended to the table
    untouched = set(before) - rewritten
    assert "xl/worksheets/sheet1.xml" in untouched
    for name in untouched:
        a, b = before[name], after[name]
        assert (b.CRC, b.compress_size, b.date_time) == (a.CRC, a.compress_size, a.date_time), name
        assert _raw(after_bytes, b) == _raw(before_bytes, a), name


@pytest.mark.parametrize("fast", [True, False])
def test_saved_with_or_without_zlib_ng_reads_back(book: Path, fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without zlib-ng (Pyodide has no wheel) the same save goes through the standard zlib, one thread."""
    if not fast:
        monkeypatch.setattr(zipwrite, "_fast_zlib", None)
        monkeypatch.setattr(zipwrite, "default_workers", lambda: 0)
    many = [("warning", f"Customers!A{i}", Decimal(i), dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4), 0.5, i,
             i * 100) for i in range(2, 20_000)]  # several MiB of XML: many blocks
    save_package(open_package(book), outputs=[checks(rows=many)], edits=[Highlight("Customers", ["B2"])])
    with zipfile.ZipFile(book) as z:
        assert z.testzip() is None
    rows = calamine_rows(book, "Checks")
    assert [r[1] for r in rows[-2:]] == ["Customers!A19998", "Customers!A19999"]
    assert openpyxl.load_workbook(book, read_only=True)["Checks"].max_row == len(rows)
    assert zipwrite.default_deflate().name == ("zlib-ng" if fast else "zlib")


def _raw(data: bytes, info: zipfile.ZipInfo) -> bytes:
    at = info.header_offset
    start = at + 30 + int.from_bytes(data[at + 26:at + 28], "little") + int.from_bytes(data[at + 28:at + 30], "little")
    return data[start:start + info.compress_size]


def test_existing_style_indices_stay_valid(book: Path) -> None:
    before = open_package(book).read_part("xl/styles.xml").decode()
    save_package(open_package(book), outputs=[checks()], edits=[Highlight("Customers", ["C2"])])
    after = open_package(book).read_part("xl/styles.xml").decode()
    for section in ("cellXfs", "fonts", "fills", "borders", "dxfs"):
        old = re.search(rf"<{section}[^>]*>(.*?)</{section}>", before, re.S).group(1)
        new = re.search(rf"<{section}[^>]*>(.*?)</{section}>", after, re.S).group(1)
        assert new.startswith(old), section  # appended, never reordered


# --------------------------------------------------------------------------------------
# Output sheets


def test_output_sheet_reads_back_with_values_types_and_links(book: Path) -> None:
    rows = (r for r in checks().rows)  # a generator is fine
    save_package(open_package(book), outputs=[checks(rows, title="Checks — generated by xlcust, do not edit")])

    values = calamine_rows(book, "Checks")
    assert values[0][0] == "Checks — generated by xlcust, do not edit"
    assert values[1] == ["Severity", "Cell", "Amount", "Due", "Checked at", "Share", "Days", "Open"]
    assert values[2] == ["error", "Customers!B2", 1234.5, dt.date(2024, 5, 6), dt.datetime(2024, 5, 6, 7, 8, 9),
                         0.125, 42, 1234.56]
    assert values[3][0] == "=SUM(A1)" and values[3][6] is True and values[3][7] == -0.05

    wb = openpyxl.load_workbook(book)
    ws = wb["Checks"]
    assert ws["A4"].value == "=SUM(A1)" and ws["A4"].data_type == "s"  # text, never a formula
    assert ws["B3"].hyperlink.location == "'Customers'!B2"
    assert ws["B3"].font.u == "single"
    assert ws["C3"].number_format == "#,##0.00" and ws["D3"].number_format == "yyyy-mm-dd"
    assert ws["F3"].number_format == "0.00%"
    assert ws["A2"].font.b
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:H4"
    assert ws.protection.sheet and not ws.protection.autoFilter and not ws.protection.sort
    assert ws.print_title_rows == "$2:$2"
    assert ws.page_setup.orientation == "portrait"  # eight narrow columns fit upright
    assert ws.page_setup.paperSize == 9  # A4 unless Settings say otherwise
    assert "Page &P of &N" in (ws.oddFooter.center.text or "")
    assert OUTPUT_MARKER in ws.defined_names
    assert open_package(book).output_sheets() == ["Checks"]
    assert "<dimension ref=\"A1:H4\"/>" in sheet_xml(book, "Checks")


def test_rows_may_be_a_dataframe_with_missing_values(book: Path) -> None:
    frame = pd.DataFrame({"code": ["0101", None], "amount": [1.5, float("nan")],
                          "due": [pd.Timestamp("2024-05-06"), pd.NaT]})
    out = OutputSheet("Checks", [ColumnSpec("Code"), ColumnSpec("Amount", "money"), ColumnSpec("Due", "date")], frame)
    save_package(open_package(book), outputs=[out])
    assert calamine_rows(book, "Checks") == [["Code", "Amount", "Due"], ["0101", 1.5, dt.date(2024, 5, 6)]]
    assert '<dimension ref="A1:C3"/>' in sheet_xml(book, "Checks")  # the empty row still counts


def test_text_is_cleaned_and_escaped() -> None:
    assert sheetxml.xml_text("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert sheetxml.xml_text("bell\x07 tab\t") == "bell tab\t"
    assert sheetxml.clean_text("_x0041_") == "_x005F_x0041_"  # Excel would otherwise read "A"
    assert len(sheetxml.clean_text("x" * 40_000)) == sheetxml.MAX_CELL_CHARS


def test_escaped_text_reads_back_as_written(book: Path) -> None:
    out = OutputSheet("Checks", [ColumnSpec("Text")], [("_x0041_ & <tag> +1 @x -2",), ("nul\x00gone",)])
    save_package(open_package(book), outputs=[out])
    values = calamine_rows(book, "Checks")
    assert values[1:] == [["_x0041_ & <tag> +1 @x -2"], ["nulgone"]]


@pytest.mark.parametrize(("value", "date1904", "serial"), [
    (dt.date(1900, 1, 1), False, "1"),
    (dt.date(1900, 2, 28), False, "59"),
    (dt.date(1900, 3, 1), False, "61"),  # Excel's phantom 29 February 1900 is 60
    (dt.date(2024, 5, 6), False, "45418"),
    (dt.datetime(2024, 5, 6, 12, 0), False, "45418.5"),
    (dt.date(2024, 5, 6), True, "43956"),
])
def test_dates_are_serials_in_the_workbook_date_system(value: dt.date, date1904: bool, serial: str) -> None:
    styles = sheetxml.OutputStyles(title=1, header=2, link=3, by_kind={"date": 4, "datetime": 5}, date=4,
                                   datetime=5)
    sheet = OutputSheet("S", [ColumnSpec("When", "date")], [(value,)])
    rendered = sheetxml.render_output_sheet(sheet, styles, sheetxml.DateSystem(date1904))
    rendered.body.seek(0)
    assert f"<v>{serial}</v>" in rendered.body.read().decode()
    rendered.close()


def test_a_1904_workbook_gets_1904_serials(tmp_path: Path) -> None:
    path = tmp_path / "mac.xlsx"
    wb = xlsxwriter.Workbook(path, {"date_1904": True})
    wb.add_worksheet("Customers").write("A1", "x")
    wb.close()
    pkg = open_package(path)
    assert pkg.date1904
    save_package(pkg, outputs=[OutputSheet("Checks", [ColumnSpec("Due", "date")], [(dt.date(2024, 5, 6),)])],
                 edits=[CellEdit("Customers", 2, "A", dt.date(2024, 5, 6))])
    assert "<v>43956</v>" in sheet_xml(path, "Checks")
    assert "<v>43956</v>" in sheet_xml(path, "Customers")
    assert calamine_rows(path, "Checks")[1] == [dt.date(2024, 5, 6)]


def test_replacing_twice_leaves_one_sheet_in_its_place(book: Path) -> None:
    pkg = open_package(book)
    save_package(pkg, outputs=[checks()])
    assert pkg.sheet_names() == ["Customers", "Notes", "Checks"]
    styles_after_first = pkg.read_part("xl/styles.xml")
    first_parts = set(parts(book))

    save_package(pkg, outputs=[checks([("only row",)])])
    assert pkg.sheet_names() == ["Customers", "Notes", "Checks"]
    assert set(parts(book)) == first_parts
    assert pkg.read_part("xl/styles.xml") == styles_after_first  # identical formats are reused
    assert calamine_rows(book, "Checks")[1][0] == "only row"
    workbook_xml = pkg.read_part("xl/workbook.xml").decode()
    assert workbook_xml.count(OUTPUT_MARKER) == 1
    assert workbook_xml.count('name="Checks"') == 1
    # The user's print titles on Notes (sheet index 1) still point at Notes.
    assert re.search(r'name="_xlnm.Print_Titles" localSheetId="1">Notes!\$1:\$1<', workbook_xml)


def test_marker_follows_a_renamed_and_moved_output_sheet(book: Path) -> None:
    save_package(open_package(book), outputs=[checks()])
    wb = openpyxl.load_workbook(book)  # the user renames our sheet and drags it to the front
    wb["Checks"].title = "My checks"
    wb.move_sheet("My checks", offset=-2)
    wb.save(book)
    pkg = open_package(book)
    assert pkg.sheet_names() == ["My checks", "Customers", "Notes"]
    assert pkg.output_sheets() == ["My checks"]
    save_package(pkg, outputs=[OutputSheet("My checks", [ColumnSpec("x")], [("y",)])])  # ours: replaceable
    assert calamine_rows(book, "My checks") == [["x"], ["y"]]


def test_parts_are_not_forced_into_zip64(book: Path) -> None:
    save_package(open_package(book), outputs=[checks()])
    raw = book.read_bytes()
    with zipfile.ZipFile(book) as z:
        for info in z.infolist():
            local = raw[info.header_offset:info.header_offset + 30]
            assert local[:4] == b"PK\x03\x04"
            assert int.from_bytes(local[4:6], "little") < 45, info.filename  # 45 = needs Zip64


def test_replaced_sheet_keeps_its_tab_position(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Customers").write("A1", "x")
    wb.add_worksheet("Aging").write("A1", "old aging")
    wb.add_worksheet("Notes").write("A1", "n")
    wb.close()
    pkg = open_package(path)
    save_package(pkg, outputs=[OutputSheet("Aging", [ColumnSpec("Bucket")], [("1-30",)])])
    assert pkg.sheet_names() == ["Customers", "Aging", "Notes"]
    assert calamine_rows(path, "Aging") == [["Bucket"], ["1-30"]]


def test_refuses_to_overwrite_a_user_sheet(book: Path) -> None:
    original = book.read_bytes()
    with pytest.raises(UsageError, match="not written by xlcust"):
        save_package(open_package(book), outputs=[OutputSheet("customers", [ColumnSpec("x")], [])])
    assert book.read_bytes() == original


def test_remove_outputs_renumbers_sheet_scoped_names(book: Path) -> None:
    pkg = open_package(book)
    save_package(pkg, outputs=[checks(), OutputSheet("Aging", [ColumnSpec("Bucket")], [("1-30",)])])
    assert pkg.sheet_names() == ["Customers", "Notes", "Checks", "Aging"]
    save_package(pkg, remove_outputs=["Checks"])
    assert pkg.sheet_names() == ["Customers", "Notes", "Aging"]
    assert pkg.output_sheets() == ["Aging"]
    wb = openpyxl.load_workbook(book)
    assert wb["Aging"].print_title_rows == "$1:$1"
    assert wb["Notes"].print_title_rows == "$1:$1"


def test_hyperlinks_beyond_excels_limit_become_plain_text(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheetxml, "MAX_HYPERLINKS", 2)
    rows = [((f"row {i}", f"'Customers'!A{i}"),) for i in range(1, 5)]
    save_package(open_package(book), outputs=[OutputSheet("Checks", [ColumnSpec("Go", "link")], rows)])
    ws = openpyxl.load_workbook(book)["Checks"]
    assert [c.hyperlink is not None for c in ws["A"][1:]] == [True, True, False, False]
    assert ws["A5"].value == "row 4"


# --------------------------------------------------------------------------------------
# Edits of user sheets


def test_cell_edit_keeps_style_and_inserts_cells_in_order(book: Path) -> None:
    pkg = open_package(book)
    before = re.search(r'<c r="C3" s="(\d+)"', sheet_xml(book, "Customers")).group(1)
    save_package(pkg, edits=[CellEdit("Customers", 3, "C", Decimal("2500.5")), CellEdit("Customers", 3, "E", "new"),
                             CellEdit("Customers", 9, "A", "far below")])
    xml = sheet_xml(book, "Customers")
    assert re.search(r'<c r="C3" s="(\d+)"><v>2500.5</v></c>', xml).group(1) == before
    row3 = re.search(r'<row r="3".*?</row>', xml).group(0)
    assert re.findall(r'<c r="([A-Z]+)3"', row3) == ["A", "B", "C", "D", "E", "F"]
    values = calamine_rows(book, "Customers")
    assert values[2][2] == 2500.5 and values[2][4] == "new" and values[2][5] == "after"
    assert values[8][0] == "far below"


def add_calc_chain(path: Path) -> None:
    """What Excel writes next to formulas: xl/calcChain.xml, related from the workbook."""
    old = parts(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (data, _) in old.items():
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/calcChain" '
                                    b'Target="calcChain.xml"/></Relationships>')
            elif name == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
            z.writestr(name, data)
        z.writestr("xl/calcChain.xml", '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                                       'main"><c r="A1" i="1"/></calcChain>')


EXCEL_ROOT = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
              b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr xr2 xr3" '
              b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
              b'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
              b'xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2" '
              b'xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3" '
              b'xr:uid="{00000000-0001-0000-0000-000000000000}">')


def test_excel_namespace_prefixes_survive_an_edit(book: Path) -> None:
    """Excel's sheets declare prefixes used only in mc:Ignorable; losing one makes Excel repair the file."""
    old = parts(book)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (data, _) in old.items():
            if name == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<worksheet [^>]*>", EXCEL_ROOT, data)
                data = data.replace(b'<row r="2" ', b'<row r="2" x14ac:dyDescent="0.25" ')
            z.writestr(name, data)
    save_package(open_package(book), edits=[CellEdit("Customers", 2, "B", "Acme Ltd"), Highlight("Customers", ["A2"])])
    xml = sheet_xml(book, "Customers").encode()
    root_tag = re.search(rb"<worksheet [^>]*>", xml).group(0)
    for piece in re.findall(rb'[\w:]+="[^"]*"', EXCEL_ROOT):  # same declarations and attributes, any order
        assert piece in root_tag
    assert b'x14ac:dyDescent="0.25"' in xml
    assert calamine_rows(book, "Customers")[1][1] == "Acme Ltd"


def test_cell_edit_refuses_table_headers(book: Path) -> None:
    with pytest.raises(UsageError, match="header of table tblCustomers"):
        save_package(open_package(book), edits=[CellEdit("Customers", 1, "B", "Customer name")])


def test_cell_edit_of_a_formula_cell_drops_the_calc_chain(tmp_path: Path) -> None:
    path = tmp_path / "calc.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Customers"
    wb.active["A1"] = "=1+1"
    wb.save(path)
    add_calc_chain(path)
    save_package(open_package(path), edits=[CellEdit("Customers", 1, "A", 5)])
    after = parts(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"][0]
    assert b"calcChain" not in after["[Content_Types].xml"][0]
    assert calamine_rows(path, "Customers") == [[5.0]]


def test_append_rows_extends_the_table_and_copies_styles(book: Path) -> None:
    pkg = open_package(book)
    save_package(pkg, edits=[AppendRows("Customers", "tblCustomers", [
        ["0104", "Delta", 4000, dt.date(2024, 4, 5)],
        ["0105", "Eps", Decimal("12.5"), None],
    ])])
    (table,) = pkg.tables()
    assert table.ref == "A1:D6"
    table_xml = pkg.read_part(table.part).decode()
    assert '<autoFilter ref="A1:D6"/>' in table_xml
    xml = sheet_xml(book, "Customers")
    style_c4 = re.search(r'<c r="C4" s="(\d+)"', xml).group(1)
    assert re.search(r'<c r="C6" s="(\d+)"', xml).group(1) == style_c4
    assert re.search(r'<c r="D6" s="\d+"/>', xml)  # styled even when empty
    assert 'sqref="C2:C6"' in xml  # validation and the user's conditional format grow with the table
    values = calamine_rows(book, "Customers")
    assert values[4][:4] == ["0104", "Delta", 4000, dt.date(2024, 4, 5)]
    assert values[5][:3] == ["0105", "Eps", 12.5]
    ws = openpyxl.load_workbook(book)["Customers"]
    assert ws.tables["tblCustomers"].ref == "A1:D6"


def test_append_rows_refuses_to_overwrite_cells_below_the_table(book: Path) -> None:
    original = book.read_bytes()
    with pytest.raises(Exception, match="below table tblCustomers is not empty"):
        save_package(open_package(book), edits=[
            CellEdit("Customers", 5, "B", "in the way"),
            AppendRows("Customers", "tblCustomers", [["0104", "Delta"]]),
        ])
    assert book.read_bytes() == original


def test_highlights_are_replaced_on_every_save(book: Path) -> None:
    pkg = open_package(book)
    save_package(pkg, outputs=[checks()], edits=[Highlight("Customers", ["B2", "B3", "B4"]),
                                                 Highlight("Checks", ["A3"])])
    xml = sheet_xml(book, "Customers")
    assert xml.count("xlcust&quot;") + xml.count('"xlcust"') == 2
    assert 'sqref="B2:B4"' in xml
    dxf_count = pkg.read_part("xl/styles.xml").decode().count("<dxf>")

    save_package(pkg, edits=[Highlight("Customers", ["D4"])])
    xml = sheet_xml(book, "Customers")
    assert 'sqref="D4"' in xml and "B2:B4" not in xml
    assert 'type="cellIs"' in xml  # the user's own conditional format stays
    assert pkg.read_part("xl/styles.xml").decode().count("<dxf>") == dxf_count

    save_package(pkg)
    assert "xlcust" not in sheet_xml(book, "Customers")


# --------------------------------------------------------------------------------------
# Reading


def test_structure_tables_and_error_cells(book: Path) -> None:
    pkg = open_package(book)
    assert pkg.sheet_names() == ["Customers", "Notes"]
    assert pkg.sheet_part("customers") == "xl/worksheets/sheet1.xml"
    (table,) = pkg.tables()
    assert (table.name, table.sheet, table.ref, table.header_row_count) == ("tblCustomers", "Customers", "A1:D4", 1)
    assert table.columns == ("Code", "Name", "Credit limit", "Opened on")
    assert pkg.error_cells("Customers") == {(1, 5): "#DIV/0!"}
    assert pkg.error_cells("Notes") == {}


def test_error_cells_with_prefixes_and_no_r_attribute() -> None:
    xml = (b'<x:worksheet xmlns:x="m"><x:sheetData><x:row r="2"><x:c r="C2" t=\'e\'><x:v>#N/A</x:v></x:c>'
           b'</x:row></x:sheetData></x:worksheet>')
    assert sheetxml.find_error_cells(xml) == {(2, 2): "#N/A"}
    no_refs = b'<worksheet><sheetData><row><c/><c t="e"><v>#REF!</v></c></row></sheetData></worksheet>'
    assert sheetxml.find_error_cells(no_refs) == {(1, 1): "#REF!"}


# --------------------------------------------------------------------------------------
# Files that are not usable workbooks


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkbookNotFound, match="no such file"):
        open_package(tmp_path / "nope.xlsx")


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "customers.xlsx"
    path.write_text("code,name\n0101,Acme\n")
    with pytest.raises(NotAWorkbook, match="customers.xlsx"):
        open_package(path)


def test_legacy_xls(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(package_module.OLE_MAGIC + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    with pytest.raises(NotAWorkbook, match=r"save it as \.xlsx"):
        open_package(path)


def test_password_protected(tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(package_module.OLE_MAGIC + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64)
    with pytest.raises(EncryptedWorkbook, match="password"):
        open_package(path)


def test_truncated_zip(book: Path) -> None:
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptWorkbook, match="Registry.xlsx"):
        open_package(book)


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(NotAWorkbook):
        open_package(path)


def test_messages_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"")
    with pytest.raises(CorruptWorkbook) as info:
        open_package(path)
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------------------
# Saving safely


@pytest.mark.parametrize("lock_name", ["~$Registry.xlsx", ".~lock.Registry.xlsx#"])
def test_lock_file_means_open_elsewhere(book: Path, lock_name: str) -> None:
    pkg = open_package(book)
    (book.parent / lock_name).write_text("someone")
    with pytest.raises(WorkbookLocked, match="close it and run again"):
        save_package(pkg, outputs=[checks()])


def test_changed_on_disk_since_read(book: Path) -> None:
    pkg = open_package(book)
    os.utime(book, ns=(0, 1_000_000_000))
    with pytest.raises(WorkbookLocked, match="changed by another program"):
        save_package(pkg, outputs=[checks()])


def test_failure_mid_write_leaves_the_original(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = book.read_bytes()
    pkg = open_package(book)

    def broken(self):  # the zip is half written when this fails
        yield b"\x03\x00"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipwrite.DeflatingSpool, "compressed", broken)
    with pytest.raises(Exception, match="No space left on device"):
        save_package(pkg, outputs=[checks()])
    assert book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir()) == ["Registry.xlsx"]


def test_failing_rows_leave_the_original(book: Path) -> None:
    original = book.read_bytes()

    def rows():
        yield ("fine",)
        raise RuntimeError("report crashed")

    with pytest.raises(RuntimeError, match="report crashed"):
        save_package(open_package(book), outputs=[OutputSheet("Checks", [ColumnSpec("x")], rows())])
    assert book.read_bytes() == original
    assert sorted(p.name for p in book.parent.iterdir()) == ["Registry.xlsx"]


def test_save_elsewhere_leaves_the_source(book: Path, tmp_path: Path) -> None:
    original = book.read_bytes()
    out = tmp_path / "copy.xlsx"
    save_package(open_package(book), out, outputs=[checks()])
    assert book.read_bytes() == original
    assert open_package(out).sheet_names() == ["Customers", "Notes", "Checks"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permissions_are_kept(book: Path) -> None:
    book.chmod(0o640)
    save_package(open_package(book), outputs=[checks()])
    assert book.stat().st_mode & 0o777 == 0o640


# --------------------------------------------------------------------------------------
# A real spreadsheet program


def test_libreoffice_renders_the_saved_workbook(macro_book: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    save_package(open_package(macro_book), outputs=[checks(title="Checks")], edits=[
        AppendRows("Customers", "tblCustomers", [["0104", "Delta", 4000, dt.date(2024, 4, 5)]]),
        Highlight("Customers", ["B2"]),
    ])
    out_dir = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(macro_book)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = out_dir / "Registry.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_highlighting_leaves_the_cells_unparsed_and_byte_identical(prefix: str) -> None:
    """Adding the highlight rule to a big sheet sets its cells aside and puts them back byte for byte."""
    from xlcust.io.sheetxml import SheetEditor

    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefix else \
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    cells = (f'<{prefix}sheetData>' + "".join(
        f'<{prefix}row r="{r}"><{prefix}c r="A{r}" t="inlineStr"><{prefix}is><{prefix}t>  odd &amp; spaced  '
        f'</{prefix}t></{prefix}is></{prefix}c></{prefix}row>' for r in range(1, 2001)) + f'</{prefix}sheetData>')
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{prefix}worksheet {ns}>'
           f'<{prefix}dimension ref="A1:A2000"/>{cells}<{prefix}pageMargins left="0.7" right="0.7" top="0.75" '
           f'bottom="0.75" header="0.3" footer="0.3"/></{prefix}worksheet>').encode()
    editor = SheetEditor.around_cells(xml, "Big")
    assert len(editor.root) == 3 and len(editor.root[1]) == 0  # the parsed tree holds no row
    editor.add_highlight(["A5", "A6", "A7"], 0)
    out = editor.to_bytes()
    assert cells.encode() in out
    assert out.index(cells.encode()) < out.index(b"conditionalFormatting") < out.index(b"pageMargins")
    assert b'sqref="A5:A7"' in out
    whole = SheetEditor(xml, "Big")
    whole.add_highlight(["A5", "A6", "A7"], 0)
    assert etree.tostring(etree.fromstring(out)) == etree.tostring(whole.root)
