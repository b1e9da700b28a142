"""Dashboard (仪表板): three small tables by level-1 category and the native Excel charts drawing them.

    sheet = dashboard_sheet(book, ledger, lang)      # an OutputSheet for save_package / write_outputs

The figures are `xlcust.reports.dashboard.dashboard_figures`'; this module lays them out.

Three blocks, top to bottom; each is a table (labels in column A, one column per series)
with its chart beside it, reading the table's cells:

1. **Aging** — open items by bucket per level-1 category, in yuan, at the ledger's
   as-of date and basis (`ledger.aging().by_category`, level-1 rows plus the
   uncategorised row). Stacked columns, one series per bucket, green (not due) to red.
2. **Net sales** — invoices − credit notes per period and level-1 category, in yuan.
   From `revenue` when given: a `RevenueReport` (`xlcust.reports.revenue`) or a frame
   with `period`, `category_code`, `net_sales` (int cents) and optionally `level` (then
   only level-1 and uncategorised rows are taken; without it every code is rolled up to
   its level-1 ancestor). Default: the revenue report's `current_year_revenue` —
   1 January to the as-of date, by month, historical basis (category in force on each
   line's date). A frame's periods are shown in sorted order. Clustered columns, one
   series per category, and a total column in the table.
3. **Days to settle** — per quarter (the 8 up to the as-of quarter, which is to date) and
   level-1 category: the amount-weighted mean `days_to_settle` of the invoices *settled*
   in that quarter (settlement date − invoice date; the weighting is the one the credit
   metrics use for `avg_days_to_settle`). Chosen over DSO because it is what the title
   says and what a collector acts on: an observed delay per invoice, not a ratio that
   moves with the quarter's sales. Openings are left out (their date is the cut-over,
   not an invoice date). A quarter in which a category settled nothing is blank, so the
   line has a gap rather than a false zero. Category = the customer's current category.
   Lines, one per category. Pass `dso=ledger.dso_by_quarter()` (or a frame with
   `quarter`, `category_code`, `dso`, optionally `level`) to chart DSO instead.

Categories: every level-1 category with anything to show in one of the blocks, in code
order, labelled "code name", and "(no category)" last when money sits on customers
without one. Each category keeps one colour in the net-sales and days charts. Money
cells hold yuan (cents / 100, exact), formatted #,##0.00; days show whole days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..i18n import C_, N_, ctranslate, translate
from ..reports.dashboard import NO_CATEGORY, dashboard_figures
from ..reports.revenue import RevenueReport
from ..schema import column_letter
from .charts import PALETTE, ChartSeries, ChartSpec
from .levels import level_fills, level_label, level_order
from .outputs import banner, sheet_title
from .sheet import CellSpec, ColumnSpec, OutputSheet, estimate_width

if TYPE_CHECKING:
    from ..book import Book
    from ..ledger import DsoReport, Ledger

WARNINGS_SHOWN = 40  # the rest are on the Metrics sheet
WARNINGS_TITLE = N_("Early warnings: {red} red alert(s), {yellow} yellow; red first")
WARNING_HEADERS = (N_("Warning level"), N_("Customer / category"), N_("Name"), N_("Warning"), N_("Evidence"))
WARNINGS_MORE = N_("… {n} more: see the Warnings column of the Metrics sheet")
NO_WARNINGS = N_("No early warnings")

# Aging buckets from "not due" (green) to the oldest (dark red).
AGING_COLORS = ("70AD47", "A9D18E", "FFD966", "F4B183", "ED7D31", "E06666", "C00000", "7F0000")

CHART_SIZE_EMU = (6_400_000, 3_000_000)  # about 17.8 × 8.3 cm
CHART_ROWS = 16  # rows a chart of that height covers, with a little air
LABEL_WIDTH = 26.0
FIGURE_WIDTH = 14.0
MAX_FIGURE_WIDTH = 28.0

_WORDS = {  # the dashboard's words; msgctxt keeps them apart from the same English elsewhere
    "what": C_("dashboard", "Dashboard: aging, net sales and days to settle by level-1 category"),
    "category": C_("dashboard", "Category"),
    "total": C_("dashboard", "Total"),
    "period": C_("dashboard", "Period"),
    "quarter": C_("dashboard", "Quarter settled"),
    "dso_quarter": C_("dashboard", "Quarter"),
    "no_category": C_("dashboard", "(no category)"),
    "aging_title": C_("dashboard", "Aging by category (yuan)"),
    "sales_title": C_("dashboard", "Net sales by category{span} (yuan)"),
    "span": C_("dashboard", ", {first} – {last}"),
    "settle_title": C_("dashboard", "Days to settle (amount-weighted, by quarter settled)"),
    "dso_title": C_("dashboard", "DSO by quarter (days)"),
    "yuan": C_("dashboard", "Yuan"),
    "days": C_("dashboard", "Days"),
    "not_due": C_("dashboard", "Not due"),
}


@dataclass
class _Block:
    """One table of the dashboard: row labels × series, and how its chart looks."""

    corner: str  # header of the label column
    series: list[str]  # series headers (one column each)
    labels: list[str]  # row labels
    values: list[list[object]]  # rows × series; int cents, float days or None
    kind: str  # "cents" or "int"
    chart: dict[str, object]  # ChartSpec arguments besides the cell ranges
    colors: list[str | None] = field(default_factory=list)
    total: str | None = None  # header of a total column (money blocks), not charted


def dashboard_sheet(book: Book, ledger: Ledger, lang: str, revenue: RevenueReport | pd.DataFrame | None = None,
                    dso: DsoReport | pd.DataFrame | None = None, warnings: pd.DataFrame | None = None) -> OutputSheet:
    """The Dashboard output sheet: aging, net sales and days to settle by level-1 category, with charts.

    `revenue`: a RevenueReport or a period × category frame of int-cents net sales (default:
    the current year by month, historical basis). `dso`: a DsoReport or frame to chart DSO
    instead of days to settle. `warnings` (`early_warnings`) add a list of the early
    warnings below the charts, red alerts first. See the module docstring for every figure's definition.
    """
    words = {key: ctranslate("dashboard", text, lang) for key, text in _WORDS.items()}
    f = dashboard_figures(book, ledger, revenue, dso)
    aging_rows, periods, sales, quarters, days, codes = f.aging, f.periods, f.sales, f.quarters, f.days, f.codes
    names = [_category_label(c, ledger.categories, words) for c in codes]
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(codes))]
    bucket_names = [words["not_due"] if b == f.buckets[0] else b for b in f.buckets]
    aging_values = [[int(aging_rows.get(c, {}).get(b, 0)) for b in f.buckets] for c in codes]
    span = words["span"].format(first=periods[0], last=periods[-1]) if periods else ""
    blocks = [
        _Block(words["category"], bucket_names, names, aging_values, "cents",
               {"kind": "bar", "grouping": "stacked", "title": words["aging_title"], "y_title": words["yuan"],
                "number_format": "#,##0"},
               colors=_ramp(len(bucket_names)), total=words["total"]),
        _Block(words["period"], names, periods,
               [[int(sales.get(c, {}).get(p, 0)) for c in codes] for p in periods], "cents",
               {"kind": "bar", "title": words["sales_title"].format(span=span), "y_title": words["yuan"],
                "number_format": "#,##0"},
               colors=list(colors), total=words["total"]),
        _Block(words["quarter"] if dso is None else words["dso_quarter"], names, quarters,
               [[days.get(c, {}).get(q) for c in codes] for q in quarters], "int",
               {"kind": "line", "title": words["settle_title"] if dso is None else words["dso_title"],
                "y_title": words["days"], "number_format": "0"},
               colors=list(colors)),
    ]
    sheet = _sheet(blocks, lang, words, ledger.as_of)
    if warnings is not None:
        _add_warnings(sheet, blocks[-1], warnings, lang)
    return sheet


def _add_warnings(sheet: OutputSheet, last: _Block, warnings: pd.DataFrame, lang: str) -> None:
    """The early warnings under the last chart: level, who, code and evidence; red first, coloured."""
    rows = sheet.rows
    assert isinstance(rows, list)
    used = 1 + len(last.labels)
    rows.extend([] for _ in range(max(used, CHART_ROWS) - used + 1))  # below the last chart
    order = level_order(warnings["level"].tolist()) if "level" in warnings.columns else np.arange(len(warnings))
    shown = warnings.iloc[order[:WARNINGS_SHOWN]]
    red = int((warnings.get("level", pd.Series(dtype=object)) == "red").sum())
    rows.append([CellSpec(translate(WARNINGS_TITLE, lang, red=red, yellow=len(warnings) - red), "text", "title")])
    rows.append([CellSpec(translate(h, lang), "text", "header") for h in WARNING_HEADERS])
    message = "message_zh" if lang == "zh" else "message"
    for w in shown.itertuples(index=False):
        who = w.customer_code if isinstance(w.customer_code, str) else w.category_code
        name = w.customer_name if isinstance(w.customer_name, str) else None
        rows.append([level_label(getattr(w, "level", None), lang), CellSpec(who, "text"), CellSpec(name, "text"),
                     CellSpec(w.code, "text"), CellSpec(getattr(w, message), "text")])
    if len(warnings) > WARNINGS_SHOWN:
        rows.append([CellSpec(translate(WARNINGS_MORE, lang, n=len(warnings) - WARNINGS_SHOWN), "text")])
    if not len(warnings):
        rows.append([CellSpec(translate(NO_WARNINGS, lang), "text")])
    sheet.fills = level_fills(0, lang)


def _category_label(code: str, categories: pd.DataFrame, words: dict[str, str]) -> str:
    if code == NO_CATEGORY:
        return words["no_category"]
    name = categories["name"].get(code) if code in categories.index else None
    return f"{code} {name}" if isinstance(name, str) and name else code


def _ramp(n: int) -> list[str | None]:
    """n colours spread over the green-to-red aging ramp."""
    if n <= 1:
        return [AGING_COLORS[0]] * n
    last = len(AGING_COLORS) - 1
    return [AGING_COLORS[round(i * last / (n - 1))] for i in range(n)]


# --------------------------------------------------------------------------------------
# Layout


def _sheet(blocks: list[_Block], lang: str, words: dict[str, str], as_of: dt.date) -> OutputSheet:
    """Blocks one below the other, each chart to the right of its table, rows aligned."""
    width = max(1 + len(b.series) + (b.total is not None) for b in blocks)
    first = blocks[0]
    headers = [first.corner, *first.series, *([first.total] if first.total else [])]
    headers += [""] * (width - len(headers))
    widths = [FIGURE_WIDTH] * width  # wide enough for every block's header in that column
    for block in blocks:
        for j, text in enumerate([*block.series, *([block.total] if block.total else [])]):
            widths[j + 1] = max(widths[j + 1], min(estimate_width(text, "text") - 1, MAX_FIGURE_WIDTH))
    columns = [ColumnSpec(headers[0], "text", LABEL_WIDTH),
               *(ColumnSpec(h, "cents", widths[j + 1]) for j, h in enumerate(headers[1:]))]
    chart_col = column_letter(width + 1)  # one empty column between table and chart

    rows: list[list[object]] = []
    charts: list[ChartSpec] = []
    header_row = 2  # row 1 holds the banner
    top = header_row
    for i, block in enumerate(blocks):
        if i:  # later blocks write their own header row
            top = header_row + 1 + len(rows)
            cells = [block.corner, *block.series, *([block.total] if block.total else [])]
            rows.append([CellSpec(h, "text", "header") for h in cells])
        for label, values in zip(block.labels, block.values, strict=True):
            row: list[object] = [label]
            row += [v if v is None or block.kind == "cents" else CellSpec(v, block.kind) for v in values]
            if block.total is not None:
                row.append(sum(int(v) for v in values if v is not None))
            rows.append(row)
        charts.append(_chart(block, top, chart_col))
        if i < len(blocks) - 1:  # air below the taller of table and chart
            used = 1 + len(block.labels)
            rows.extend([] for _ in range(max(used, CHART_ROWS) - used + 1))
    return OutputSheet(
        sheet_title("Dashboard", lang), columns, rows, title=banner(words["what"], lang, as_of),
        tab_color="4472C4", freeze_header=False, autofilter=False, charts=charts,
    )


def _chart(block: _Block, header_row: int, chart_col: str) -> ChartSpec:
    first, last = header_row + 1, header_row + max(len(block.labels), 1)
    series = [ChartSeries(values=f"{column_letter(j + 1)}{first}:{column_letter(j + 1)}{last}",
                          name=f"={column_letter(j + 1)}{header_row}",
                          color=block.colors[j] if j < len(block.colors) else None)
              for j in range(len(block.series))]
    if not series:  # nothing to show at all: one empty series keeps the chart (and its title) in place
        series = [ChartSeries(values=f"B{first}:B{last}")]
    return ChartSpec(categories=f"A{first}:A{last}", series=series, anchor=f"{chart_col}{header_row}",
                     size_emu=CHART_SIZE_EMU, legend="bottom", **block.chart)  # type: ignore[arg-type]
