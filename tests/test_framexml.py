"""An output sheet from a DataFrame (a column at a time) reads back as the same sheet from rows (a cell at a time)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import fastexcel
import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
import xlsxwriter

from xlcust.io import framexml, sheetxml
from xlcust.io.package import open_package
from xlcust.io.package_write import save_package
from xlcust.io.peek import head_rows
from xlcust.io.sheetxml import ColumnSpec, OutputSheet

COLUMNS = [ColumnSpec("Code"), ColumnSpec("Count", "int"), ColumnSpec("Amount", "cents"), ColumnSpec("Date", "date"),
           ColumnSpec("Share", "percent"), ColumnSpec("Link", "link"), ColumnSpec("Flag", "text")]


def frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    dates = pd.Series(pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"))
    dates[::7] = pd.NaT
    dates[5] = pd.Timestamp("1900-01-15")  # before Excel's phantom 29 Feb 1900: the cell writer's job
    codes = pd.Series([f"C{i:05d}" for i in range(n)], dtype=object)
    codes[3], codes[4], codes[6] = "A & B <Ltd>", "", None
    codes[8] = "tab\tand\x01control"
    cents = pd.array(rng.integers(-10**9, 10**9, n), dtype="Int64")
    cents[::11] = pd.NA
    links = pd.Series([(f"T{i}", f"'Transactions'!A{i + 2}") if i % 3 else None for i in range(n)], dtype=object)
    flags = pd.Series([True, False, None] * (n // 3) + [True] * (n % 3), dtype=object)
    share = rng.random(n)
    share[::13] = np.nan
    out = pd.DataFrame({0: codes, 1: pd.array(rng.integers(0, 500, n), dtype="int64"), 2: cents, 3: dates,
                        4: share, 5: links, 6: flags})
    out.iloc[10, :] = None  # an empty row is left out, as the row writer leaves it out
    return out


def rows_of(f: pd.DataFrame) -> list[tuple]:
    return list(zip(*[framexml.plain_values(f[c]) for c in f.columns], strict=True))


def save(path: Path, seed: Path, sheet: OutputSheet) -> list[list[object]]:
    save_package(open_package(seed), path, outputs=[sheet])
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet.name).to_python()


@pytest.mark.parametrize("link_limit", [65_530, 50])
def test_frame_and_rows_write_the_same_sheet(tmp_path: Path, monkeypatch, link_limit: int) -> None:
    monkeypatch.setattr(framexml, "CHUNK", 97)  # several chunks, one of them short
    monkeypatch.setattr(framexml, "MAX_HYPERLINKS", link_limit)  # past Excel's limit links become text
    monkeypatch.setattr(sheetxml, "MAX_HYPERLINKS", link_limit)
    seed = tmp_path / "seed.xlsx"
    wb = xlsxwriter.Workbook(seed)
    wb.add_worksheet("Customers").write("A1", "Code")
    wb.close()
    f = frame(400)
    by_columns = save(tmp_path / "frame.xlsx", seed, OutputSheet("Out", COLUMNS, f))
    by_cells = save(tmp_path / "rows.xlsx", seed, OutputSheet("Out", COLUMNS, rows_of(f)))
    assert by_columns == by_cells
    assert by_columns[4][0] == "A & B <Ltd>" and by_columns[11] == [""] * len(COLUMNS)  # row 11 held nothing
    assert by_columns[6][3] == dt.date(1900, 1, 15)

    def part(path: Path) -> bytes:
        pkg = open_package(path)
        return pkg.read_part(pkg.sheet_part("Out"))

    a, b = part(tmp_path / "frame.xlsx"), part(tmp_path / "rows.xlsx")
    assert a.count(b"<hyperlink ") == b.count(b"<hyperlink ") == min(link_limit, 265)  # row 10 is empty
    assert a.count(b"<row ") == b.count(b"<row ") == 400  # header + 399 rows with a value


@pytest.mark.parametrize("link_limit", [65_530, 30])
def test_links_to_rows_match_link_pairs(tmp_path: Path, monkeypatch, link_limit: int) -> None:
    """attrs['links'] (target rows, formatted only for the links kept) writes what (text, target) pairs write."""
    monkeypatch.setattr(framexml, "CHUNK", 41)
    monkeypatch.setattr(framexml, "MAX_HYPERLINKS", link_limit)
    monkeypatch.setattr(sheetxml, "MAX_HYPERLINKS", link_limit)
    seed = tmp_path / "seed.xlsx"
    wb = xlsxwriter.Workbook(seed)
    wb.add_worksheet("Transactions").write("A1", "Txn ID")
    wb.close()
    n = 150
    codes = [None if i % 10 == 0 else f"T{i}" for i in range(n)]
    rows = np.array([np.nan if i % 7 == 0 else i + 2 for i in range(n)], dtype=float)
    columns = [ColumnSpec("Txn", "link"), ColumnSpec("Amount", "cents")]
    by_rows = pd.DataFrame({0: pd.Series(codes, dtype=object), 1: pd.array(range(n), dtype="Int64")})
    by_rows.attrs["links"] = {0: (rows, "'Transactions'!A")}
    pairs = [(c if c is None or np.isnan(r) else (c, f"'Transactions'!A{int(r)}"), i)
             for i, (c, r) in enumerate(zip(codes, rows, strict=True))]
    a = save(tmp_path / "a.xlsx", seed, OutputSheet("Out", columns, by_rows))
    b = save(tmp_path / "b.xlsx", seed, OutputSheet("Out", columns, pairs))
    assert a == b

    def links(path: Path) -> list[bytes]:
        pkg = open_package(path)
        return sorted(re.findall(rb"<hyperlink [^>]*/>", pkg.read_part(pkg.sheet_part("Out"))))

    assert links(tmp_path / "a.xlsx") == links(tmp_path / "b.xlsx")
    assert len(links(tmp_path / "a.xlsx")) == min(link_limit, sum(1 for c, r in zip(codes, rows, strict=True)
                                                                  if c and not np.isnan(r)))


def test_cells_without_references_read_back_in_place_through_every_reader(tmp_path: Path) -> None:
    """The column writer leaves r="B7" out except after a gap; every reader puts each value in its column."""
    seed = tmp_path / "seed.xlsx"
    wb = xlsxwriter.Workbook(seed)
    wb.add_worksheet("Customers").write("A1", "Code")
    wb.close()
    columns = [ColumnSpec("A"), ColumnSpec("B", "int"), ColumnSpec("C"), ColumnSpec("D", "cents")]
    data = pd.DataFrame({0: pd.Series(["a1", None, "a3", "a4", None], dtype=object),
                         1: pd.array([1, 2, None, 4, None], dtype="Int64"),
                         2: pd.Series(["c1", "c2", None, None, None], dtype=object),
                         3: pd.array([100, None, 300, None, 500], dtype="Int64")})
    out = tmp_path / "frame.xlsx"
    save_package(open_package(seed), out, outputs=[OutputSheet("Out", columns, data)])
    xml = open_package(out).read_part(open_package(out).sheet_part("Out"))
    body = xml.split(b"</row>", 1)[1]  # past the header row
    assert body.count(b"<c>") + body.count(b"<c ") == 11
    assert body.count(b' r="') - body.count(b"<row ") == 3  # B3, D4 and D6 follow a gap
    want = [["a1", 1, "c1", 1.0], [None, 2, "c2", None], ["a3", None, None, 3.0], ["a4", 4, None, None],
            [None, None, None, 5.0]]

    def norm(rows: list[list[object]]) -> list[list[object]]:
        return [[None if v in ("", None) or v != v else (int(v) if isinstance(v, float) and j == 1 else v)
                 for j, v in enumerate(r)] for r in rows]

    calamine = python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Out").to_python()
    assert norm(calamine[1:]) == want
    fast = fastexcel.read_excel(str(out)).load_sheet_by_name("Out").to_pandas()
    assert norm([list(r) for r in fast.itertuples(index=False)]) == want
    for read_only in (True, False):
        book = openpyxl.load_workbook(out, read_only=read_only)
        assert norm([list(r) for r in book["Out"].iter_rows(min_row=2, max_col=4, values_only=True)]) == want
        book.close()
    assert norm([(r + [None] * 4)[:4] for r in head_rows(open_package(out), "Out", 6)[1:]]) == want
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2", "--outdir",
                    str(tmp_path), str(out)], check=True, capture_output=True, timeout=300)
    lines = next(tmp_path.glob("frame*.csv")).read_text(encoding="utf-8").splitlines()
    assert lines[1:] == ["a1,1,c1,1", ",2,c2,", "a3,,,3", "a4,4,,", ",,,5"]
