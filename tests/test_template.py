"""`xlcust new`: the workbook built from templates/registry.toml.

Checked three ways: openpyxl for the structure Excel sees (tables, validation,
formats, print setup), python-calamine for the values a reader gets, and
LibreOffice for what a real spreadsheet program makes of it (a printout, and the
validation list names it resolves).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from xlcust.demo import demo_data
from xlcust.errors import UsageError, WorkbookError
from xlcust.io.template import (
    BuildContext,
    ExtraSheet,
    create_workbook,
    default_setting_rows,
    load_template,
    parse_template,
)
from xlcust.schema import (
    CATEGORIES,
    CUSTOMERS,
    HISTORY,
    INPUT_SHEETS,
    KIND_ZH,
    KINDS,
    RULES,
    SETTINGS,
    TRANSACTIONS,
    ColumnType,
    Sheet,
    column_letter,
)

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {
    ColumnType.MONEY: "#,##0.00",
    ColumnType.DATE: "yyyy-mm-dd",
    ColumnType.RATE: "0%",
    ColumnType.INT: "0",
    ColumnType.CODE: "@",
    ColumnType.TEXT: "@",
}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    """(lang, demo) → a workbook made by create_workbook."""
    folder = tmp_path_factory.mktemp("books")
    out = {}
    for lang in ("en", "zh"):
        for demo in (False, True):
            path = folder / f"{lang}{'_demo' if demo else ''}.xlsx"
            create_workbook(path, lang=lang, demo=demo)
            out[lang, demo] = path
    return out


@pytest.fixture(scope="module")
def opened(books):
    """(lang, demo) → the workbook loaded by openpyxl, once."""
    cache = {}

    def load(lang: str, demo: bool) -> openpyxl.Workbook:
        if (lang, demo) not in cache:
            cache[lang, demo] = openpyxl.load_workbook(books[lang, demo])
        return cache[lang, demo]

    return load


def _letter(sheet: Sheet, field: str) -> str:
    return column_letter([c.name for c in sheet.columns].index(field))


def _validation(ws, sheet: Sheet, field: str):
    letter = _letter(sheet, field)
    found = [dv for dv in ws.data_validations.dataValidation
             if str(dv.sqref).startswith(f"{letter}2:")]
    assert len(found) == 1, f"{sheet.key}.{field}: {len(found)} validations"
    return found[0]


# -------------------------------------------------------------------- template


def test_template_lists_every_input_sheet_in_order() -> None:
    tpl = load_template()
    assert [s.spec.key for s in tpl.sheets] == [s.key for s in INPUT_SHEETS]
    for layout in tpl.sheets:
        assert layout.note["en"] and layout.note["zh"]
        assert layout.title["en"] and layout.title["zh"]
    for ctype in ColumnType:
        assert ctype.value in tpl.data["formats"]


def test_template_rejects_unknown_columns() -> None:
    data = dict(load_template().data)
    data["names"] = {"Bad": {"column": "Customers.no_such_field"}}
    with pytest.raises(ValueError, match="Customers.no_such_field"):
        parse_template(data)


def test_template_is_installed_with_the_package(tmp_path: Path) -> None:
    """A regular (non-editable) install carries templates/ as xlcust.templates."""
    src = tmp_path / "project"  # a copy, so the build leaves nothing in the work tree
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns(
        "__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "templates", src / "templates",
                    ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    built = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                            "--target", str(target), str(src)], capture_output=True, text=True)
    assert built.returncode == 0, f"pip install failed:\n{built.stderr[-2000:]}"
    assert (target / "xlcust" / "templates" / "registry.toml").is_file()
    probe = ("import importlib.resources as r, xlcust; print(xlcust.__file__); "
             "print(r.files('xlcust.templates').joinpath('registry.toml').read_text()[:40])")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(target)}).stdout
    assert str(target) in out.splitlines()[0]
    assert "registry workbook" in out


# ------------------------------------------------------------------- structure


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sheets_tables_and_headers(opened, lang: str) -> None:
    wb = opened(lang, False)
    assert wb.sheetnames == [s.title(lang) for s in INPUT_SHEETS]
    for sheet in INPUT_SHEETS:
        ws = wb[sheet.title(lang)]
        assert list(ws.tables) == [sheet.table]
        table = ws.tables[sheet.table]
        rows = 2 if sheet is not SETTINGS else 1 + len(default_setting_rows(lang))
        assert table.ref == f"A1:{column_letter(len(sheet.columns) - 1)}{rows}"
        assert table.tableStyleInfo.name == "TableStyleMedium2"
        assert [c.value for c in ws[1]] == [c.header(lang) for c in sheet.columns]
        assert [col.name for col in table.tableColumns] == [c.header(lang) for c in sheet.columns]
        assert ws.freeze_panes in ("A2", "B2")
        assert ws.sheet_properties.tabColor is not None
        assert ws["A1"].comment is not None and len(ws["A1"].comment.text) > 40
        assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("1F4E78")
        for j, column in enumerate(sheet.columns):
            assert ws.column_dimensions[column_letter(j)].width == pytest.approx(
                column.width, abs=1)
    assert wb[CUSTOMERS.title(lang)].freeze_panes == "B2"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_print_setup(opened, lang: str) -> None:
    wb = opened(lang, True)
    for sheet in INPUT_SHEETS:
        ws = wb[sheet.title(lang)]
        assert ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (1, None)  # 1 is the default, left out
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$1:$1"
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.oddHeader.right.text  # the company
    assert wb[SETTINGS.title(lang)].page_setup.orientation == "portrait"
    assert wb[CUSTOMERS.title(lang)].page_setup.orientation == "landscape"


def test_empty_tables_read_as_empty(books) -> None:
    for lang in ("en", "zh"):
        book = python_calamine.CalamineWorkbook.from_path(str(books[lang, False]))
        for sheet in INPUT_SHEETS:
            grid = book.get_sheet_by_name(sheet.title(lang)).to_python(skip_empty_area=False)
            rows = [r for r in grid[1:] if any(v not in (None, "") for v in r)]
            if sheet is SETTINGS:
                assert len(rows) >= 15  # every setting, at its default
            else:
                assert rows == [], sheet.key


def test_empty_settings_hold_the_defaults(opened) -> None:
    ws = opened("zh", False)[SETTINGS.title("zh")]
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2) if r[0].value}
    assert values["coding_scheme"] == "2-2-2"
    assert values["language"] == "zh"
    assert values["as_of"] is None  # blank: today
    assert values["amounts_include_tax"] == "是"  # as the Categories' 启用 column says it, not TRUE


def test_a_chinese_settings_yes_no_reads_back(tmp_path: Path) -> None:
    """是/否 on a Chinese Settings sheet, TRUE/FALSE on an English one: the reader takes both."""
    from xlcust.io.reader import read_book

    for lang, yes in (("zh", "是"), ("en", "TRUE")):
        path = tmp_path / f"{lang}.xlsx"
        create_workbook(path, lang=lang)
        ws_values = {r[0]: r[1] for r in python_calamine.CalamineWorkbook.from_path(str(path))
                     .get_sheet_by_name(SETTINGS.title(lang)).to_python()[1:]}
        assert ws_values["amounts_include_tax"] == yes
        assert read_book(path).settings.amounts_include_tax is True
    rows = [{"key": "amounts_include_tax", "value": "否", "note": ""}, {"key": "language", "value": "zh", "note": ""}]
    create_workbook(tmp_path / "no.xlsx", lang="zh", data={SETTINGS.key: rows})
    assert read_book(tmp_path / "no.xlsx").settings.amounts_include_tax is False


# ------------------------------------------------------------------ validation


def test_validations_en(opened) -> None:
    wb = opened("en", False)
    customers = wb[CUSTOMERS.key]
    dv = _validation(customers, CUSTOMERS, "category_code")
    assert (dv.type, dv.formula1) == ("list", "LeafCategoryCodes")  # leaves only: see test_template_lists
    assert max(r.max_row for r in dv.sqref.ranges) >= 5000  # reaches well below the table
    assert wb.defined_names["CategoryCodes"].attr_text == "tblCategories[Code]"
    assert wb.defined_names["CustomerCodes"].attr_text == "tblCustomers[Code]"
    assert _validation(customers, CUSTOMERS, "opened_on").type == "date"
    money = _validation(customers, CUSTOMERS, "credit_limit")
    assert (money.type, money.operator, money.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert _validation(customers, CUSTOMERS, "code").type == "custom"  # unique codes

    kind = _validation(wb[TRANSACTIONS.key], TRANSACTIONS, "kind")
    assert kind.formula1 == '"' + ",".join(KINDS) + '"'
    amount = _validation(wb[TRANSACTIONS.key], TRANSACTIONS, "amount")
    assert (amount.type, amount.operator) == ("decimal", "greaterThanOrEqual")
    assert _validation(wb[TRANSACTIONS.key], TRANSACTIONS, "date").type == "date"
    assert _validation(wb[TRANSACTIONS.key], TRANSACTIONS, "customer_code").formula1 == (
        "CustomerCodes")

    rate = _validation(wb[CATEGORIES.key], CATEGORIES, "tax_rate")
    assert (rate.type, rate.formula1, rate.formula2) == ("decimal", "0", "1")
    assert _validation(wb[CATEGORIES.key], CATEGORIES, "active").formula1 == '"TRUE,FALSE"'
    assert _validation(wb[RULES.key], RULES, "active").formula1 == '"TRUE,FALSE"'
    assert _validation(wb[HISTORY.key], HISTORY, "category_code").formula1 == "CategoryCodes"


def test_validations_zh(opened) -> None:
    wb = opened("zh", False)
    kind = _validation(wb[TRANSACTIONS.zh], TRANSACTIONS, "kind")
    assert kind.formula1 == '"发票,红字发票,收款,期初,调整"'
    assert [KIND_ZH[k] for k in KINDS] == ["发票", "红字发票", "收款", "期初", "调整"]
    assert _validation(wb[CATEGORIES.zh], CATEGORIES, "active").formula1 == '"是,否"'
    assert wb.defined_names["CategoryCodes"].attr_text == "tblCategories[分类编码]"
    dv = _validation(wb[CUSTOMERS.zh], CUSTOMERS, "category_code")
    assert dv.error and dv.errorTitle == "请检查输入"


# --------------------------------------------------------------------- values


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_cells_have_the_formats_of_their_types(opened, lang: str) -> None:
    wb = opened(lang, True)
    for sheet in (CATEGORIES, CUSTOMERS, TRANSACTIONS):
        ws = wb[sheet.title(lang)]
        seen = set()
        for row in ws.iter_rows(min_row=2, max_row=60):
            for column, cell in zip(sheet.columns, row, strict=True):
                if cell.value is not None and column.type in FORMATS:
                    assert cell.number_format == FORMATS[column.type], (sheet.key, column.name)
                    seen.add(column.type)
        assert ColumnType.CODE in seen and ColumnType.TEXT in seen
    ws = wb[CATEGORIES.title(lang)]
    assert ws["A2"].value == "01" and ws["A2"].data_type == "s"  # leading zero kept
    assert ws["C2"].value == 0.13 and ws["C2"].number_format == "0%"


def test_blank_rows_carry_the_column_formats(opened) -> None:
    """A new row typed below the table gets text codes, dates and money formats."""
    ws = opened("en", False)[TRANSACTIONS.key]
    for j, column in enumerate(TRANSACTIONS.columns):
        if column.type in FORMATS:
            fmt = ws.column_dimensions[column_letter(j)].number_format
            assert fmt == FORMATS[column.type], column.name


def test_demo_values_as_a_reader_sees_them(books) -> None:
    demo = demo_data(lang="zh")
    book = python_calamine.CalamineWorkbook.from_path(str(books["zh", True]))
    grid = book.get_sheet_by_name(TRANSACTIONS.zh).to_python()
    assert grid[0] == [c.zh for c in TRANSACTIONS.columns]
    assert len(grid) == 1 + len(demo.rows[TRANSACTIONS.key])
    first = demo.rows[TRANSACTIONS.key][0]
    assert grid[1][:5] == [first["txn_id"], first["date"], first["customer_code"], "期初",
                           first["amount"]]
    cats = book.get_sheet_by_name(CATEGORIES.zh).to_python()
    active = [c.name for c in CATEGORIES.columns].index("active")
    # the retired category nobody is in, and the one retired with a customer still in it (the sweep's)
    assert [r[active] for r in cats[1:]].count("否") == 2
    settings = {r[0]: r[1] for r in book.get_sheet_by_name(SETTINGS.zh).to_python()[1:]}
    assert settings["as_of"] == dt.date(2026, 9, 30)
    assert settings["company_name"] == demo.settings.company_name


def test_properties_and_no_external_links(books, opened) -> None:
    wb = opened("zh", True)
    assert wb.properties.title == "客户分类档案"
    with zipfile.ZipFile(books["zh", True]) as z:
        names = z.namelist()
        app = z.read("docProps/app.xml").decode()
    assert not any("externalLink" in n for n in names)
    assert "<Company>示例供应链管理有限公司</Company>" in app


def test_data_rows_from_the_caller(tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsx"
    create_workbook(path, lang="zh", data={
        CATEGORIES.key: [{"code": "0101", "name": "批发", "active": True, "tax_rate": 0.13}],
    })
    ws = openpyxl.load_workbook(path)[CATEGORIES.zh]
    assert [c.value for c in ws[2]][:3] == ["0101", "批发", 0.13]
    assert ws["H2"].value == "是"
    assert ws.tables[CATEGORIES.table].ref == "A1:J2"  # through provision_rates and settlement_method


# ------------------------------------------------------------------------ hooks


def test_macro_workbook_hook(tmp_path: Path) -> None:
    """The .xlsm build: a VBA project, and a Start sheet first, written after the tables."""
    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(b"\xd0\xcf\x11\xe0 not a real project")
    seen = {}

    def write_start(ctx: BuildContext, sheet) -> None:
        seen.update(ctx.tables)
        sheet.write_string(0, 0, "xlcust", ctx.format(bold=True))
        sheet.insert_button(2, 0, {"macro": "RunChecks", "caption": "Check"})

    path = tmp_path / "Ledger.xlsm"
    create_workbook(path, vba_project=vba,
                    extra_sheets=[ExtraSheet("Start", write_start, first=True)])
    assert seen[CUSTOMERS.key] == "A1:X2"  # 24 columns: the T3 archive fields end at department
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/vbaProject.bin") == vba.read_bytes()
        assert b"macroEnabled" in z.read("[Content_Types].xml")
    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert wb.sheetnames[0] == "Start" and wb.sheetnames[1] == SETTINGS.key


def test_refuses_what_it_cannot_make(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="en or zh"):
        create_workbook(tmp_path / "a.xlsx", lang="fr")
    with pytest.raises(UsageError, match=r"\.xlsm"):
        create_workbook(tmp_path / "a.xlsx", vba_project=tmp_path / "vbaProject.bin")
    with pytest.raises(UsageError, match="VBA project"):
        create_workbook(tmp_path / "a.xlsm")
    with pytest.raises(WorkbookError, match="cannot write"):
        create_workbook(tmp_path / "no" / "such" / "folder" / "a.xlsx")


# ------------------------------------------------------------------ LibreOffice


def _soffice(tmp_path: Path, *args: str) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: runs beside other soffice jobs
    result = subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", *args],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: apt-get install poppler-utils")
    return exe


def test_libreoffice_prints_the_demo(books, tmp_path: Path) -> None:
    """The demo in Chinese prints to a PDF showing the customers' names.

    The first pages only (the whole ledger is some 350 pages and a minute's work);
    notes are left out, as Excel leaves them out of a printout.
    """
    book = books["zh", True]
    options = ('{"PageRange":{"type":"string","value":"1-8"},'
               '"ExportNotes":{"type":"boolean","value":"false"}}')
    _soffice(tmp_path, "--convert-to", f"pdf:calc_pdf_Export:{options}", "--outdir",
             str(tmp_path), str(book))
    pdf = tmp_path / (book.stem + ".pdf")
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    first = demo_data(lang="zh").rows[CUSTOMERS.key][0]
    assert first["name"] in text
    assert "客户档案" in text and "第 1 页" in text
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, capture_output=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000


def test_libreoffice_resolves_the_validation_lists(tmp_path: Path) -> None:
    """LibreOffice reads CategoryCodes (a structured reference) as the code column.

    Converted to OpenDocument, the name is written out as the cell range LibreOffice
    resolved, and the validations still use it.
    """
    demo = demo_data(lang="zh")
    rows = dict(demo.rows)
    rows[TRANSACTIONS.key] = rows[TRANSACTIONS.key][:50]  # a small book converts faster
    book = tmp_path / "book.xlsx"
    create_workbook(book, lang="zh", data=rows)
    _soffice(tmp_path, "--convert-to", "ods", "--outdir", str(tmp_path), str(book))
    with zipfile.ZipFile(tmp_path / "book.ods") as z:
        content = z.read("content.xml").decode()
    names = dict(re.findall(r'<table:named-expression table:name="(\w+)"[^>]*'
                            r'table:expression="([^"]*)"', content))
    last = len(demo.rows[CATEGORIES.key]) + 1
    assert names["CategoryCodes"] == f"[${CATEGORIES.zh}.$A$2:.$A${last}]"
    assert names["CustomerCodes"] == f"[${CUSTOMERS.zh}.$A$2:.$A${len(demo.rows[CUSTOMERS.key]) + 1}]"
    conditions = re.findall(r'table:condition="([^"]*)"', content)
    assert sum("cell-content-is-in-list(CategoryCodes)" in c for c in conditions) == 1  # CategoryHistory
    assert sum("cell-content-is-in-list(LeafCategoryCodes)" in c for c in conditions) == 1  # Customers
    assert any("&quot;发票&quot;;&quot;红字发票&quot;" in c for c in conditions)
