"""The macro workbook: VBA project bytes (compound file, compression, encryption), the
bundled CustomerLedger.xlsm, its buttons, and what headless commands and LibreOffice make of it."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.excel.bundle import BUNDLED_XLSM, build_bundled_xlsm
from xlcust.excel.cfb import write_compound_file
from xlcust.excel.vba import (
    PROJECT_ID,
    build_vba_project,
    compress,
    decompress,
    decrypt,
    encrypt,
    load_module_source,
    standard_module,
    workbook_modules,
)
from xlcust.excel.xlsm import build_xlsm, check_layout, load_start_layout, public_macros

HANDLERS = {
    "XlcustValidate": "validate",
    "XlcustReclassifyDryRun": "reclassify_dry_run",
    "XlcustReclassifyApply": "reclassify_apply",
    "XlcustStatements": "statements",
    "XlcustRefreshAll": "refresh_all",
}


def _olevba():
    """oletools.olevba; its import trips pyparsing's deprecation warnings (not ours), only those are ignored."""
    from pyparsing import PyparsingDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PyparsingDeprecationWarning)
        from oletools import olevba
    return olevba


def oletools_decompress():
    return _olevba().decompress_stream


def macros_of(data: bytes) -> dict[str, str]:
    """Module file name → source text, as olevba extracts them."""
    parser = _olevba().VBA_Parser("book.xlsm", data=data)
    try:
        return {vba_filename: code for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


# ------------------------------------------------------------------- compression


@pytest.mark.parametrize("data", [
    b"",
    b"a",
    b"abcabcabcabcabcabc" * 3,
    load_module_source().encode("cp1252"),
    os.urandom(9000),  # incompressible: raw chunks
    b"#" * 10000,  # long runs across chunk boundaries
    bytes(range(256)) * 40,
])
def test_compression_round_trips_and_oletools_reads_it(data: bytes) -> None:
    packed = compress(data)
    assert decompress(packed) == data
    assert bytes(oletools_decompress()(bytearray(packed))) == data


def test_text_compresses() -> None:
    source = load_module_source().encode("cp1252")
    assert len(compress(source)) < 0.8 * len(source)


# -------------------------------------------------------------------- encryption


def test_protection_strings_match_what_excel_writes() -> None:
    # PROJECT stream of a vbaProject.bin saved by Excel (the xlwings quickstart workbook):
    # ID="{E2E0E410-BF04-4DC5-BDD2-D3FBBA8B7D37}", CMG/DPB/GC for "unprotected, no password, visible".
    pid = "{E2E0E410-BF04-4DC5-BDD2-D3FBBA8B7D37}"
    assert encrypt(bytes(4), pid, seed=0xA7, ignored=0xFB) == "A7A58C2B7CDD73E173E173E173E1"
    assert encrypt(bytes(1), pid, seed=0xA2, ignored=0xFB) == "A2A089308531853185"
    assert encrypt(b"\xff", pid, seed=0x9D, ignored=0xFB) == "9D9FB6314A2D4B2D4BD2"


@pytest.mark.parametrize("seed", [0x00, 0x07, 0x71, 0xFE])
def test_decrypt_inverts_encrypt(seed: int) -> None:
    key, data = decrypt(encrypt(b"\x01\x02\x03", seed=seed))
    assert data == b"\x01\x02\x03"
    assert key == sum(PROJECT_ID.encode()) & 0xFF


# ------------------------------------------------------------------ compound file


def test_compound_file_round_trips_through_olefile() -> None:
    tree = {
        "PROJECT": b"p" * 300,
        "PROJECTwm": b"",
        "VBA": {"dir": os.urandom(700), "Large": os.urandom(10_000),
                **{f"M{i}": os.urandom(i * 61) for i in range(1, 15)}},
    }
    ole = olefile.OleFileIO(io.BytesIO(write_compound_file(tree)))
    for path in ole.listdir():
        expected = tree[path[0]] if len(path) == 1 else tree[path[0]][path[1]]
        assert ole.openstream("/".join(path)).read() == expected
    assert len(ole.listdir()) == 2 + 16


def test_compound_file_is_deterministic() -> None:
    tree = {"A": b"1" * 5000, "B": {"C": b"2"}}
    assert write_compound_file(tree) == write_compound_file(tree)


# -------------------------------------------------------------------- VBA project


def test_vba_project_reads_back_with_olevba() -> None:
    data = build_vba_project(workbook_modules(["Sheet1", "Sheet2"], [load_module_source()]))
    ole = olefile.OleFileIO(io.BytesIO(data))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Module=xlcust" in project and "Document=ThisWorkbook/&H00000000" in project
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
    macros = macros_of(data)
    assert set(macros) == {"ThisWorkbook.cls", "Sheet1.cls", "Sheet2.cls", "xlcust.bas"}
    code = macros["xlcust.bas"]
    for macro, handler in HANDLERS.items():
        body = re.search(rf"Public Sub {macro}\(\)(.*?)End Sub", code, re.DOTALL)
        assert body, macro
        assert f'RunPython "import xlcust.excel.handlers as h; h.{handler}()"' in body[1]


def test_no_macro_runs_by_itself(fresh: Path) -> None:
    for name, code in macros_of(fresh.read_bytes()).items():
        assert not re.search(r"^\s*(Public\s+|Private\s+)?Sub\s+(Workbook_|Auto_|Worksheet_)", code,
                             re.IGNORECASE | re.MULTILINE), name
    with pytest.raises(ValueError, match="run by themselves"):
        standard_module('Attribute VB_Name = "Bad"\nSub Auto_Open()\nEnd Sub\n')


def test_module_source_must_be_code_page_text() -> None:
    with pytest.raises(ValueError, match="cp1252"):
        standard_module('Attribute VB_Name = "Bad"\n\' 中文\n')


def test_every_button_calls_a_macro_of_the_module() -> None:
    layout = load_start_layout()
    assert {b["macro"] for b in layout["buttons"]} == set(HANDLERS)
    assert set(HANDLERS) <= public_macros(load_module_source())
    broken = {**layout, "buttons": [{"macro": "Nope", "caption": {"en": "X", "zh": "X"}}]}
    with pytest.raises(ValueError, match="Nope"):
        check_layout(broken, [load_module_source()])


# ----------------------------------------------------------------- the workbook


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_bundled_xlsm(tmp_path_factory.mktemp("xlsm") / "CustomerLedger.xlsm")


def test_committed_xlsm_equals_a_fresh_build(fresh: Path) -> None:
    assert BUNDLED_XLSM.exists(), "run: python -m xlcust.excel.bundle"
    assert fresh.read_bytes() == BUNDLED_XLSM.read_bytes(), "workbook is stale: run python -m xlcust.excel.bundle"


def test_workbook_has_start_sheet_buttons_and_code_names(fresh: Path) -> None:
    z = zipfile.ZipFile(fresh)
    workbook = z.read("xl/workbook.xml").decode()
    assert re.search(r'<sheet name="Start" sheetId="1"', workbook)
    assert 'codeName="ThisWorkbook"' in workbook
    vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
    assert [m for m in re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)] == list(HANDLERS)
    sheets = sorted(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    code_names = {re.search(r'codeName="(\w+)"', z.read(n).decode())[1] for n in sheets}
    modules = set(macros_of(fresh.read_bytes()))
    assert {f"{c}.cls" for c in code_names} | {"ThisWorkbook.cls", "xlcust.bas"} == modules


def test_chinese_workbook_names_the_start_sheet(tmp_path: Path) -> None:
    path = build_xlsm(tmp_path / "zh.xlsm", lang="zh")
    assert '<sheet name="控制台" sheetId="1"' in zipfile.ZipFile(path).read("xl/workbook.xml").decode()


def _macro_parts(path: Path) -> dict[str, bytes]:
    z = zipfile.ZipFile(path)
    return {n: z.read(n) for n in z.namelist()
            if n == "xl/vbaProject.bin" or n.startswith(("xl/drawings/vmlDrawing", "xl/ctrlProps/"))}


@pytest.mark.parametrize("args", [["run"], ["check", "--write"]])
def test_headless_commands_keep_vba_and_buttons(fresh: Path, tmp_path: Path, args: list[str]) -> None:
    book = tmp_path / "copy.xlsm"
    shutil.copy(fresh, book)
    before = _macro_parts(book)
    assert "xl/vbaProject.bin" in before and any("vmlDrawing" in n for n in before)
    result = CliRunner().invoke(app, [args[0], str(book), *args[1:]])
    assert result.exit_code in (0, 1), result.output
    assert book.read_bytes() != fresh.read_bytes()  # the command did write
    assert _macro_parts(book) == before
    content_types = zipfile.ZipFile(book).read("[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types


def test_libreoffice_opens_it_and_shows_the_buttons(fresh: Path, tmp_path: Path) -> None:
    """Convert to PDF; page 1 is the Start sheet with every button caption.

    Excel's buttons are not printed (x:PrintObject False, as XlsxWriter writes them and as
    users expect), so the copy rendered here has them made printable first.
    """
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice (soffice) is required: .ci/run installs it"
    printable = tmp_path / "printable.xlsm"
    with zipfile.ZipFile(fresh) as src, zipfile.ZipFile(printable, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/drawings/vmlDrawing"):
                data = data.replace(b"<x:PrintObject>False</x:PrintObject>", b"")
            out.writestr(info, data)
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                             "--convert-to", 'pdf:calc_pdf_Export:{"PageRange":{"type":"string","value":"1"}}',
                             "--outdir", str(tmp_path), str(printable)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "printable.pdf"
    assert pdf.exists(), result.stdout + result.stderr
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils is required: .ci/run installs it"
    page = subprocess.run([pdftotext, "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    squeezed = re.sub(r"\s+", "", page)
    for button in load_start_layout()["buttons"]:
        caption = re.sub(r"\s+", "", button["caption"]["en"] + button["caption"]["zh"])
        assert caption in squeezed, caption
    assert "Trust access to the VBA project object model" in page.replace("\n", " ")
