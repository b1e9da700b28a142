"""Output sheets keep repeated text in the workbook's shared-string table (issue 15).

The table is appended to, never renumbered: the user's sheets index it and are copied
untouched. Whatever way a text is written (shared or inline), every reader gets it back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import fastexcel
import openpyxl
import pandas as pd
import pytest
import python_calamine
import xlsxwriter

from xlcust.io.package import open_package
from xlcust.io.package_write import save_package
from xlcust.io.peek import head_rows
from xlcust.io.sharedstrings import SharedStrings
from xlcust.io.sheetxml import ColumnSpec, OutputSheet, clean_text

TRICKY = [" leading", "trailing ", "\ttab first", "two\nlines", "bell\x07inside", "_x0041_ stays literal",
          "x" * 32_767, "y" * 40_000, "emoji 😀 and 👍🏽", "客户分类 A类", "A & B <Ltd> \"q\" 'a'", "plain", "  "]
COLUMNS = [ColumnSpec("Text"), ColumnSpec("Once"), ColumnSpec("Number", "int")]


def expected(text: str) -> str:
    """What a reader gets back: XML-illegal characters dropped, cut at Excel's cell limit."""
    return clean_text(text).replace("_x005F_x", "_x")


def rows() -> list[list[object]]:
    """Each tricky text twice in column A (so it is shared), once in column B (so it stays inline)."""
    return [[t, f"{t} #{i}", i] for i, t in enumerate(TRICKY + TRICKY)]


def seed(path: Path, *, shared: bool) -> Path:
    """A user's book: XlsxWriter writes a shared-string table, its constant_memory mode inline strings."""
    wb = xlsxwriter.Workbook(path, {"constant_memory": not shared})
    ws = wb.add_worksheet("Customers")
    for r, (code, name) in enumerate([("Code", "Name"), ("C001", "plain"), ("C002", "Ünïcode ltd"), ("C001", " ")]):
        ws.write_string(r, 0, code)
        ws.write_string(r, 1, name)
    wb.close()
    return path


def sheets(tmp_path: Path, *, shared: bool) -> Path:
    out = tmp_path / "out.xlsx"
    frame = pd.DataFrame({0: pd.Series([r[0] for r in rows()], dtype=object),
                          1: pd.Series([r[1] for r in rows()], dtype=object), 2: [r[2] for r in rows()]})
    save_package(open_package(seed(tmp_path / "seed.xlsx", shared=shared)), out,
                 outputs=[OutputSheet("ByColumns", COLUMNS, frame), OutputSheet("ByRows", COLUMNS, rows())])
    return out


def want() -> list[list[object]]:
    return [[expected(a), expected(b), n] for a, b, n in rows()]


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def sheet_part(path: Path, sheet: str) -> bytes:
    pkg = open_package(path)
    return pkg.read_part(pkg.sheet_part(sheet))


@pytest.mark.parametrize("shared", [True, False], ids=["book-with-table", "book-without-table"])
def test_text_reads_back_the_same_through_every_reader(tmp_path: Path, shared: bool) -> None:
    out = sheets(tmp_path, shared=shared)
    for name in ("ByColumns", "ByRows"):
        xml = sheet_part(out, name)
        assert xml.count(b't="s"') >= len(TRICKY) + 1  # the repeats are shared (by rows: from the second on)
        assert not re.search(rb"(?<!_x005F)_x0041_", xml)  # Excel's escapes stay literal: _x005F_x0041_

        calamine = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_name(name).to_python()
        assert [[a, b, int(n)] for a, b, n in calamine[1:]] == want()

        fast = fastexcel.read_excel(str(out)).load_sheet_by_name(name).to_pandas()
        assert [[a, b, int(n)] for a, b, n in fast.itertuples(index=False)] == want()

        for read_only in (True, False):
            wb = openpyxl.load_workbook(out, read_only=read_only)
            got = [list(r) for r in wb[name].iter_rows(min_row=2, values_only=True)]
            wb.close()
            assert [[a, b, int(n)] for a, b, n in got] == want()

        ours = head_rows(open_package(out), name, 1 + len(rows()))
        assert [[a, b, int(n)] for a, b, n in ours[1:]] == want()


def test_existing_entries_keep_their_numbers_and_equal_text_reuses_them(tmp_path: Path) -> None:
    out = sheets(tmp_path, shared=True)
    before = part(tmp_path / "seed.xlsx", "xl/sharedStrings.xml")
    after = part(out, "xl/sharedStrings.xml")
    entries = lambda xml: re.findall(rb"<si>.*?</si>", xml, re.S)  # noqa: E731
    old, new = entries(before), entries(after)
    assert new[:len(old)] == old  # appended, never renumbered
    assert int(re.search(rb'uniqueCount="(\d+)"', after).group(1)) == len(new)
    assert b' count="' not in after  # the replaced sheets' references are unknown: no wrong count
    # "plain" was in the user's table already: the outputs point at its entry, not a copy
    assert new.count(b"<si><t>plain</t></si>") == 1
    assert part(out, "xl/worksheets/sheet1.xml") == part(tmp_path / "seed.xlsx", "xl/worksheets/sheet1.xml")
    customers = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Customers").to_python()
    assert customers == [["Code", "Name"], ["C001", "plain"], ["C002", "Ünïcode ltd"], ["C001", " "]]


def test_a_book_without_a_table_gets_one_with_its_relationship_and_content_type(tmp_path: Path) -> None:
    assert "xl/sharedStrings.xml" not in zipfile.ZipFile(seed(tmp_path / "s.xlsx", shared=False)).namelist()
    out = sheets(tmp_path, shared=False)
    table = part(out, "xl/sharedStrings.xml")
    unique = len(re.findall(rb"<si>", table))
    references = sum(sheet_part(out, s).count(b't="s"') for s in ("ByColumns", "ByRows"))
    assert re.search(rb'count="(\d+)" uniqueCount="(\d+)"', table).groups() == (str(references).encode(),
                                                                                 str(unique).encode())
    assert b"sharedStrings.xml" in part(out, "xl/_rels/workbook.xml.rels")
    assert b'PartName="/xl/sharedStrings.xml"' in part(out, "[Content_Types].xml")
    assert b'<si><t xml:space="preserve"> leading</t></si>' in table  # preserve only where the ends are blank
    assert b"<si><t>plain</t></si>" in table


def test_running_again_adds_nothing_to_the_table(tmp_path: Path) -> None:
    first = sheets(tmp_path, shared=True)
    second = tmp_path / "again.xlsx"
    frame = pd.DataFrame({0: pd.Series([r[0] for r in rows()], dtype=object),
                          1: pd.Series([r[1] for r in rows()], dtype=object), 2: [r[2] for r in rows()]})
    save_package(open_package(first), second,
                 outputs=[OutputSheet("ByColumns", COLUMNS, frame), OutputSheet("ByRows", COLUMNS, rows())])
    assert part(second, "xl/sharedStrings.xml") == part(first, "xl/sharedStrings.xml")
    # a table this save created states its count; replacing its sheets makes that unknown: it goes
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    created = sheets(fresh, shared=False)
    assert b' count="' in part(created, "xl/sharedStrings.xml")
    rerun = tmp_path / "rerun.xlsx"
    save_package(open_package(created), rerun, outputs=[OutputSheet("ByRows", COLUMNS, rows()[:3])])
    table = part(rerun, "xl/sharedStrings.xml")
    assert b' count="' not in table and table.count(b"<si>") == part(created, "xl/sharedStrings.xml").count(b"<si>")
    values = python_calamine.CalamineWorkbook.from_path(str(second)).get_sheet_by_name("ByRows").to_python()
    assert [[a, b, int(n)] for a, b, n in values[1:]] == want()


def test_an_empty_or_prefixed_table_is_appended_in_its_own_form() -> None:
    empty = SharedStrings(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                          b'main" count="0" uniqueCount="0"/>')
    assert empty.cell_index("a") == -1 and empty.cell_index("a") == 0
    assert empty.to_bytes().endswith(b'uniqueCount="1"><si><t>a</t></si></sst>')
    prefixed = SharedStrings(b'<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                             b'uniqueCount="2"><x:si><x:t>a</x:t></x:si><x:si><x:r><x:t>b</x:t></x:r></x:si>'
                             b'<x:extLst/></x:sst>')
    assert prefixed.cell_index("a") == 0  # a plain entry is reused at once
    assert prefixed.cell_index("b") == -1 and prefixed.cell_index("b") == 2  # rich text is not plain "b"
    assert prefixed.to_bytes().endswith(b'uniqueCount="3"><x:si><x:t>a</x:t></x:si><x:si><x:r><x:t>b</x:t></x:r>'
                                        b"</x:si><x:si><x:t>b</x:t></x:si><x:extLst/></x:sst>")


def test_libreoffice_reads_the_shared_text(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    out = sheets(tmp_path, shared=True)
    book = tmp_path / "lo.xlsx"
    shutil.copy(out, book)
    # the first sheet is the user's; the csv filter's last option picks sheet 2 (ByColumns)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to",
                    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2', "--outdir",
                    str(tmp_path), str(book)], check=True, capture_output=True, timeout=300)
    text = next(tmp_path.glob("lo*.csv")).read_text(encoding="utf-8")
    assert "客户分类 A类" in text and "emoji 😀 and 👍🏽" in text and "_x0041_ stays literal" in text
    assert '"A & B <Ltd> ""q"" \'a\'"' in text
