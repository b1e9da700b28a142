"""The report commands' console views: aging, settlement, credit grades, revenue.

Each takes the core's result (frames in integer cents) and a rich Console and prints
tables through `render_table`: names beside codes, a total row taken from the
report's own totals, and — for lists longer than `LONG_LIST` rows — a summary first
and the largest items, with the full list behind `--all` (or `--json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from rich.console import Console

from ...i18n import N_, Msg, translate
from ...ledger import AgingReport
from . import LONG_LIST, Column, more_line, render_table

TOP_N = 20  # largest items shown under a summary
NO_CATEGORY = N_("(no category)")


def _indented(name: object, level: object) -> str:
    depth = 0 if level is None or pd.isna(level) else int(level) - 1  # type: ignore[arg-type]
    return "  " * depth + ("" if name is None or pd.isna(name) else str(name))  # type: ignore[arg-type]


def category_label(code: object, name: object, level: object, lang: str) -> str:
    """A category's name indented by its level; the uncategorised row says so."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):  # type: ignore[arg-type]
        return translate(NO_CATEGORY, lang)
    return _indented(name, level)


# ------------------------------------------------------------------------ aging


def print_aging(console: Console, report: AgingReport, lang: str) -> None:
    """Open items by bucket per category (rolled up, names indented), with the total row."""
    labels = list(report.labels)
    columns = [Column(N_("Category code"), "code", key=True), Column(N_("Category name"), key=True),
               *(Column(label, "money") for label in labels),
               Column(N_("Unapplied credit"), "money"), Column(N_("Balance"), "money")]
    rows = [(rec["category_code"] or "", category_label(rec["category_code"], rec["name"], rec["level"], lang),
             *(rec[label] for label in labels), rec["unapplied_credit"], rec["balance"])
            for rec in report.by_category.to_dict("records")]
    total = report.total
    basis = translate(N_("due date") if report.basis == "due" else N_("invoice date"), lang)
    title = translate("Aging by category as of {as_of} (aged from the {basis})", lang,
                      as_of=report.as_of.isoformat(), basis=basis)
    render_table(console, title, columns, rows, lang=lang,
                 total=("", None, *(total[label] for label in labels), total["unapplied_credit"], total["balance"]))


# ------------------------------------------------------------------- settlement


def print_settlement(console: Console, frame: pd.DataFrame, names: Mapping[str, str], as_of: str, lang: str, *,
                     all_rows: bool = False) -> None:
    """Per invoice: settled on, days, days late, open amount. A long list shows its summary
    (settled in full / partly / not at all) and the largest open items first."""
    columns = [Column(N_("Document"), "code", key=True), Column(N_("Customer code"), "code"),
               Column(N_("Customer name"), key=True), Column(N_("Date"), "date"), Column(N_("Due date"), "date"),
               Column(N_("Amount"), "money"), Column(N_("Settled on"), "date"), Column(N_("Days to settle"), "int"),
               Column(N_("Days late"), "int"), Column(N_("Open amount"), "money")]
    title = translate("Settlement as of {as_of} ({n} items)", lang, as_of=as_of, n=f"{len(frame):,}")
    total = ("", "", None, None, None, int(frame["amount"].sum()), None, None, None, int(frame["open_amount"].sum()))
    if all_rows or len(frame) <= LONG_LIST:
        render_table(console, title, columns, _settlement_rows(frame, names), lang=lang, total=total)
        return
    _settlement_summary(console, frame, title, lang)
    open_items = frame[frame["open_amount"] > 0].sort_values(["open_amount", "txn_id"], ascending=[False, True])
    top = open_items.head(TOP_N)
    when = pd.Timestamp(as_of)
    brief = [Column(N_("Document"), "code", key=True), Column(N_("Customer code"), "code"),
             Column(N_("Customer name"), key=True), Column(N_("Due date"), "date"), Column(N_("Days overdue"), "int"),
             Column(N_("Open amount"), "money")]
    render_table(console, translate("Largest open items ({n} of {count})", lang, n=len(top),
                                    count=f"{len(open_items):,}"),
                 brief, ((r.txn_id, r.customer_code, names.get(r.customer_code, ""), r.due_date,
                          _days_overdue(r.due_date, when), r.open_amount)
                         for r in top.itertuples(index=False)), lang=lang)
    console.print(more_line(len(frame) - len(top), lang), markup=False, highlight=False)


def _days_overdue(due: object, when: pd.Timestamp) -> int | None:
    if due is None or pd.isna(due):  # type: ignore[arg-type]
        return None
    days = (when - pd.Timestamp(due)).days  # type: ignore[arg-type]
    return days if days > 0 else None


def _settlement_rows(frame: pd.DataFrame, names: Mapping[str, str]):
    for r in frame.itertuples(index=False):
        yield (r.txn_id, r.customer_code, names.get(r.customer_code, ""), r.date, r.due_date, r.amount,
               r.settled_on, r.days_to_settle, r.days_late if r.days_late else None, r.open_amount)


def _settlement_summary(console: Console, frame: pd.DataFrame, title: str, lang: str) -> None:
    open_amount = frame["open_amount"]
    settled = open_amount == 0
    partly = (open_amount > 0) & (open_amount < frame["amount"])
    # the three groups split every item exactly once, so their rows add up to the total row
    groups = [(N_("Settled in full"), settled), (N_("Partly settled"), partly),
              (N_("Not settled"), ~(settled | partly))]
    columns = [Column(N_("Status")), Column(N_("Items"), "int"), Column(N_("Amount"), "money"),
               Column(N_("Open amount"), "money")]
    rows = [(translate(label, lang), int(mask.sum()), int(frame.loc[mask, "amount"].sum()),
             int(frame.loc[mask, "open_amount"].sum())) for label, mask in groups]
    render_table(console, title, columns, rows, lang=lang,
                 total=(None, len(frame), int(frame["amount"].sum()), int(open_amount.sum())))


# ----------------------------------------------------------------------- grades


def print_grades(console: Console, frame: pd.DataFrame, warnings: pd.DataFrame, as_of: str, grades: tuple[str, ...],
                 lang: str, *, all_rows: bool = False, category_names: Mapping[str, str] | None = None) -> None:
    """Grade distribution with exposure, then the largest exposures (or every customer with
    --all), then the early warnings (by code, or every one with --all; a warning about a
    category shows the category's name from `category_names`)."""
    columns = [Column(N_("Grade"), "code"), Column(N_("Customers"), "int"), Column(N_("Share"), "percent"),
               Column(N_("Net sales 12m"), "money"), Column(N_("Exposure"), "money"),
               Column(N_("Overdue"), "money")]
    rows = []
    for grade in grades:
        part = frame[frame["grade"] == grade]
        rows.append((grade, len(part), len(part) / len(frame) if len(frame) else None, int(part["revenue_12m"].sum()),
                     int(part["exposure"].sum()), int(part["overdue_amount"].sum())))
    render_table(console, translate("Credit grades as of {as_of} ({n} customers)", lang, as_of=as_of,
                                    n=f"{len(frame):,}"),
                 columns, rows, lang=lang,
                 total=(None, len(frame), 1.0 if len(frame) else None, int(frame["revenue_12m"].sum()),
                        int(frame["exposure"].sum()), int(frame["overdue_amount"].sum())))
    brief = [Column(N_("Customer code"), "code", key=True), Column(N_("Customer name"), key=True),
             Column(N_("Grade"), "code"), Column(N_("Score"), "number"), Column(N_("Exposure"), "money"),
             Column(N_("Credit limit"), "money"), Column(N_("Limit"), "text")]
    full = [*brief[:4], Column(N_("Scale"), "number"), Column(N_("Payment"), "number"),
            Column(N_("Stability"), "number"), Column(N_("Risk"), "number"), Column(N_("Net sales 12m"), "money"),
            *brief[4:]]
    if all_rows or len(frame) <= LONG_LIST:
        shown = frame
        title = translate("Every customer's grade ({n})", lang, n=f"{len(frame):,}")
        render_table(console, title, full, (
            (code, r.name, r.grade, r.score, r.scale, r.payment, r.stability, r.risk, r.revenue_12m, r.exposure,
             r.credit_limit, _limit_flag(r, lang))
            for code, r in zip(shown.index, shown.itertuples(index=False), strict=True)), lang=lang)
    else:
        shown = frame.sort_values(["exposure", "score"], ascending=[False, True]).head(TOP_N)
        title = translate("Largest exposures ({n} of {count} customers)", lang, n=len(shown),
                          count=f"{len(frame):,}")
        render_table(console, title, brief, (
            (code, r.name, r.grade, r.score, r.exposure, r.credit_limit, _limit_flag(r, lang))
            for code, r in zip(shown.index, shown.itertuples(index=False), strict=True)), lang=lang)
    if len(shown) < len(frame):
        console.print(more_line(len(frame) - len(shown), lang), markup=False, highlight=False)
    _print_warnings(console, warnings, lang, all_rows=all_rows, category_names=category_names or {})


def _limit_flag(r: Any, lang: str) -> str:
    if getattr(r, "over_limit", False) is True:
        return translate("over the limit", lang)
    if getattr(r, "near_limit", False) is True:
        return translate("near the limit", lang)
    return ""


def warning_text(record: Mapping[str, Any], lang: str) -> str:
    """An early warning's evidence in `lang` (a Msg is rendered; older frames carry message_zh)."""
    message = record.get("message")
    if isinstance(message, Msg):
        return message.render(lang)
    if lang == "zh" and record.get("message_zh"):
        return str(record["message_zh"])
    return "" if message is None else str(message)


def level_label(level: object, lang: str) -> str:
    """A warning's level (red / yellow) as the reader says it; blank when the frame has none."""
    from ...credit.warnings import LEVEL_LABELS

    return translate(LEVEL_LABELS[level], lang) if level in LEVEL_LABELS else ""


def _print_warnings(console: Console, warnings: pd.DataFrame, lang: str, *, all_rows: bool,
                    category_names: Mapping[str, str]) -> None:
    if not len(warnings):
        return
    from ..levels import level_order

    if "level" in warnings.columns:  # red alerts first (xlcust.credit.warnings, Levels)
        warnings = warnings.iloc[level_order(warnings["level"].tolist())]
    records = warnings.to_dict("records")
    title = translate("Early warnings ({n})", lang, n=f"{len(records):,}")
    if all_rows or len(records) <= LONG_LIST:
        render_table(console, title,
                     [Column(N_("Warning"), "code", key=True), Column(N_("Level")),
                      Column(N_("Customer or category"), "code", key=True), Column(N_("Name")),
                      Column(N_("Evidence"))],
                     ((w["code"], level_label(w.get("level"), lang), w.get("customer_code") or w.get("category_code"),
                       w.get("customer_name") or category_names.get(w.get("category_code") or "", ""),
                       warning_text(w, lang)) for w in records), lang=lang)
        return
    levels = warnings["level"] if "level" in warnings else pd.Series([""] * len(warnings))
    counts = pd.DataFrame({"code": warnings["code"], "level": levels}).value_counts(sort=False)
    render_table(console, title, [Column(N_("Warning"), "code"), Column(N_("Level")), Column(N_("Count"), "int")],
                 ((code, level_label(level, lang), int(n)) for (code, level), n in counts.sort_index().items()),
                 lang=lang, total=(None, "", len(records)))
    console.print(more_line(len(records), lang), markup=False, highlight=False)


# ---------------------------------------------------------------------- revenue


def print_revenue(console: Console, report: Any, lang: str) -> None:
    """Net sales per category (names indented by level) × period, with the control total row."""
    p = report.parameters
    wide = report.wide()
    labels = report.totals["period"].tolist()
    columns = [Column(N_("Category code"), "code", key=True), Column(N_("Category name"), key=True),
               *(Column(str(label), "money") for label in labels), Column(N_("Total"), "money")]
    rows = [(rec["category_code"] or "", category_label(rec["category_code"], rec["name"], rec["level"], lang),
             *(rec[label] for label in labels), rec["total"]) for rec in wide.to_dict("records")]
    totals = report.totals["net_sales"]
    basis = translate(N_("historical basis") if p.basis == "historical" else N_("current basis"), lang)
    tax = translate(N_("tax included") if p.tax == "included" else N_("tax excluded"), lang)
    title = translate("Revenue by category, {start} to {end} ({basis}, {tax})", lang, start=p.date_from.isoformat(),
                      end=p.date_to.isoformat(), basis=basis, tax=tax)
    render_table(console, title, columns, rows, lang=lang,
                 total=("", None, *(int(v) for v in totals), int(report.control.net)))
