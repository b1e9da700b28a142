"""A customer selection (`xlcust.rules.query`) for people: headers, rows, the one-line description, the export
table (`xlcust.io.export` writes it).

Column headers are the rules language's own names — `balance`, `overdue_90_count` in
English, 余额, 逾期90天笔数 in Chinese — so what a user reads above a column is what
they type in a condition. Money is kept in exact cents for the export ("cents" columns).
"""

from __future__ import annotations

from ..i18n import N_, translate
from ..rules.metrics import BY_NAME, Metric, Type
from ..rules.query import Selection, plain
from .export import ExportColumn, ExportTable

_KIND = {Type.TEXT: "text", Type.DATE: "date", Type.BOOL: "text"}


def header(name: str, lang: str) -> str:
    """A column's header: the metric's rules-language name, Chinese in a Chinese book."""
    metric = BY_NAME["code" if name == "customer_code" else name]
    return metric.zh if lang == "zh" else metric.name


def column_kind(metric: Metric) -> str:
    """How the export writes a metric: money in cents, counts as whole numbers."""
    if metric.unit == "yuan":
        return "cents"
    if metric.type is Type.NUMBER:
        return "int" if metric.unit in ("count", "months") else "number"
    return _KIND[metric.type]


def rows(selection: Selection) -> list[list[object]]:
    """Code, then the shown columns; money as integer cents, blanks as None."""
    out = []
    for rec in selection.frame.to_dict("records"):
        row: list[object] = [rec["customer_code"]]
        for name in selection.columns:
            m = BY_NAME[name]
            value = plain(rec[name], m.type, m.unit)
            if value is not None and m.unit == "yuan":
                value = int(value * 100)  # type: ignore[operator]  # exact: plain gives whole cents
            elif value is not None and column_kind(m) == "int":
                value = round(float(value))  # type: ignore[arg-type]
            row.append(value)
        out.append(row)
    return out


def describe(selection: Selection, lang: str) -> str:
    """'3 of 40 customers match AND(…), as of 2026-09-30' (or 'All 40 customers …')."""
    as_of = str(selection.as_of)[:10]
    if selection.condition is None:
        return translate(N_("All {total} customers, as of {as_of}"), lang, total=selection.considered, as_of=as_of)
    return translate(N_("{n} of {total} customers match {condition}, as of {as_of}"), lang,
                     n=len(selection.frame), total=selection.considered, condition=selection.condition,
                     as_of=as_of)


def export_table(selection: Selection, lang: str, company: str = "") -> ExportTable:
    """The selection as one table with its parameters block (the condition, the date, the counts)."""
    parameters: list[tuple[str, object]] = [
        (translate(N_("Company"), lang), company),
        (translate(N_("Condition"), lang), selection.condition or ""),
        (translate(N_("As of"), lang), selection.as_of),
        (translate(N_("Customers matched"), lang), len(selection.frame)),
        (translate(N_("Customers on the sheet"), lang), selection.considered),
    ]
    columns = [ExportColumn(header("customer_code", lang), "text", 12)]
    for name in selection.columns:
        m = BY_NAME[name]
        columns.append(ExportColumn(header(name, lang), column_kind(m), 28 if name == "name" else None))
    return ExportTable(sheet_name=translate(N_("Selected customers"), lang)[:31], title=describe(selection, lang),
                       columns=columns, rows=rows(selection), parameters=parameters)
