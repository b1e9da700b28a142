"""Drop-downs that agree with the checks (issue 13, point 3).

The Customers category drop-down offers leaf (末级) codes only, the codes `check`
accepts; the Status drop-down offers one list of statuses that mean the same in English
and Chinese, the words the checks read.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from xlcust.archive import parse_status
from xlcust.demo import demo_data
from xlcust.io.template import BuildContext, ExtraSheet, create_workbook
from xlcust.schema import CUSTOMERS

CATEGORIES = [{"code": "01", "name": "Domestic"}, {"code": "0101", "name": "Construction"},
              {"code": "0102", "name": "Retail"}, {"code": "02", "name": "Export"},
              {"code": "0201", "name": "Asia"}, {"code": "020101", "name": "Japan"}, {"code": "03", "name": "Other"}]
LEAVES = ["0101", "0102", "020101", "03"]
RECALCULATE_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def _validation(path: Path, lang: str, field: str):
    wb = openpyxl.load_workbook(path)
    ws = wb[CUSTOMERS.title(lang)]
    letter = openpyxl.utils.get_column_letter(CUSTOMERS.columns.index(CUSTOMERS.by_name[field]) + 1)
    found = [dv for dv in ws.data_validations.dataValidation if any(
        r.min_col == r.max_col == openpyxl.utils.column_index_from_string(letter) for r in dv.sqref.ranges)]
    assert len(found) == 1
    return wb, found[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_category_drop_down_offers_leaf_codes_only(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "book.xlsx"
    create_workbook(path, lang=lang, data={"Categories": CATEGORIES})
    wb, dv = _validation(path, lang, "category_code")
    assert (dv.type, dv.formula1) == ("list", "LeafCategoryCodes")
    formula = wb.defined_names["LeafCategoryCodes"].attr_text
    # Leaves: the codes no other code extends (COUNTIF of code&"?*" is 0), by FILTER.
    assert '_xlfn._xlws.FILTER(CategoryCodes,COUNTIF(CategoryCodes,CategoryCodes&"?*")=0)' in formula


def _leaves_by_the_formulas_rule(codes: list[str]) -> list[str]:
    """The rule the name's formula states, COUNTIF(codes, code&"?*") = 0, applied to the codes."""
    return [c for c in codes if not any(other.startswith(c) and len(other) > len(c) for other in codes)]


def test_the_leaf_rule_is_the_checks_rule() -> None:
    assert _leaves_by_the_formulas_rule([c["code"] for c in CATEGORIES]) == LEAVES


def test_a_program_without_filter_falls_back_to_every_code(tmp_path: Path) -> None:
    """LibreOffice 7 has no FILTER: the list must still resolve (to all codes), not to an error."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: the CI script installs it"

    def probe(ctx: BuildContext, sheet) -> None:
        sheet.write_formula(0, 0, "=ROWS(LeafCategoryCodes)")
        sheet.write_formula(0, 1, "=COUNTA(CategoryCodes)")

    path = tmp_path / "probe.xlsx"
    create_workbook(path, data={"Categories": CATEGORIES}, extra_sheets=[ExtraSheet("Probe", probe, first=True)])
    profile = tmp_path / "lo-profile"
    (profile / "user").mkdir(parents=True)
    # Recalculate on load: the formulas' cached values are xlsxwriter's zeros.
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE_ON_LOAD, encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "csv", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    with (tmp_path / "probe.csv").open(encoding="utf-8") as f:
        rows, codes = next(csv.reader(f))[:2]
    assert int(codes) == len(CATEGORIES) and int(rows) == len(CATEGORIES)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_status_drop_down_is_one_list_with_one_meaning(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "book.xlsx"
    create_workbook(path, lang=lang)
    _wb, dv = _validation(path, lang, "status")
    words = dv.formula1.strip('"').split(",")
    assert [parse_status(w) for w in words] == ["active", "inactive", "dormant"]
    assert words == (["正常", "停用", "休眠"] if lang == "zh" else ["active", "inactive", "dormant"])


def test_demo_statuses_mean_the_same_in_both_languages() -> None:
    en = [parse_status(c["status"]) for c in demo_data(lang="en").rows[CUSTOMERS.key]]
    zh = [parse_status(c["status"]) for c in demo_data(lang="zh").rows[CUSTOMERS.key]]
    assert en == zh and "dormant" in en
