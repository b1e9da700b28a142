"""XlwingsHost against a small stand-in for xlwings' object model (Excel is not on Linux).

The stand-in implements only what XlwingsHost touches: sheets, used_range,
range((row, col), (row, col)).value / number_format / column_width / font.bold,
options(...), tables, api.Protect/Unprotect, app.alert. It records what was done, so
the tests see the calls a live workbook would get.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from xlcust.celltypes import ExcelError
from xlcust.excel.bundle import BUNDLED
from xlcust.excel.host import SheetBlock, book_from_host
from xlcust.excel.xlwings_book import XlwingsHost
from xlcust.io.reader import read_book
from xlcust.io.sheetxml import CellEdit
from xlcust.schema import column_index, column_letter

from .excel_hosts import host_from_file


class Font:
    def __init__(self, sheet: FakeSheet, row: int) -> None:
        self.sheet, self.row = sheet, row

    @property
    def bold(self) -> bool:
        return self.row in self.sheet.bold_rows

    @bold.setter
    def bold(self, value: bool) -> None:
        (self.sheet.bold_rows.add if value else self.sheet.bold_rows.discard)(self.row)


@dataclass
class Range:
    sheet: FakeSheet
    r1: int
    c1: int
    r2: int
    c2: int
    options_used: dict = field(default_factory=dict)

    def options(self, **kwargs) -> Range:
        return Range(self.sheet, self.r1, self.c1, self.r2, self.c2, kwargs)

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def value(self):
        grid = [[self.sheet.cells.get((r, c)) for c in range(self.c1, self.c2 + 1)]
                for r in range(self.r1, self.r2 + 1)]
        if self.options_used.get("err_to_str"):
            grid = [[v if not isinstance(v, ExcelError) else str(v) for v in row] for row in grid]
        else:
            grid = [[None if isinstance(v, ExcelError) else v for v in row] for row in grid]
        return grid if self.options_used.get("ndim") == 2 else (grid[0][0] if len(grid) == 1 == len(grid[0]) else grid)

    @value.setter
    def value(self, values) -> None:
        rows = values if isinstance(values, list) and values and isinstance(values[0], list) else [[values]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.cells[(self.r1 + i, self.c1 + j)] = v
        self.sheet.log.append(("value", self.r1, self.c1, len(rows)))

    @property
    def number_format(self) -> str:
        return self.sheet.formats.get(self.c1, "General")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        self.sheet.formats[self.c1] = fmt

    @property
    def column_width(self) -> float:
        return self.sheet.widths.get(self.c1, 8.43)

    @column_width.setter
    def column_width(self, width: float) -> None:
        self.sheet.widths[self.c1] = width

    @property
    def font(self) -> Font:
        return Font(self.sheet, self.r1)

    @property
    def left(self) -> float:
        return (self.c1 - 1) * 48.0

    @property
    def top(self) -> float:
        return (self.r1 - 1) * 15.0


class Chart:
    def __init__(self, **placement) -> None:
        self.placement, self.chart_type, self.source = placement, None, None

    def set_source_data(self, rng: Range) -> None:
        self.source = (rng.r1, rng.c1, rng.r2, rng.c2)

    @property
    def api(self):
        raise NotImplementedError("COM chart objects exist only in Excel for Windows")


class Charts(list):
    def add(self, **placement) -> Chart:
        chart = Chart(**placement)
        self.append(chart)
        return chart


class Api:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def Protect(self, **kwargs) -> None:  # noqa: N802 - the COM method's name
        self.calls.append("Protect")

    def Unprotect(self) -> None:  # noqa: N802
        self.calls.append("Unprotect")


@dataclass
class Table:
    name: str
    range: Range
    show_headers: bool = True
    show_totals: bool = False

    def resize(self, rng: Range) -> None:
        self.range = rng


class Tables(list):
    """sheet.tables: ListObjects, and `add` as xlwings offers it (records the style asked for)."""

    def add(self, source: Range, name: str, table_style_name: str, has_headers: bool) -> Table:
        table = Table(name, source)
        table.range.address = f"${column_letter(source.c1 - 1)}${source.r1}:${column_letter(source.c2 - 1)}${source.r2}"  # type: ignore[attr-defined]
        table.style = table_style_name  # type: ignore[attr-defined]
        self.append(table)
        return table


@dataclass
class FakeSheet:
    name: str
    cells: dict = field(default_factory=dict)
    formats: dict = field(default_factory=dict)
    widths: dict = field(default_factory=dict)
    bold_rows: set = field(default_factory=set)
    tables: Tables = field(default_factory=Tables)
    log: list = field(default_factory=list)
    api: Api = field(default_factory=Api)
    charts: Charts = field(default_factory=lambda: Charts())

    @classmethod
    def from_grid(cls, name: str, grid, top: int = 1, left: int = 1) -> FakeSheet:
        sheet = cls(name)
        for r, row in enumerate(grid):
            for c, v in enumerate(row):
                if v is not None:
                    sheet.cells[(top + r, left + c)] = v
        return sheet

    @property
    def used_range(self) -> Range:
        if not self.cells:
            return Range(self, 1, 1, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return Range(self, min(rows), min(cols), max(rows), max(cols))

    def range(self, a, b=None) -> Range:
        if isinstance(a, str):
            first, _, last = a.partition(":")
            a, b = _cell(first), _cell(last) if last else None
        b = b or a
        return Range(self, a[0], a[1], b[0], b[1])

    def clear(self) -> None:
        self.cells.clear()
        self.formats.clear()
        self.log.append(("clear",))


def _cell(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    return int(ref[len(letters):]), column_index(letters) + 1


class Sheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)

    def add(self, name: str, after=None) -> FakeSheet:
        sheet = FakeSheet(name)
        self.insert(self.index(after) + 1 if after is not None else 0, sheet)
        return sheet


class App:
    def __init__(self) -> None:
        self.alerts: list[tuple[str, str]] = []

    def alert(self, prompt: str, title: str | None = None) -> None:
        self.alerts.append((prompt, title))


@dataclass
class FakeBook:
    sheets: Sheets
    fullname: str = "C:\\Users\\ana\\CustomerLedger.xlsm"
    app: App = field(default_factory=App)


def test_reads_a_used_range_away_from_a1_with_error_values() -> None:
    sheet = FakeSheet.from_grid("Customers", [["Code", "Name", "Opened on"],
                                              ["C1", ExcelError("#DIV/0!"), dt.datetime(2024, 1, 5)]], top=3, left=2)
    host = XlwingsHost(FakeBook(Sheets([sheet])))
    grid = host.read_grid("Customers")
    assert grid[:2] == [[], []]
    assert grid[2] == [None, "Code", "Name", "Opened on"]
    assert type(grid[3][2]) is ExcelError and grid[3][2] == "#DIV/0!"


def test_tables_are_list_objects() -> None:
    sheet = FakeSheet.from_grid("Kunden", [["Code"]])
    sheet.tables.append(Table("tblCustomers", Range(sheet, 1, 1, 201, 16)))
    sheet.tables[0].range.address = "$A$1:$P$201"  # type: ignore[attr-defined]
    info = XlwingsHost(FakeBook(Sheets([sheet]))).tables()
    assert [(t.name, t.sheet, t.ref) for t in info] == [("tblCustomers", "Kunden", "A1:P201")]


def test_the_demo_reads_through_xlwings_as_from_the_file() -> None:
    cells = host_from_file(BUNDLED)
    sheets = Sheets(FakeSheet.from_grid(name, cells.read_grid(name)) for name in cells.sheet_names())
    for t in cells.tables():
        first, last = t.ref.split(":")
        sheet = sheets[t.sheet]
        table = Table(t.name, sheet.range(first, last))
        table.range.address = "$" + first + ":$" + last  # type: ignore[attr-defined]
        sheet.tables.append(table)
    live = book_from_host(XlwingsHost(FakeBook(sheets)))
    headless = read_book(BUNDLED)
    for a, b in zip(live.tables(), headless.tables(), strict=True):
        pd.testing.assert_frame_equal(a.data, b.data)
        assert a.table_name == b.table_name
    assert live.settings == headless.settings


def block(rows: int = 2) -> SheetBlock:
    values = [["Checks: 0 error(s)", None], ["Code", "Cell"]] + [[f"X{i}", "=HYPERLINK(\"#'A'!B2\",\"A!B2\")"]
                                                                 for i in range(rows)]
    return SheetBlock("Checks", values, header_row=2, number_formats=["@", "General"], widths=[24.0, 22.0],
                      tab_color="C00000")


def test_writes_a_new_output_sheet_at_the_end() -> None:
    book = FakeBook(Sheets([FakeSheet("Start"), FakeSheet("Customers")]))
    XlwingsHost(book).write_sheet(block())
    sheet = book.sheets[-1]
    assert sheet.name == "Checks"
    assert sheet.cells[(2, 1)] == "Code" and sheet.cells[(3, 1)] == "X0" and sheet.cells[(1, 1)].startswith("Checks")
    assert sheet.formats == {1: "@", 2: "General"} and sheet.widths == {1: 24.0, 2: 22.0}
    assert {1, 2} <= sheet.bold_rows
    assert sheet.api.calls == ["Protect"]


def test_replaces_an_existing_output_sheet() -> None:
    old = FakeSheet.from_grid("Checks", [["old"] * 3] * 10)
    book = FakeBook(Sheets([FakeSheet("Customers"), old]))
    XlwingsHost(book).write_sheet(block(1))
    assert book.sheets["Checks"] is old and len(book.sheets) == 2
    assert old.api.calls == ["Unprotect", "Protect"]
    assert ("clear",) in old.log
    assert max(r for r, _ in old.cells) == 3  # nothing left from the old, longer sheet


def test_cell_edits_and_messages() -> None:
    customers = FakeSheet.from_grid("Customers", [["Code", "Name", "Mnemonic"], ["C1", "华远", None]])
    book = FakeBook(Sheets([customers]))
    host = XlwingsHost(book)
    host.set_cells([CellEdit("Customers", 2, "C", "HY")])
    assert customers.cells[(2, 3)] == "HY"
    host.message("Checks: 0 error(s)", title="xlcust — Validate codes")
    assert book.app.alerts == [("Checks: 0 error(s)", "xlcust — Validate codes")]
    assert host.name == "C:\\Users\\ana\\CustomerLedger.xlsm"


class Condition:
    def __init__(self, conditions: Conditions, formula: str) -> None:
        self.conditions, self.Formula1 = conditions, formula
        self.Interior, self.Font = type("Fill", (), {})(), type("Font", (), {})()

    def Delete(self) -> None:  # noqa: N802
        self.conditions.items.remove(self)


class Conditions:
    def __init__(self, owner: list) -> None:
        self.items = owner

    @property
    def Count(self) -> int:  # noqa: N802
        return len(self.items)

    def Item(self, i: int) -> Condition:  # noqa: N802
        return self.items[i - 1]


def test_highlights_replace_the_last_ones_and_keep_the_users() -> None:
    from xlcust.io.sheetxml import Highlight

    sheet = FakeSheet.from_grid("Customers", [["Code"], ["C1"]])
    rules: list = []
    added: list[str] = []
    users = Condition(Conditions(rules), "=$A1>100")
    old = Condition(Conditions(rules), '="xlcust"="xlcust"')
    rules += [users, old]

    class SheetApi(Api):
        Cells = type("Cells", (), {"FormatConditions": Conditions(rules)})()

    sheet.api = SheetApi()

    def range_api(address: str):
        class RangeApi:
            class FormatConditions:
                @staticmethod
                def Add(Type: int, Formula1: str) -> Condition:  # noqa: N802, N803
                    added.append(address)
                    condition = Condition(Conditions(rules), Formula1)
                    rules.append(condition)
                    return condition
        return RangeApi()

    original = sheet.range
    sheet.range = lambda a, b=None: type("R", (), {"api": range_api(a)})() if isinstance(a, str) else original(a, b)
    XlwingsHost(FakeBook(Sheets([sheet]))).highlight([Highlight("Customers", ["B7", "B8", "B9", "D2"]),
                                                      Highlight("Gone", ["A1"])])
    assert rules[0] is users and old not in rules
    assert added == ["B7:B9,D2"]
    assert rules[-1].Interior.Color == 0xCEC7FF


def test_address_chunks_stay_under_excels_limit() -> None:
    from xlcust.excel.xlwings_book import address_chunks

    cells = [f"A{r}" for r in range(1, 400, 2)]
    chunks = address_chunks(cells)
    assert all(len(c) <= 250 for c in chunks)
    assert ",".join(chunks).split(",") == cells


def test_charts_are_drawn_before_the_sheet_is_protected() -> None:
    from xlcust.io.charts import ChartSpec

    spec = ChartSpec("bar", series=[("=B2", "B3:B4")], categories="A3:A4", title="Aging", grouping="stacked",
                     anchor="D2", size_emu=(6_096_000, 3_048_000))
    book = FakeBook(Sheets([FakeSheet("Customers")]))
    b = block()
    b.charts = [spec]
    XlwingsHost(book).write_sheet(b)
    sheet = book.sheets["Checks"]
    [chart] = sheet.charts
    assert chart.placement == {"left": 144.0, "top": 15.0, "width": 480.0, "height": 240.0}
    assert chart.chart_type == "column_stacked" and chart.source == (3, 2, 4, 2)
    assert sheet.api.calls == ["Protect"]  # the COM-only series step failed quietly; the sheet is still written


@pytest.mark.parametrize(("kind", "direction", "grouping", "expected"), [
    ("bar", "column", "clustered", "column_clustered"), ("bar", "bar", "stacked", "bar_stacked"),
    ("bar", "column", "percent_stacked", "column_stacked_100"), ("line", "column", "clustered", "line"),
    ("line", "column", "stacked", "line_stacked"), ("pie", "column", "clustered", "pie"),
])
def test_chart_types(kind: str, direction: str, grouping: str, expected: str) -> None:
    from xlcust.excel.xlwings_book import chart_plan
    from xlcust.io.charts import ChartSpec

    spec = ChartSpec(kind, series=[(None, "B3:B4")], categories="A3:A4", direction=direction, grouping=grouping,
                     size=(8, 15))
    plan = chart_plan(spec)
    assert plan.chart_type == expected and (plan.width, plan.height) == (384.0, 225.0)


def test_rows_are_appended_below_a_table_that_grows() -> None:
    from xlcust.io.sheetxml import AppendRows

    history = FakeSheet.from_grid("CategoryHistory", [["Customer code", "Category code", "Valid from"],
                                                      ["C1", "0101", dt.datetime(2024, 1, 1)]])
    table = Table("tblCategoryHistory", history.range("A1", "C2"))
    table.range.address = "$A$1:$C$2"  # type: ignore[attr-defined]
    history.tables.append(table)
    host = XlwingsHost(FakeBook(Sheets([history])))
    host.append_rows(AppendRows("CategoryHistory", "tblCategoryHistory", [["C1", "0102", dt.date(2026, 9, 30)]]))
    assert history.cells[(3, 1)] == "C1" and history.cells[(3, 2)] == "0102"
    assert (table.range.r1, table.range.r2, table.range.c2) == (1, 3, 3)
    plain = FakeSheet.from_grid("Notes", [["a"], ["b"]])
    XlwingsHost(FakeBook(Sheets([plain]))).append_rows(AppendRows("Notes", None, [["c"]], "B"))
    assert plain.cells[(3, 2)] == "c"


@dataclass
class SavedFlag:
    Saved: bool


@dataclass
class ComBook(FakeBook):
    api: SavedFlag = field(default_factory=lambda: SavedFlag(True))


def test_saved_file_only_when_excel_says_saved(tmp_path: Path) -> None:
    path = tmp_path / "CustomerLedger.xlsm"
    assert XlwingsHost(ComBook(Sheets([]), fullname=str(path))).saved_file() == path
    assert XlwingsHost(ComBook(Sheets([]), fullname=str(path), api=SavedFlag(False))).saved_file() is None
    assert XlwingsHost(ComBook(Sheets([]), fullname="Book1")).saved_file() is None  # never saved
    assert XlwingsHost(FakeBook(Sheets([]))).saved_file() is None  # no COM answer (Mac, Lite)


def test_validate_writes_the_memory_very_hidden_and_adds_a_history_table(tmp_path: Path) -> None:
    """Issue 14 point 1 in Excel: the button leaves the memory (very hidden) and a CategoryHistory Table."""
    from xlcust.excel import handlers
    from xlcust.io.template import table_style
    from xlcust.memory import MEMORY_SHEET

    from .test_history_memory import small_book

    cells = host_from_file(small_book(tmp_path))
    sheets = Sheets(FakeSheet.from_grid(name, cells.read_grid(name)) for name in cells.sheet_names())
    for t in cells.tables():
        first, last = t.ref.split(":")
        table = Table(t.name, sheets[t.sheet].range(first, last))
        table.range.address = "$" + first + ":$" + last  # type: ignore[attr-defined]
        sheets[t.sheet].tables.append(table)
    book = FakeBook(sheets)
    text = handlers.validate(XlwingsHost(book))
    assert "could not run" not in text
    memory = book.sheets[MEMORY_SHEET]
    assert memory.api.Visible == 2  # xlSheetVeryHidden: not even listed under Unhide
    assert memory.cells[(2, 1)] == "C001" and memory.cells[(2, 2)] == "0103"
    history = book.sheets["CategoryHistory"]
    assert not hasattr(history.api, "Visible") and "Protect" not in history.api.calls
    (table,) = history.tables
    assert (table.name, table.range.address) == ("tblCategoryHistory", "$A$1:$H$4")
    assert table.style == table_style() == "TableStyleMedium2"
    live = book_from_host(XlwingsHost(book))
    assert live.history.present and live.remembered.loc["C001", "category_code"] == "0103"
