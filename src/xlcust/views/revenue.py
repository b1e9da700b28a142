"""Revenue by category, for people: the one-line description, the Revenue sheet and the export.

`xlcust.reports.revenue` computes the `RevenueReport`; here it becomes the wide
"Revenue" output sheet (categories indented by level × periods, a total column and
row) and the standalone .xlsx / .csv export with its parameters block.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..i18n import N_, translate
from ..money import cents_to_decimal, format_money
from ..reports.revenue import RevenueReport
from .export import ExportColumn, ExportTable, Styled
from .labels import PERIOD, REVENUE_BASIS, TAX, label
from .outputs import banner, columns, sheet_title
from .sheet import CellSpec, ColumnSpec, OutputSheet

# The contribution columns after each category's total (xlcust.reports.contribution): header, kind, width.
CONTRIBUTION_COLUMNS = (
    (N_("Share"), "percent", 9), (N_("Cumulative share"), "percent", 11), (N_("A year earlier"), "cents", 16),
    (N_("Change"), "cents", 15), (N_("Change %"), "percent", 10), (N_("Rank"), "int", 6), (N_("ABC"), "text", 5),
)
CONTRIBUTION_FIELDS = ("share", "cumulative_share", "prior_net_sales", "change", "change_pct", "rank", "abc")

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
                     *(int(rec[label]) for label in labels), int(rec["total"]), *contribution_of(report, code)])
    per_period = report.totals["net_sales"].to_numpy(dtype=np.int64)
    total_name: object = words["total"] if indent_with_spaces else Styled(words["total"], bold=True)
    rows.append([None, total_name, None, *(int(v) for v in per_period), int(per_period.sum()),
                 *_total_contribution(report)])
    return rows


def contribution_of(report: RevenueReport, code: str | None) -> list[object]:
    """A category's contribution cells (none when the report has no contribution)."""
    c = report.contribution
    if c is None:
        return []
    frame = c.by_category
    key = frame["category_code"].fillna("").to_numpy(dtype=object)
    hit = np.flatnonzero(key == (code or ""))
    if not len(hit):
        return [None] * len(CONTRIBUTION_FIELDS)
    return [plain(frame[f].iat[hit[0]]) for f in CONTRIBUTION_FIELDS]


def _total_contribution(report: RevenueReport) -> list[object]:
    c = report.contribution
    if c is None:
        return []
    prior = c.prior.control.net
    change = report.control.net - prior
    pct = change / abs(prior) if prior else None
    return [1.0 if report.control.net > 0 else None, None, prior, change, pct, None, None]


def plain(value: object) -> object:
    """A frame cell as a sheet value: blanks (NA, NaN) as None, numpy scalars as Python ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def contribution_headers(lang: str) -> list[str]:
    return [translate(h, lang) for h, _, _ in CONTRIBUTION_COLUMNS]


def customer_rows(report: RevenueReport, lang: str, before: int) -> list[list[object]]:
    """The customers' ranking below the category table: a title, a header row, one row per customer.

    `before` = how many period columns sit between the level column and the total, left blank.
    """
    c = report.contribution
    if c is None:
        return []
    title = translate(N_("Customers by contribution: {n} customers, A {a}, B {b}, C {c} (A to {a_share}, B to "
                         "{b_share} of net sales; a year earlier: {prior_from} to {prior_to})"), lang,
                      n=len(c.by_customer), a=int((c.by_customer["abc"] == "A").sum()),
                      b=int((c.by_customer["abc"] == "B").sum()), c=int((c.by_customer["abc"] == "C").sum()),
                      a_share=f"{c.a_share:.0%}", b_share=f"{c.b_share:.0%}", prior_from=c.prior_from.isoformat(),
                      prior_to=c.prior_to.isoformat())
    head = [translate(N_("Customer code"), lang), translate(N_("Customer name"), lang),
            translate(N_("Category code"), lang), *([""] * before), translate(N_("Net sales"), lang),
            *contribution_headers(lang)]
    rows: list[list[object]] = [[], [CellSpec(title, "text", "title")], [CellSpec(h, "text", "header") for h in head]]
    for rec in c.by_customer.to_dict("records"):
        rows.append([rec["customer_code"], rec["name"], CellSpec(rec["category_code"] or "", "text"),
                     *([None] * before), int(rec["net_sales"]), *(plain(rec[f]) for f in CONTRIBUTION_FIELDS)])
    return rows


def revenue_sheet(report: RevenueReport, lang: str) -> OutputSheet:
    """The "Revenue" output sheet: categories (indented by level) × periods, a total column and row."""
    words = _WORDS["zh" if lang == "zh" else "en"]
    labels = report.totals["period"].tolist()
    spec = [ColumnSpec(words["code"], "text", 10), ColumnSpec(words["name"], "text", 30),
            ColumnSpec(words["level"], "int", 6), *(ColumnSpec(label, "cents", 14) for label in labels),
            ColumnSpec(words["total"], "cents", 16)]
    extra = columns(lang, CONTRIBUTION_COLUMNS) if report.contribution is not None else []
    rows = _wide_rows(report, words, indent_with_spaces=True) + customer_rows(report, lang, len(labels))
    return OutputSheet(sheet_title("Revenue", lang), [*spec, *extra], rows,
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
        ("期间" if zh else "By", label(PERIOD, p.by, lang)),
        ("级次" if zh else "Level", p.level),
        ("分类口径" if zh else "Basis", label(REVENUE_BASIS, p.basis, lang)),
        ("税" if zh else "Tax", label(TAX, p.tax, lang)),
        ("基准日" if zh else "As of", p.as_of),
        ("控制合计" if zh else "Control total", cents_to_decimal(c.net)),
        ("笔数" if zh else "Lines", c.lines),
        ("数据指纹 (SHA-256)" if zh else "Data hash (SHA-256)", p.data_hash),
    ]
    main = ExportTable(
        sheet_name="分类收入" if zh else "Revenue", title=describe(report, lang),
        columns=[ExportColumn(words["code"], "text", 10), ExportColumn(words["name"], "text", 30),
                 ExportColumn(words["level"], "int", 6), *(ExportColumn(label, "cents", 14) for label in labels),
                 ExportColumn(words["total"], "cents", 16),
                 *((ExportColumn(translate(h, lang), _EXPORT_KIND[kind], width) for h, kind, width in
                    CONTRIBUTION_COLUMNS) if report.contribution is not None else ())],
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
    tables = [main, reconciliation]
    c = report.contribution
    if c is not None:
        tables.append(ExportTable(
            sheet_name=translate(N_("Customer contribution"), lang)[:31],
            title=translate(N_("Customers by contribution (ABC): A to {a_share}, B to {b_share} of net sales; a "
                               "year earlier: {prior_from} to {prior_to}"), lang, a_share=f"{c.a_share:.0%}",
                            b_share=f"{c.b_share:.0%}", prior_from=c.prior_from.isoformat(),
                            prior_to=c.prior_to.isoformat()),
            columns=[ExportColumn(words["customer"], "text", 12), ExportColumn(words["customer_name"], "text", 28),
                     ExportColumn(translate(N_("Category code"), lang), "text", 10),
                     ExportColumn(translate(N_("Net sales"), lang), "cents", 16),
                     *(ExportColumn(translate(h, lang), _EXPORT_KIND[kind], width)
                       for h, kind, width in CONTRIBUTION_COLUMNS)],
            rows=[[r["customer_code"], r["name"], r["category_code"], int(r["net_sales"]),
                   *(plain(r[f]) for f in CONTRIBUTION_FIELDS)] for r in c.by_customer.to_dict("records")],
            parameters=parameters,
        ))
    return tables


# The sheet's column kinds as export kinds (the same names; a share stays a fraction in CSV).
_EXPORT_KIND = {"percent": "percent", "cents": "cents", "int": "int", "text": "text"}


def _date(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
