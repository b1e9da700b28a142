"""Output sheets print: paper, orientation, one page wide, header rows, titles, alignment, widths.

Every output sheet of the demo (en and zh) is read back from the written XML and held
to what a printed page needs; one LibreOffice run checks the printout itself.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from xlcust.demo import DEMO_SEED, demo_data
from xlcust.io.reader import read_book
from xlcust.io.save import write_outputs
from xlcust.io.statements import write_statements
from xlcust.io.template import create_workbook
from xlcust.reports.statements import build_statements
from xlcust.schema import SETTINGS
from xlcust.settings import SettingEntry, resolve_settings
from xlcust.views.layout import display_width
from xlcust.views.page import PORTRAIT_MIN_SCALE, PageSetup, print_scale, sections
from xlcust.views.run import refresh_sheets

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _demo(path: Path, lang: str, paper: str | None = None) -> Path:
    """The demo workbook after `xlcust run` (its Settings' paper_size set to `paper`, if given)."""
    rows = dict(demo_data(DEMO_SEED, lang).rows)
    if paper is not None:
        rows[SETTINGS.key] = [{**r, "value": paper} if r["key"] == "paper_size" else r for r in rows[SETTINGS.key]]
    create_workbook(path, lang=lang, data=rows)
    _, sheets = refresh_sheets(read_book(path))
    write_outputs(path, sheets)
    return path


@pytest.fixture(scope="module")
def demos(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("print")
    return {lang: _demo(folder / f"demo-{lang}.xlsx", lang) for lang in ("en", "zh")}


class Package:
    """The parts of a written workbook the tests read: sheets by name, styles, defined names."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        wb = etree.fromstring(self.zip.read("xl/workbook.xml"))
        rels = etree.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        self.sheets = [(s.get("name"), "xl/" + targets[s.get(R_ID)].lstrip("/").removeprefix("xl/"))
                       for s in wb.find("m:sheets", NS)]
        self.names = [(d.get("name"), d.get("localSheetId"), d.text) for d in wb.iterfind(".//m:definedName", NS)]
        outputs = {int(i) for n, i, _ in self.names if n == "_xlcust_output"}
        self.outputs = [name for i, (name, _) in enumerate(self.sheets) if i in outputs]
        styles = etree.fromstring(self.zip.read("xl/styles.xml"))
        self.xfs = list(styles.find("m:cellXfs", NS))
        self.formats = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iterfind(".//m:numFmt", NS)}

    def sheet(self, name: str) -> etree._Element:
        """The sheet's XML, every cell with its r="B7" (the writer leaves it out but after a gap)."""
        ws = etree.fromstring(self.zip.read(dict(self.sheets)[name]))
        for row in ws.iterfind("m:sheetData/m:row", NS):
            col = -1
            for c in row:
                col = _col(c.get("r")) if c.get("r") else col + 1
                c.set("r", f"{_letter(col)}{row.get('r')}")
        return ws

    def index(self, name: str) -> int:
        return [n for n, _ in self.sheets].index(name)

    def alignment(self, style: int) -> dict[str, str]:
        a = self.xfs[style].find("m:alignment", NS)
        return {} if a is None else dict(a.attrib)

    def number_format(self, style: int) -> str:
        n = int(self.xfs[style].get("numFmtId", "0"))
        return {0: "General", 1: "0", 4: "#,##0.00", 10: "0.00%"}.get(n) or self.formats.get(n, "General")


def _shown(value: float, fmt: str) -> str:
    """What a number cell shows under the formats the output sheets use."""
    if fmt == "#,##0.00":
        return f"{value:,.2f}"
    if fmt == "0":
        return str(round(value))
    if fmt == "0.00%":
        return f"{value * 100:.2f}%"
    if fmt.startswith("yyyy-mm-dd"):
        return "2026-09-30" + (" 00:00" if "hh" in fmt else "")
    return f"{value:.10g}"


def _cells(ws: etree._Element) -> dict[int, list[etree._Element]]:
    return {int(r.get("r")): list(r) for r in ws.iterfind("m:sheetData/m:row", NS)}


def _letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _col(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _print_title_columns(pkg: Package, name: str) -> int:
    """How many leading columns print again on every page (0 when the sheet is one page wide)."""
    titles = next(t for n, i, t in pkg.names if n == "_xlnm.Print_Titles" and i == str(pkg.index(name)))
    found = re.search(r"!\$A:\$([A-Z]+)", titles)
    return _col(found.group(1)) + 1 if found else 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_output_sheet_prints_on_a4_one_page_wide_with_the_house_header(demos, lang: str) -> None:
    pkg = Package(demos[lang])
    company = read_book(demos[lang]).settings.company_name
    assert company and len(pkg.outputs) == 12, pkg.outputs
    for name in pkg.outputs:
        ws = pkg.sheet(name)
        setup = ws.find("m:pageSetup", NS)
        assert setup.get("paperSize") == "9", name
        assert setup.get("fitToHeight") == "0" and ws.find("m:sheetPr/m:pageSetUpPr", NS).get("fitToPage") == "1"
        widths = [float(c.get("width")) for c in ws.iterfind("m:cols/m:col", NS)]
        landscape = setup.get("orientation") == "landscape"
        # upright when the table fits upright (nearly) at full size, else across; charts widen the page
        if ws.find("m:drawing", NS) is None:
            assert landscape == (print_scale(widths, PageSetup(), False) < PORTRAIT_MIN_SCALE), name
        else:
            assert landscape, name
        wide = int(setup.get("fitToWidth"))
        titles = next(t for n, i, t in pkg.names if n == "_xlnm.Print_Titles" and i == str(pkg.index(name)))
        assert titles.endswith("!$2:$2"), (name, titles)  # the header row on every page
        if wide == 1 and ws.find("m:drawing", NS) is None:  # readable: 60 % of full size or more
            assert print_scale(widths, PageSetup(), landscape) >= 0.6, name
        if wide > 1:  # too wide for one readable page: pages side by side, code and name on each
            assert "!$A:$B," in titles and setup.get("pageOrder") == "overThenDown", name
            per_page = [*widths[:2], *(w / wide for w in widths[2:])]
            assert print_scale(per_page, PageSetup(), landscape) >= 0.6, name
            assert print_scale(widths, PageSetup(), landscape) < 0.6, name  # one page would not do
        head = sections(ws.find("m:headerFooter/m:oddHeader", NS).text)
        foot = sections(ws.find("m:headerFooter/m:oddFooter", NS).text)
        assert head["L"] == name and head["R"] == company.replace("&", "&&")
        assert "&P" in foot["C"] and "&N" in foot["C"] and foot["L"] == "&A"
        assert ("第" in foot["C"]) == (lang == "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_titles_span_the_table_and_wrap_headers_align_with_their_values(demos, lang: str) -> None:
    pkg = Package(demos[lang])
    for name in pkg.outputs:
        ws = pkg.sheet(name)
        rows = _cells(ws)
        ncols = len(ws.findall("m:cols/m:col", NS))
        title_row = ws.find("m:sheetData/m:row[@r='1']", NS)
        assert title_row.get("customHeight") == "1" and float(title_row.get("ht")) >= 17
        merge = ws.find("m:mergeCells/m:mergeCell", NS).get("ref")
        start, end = (_col(ref) for ref in merge.split(":"))
        # a table printed several pages wide repeats its code and name columns on every page: the
        # title starts after them, so no piece of it is printed again on the later pages
        repeated = _print_title_columns(pkg, name)
        assert start == repeated and start < end < ncols, (name, merge)
        title = next(c for c in rows[1] if c.find("m:is", NS) is not None)
        assert _col(title.get("r")) == start and pkg.alignment(int(title.get("s"))).get("wrapText") == "1"
        header = ws.find("m:sheetData/m:row[@r='2']", NS)
        assert float(header.get("ht")) >= 30, name  # two lines of header text
        first_values: dict[int, etree._Element] = {}
        for r in sorted(rows)[2:]:
            for c in rows[r]:
                first_values.setdefault(_col(c.get("r")), c)
        for c in rows[2]:
            col, align = _col(c.get("r")), pkg.alignment(int(c.get("s")))
            assert align.get("wrapText") == "1" and align.get("vertical") == "center", (name, c.get("r"))
            below = first_values.get(col)
            if below is None or name in ("Dashboard", "仪表板"):  # the dashboard's tables have their own headers
                continue
            number = below.get("t") in (None, "n")
            assert align.get("horizontal") == ("right" if number else "left"), (name, c.get("r"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_columns_are_as_wide_as_what_they_show(demos, lang: str) -> None:
    """No number is cut or runs into its neighbour; text that does not fit wraps in a taller row."""
    pkg = Package(demos[lang])
    wb = CalamineWorkbook.from_path(str(demos[lang]))
    for name in pkg.outputs:
        ws = pkg.sheet(name)
        widths = [float(c.get("width")) for c in ws.iterfind("m:cols/m:col", NS)]
        values = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        styles = {(int(row.get("r")), _col(c.get("r"))): int(c.get("s", "0"))
                  for row in ws.iterfind("m:sheetData/m:row", NS) for c in row}
        heights = {int(row.get("r")): float(row.get("ht") or 15) for row in ws.iterfind("m:sheetData/m:row", NS)}
        for r, row in enumerate(values[2:2000], start=3):  # the first rows (every value of small sheets)
            for col, v in enumerate(row):
                if v in ("", None) or (r, col) not in styles:
                    continue
                style = styles[(r, col)]
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    shown = _shown(float(v), pkg.number_format(style))
                    assert widths[col] >= len(shown) + 1, (name, r, col, shown, widths[col])
                elif not hasattr(v, "year"):
                    text = str(v)
                    if pkg.alignment(style).get("wrapText") == "1":
                        lines = -(-display_width(text) // max(int(widths[col]) - 1, 1))
                        assert heights.get(r, 15) >= 15 * min(lines, 2) - 0.1, (name, r, col, text)
                    else:  # it fits, or spills over empty cells to its right (a title in the table)
                        end = next((j for j in range(col + 1, len(row)) if row[j] not in ("", None)), len(widths))
                        room = sum(widths[col:end]) if end < len(widths) else float("inf")  # or past the table
                        assert room >= display_width(text), (name, r, col, text, room)


def test_paper_size_comes_from_settings_and_a_bad_one_is_a_finding_in_both_languages(tmp_path: Path) -> None:
    path = _demo(tmp_path / "a3.xlsx", "en", paper="A3")
    pkg = Package(path)
    assert {pkg.sheet(n).find("m:pageSetup", NS).get("paperSize") for n in pkg.outputs} == {"8"}
    statements = build_statements(read_book(path), dt.date(2026, 9, 1), dt.date(2026, 9, 30), category="01")
    (first, *_) = write_statements(statements, tmp_path / "statements")
    assert b'paperSize="8"' in zipfile.ZipFile(first.path).read("xl/worksheets/sheet1.xml")

    settings, findings = resolve_settings([SettingEntry("paper_size", "letter", 21)])
    assert settings.paper_size == "Letter" and not findings
    settings, findings = resolve_settings([SettingEntry("纸张", "B5", 21)])
    assert settings.paper_size == "A4"
    (f,) = findings
    assert f.code == "SET_BAD_VALUE" and f.row == 21 and f.column == "B"
    assert "A4, A3, A5, Letter, Legal" in f.message_in("en")
    assert "A4, A3, A5, Letter, Legal" in f.message_in("zh") and re.search("[\u4e00-\u9fff]", f.message_in("zh"))


# ------------------------------------------------------------------ LibreOffice

LONG = {"Allocation", "Settlement", "OpenItems", "核销明细", "结算明细", "未清明细"}  # long lists: XML tests cover them


def _outputs_only(path: Path, out: Path) -> None:
    """A copy that shows the output sheets only (LibreOffice prints visible sheets), the long lists hidden too."""
    pkg = Package(path)
    keep = {pkg.index(n) for n in pkg.outputs if n not in LONG}
    xml = pkg.zip.read("xl/workbook.xml").decode()
    counter = iter(range(len(pkg.sheets)))
    xml = re.sub(r"<sheet ", lambda m: m.group(0) if next(counter) in keep else '<sheet state="hidden" ', xml)
    xml = re.sub(r'activeTab="\d+"', f'activeTab="{min(keep)}"', xml)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in pkg.zip.infolist():
            data = pkg.zip.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = xml.encode()
            elif item.filename.startswith("xl/worksheets/"):
                data = data.replace(b' tabSelected="1"', b"")
            z.writestr(item, data)


def test_libreoffice_prints_the_output_sheets_on_a4_with_nothing_clipped(demos, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
    assert shutil.which("pdftotext") and shutil.which("pdfinfo"), "poppler-utils (pdftotext, pdfinfo) are required"
    book = tmp_path / "outputs.xlsx"
    _outputs_only(demos["zh"], book)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=600)
    pdf = tmp_path / "outputs.pdf"
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = set(re.findall(r"Page\s+\d+ size:\s+([\d.]+ x [\d.]+)", info))
    assert sizes and all(re.fullmatch(r"(595\.\d+ x 841\.\d+|841\.\d+ x 595\.\d+)", s) for s in sizes), sizes  # A4
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "###" not in text  # LibreOffice prints ### for a number its column cannot show
    flat = re.sub(r"\s+", "", text)
    values = CalamineWorkbook.from_path(str(demos["zh"]))
    for name in Package(demos["zh"]).outputs:
        if name in LONG:
            continue
        rows = values.get_sheet_by_name(name).to_python()
        title = re.sub(r"\s+", "", rows[0][0])
        assert title in flat, (name, rows[0][0])  # the whole title, wrapped but not cut
        amounts = [f"{v:,.2f}" for row in rows[2:40] for v in row if isinstance(v, float) and abs(v) >= 1000]
        for amount in amounts[:20]:
            assert amount in text, (name, amount)


def test_the_live_excel_host_lays_the_sheets_out_as_the_file(demos) -> None:
    """xlwings gets the widths, header alignment and page setup the file writer wrote."""
    from xlcust.excel.host import sheet_block
    from xlcust.excel.xlwings_book import XL_LANDSCAPE, page_setup_plan

    pkg = Package(demos["en"])
    _, sheets = refresh_sheets(read_book(demos["en"]))
    for sheet in sheets:
        block = sheet_block(sheet)
        ws = pkg.sheet(sheet.name)
        assert block.widths == [float(c.get("width")) for c in ws.iterfind("m:cols/m:col", NS)], sheet.name
        setup = ws.find("m:pageSetup", NS)
        plan = page_setup_plan(block)
        assert plan["PaperSize"] == 9 and plan["FitToPagesWide"] == int(setup.get("fitToWidth"))
        assert (plan["Orientation"] == XL_LANDSCAPE) == (setup.get("orientation") == "landscape")
        assert plan["PrintTitleRows"] == "$2:$2" and plan["RightHeader"] == read_book(demos["en"]).settings.company_name
        heads = {_col(c.get("r")): pkg.alignment(int(c.get("s"))).get("horizontal") for c in _cells(ws)[2]}
        assert block.header_align == [heads[i] for i in range(len(block.widths))], sheet.name
        merge = ws.find("m:mergeCells/m:mergeCell", NS).get("ref")
        start, end = (_col(ref) for ref in merge.split(":"))
        assert (block.title_first, block.title_span) == (start, end + 1), sheet.name  # merged as the file
        assert block.values[0][start] == sheet.title and not any(block.values[0][:start]), sheet.name
        if sheet.name == "Metrics":
            assert plan["PrintTitleColumns"] == "$A:$B" and block.title_span < len(block.widths)
            assert block.title_first == 2  # past the repeated code and name
