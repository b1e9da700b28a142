"""Files Excel will open: the package matches its .xlsx / .xlsm name (issue 13, point 2).

Excel refuses a macro-enabled package named .xlsx and a macro-free one named .xlsm. A
save under a new name of the other kind converts (and says what happened to the macros);
a save over the file read keeps the user's VBA, and `new` makes the kind its name says.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from xlcust.cli import app
from xlcust.excel.xlsm import build_xlsm
from xlcust.io.flavour import MACRO_MAIN_CT, PLAIN_MAIN_CT, VBA_PROJECT_CT
from xlcust.io.template import create_workbook

runner = CliRunner()
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def _package(path: Path) -> tuple[set[str], str, set[str], str]:
    """(part names, the workbook part's content type, the .bin default types, workbook rels XML)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        ct = etree.fromstring(z.read("[Content_Types].xml"))
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    main = next(o.get("ContentType") for o in ct.iter(f"{CT}Override") if o.get("PartName") == "/xl/workbook.xml")
    bins = {d.get("ContentType") for d in ct.iter(f"{CT}Default") if d.get("Extension", "").lower() == "bin"}
    return names, main, bins, rels


@pytest.fixture(scope="module")
def macro_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_xlsm(tmp_path_factory.mktemp("xlsm") / "Ledger.xlsm")


@pytest.fixture(scope="module")
def plain_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "Ledger.xlsx"
    create_workbook(path)
    return path


def _soffice_opens(path: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"
    out_dir = tmp_path / "pdf"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(out_dir), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = out_dir / (path.stem + ".pdf")
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def test_run_out_xlsx_from_a_macro_workbook_drops_the_vba_project_and_says_so(macro_book: Path,
                                                                             tmp_path: Path) -> None:
    before = macro_book.read_bytes()
    target = tmp_path / "plain.xlsx"
    result = runner.invoke(app, ["run", str(macro_book), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "cannot hold macros" in result.stderr and "left out" in result.stderr
    names, main, bins, rels = _package(target)
    assert main == PLAIN_MAIN_CT
    assert "xl/vbaProject.bin" not in names and "vbaProject" not in rels
    assert VBA_PROJECT_CT not in bins
    assert macro_book.read_bytes() == before  # the source keeps its macros
    _soffice_opens(target, tmp_path)


def test_run_out_xlsm_from_a_plain_workbook_is_macro_enabled_and_says_it_has_no_macros(plain_book: Path,
                                                                                      tmp_path: Path) -> None:
    target = tmp_path / "macro.xlsm"
    result = runner.invoke(app, ["run", str(plain_book), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "has no macros" in result.stderr
    names, main, _bins, _rels = _package(target)
    assert main == MACRO_MAIN_CT and "xl/vbaProject.bin" not in names
    _soffice_opens(target, tmp_path)


def test_same_kind_keeps_the_vba_project_byte_for_byte(macro_book: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.xlsm"
    result = runner.invoke(app, ["run", str(macro_book), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert "warning:" not in result.stderr
    names, main, _bins, _rels = _package(target)
    assert main == MACRO_MAIN_CT
    with zipfile.ZipFile(target) as new, zipfile.ZipFile(macro_book) as old:
        assert new.read("xl/vbaProject.bin") == old.read("xl/vbaProject.bin")


def test_new_xlsm_is_the_macro_workbook_with_its_vba_project(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsm"
    result = runner.invoke(app, ["new", str(target)])
    assert result.exit_code == 0, result.output
    names, main, bins, _rels = _package(target)
    assert main == MACRO_MAIN_CT and "xl/vbaProject.bin" in names and VBA_PROJECT_CT in bins


def test_writing_in_place_into_a_misnamed_file_keeps_its_macros_and_warns(macro_book: Path, tmp_path: Path) -> None:
    misnamed = tmp_path / "misnamed.xlsx"
    shutil.copy(macro_book, misnamed)
    result = runner.invoke(app, ["check", str(misnamed), "--write"])
    assert result.exit_code == 0, result.output
    assert "Excel will refuse to open it" in result.stderr and "misnamed.xlsm" in result.stderr
    names, main, _bins, _rels = _package(misnamed)
    assert main == MACRO_MAIN_CT and "xl/vbaProject.bin" in names
