"""The xlwings host: a live workbook read into the same `Book` as a file, output sheets
written through ranges.

While Excel holds a workbook open, the file-level writer (`xlcust.io.package_write`) cannot
replace it, so output sheets go through xlwings: one range assignment of the values
that `host.sheet_block` prepared, then number formats, widths and protection. What
is pure (where a used range sits, which cell values are error values, how a sheet is
laid out) lives in functions tested without Excel; the methods below only move those
values in and out of xlwings objects.

    host = XlwingsHost.caller()              # the workbook whose button was pressed
    book = book_for_run(host)                # xlcust.excel.host: the saved file, or these cells
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..celltypes import ExcelError
from ..io.package import TableInfo
from ..io.sheetxml import HIGHLIGHT_FORMULA, AppendRows, CellEdit, Highlight, format_range, merge_cells_to_sqref
from ..schema import column_letter
from ..views.page import sections
from .host import Grid, SheetBlock, append_position, grid_from_range

# What xlwings' err_to_str option turns Excel's error values into.
ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                         "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def mark_errors(grid: Grid) -> Grid:
    """Error texts (from `err_to_str=True`) become `ExcelError` values, as the file reader marks them."""
    return [[ExcelError(v) if isinstance(v, str) and v in ERROR_TEXTS else v for v in row] for row in grid]


def table_info(sheet_name: str, name: str, address: str, show_headers: bool = True,
               show_totals: bool = False) -> TableInfo:
    """A ListObject as `TableInfo` ("$A$1:$H$20" → "A1:H20")."""
    return TableInfo(name=name, display_name=name, sheet=sheet_name, ref=address.replace("$", ""),
                     header_row_count=1 if show_headers else 0, part="", totals_row_count=1 if show_totals else 0)


HIGHLIGHT_RULE = "=" + HIGHLIGHT_FORMULA  # the headless writer's rule, so either one removes the other's
HIGHLIGHT_FILL = 0xCEC7FF  # #FFC7CE as Excel's BGR colour number
HIGHLIGHT_FONT = 0x06009C  # #9C0006
EXCEL_EXPRESSION = 2  # xlExpression
EXCEL_CELL_VALUE = 1  # xlCellValue
EXCEL_EQUAL = 3  # xlEqual


def address_chunks(cells: Sequence[str], limit: int = 250) -> list[str]:
    """Cells merged into ranges, joined by commas into addresses of at most `limit` characters
    (Excel refuses a Range("…") string longer than 255)."""
    chunks: list[str] = []
    current = ""
    for ref in merge_cells_to_sqref(cells).split():
        if current and len(current) + 1 + len(ref) > limit:
            chunks.append(current)
            current = ""
        current = f"{current},{ref}" if current else ref
    return chunks + ([current] if current else [])


def _remove_highlights(sheet_api) -> None:
    conditions = sheet_api.Cells.FormatConditions
    for i in range(conditions.Count, 0, -1):
        condition = conditions.Item(i)
        if getattr(condition, "Formula1", None) == HIGHLIGHT_RULE:
            condition.Delete()


def _add_highlight(range_api) -> None:
    condition = range_api.FormatConditions.Add(Type=EXCEL_EXPRESSION, Formula1=HIGHLIGHT_RULE)
    condition.Interior.Color = HIGHLIGHT_FILL
    condition.Font.Color = HIGHLIGHT_FONT


def _bgr(rgb: str) -> int:
    """Excel's colour number for RRGGBB (it stores blue-green-red)."""
    return int(rgb[4:6] + rgb[2:4] + rgb[0:2], 16)


def _add_value_fill(range_api, fill) -> None:
    value = '"' + fill.value.replace('"', '""') + '"'
    condition = range_api.FormatConditions.Add(Type=EXCEL_CELL_VALUE, Operator=EXCEL_EQUAL, Formula1="=" + value)
    condition.Interior.Color = _bgr(fill.fill)
    condition.Font.Color = _bgr(fill.font)


@dataclass(frozen=True)
class ChartPlan:
    """A `ChartSpec` in the terms of Excel's object model: what `_draw_chart` asks of it."""

    chart_type: str  # xlwings' name: "column_clustered", "bar_stacked", "line", "pie" …
    anchor: str
    width: float  # points
    height: float
    title: str | None
    series: tuple[tuple[str | None, str], ...]  # (name: text or "=B2", values range)
    categories: str | None
    number_format: str | None
    legend: bool


def chart_plan(spec) -> ChartPlan:
    """The xlwings chart type and size (points) of an `xlcust.io.charts.ChartSpec`."""
    if spec.kind == "pie":
        chart_type = "pie"
    else:
        base = "line" if spec.kind == "line" else spec.direction  # "column" or "bar"
        suffix = {"clustered": "_clustered" if base != "line" else "", "stacked": "_stacked",
                  "percent_stacked": "_stacked_100"}[spec.grouping]
        chart_type = base + suffix
    if spec.size_emu is not None:
        width, height = (v / 12_700 for v in spec.size_emu)
    else:
        width, height = spec.size[0] * 48.0, spec.size[1] * 15.0  # default column 64 px, row 20 px
    return ChartPlan(chart_type, spec.anchor, width, height, spec.title,
                     tuple((s.name, s.values) for s in spec.series), spec.categories, spec.number_format,
                     spec.legend is not None)


def _draw_chart(sheet, plan: ChartPlan) -> None:
    anchor = sheet.range(plan.anchor)
    chart = sheet.charts.add(left=anchor.left, top=anchor.top, width=plan.width, height=plan.height)
    chart.chart_type = plan.chart_type
    first_values = plan.series[0][1]
    chart.set_source_data(sheet.range(first_values))
    com = chart.api[1]  # Excel for Windows: the Chart object; series exactly as the spec says
    while com.SeriesCollection().Count:
        com.SeriesCollection(1).Delete()
    for name, values in plan.series:
        series = com.SeriesCollection().NewSeries()
        series.Values = sheet.range(values).api
        if plan.categories:
            series.XValues = sheet.range(plan.categories).api
        if name:
            series.Name = name if name.startswith("=") and "!" in name else (
                f"='{sheet.name}'!{name[1:]}" if name.startswith("=") else name)
    com.HasTitle = bool(plan.title)
    if plan.title:
        com.ChartTitle.Text = plan.title
    com.HasLegend = plan.legend


# Excel's constants (COM): alignment and page order
XL_LEFT, XL_RIGHT, XL_CENTER, XL_TOP = -4131, -4152, -4108, -4160
XL_PORTRAIT, XL_LANDSCAPE, XL_OVER_THEN_DOWN = 1, 2, 2


def page_setup_plan(block: SheetBlock) -> dict[str, object]:
    """The PageSetup properties (Excel's COM names) that print a sheet as the file writer does.

    Pure data, so it is tested without Excel; margins are in points (72 per inch).
    """
    page, m = block.page, block.page.margins
    header, footer = sections(page.header), sections(page.footer)
    plan: dict[str, object] = {
        "PaperSize": page.paper_code,  # Excel's XlPaperSize numbers are OOXML's paperSize numbers
        "Orientation": XL_LANDSCAPE if block.landscape else XL_PORTRAIT,
        "LeftMargin": m.left * 72, "RightMargin": m.right * 72, "TopMargin": m.top * 72,
        "BottomMargin": m.bottom * 72, "HeaderMargin": m.header * 72, "FooterMargin": m.footer * 72,
        "LeftHeader": header["L"], "CenterHeader": header["C"], "RightHeader": header["R"],
        "LeftFooter": footer["L"], "CenterFooter": footer["C"], "RightFooter": footer["R"],
    }
    if page.fit_width:
        plan.update({"Zoom": False, "FitToPagesWide": block.pages_wide, "FitToPagesTall": False})
    if page.repeat_header:
        plan["PrintTitleRows"] = f"${block.header_row}:${block.header_row}"
    if block.repeat_columns:
        plan["PrintTitleColumns"] = f"$A:${column_letter(block.repeat_columns - 1)}"
        plan["Order"] = XL_OVER_THEN_DOWN
    return plan


SHEET_VISIBILITY = {"hidden": 0, "veryHidden": 2}  # xlSheetHidden, xlSheetVeryHidden


def _add_table(sheet, block: SheetBlock) -> None:
    """The block's cells as a Table (ListObject) in the template's style, as `xlcust new` makes it."""
    from ..io.template import table_style

    last = max(len(block.values), block.header_row + 1)  # a Table needs one data row, blank if none
    source = sheet.range((block.header_row, 1), (last, block.width))
    sheet.tables.add(source=source, name=block.table, table_style_name=table_style(), has_headers=True)


def _lay_out(sheet, block: SheetBlock) -> None:
    """Header alignment and wrapping, the title across the table, tall rows, the page setup (COM)."""
    for col, (align, wrap) in enumerate(zip(block.header_align, block.wrap, strict=True), start=1):
        head = sheet.range((block.header_row, col)).api
        head.HorizontalAlignment = XL_RIGHT if align == "right" else XL_LEFT
        head.WrapText = True
        head.VerticalAlignment = XL_CENTER
        if block.data_rows:
            data = sheet.range((block.header_row + 1, col), (len(block.values), col)).api
            data.VerticalAlignment = XL_TOP
            data.WrapText = wrap
            if align == "left":
                data.IndentLevel = 1
    if block.header_height:
        sheet.range((block.header_row, 1)).api.EntireRow.RowHeight = block.header_height
    if block.header_row > 1 and block.title_height:
        title = sheet.range((1, block.title_first + 1), (1, max(block.title_span, block.title_first + 1))).api
        if block.title_span > block.title_first + 1:
            title.Merge()
        title.WrapText = True
        title.VerticalAlignment = XL_TOP
        title.EntireRow.RowHeight = block.title_height
    for row, height in block.row_heights.items():
        sheet.range((row, 1)).api.EntireRow.RowHeight = height
    setup = sheet.api.PageSetup
    app = sheet.api.Application
    app.PrintCommunication = False  # one conversation with the printer driver instead of one per property
    try:
        for name, value in page_setup_plan(block).items():
            setattr(setup, name, value)
    finally:
        app.PrintCommunication = True


def _quietly(action: Callable[[], object]) -> None:
    """Cosmetics that differ between Excel for Windows and for Mac: best effort, never fatal."""
    with contextlib.suppress(Exception):  # a tab colour or a protection flag is not worth failing a run for
        action()


@dataclass
class XlwingsHost:
    """A live xlwings `Book` as a handler's host."""

    book: object  # xlwings.Book

    @classmethod
    def caller(cls) -> XlwingsHost:
        import xlwings as xw

        return cls(xw.Book.caller())

    @property
    def name(self) -> str:
        return self.book.fullname

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def tables(self) -> list[TableInfo]:
        out = []
        for sheet in self.book.sheets:
            for t in sheet.tables:
                out.append(table_info(sheet.name, t.name, t.range.address, bool(t.show_headers),
                                      bool(t.show_totals)))
        return out

    def read_grid(self, sheet: str) -> Grid:
        used = self.book.sheets[sheet].used_range
        values = used.options(ndim=2, err_to_str=True).value
        return mark_errors(grid_from_range(values, used.row, used.column))

    def write_sheet(self, block: SheetBlock) -> None:
        sheets = self.book.sheets
        if block.name in [s.name for s in sheets]:
            sheet = sheets[block.name]
            _quietly(lambda: sheet.api.Unprotect())
            sheet.clear()
        else:
            sheet = sheets.add(block.name, after=sheets[len(sheets) - 1])
        last = len(block.values)
        for col, (fmt, width) in enumerate(zip(block.number_formats, block.widths, strict=True), start=1):
            column = sheet.range((block.header_row + 1, col), (max(last, block.header_row + 1), col))
            column.number_format = fmt  # before the values, so text columns keep leading zeros
            sheet.range((1, col)).column_width = width
        # xlwings refuses ragged rows (conversion.write, every engine: COM, Mac, Lite), and a
        # sheet's title rows are shorter than its table: pad every row to the widest.
        width = max(map(len, block.values), default=0)
        values = [row if len(row) == width else [*row, *[None] * (width - len(row))] for row in block.values]
        sheet.range((1, 1)).options(chunksize=20_000).value = values
        header = sheet.range((block.header_row, 1), (block.header_row, block.width))
        header.font.bold = True
        if block.header_row > 1:
            sheet.range((1, 1)).font.bold = True
        _quietly(lambda: _lay_out(sheet, block))
        if block.tab_color:
            _quietly(lambda: setattr(sheet.api.Tab, "Color", int(block.tab_color[4:6] + block.tab_color[2:4]
                                                                   + block.tab_color[0:2], 16)))
        last_row = max(last, block.header_row + 1)
        for fill in block.fills:  # the same conditional format the file writer adds
            cells = sheet.range((block.header_row + 1, fill.column + 1), (last_row, fill.column + 1))
            _quietly(lambda c=cells, f=fill: _add_value_fill(c.api, f))
        for spec in block.charts:  # charts before protection: a protected sheet takes no new charts
            plan = chart_plan(spec)
            _quietly(lambda p=plan: _draw_chart(sheet, p))
        if block.protect:
            _quietly(lambda: sheet.api.Protect(AllowSorting=True, AllowFiltering=True))
        if block.table is not None:
            _add_table(sheet, block)
        if block.visibility != "visible":  # after everything else: Excel writes to a hidden sheet all the same
            _quietly(lambda: setattr(sheet.api, "Visible", SHEET_VISIBILITY[block.visibility]))

    def set_cells(self, edits: Sequence[CellEdit]) -> None:
        for e in edits:
            self.book.sheets[e.sheet].range(f"{e.col_letter}{e.row}").value = e.value

    def highlight(self, marks: Sequence[Highlight]) -> None:
        """xlcust's conditional-format highlight on the cells findings point at (Excel for Windows;
        elsewhere the Checks sheet still lists and links every cell)."""
        for sheet in self.book.sheets:
            _quietly(lambda s=sheet: _remove_highlights(s.api))
        names = set(self.sheet_names())
        for mark in marks:
            if mark.sheet not in names:
                continue
            sheet = self.book.sheets[mark.sheet]
            for address in address_chunks(mark.cells):
                _quietly(lambda a=address, s=sheet: _add_highlight(s.range(a).api))

    def append_rows(self, block: AppendRows) -> None:
        """Rows below the Table (which is resized to hold them), else below the sheet's last row."""
        if not block.rows:
            return
        sheet = self.book.sheets[block.sheet]
        table = next((t for t in sheet.tables if t.name == block.table_name), None) if block.table_name else None
        ref = table.range.address.replace("$", "") if table is not None else None
        top, left = append_position(self.read_grid(block.sheet) if ref is None else [], ref, block.start_col_letter)
        width = max(len(r) for r in block.rows)
        sheet.range((top, left + 1)).value = [list(r) + [None] * (width - len(r)) for r in block.rows]
        if table is not None:
            from ..io.sheetxml import parse_range

            r1, c1, r2, c2 = parse_range(ref)
            table.resize(sheet.range(format_range(r1, c1, r2 + len(block.rows), c2)))

    def saved_file(self) -> Path | None:
        """The workbook's file on disk while Excel says it has no unsaved changes (Windows).

        Excel for Windows answers `Workbook.Saved`; elsewhere (Mac, xlwings Lite, a workbook
        never saved, one on a web address) there is no answer or no local file: None, and
        the handler reads the live cells.
        """
        try:
            saved = bool(self.book.api.Saved)
            path = Path(self.book.fullname)
        except Exception:  # noqa: BLE001 - no COM (Mac, Lite) or no file behind the book
            return None
        return path if saved and path.is_absolute() else None

    def message(self, text: str, title: str = "xlcust") -> None:
        self.book.app.alert(text, title=title)
