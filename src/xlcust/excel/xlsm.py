"""The macro-enabled registry workbook: template + VBA module source + Start-sheet buttons.

    build_xlsm("CustomerLedger.xlsm", lang="en", demo=True)

is `xlcust.io.template.create_workbook` with two additions, both from sources in
templates/vba:

* `xlcust.bas` (the button macros) becomes the workbook's vbaProject.bin through
  `xlcust.excel.vba`, with an empty document module for the workbook and for each
  sheet's code name (XlsxWriter names them ThisWorkbook, Sheet1 … in sheet order);
* `start.toml` lays out the Start sheet (控制台): one Form Control button per macro,
  what each does in English and Chinese, and the setup steps.

Same sources, same bytes: the demo workbook is stamped with the demo's as-of date and
the VBA project has no time stamps (the bundled .xlsm is rebuilt and compared in a test).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..io.template import BuildContext, ExtraSheet, create_workbook, load_template
from .vba import build_vba_project, load_module_source, workbook_modules

START_LAYOUT = "start.toml"
# xlcust.bas: the button macros and the late-bound XLPy; xlwings_udfs.bas: the worksheet
# functions' wrappers as xlwings' Import Functions writes them (xlcust.excel.udf_vba).
MODULE_SOURCES = ("xlcust.bas", "xlwings_udfs.bas")
# The hidden sheet the xlwings add-in reads its settings from (before its ribbon and
# config files): key in column A, value in column B, from A1 down, keys matched in
# upper case. Only what this workbook needs, so a user's own Interpreter etc. still apply.
XLWINGS_CONF = "xlwings.conf"
XLWINGS_SETTINGS = (
    # Import Functions (after an upgrade) re-imports the functions of this module.
    ("UDF Modules", "xlcust.udfs"),
    # xlcust is an installed package: a stray pandas.py or xlcust.py next to the
    # workbook must not shadow it, so the workbook's folder is not put on sys.path.
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
)


def load_start_layout(name: str = START_LAYOUT) -> dict[str, Any]:
    try:
        text = (resources.files("xlcust.templates") / "vba" / name).read_text(encoding="utf-8")
    except ModuleNotFoundError:  # an editable install made before templates/ became a package
        text = (Path(__file__).resolve().parents[3] / "templates" / "vba" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def public_macros(source: str) -> set[str]:
    """Names of the Public Subs of a .bas module (what a button may call)."""
    return set(re.findall(r"^Public\s+Sub\s+([A-Za-z]\w*)\s*\(", source, re.MULTILINE | re.IGNORECASE))


def check_layout(layout: Mapping[str, Any], sources: list[str]) -> None:
    """Every button names a macro that exists; ValueError names the first that does not."""
    macros = set().union(*(public_macros(s) for s in sources))
    for button in layout["buttons"]:
        if button["macro"] not in macros:
            raise ValueError(f"start.toml: button '{button['caption']['en']}' calls {button['macro']}, "
                             f"which is not a Public Sub of {', '.join(MODULE_SOURCES)}")


def start_sheet_name(lang: str, layout: Mapping[str, Any] | None = None) -> str:
    layout = layout or load_start_layout()
    return layout["sheet"]["name"][lang]


def vba_project_bytes(sheet_count: int, sources: list[str] | None = None) -> bytes:
    """vbaProject.bin for a workbook of `sheet_count` sheets (code names Sheet1 … SheetN)."""
    sources = sources if sources is not None else [load_module_source(n) for n in MODULE_SOURCES]
    return build_vba_project(workbook_modules([f"Sheet{i}" for i in range(1, sheet_count + 1)], sources))


def build_xlsm(path: str | Path, *, lang: str = "en", demo: bool = False,
               created: dt.datetime | None = None) -> Path:
    """Write the macro-enabled registry workbook (Start sheet first) to `path` (.xlsm)."""
    path = Path(path)
    layout = load_start_layout()
    sources = [load_module_source(n) for n in MODULE_SOURCES]
    check_layout(layout, sources)
    sheet_count = 1 + len(load_template().sheets) + 1  # Start, the input sheets, xlwings.conf
    with tempfile.TemporaryDirectory(prefix="xlcust-vba-") as tmp:
        bin_path = Path(tmp) / "vbaProject.bin"
        bin_path.write_bytes(vba_project_bytes(sheet_count, sources))
        create_workbook(
            path, lang=lang, demo=demo, created=created, vba_project=bin_path,
            extra_sheets=[ExtraSheet(start_sheet_name(lang, layout), _start_writer(layout), first=True),
                          ExtraSheet(XLWINGS_CONF, write_xlwings_conf)],
        )
    return path


def write_xlwings_conf(ctx: BuildContext, sheet: Worksheet) -> None:
    """The xlwings settings of this workbook, on a hidden sheet (see XLWINGS_SETTINGS)."""
    for row, (key, value) in enumerate(XLWINGS_SETTINGS):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 20)
    sheet.hide()


def _start_writer(layout: Mapping[str, Any]):
    def write(ctx: BuildContext, sheet: Worksheet) -> None:
        write_start_sheet(ctx, sheet, layout)

    return write


def write_start_sheet(ctx: BuildContext, sheet: Worksheet, layout: Mapping[str, Any]) -> None:
    """Buttons in column B, what each does (both languages) in column C, then the setup steps."""
    first, second = ("zh", "en") if ctx.lang == "zh" else ("en", "zh")
    spec = layout["sheet"]
    title = ctx.format(bold=True, font_size=18, font_color="#1F4E78")
    text = ctx.format(text_wrap=True, valign="top", font_size=10)
    other = ctx.format(text_wrap=True, valign="top", font_size=10, font_color="#595959")
    heading = ctx.format(bold=True, font_size=12, font_color="#1F4E78", bottom=1, bottom_color="#9BC2E6")
    number = ctx.format(align="right", valign="top", font_size=10, bold=True)

    sheet.hide_gridlines(2)
    sheet.set_tab_color("#1F4E78")
    sheet.set_column(0, 0, 2)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 2, 100)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)

    sheet.set_row(0, 30)
    sheet.write(0, 1, f"{spec['title'][first]}  ·  {spec['title'][second]}", title)
    sheet.set_row(1, 42)
    sheet.merge_range(1, 1, 1, 2, spec["intro"][first], text)
    sheet.set_row(2, 42)
    sheet.merge_range(2, 1, 2, 2, spec["intro"][second], other)

    row = 4
    for button in layout["buttons"]:
        sheet.set_row(row, spec["row_height"])
        sheet.set_row(row + 1, spec["row_height"])
        sheet.insert_button(row, 1, {
            "macro": button["macro"],
            "caption": f"{button['caption'][first]}  {button['caption'][second]}",
            "width": spec["button_width"],
            "height": spec["button_height"],
            "x_offset": 4,
            "y_offset": 6,
        })
        sheet.write(row, 2, f"{button['caption'][first]}: {button['does'][first]}", text)
        sheet.write(row + 1, 2, f"{button['caption'][second]}：{button['does'][second]}", other)
        row += 3

    setup = layout["setup"]
    sheet.merge_range(row, 1, row, 2, f"{setup['heading'][first]}  ·  {setup['heading'][second]}", heading)
    row += 1
    for i, step in enumerate(setup["steps"], start=1):
        sheet.set_row(row, 28)
        sheet.write(row, 1, f"{i}.", number)
        sheet.write(row, 2, step[first], text)
        sheet.write(row + 1, 2, step[second], other)
        row += 2
    row += 1
    sheet.set_row(row, 30)
    sheet.write(row, 2, setup["note"][first], text)
    sheet.write(row + 1, 2, setup["note"][second], other)
    sheet.activate()
