"""Revenue by category, for people: the one-line description, the Revenue sheet and the export.

`xlcust.reports.revenue` computes the `RevenueReport`; here it becomes the wide
"Revenue" output sheet (categories indented by level × periods, a total column and
row) and the standalone .xlsx / .csv export with its parameters block.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..money import cents_to_decimal, format_money
from ..reports.revenue import RevenueReport
from .export import ExportColumn, ExportTable, Styled
from .outputs import banner, columns, sheet_title
from .sheet import OutputSheet

_WORDS = {
    "en": {"code": "Category", "name": "Name", "level": "Level", "total": "Total", "none": "(no category)",
           "customer": "Customer", "customer_name": "Customer name", "from": "From category",
           "from_name": "From name", "to": "To category", "to_name": "To name", "lines": "Lines",
           "net": "Net sales moved", "first": "First date", "last": "Last date"},
    "zh": {"code": "分类编码", "name": "分类名称", "level": "级次", "total": "合计", "none": "（未分类）",
           "customer": "客户编码", "customer_name": "客户名称", "from": "原分类", "from_name": "原分类名称",
           "to": "现分类", "to_name": "现分类名称", "lines": "笔数", "net": "转移净销售额",
           "first": "最早日期", "last": "最晚日期"},
}


def describe(report: RevenueReport, lang: str = "en") -> str:
    """One line saying what the figures are and that they tie."""
    p, c = report.parameters, report.control
    zh = lang == "zh"
    if zh:
        basis = "历史分类（交易日所属分类）" if p.basis == "historical" else "当前分类"
        tax = "含税" if p.tax == "included" else "不含税"
        by = {"month": "按月", "quarter": "按季", "year": "按年"}[p.by]
        return (f"分类收入 {p.date_from.isoformat()} 至 {p.date_to.isoformat()}，{by}，{basis}，{tax}：净销售额 "
                f"{format_money(c.net)} = 往来明细控制合计（{c.lines} 笔）；数据指纹 {p.data_hash[:12]}")
    basis = "historical basis (category on the transaction date)" if p.basis == "historical" else "current basis"
    tax = "tax included" if p.tax == "included" else "tax excluded"
    return (f"Revenue by category {p.date_from.isoformat()} to {p.date_to.isoformat()} by {p.by}, {basis}, {tax}: "
            f"net sales {format_money(c.net)} = control total of Transactions ({c.lines} lines); "
            f"data hash {p.data_hash[:12]}")


def _wide_rows(report: RevenueReport, words: dict[str, str], *, indent_with_spaces: bool) -> list[list[object]]:
    wide = report.wide()
    labels = report.totals["period"].tolist()
    rows: list[list[object]] = []
    for rec in wide.to_dict("records"):
        level = rec["level"]
        code = rec["category_code"]
        name = rec["name"] or ""
        depth = 0 if level is pd.NA or level is None else int(level) - 1
        if code is None:
            name = words["none"]
        shown: object = ("  " * depth + name) if indent_with_spaces else Styled(name, indent=depth,
                                                                                   bold=depth == 0)
        rows.append([code, shown, None if level is pd.NA else level,
                     *(int(rec[label]) for label in labels), int(rec["total"])])
    per_period = report.totals["net_sales"].to_numpy(dtype=np.int64)
    total_name: object = words["total"] if indent_with_spaces else Styled(words["total"], bold=True)
    rows.append([None, total_name, None, *(int(v) for v in per_period), int(per_period.sum())])
    return rows


def revenue_sheet(report: RevenueReport, lang: str) -> OutputSheet:
    """The "Revenue" output sheet: categories (indented by level) × periods, a total column and row."""
    words = _WORDS["zh" if lang == "zh" else "en"]
    labels = report.totals["period"].tolist()
    spec = [(words["code"], words["code"], "text", 10), (words["name"], words["name"], "text", 30),
            (words["level"], words["level"], "int", 6),
            *((label, label, "cents", 14) for label in labels),
            (words["total"], words["total"], "cents", 16)]
    return OutputSheet(sheet_title("Revenue", lang), columns(lang, spec),
                       _wide_rows(report, words, indent_with_spaces=True),
                       title=banner(describe(report, lang), lang, report.parameters.as_of), autofilter=False)


def export_tables_for(report: RevenueReport, lang: str = "en", company: str = "") -> list[ExportTable]:
    """The revenue table (wide) with its parameters block, and the reconciliation between bases."""
    words = _WORDS["zh" if lang == "zh" else "en"]
    p, c = report.parameters, report.control
    labels = report.totals["period"].tolist()
    zh = lang == "zh"
    parameters: list[tuple[str, object]] = [
        ("公司" if zh else "Company", company),
        ("期间自" if zh else "From", p.date_from),
        ("期间至" if zh else "To", p.date_to),
        ("期间" if zh else "By", p.by),
        ("级次" if zh else "Level", p.level),
        ("分类口径" if zh else "Basis", p.basis),
        ("税" if zh else "Tax", p.tax),
        ("基准日" if zh else "As of", p.as_of),
        ("控制合计" if zh else "Control total", cents_to_decimal(c.net)),
        ("笔数" if zh else "Lines", c.lines),
        ("数据指纹 (SHA-256)" if zh else "Data hash (SHA-256)", p.data_hash),
    ]
    main = ExportTable(
        sheet_name="分类收入" if zh else "Revenue", title=describe(report, lang),
        columns=[ExportColumn(words["code"], "text", 10), ExportColumn(words["name"], "text", 30),
                 ExportColumn(words["level"], "int", 6), *(ExportColumn(label, "cents", 14) for label in labels),
                 ExportColumn(words["total"], "cents", 16)],
        rows=_wide_rows(report, words, indent_with_spaces=False), parameters=parameters,
    )
    rec = report.reconciliation
    reconciliation = ExportTable(
        sheet_name="口径调节" if zh else "Reconciliation",
        title=("历史分类与当前分类之间转移的收入" if zh else
               "Revenue that moved between the historical and the current category"),
        columns=[ExportColumn(words["customer"], "text", 12), ExportColumn(words["customer_name"], "text", 28),
                 ExportColumn(words["from"], "text", 12), ExportColumn(words["from_name"], "text", 22),
                 ExportColumn(words["to"], "text", 12), ExportColumn(words["to_name"], "text", 22),
                 ExportColumn(words["lines"], "int", 8), ExportColumn(words["net"], "cents", 16),
                 ExportColumn(words["first"], "date", 12), ExportColumn(words["last"], "date", 12)],
        rows=[[r.customer_code, r.customer_name, r.from_category, r.from_name, r.to_category, r.to_name,
               int(r.lines), int(r.net_sales), _date(r.first_date), _date(r.last_date)]
              for r in rec.itertuples(index=False)],
        parameters=parameters,
    )
    return [main, reconciliation]


def _date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
