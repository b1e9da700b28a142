"""Revenue by category, for people: the one-line description, the Revenue sheet and the export.

`xlcust.reports.revenue` computes the `RevenueReport`; here it becomes the wide
"Revenue" output sheet (categories indented by level × periods, a total column and
row) and the standalone .xlsx / .csv export with its parameters block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..i18n import C_, N_, ctranslate, term, translate
from ..money import cents_to_decimal, format_money
from ..reports.revenue import RevenueReport
from .export import ExportColumn, ExportTable, Styled
from .labels import PERIOD, REVENUE_BASIS, TAX, label
from .outputs import Header, banner, columns, header, sheet_title
from .sheet import CellSpec, ColumnSpec, OutputSheet

# The contribution columns after each category's total (xlcust.reports.contribution): header, kind, width.
CONTRIBUTION_COLUMNS = (
    (N_("Share"), "percent", 9), (N_("Cumulative share"), "percent", 11), (N_("A year earlier"), "cents", 16),
    (N_("Change"), "cents", 15), (N_("Change %"), "percent", 10), (N_("Rank"), "int", 6), (N_("ABC"), "text", 5),
)
CONTRIBUTION_FIELDS = ("share", "cumulative_share", "prior_net_sales", "change", "change_pct", "rank", "abc")

# The headers and words of the revenue table and its reconciliation (`words` renders them).
_WORDS: dict[str, Header] = {
    "code": term("column header", "Category"), "name": term("column header: category name", "Name"),
    "level": term("column header", "Level"), "total": term("column header", "Total"), "none": N_("(no category)"),
    "customer": term("column header", "Customer"), "customer_name": term("column header", "Customer name"),
    "from": term("column header", "From category"), "from_name": term("column header", "From name"),
    "to": term("column header", "To category"), "to_name": term("column header", "To name"),
    "lines": term("column header", "Lines"), "net": term("column header", "Net sales moved"),
    "first": term("column header", "First date"), "last": term("column header", "Last date"),
}
# How the one-line description names the report's period, basis and tax.
_BY = {"month": C_("revenue description", "by month"), "quarter": C_("revenue description", "by quarter"),
       "year": C_("revenue description", "by year")}
_BASIS = {"historical": C_("revenue description", "historical basis (category on the transaction date)"),
          "current": C_("revenue description", "current basis")}
_TAX = {"included": C_("revenue description", "tax included"), "excluded": C_("revenue description", "tax excluded")}


def words(lang: str) -> dict[str, str]:
    """The revenue table's headers and words in `lang`."""
    return {key: header(text, lang) for key, text in _WORDS.items()}


def describe(report: RevenueReport, lang: str = "en") -> str:
    """One line saying what the figures are and that they tie."""
    p, c = report.parameters, report.control
    return translate(N_("Revenue by category {date_from} to {date_to} {by}, {basis}, {tax}: net sales {net} = "
                        "control total of Transactions ({lines} lines); data hash {data_hash}"), lang,
                     date_from=p.date_from.isoformat(), date_to=p.date_to.isoformat(),
                     by=ctranslate("revenue description", _BY[p.by], lang),
                     basis=ctranslate("revenue description", _BASIS[p.basis], lang),
                     tax=ctranslate("revenue description", _TAX[p.tax], lang),
                     net=format_money(c.net), lines=c.lines, data_hash=p.data_hash[:12])


def _wide_rows(report: RevenueReport, words: dict[str, str], *, indent_with_spaces: bool) -> list[list[object]]:
    wide = report.wide()
    labels = report.totals["period"].tolist()
    cells = _contribution_cells(report)
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
                     *(int(rec[label]) for label in labels), int(rec["total"]), *cells(code)])
    per_period = report.totals["net_sales"].to_numpy(dtype=np.int64)
    total_name: object = words["total"] if indent_with_spaces else Styled(words["total"], bold=True)
    rows.append([None, total_name, None, *(int(v) for v in per_period), int(per_period.sum()),
                 *_total_contribution(report)])
    return rows


def contribution_of(report: RevenueReport, code: str | None) -> list[object]:
    """A category's contribution cells (none when the report has no contribution)."""
    return _contribution_cells(report)(code)


def _contribution_cells(report: RevenueReport) -> Callable[[str | None], list[object]]:
    """`contribution_of` for every category of the report, its frame read once."""
    c = report.contribution
    if c is None:
        return lambda _code: []
    frame = c.by_category
    columns = [plain_column(frame[f]) for f in CONTRIBUTION_FIELDS]
    by_code: dict[str, list[object]] = {}
    for i, key in enumerate(frame["category_code"].fillna("").to_numpy(dtype=object).tolist()):
        if key not in by_code:  # the first row of a code, as a look-up would find it
            by_code[key] = [column[i] for column in columns]
    return lambda code: list(by_code.get(code or "", [None] * len(CONTRIBUTION_FIELDS)))


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
    frame = c.by_customer
    # A column at a time (issue 15: one dict per customer cost more than the rest of the sheet).
    codes = frame["customer_code"].to_numpy(dtype=object).tolist()
    names = frame["name"].to_numpy(dtype=object).tolist()
    specs: dict[str, CellSpec] = {}  # one (frozen) cell per category code, shared by its customers
    categories = [(specs.get(v) or specs.setdefault(v, CellSpec(v, "text"))) if isinstance(v, str) and v
                  else CellSpec(v or "", "text") for v in frame["category_code"].to_numpy(dtype=object).tolist()]
    net = frame["net_sales"].to_numpy(dtype=np.int64).tolist()
    figures = zip(*(plain_column(frame[f]) for f in CONTRIBUTION_FIELDS), strict=True)
    blank = [None] * before
    rows.extend([code, name, category, *blank, cents, *rest]
                for code, name, category, cents, rest in zip(codes, names, categories, net, figures, strict=True))
    return rows


def plain_column(column: pd.Series) -> list[object]:
    """`plain` of every cell of a frame column, a column at a time."""
    numpy = isinstance(column.dtype, np.dtype)  # else an extension type: a masked Int64 column's blanks are NA
    if column.dtype.kind in "iub":
        return column.to_numpy().tolist() if numpy else column.to_numpy(dtype=object, na_value=None).tolist()
    if numpy and column.dtype.kind == "f":
        return [None if v != v else v for v in column.to_numpy().tolist()]
    return [plain(v) for v in column.to_numpy(dtype=object, na_value=None).tolist()]


def revenue_sheet(report: RevenueReport, lang: str) -> OutputSheet:
    """The "Revenue" output sheet: categories (indented by level) × periods, a total column and row."""
    shown = words(lang)
    labels = report.totals["period"].tolist()
    spec = [ColumnSpec(shown["code"], "text", 10), ColumnSpec(shown["name"], "text", 30),
            ColumnSpec(shown["level"], "int", 6), *(ColumnSpec(label, "cents", 14) for label in labels),
            ColumnSpec(shown["total"], "cents", 16)]
    extra = columns(lang, CONTRIBUTION_COLUMNS) if report.contribution is not None else []
    rows = _wide_rows(report, shown, indent_with_spaces=True) + customer_rows(report, lang, len(labels))
    return OutputSheet(sheet_title("Revenue", lang), [*spec, *extra], rows,
                       title=banner(describe(report, lang), lang, report.parameters.as_of), autofilter=False)


def export_tables_for(report: RevenueReport, lang: str = "en", company: str = "") -> list[ExportTable]:
    """The revenue table (wide) with its parameters block, and the reconciliation between bases."""
    shown = words(lang)
    p, c = report.parameters, report.control
    labels = report.totals["period"].tolist()
    parameters: list[tuple[str, object]] = [
        (ctranslate("revenue parameter", "Company", lang), company),
        (ctranslate("revenue parameter", "From", lang), p.date_from),
        (ctranslate("revenue parameter", "To", lang), p.date_to),
        (ctranslate("revenue parameter", "By", lang), label(PERIOD, p.by, lang)),
        (ctranslate("revenue parameter", "Level", lang), p.level),
        (ctranslate("revenue parameter", "Basis", lang), label(REVENUE_BASIS, p.basis, lang)),
        (ctranslate("revenue parameter", "Tax", lang), label(TAX, p.tax, lang)),
        (ctranslate("revenue parameter", "As of", lang), p.as_of),
        (ctranslate("revenue parameter", "Control total", lang), cents_to_decimal(c.net)),
        (ctranslate("revenue parameter", "Lines", lang), c.lines),
        (ctranslate("revenue parameter", "Data hash (SHA-256)", lang), p.data_hash),
    ]
    main = ExportTable(
        sheet_name=sheet_title("Revenue", lang), title=describe(report, lang),
        columns=[ExportColumn(shown["code"], "text", 10), ExportColumn(shown["name"], "text", 30),
                 ExportColumn(shown["level"], "int", 6), *(ExportColumn(label, "cents", 14) for label in labels),
                 ExportColumn(shown["total"], "cents", 16),
                 *((ExportColumn(translate(h, lang), _EXPORT_KIND[kind], width) for h, kind, width in
                    CONTRIBUTION_COLUMNS) if report.contribution is not None else ())],
        rows=_wide_rows(report, shown, indent_with_spaces=False), parameters=parameters,
    )
    rec = report.reconciliation
    reconciliation = ExportTable(
        sheet_name=translate(N_("Reconciliation"), lang),
        title=translate(N_("Revenue that moved between the historical and the current category"), lang),
        columns=[ExportColumn(shown["customer"], "text", 12), ExportColumn(shown["customer_name"], "text", 28),
                 ExportColumn(shown["from"], "text", 12), ExportColumn(shown["from_name"], "text", 22),
                 ExportColumn(shown["to"], "text", 12), ExportColumn(shown["to_name"], "text", 22),
                 ExportColumn(shown["lines"], "int", 8), ExportColumn(shown["net"], "cents", 16),
                 ExportColumn(shown["first"], "date", 12), ExportColumn(shown["last"], "date", 12)],
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
            columns=[ExportColumn(shown["customer"], "text", 12), ExportColumn(shown["customer_name"], "text", 28),
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
