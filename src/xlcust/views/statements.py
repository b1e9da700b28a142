"""The statement workbook's layout (对账单): a summary sheet and a block per customer.

    fill_statement_workbook(workbook, statements, group)   # an xlsxwriter Workbook, not yet closed

A summary sheet (one row per customer, a total row and the tie to the aging), then one
sheet with a block per customer separated by manual page breaks, so one file prints
every statement of the category, each starting on its own page. Words come from the
catalog (`statement_words`); fonts, formats, widths and print setup from
templates/statement.toml. The figures are `xlcust.reports.statements`'; the files are
written by `xlcust.io.statements`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..i18n import translate
from ..money import format_money
from ..reports.statements import CategoryStatement, CustomerStatement, Statements
from .page import PageSetup
from .statement_words import KINDS, SHEETS, WORDS

if TYPE_CHECKING:
    from xlsxwriter.workbook import Format, Workbook
    from xlsxwriter.worksheet import Worksheet

TEMPLATE_NAME = "statement.toml"


# ------------------------------------------------------------------------ template


@dataclass(frozen=True)
class StatementTemplate:
    """templates/statement.toml, parsed; `lang` picks the words."""

    data: Mapping[str, Any]
    lang: str

    def word(self, key: str, **fill: object) -> str:
        """A statement word (`statement_words.WORDS`) in the statement's language."""
        return translate(WORDS[key], self.lang, **fill)

    def kind(self, kind: str | None) -> str:
        msgid = KINDS.get(kind or "")
        return translate(msgid, self.lang) if msgid else (kind or "")

    def sheet(self, key: str) -> str:
        return translate(SHEETS[key], self.lang)

    def bucket(self, label: str) -> str:
        """An aging bucket label (`Not due`, `1-30`, `>180`) in words."""
        if m := re.fullmatch(r"(\d+)-(\d+)", label):
            return self.word("bucket", low=m[1], high=m[2])
        if m := re.fullmatch(r">(\d+)", label):
            return self.word("beyond", days=m[1])
        return self.word("not_due") if label == "Not due" else label

    def print_text(self, key: str) -> str:
        """A header/footer layout from the template, its words (`{page}`) in the statement's language."""
        return self.data["print"][key].replace("{page}", self.word("page"))


def load_statement_template(lang: str = "en", name: str = TEMPLATE_NAME) -> StatementTemplate:
    """The statement template from the `xlcust.templates` package, for `lang` (en or zh)."""
    try:
        text = (resources.files("xlcust.templates") / name).read_text(encoding="utf-8")
    except ModuleNotFoundError:  # an editable install made before templates/ became a package
        text = (Path(__file__).resolve().parents[3] / "templates" / name).read_text(encoding="utf-8")
    return StatementTemplate(tomllib.loads(text), lang if lang in ("en", "zh") else "en")


def fill_statement_workbook(workbook: Workbook, statements: Statements, group: CategoryStatement,
                            only: CustomerStatement | None = None) -> None:
    """The summary sheet and the statement blocks (or only `only`'s block, without summary)."""
    tpl = load_statement_template(statements.language)
    ctx = _Context(workbook, tpl, statements, group)
    summary = None if only is not None else workbook.add_worksheet(tpl.sheet("summary"))
    sheet = workbook.add_worksheet(tpl.sheet("statements"))
    customers = (only,) if only is not None else group.customers
    starts = _write_blocks(ctx, sheet, customers)
    if summary is not None:
        _write_summary(ctx, summary, starts)
        summary.activate()
    workbook.set_properties({
        "title": " ".join((tpl.word("title"), group.category_code, group.category_name or "")).strip(),
        "subject": tpl.word("period", start=statements.start.isoformat(), end=statements.end.isoformat()),
        "author": tpl.data["workbook"]["author"], "company": statements.company_name,
    })


@dataclass
class _Context:
    workbook: Workbook
    template: StatementTemplate
    statements: Statements
    group: CategoryStatement
    _formats: dict[str, Format] = field(default_factory=dict)

    def fmt(self, name: str) -> Format:
        """A template format with the language's font, made once per workbook."""
        if name not in self._formats:
            font = self.template.data["font"][self.template.lang]
            self._formats[name] = self.workbook.add_format({**font, **self.template.data["formats"][name]})
        return self._formats[name]

    @cached_property
    def period(self) -> str:
        return self.template.word("period", start=self.statements.start.isoformat(),
                                  end=self.statements.end.isoformat())

    @cached_property
    def category_caption(self) -> str:
        return f"{self.group.category_code} {self.group.category_name}".strip()


def _yuan(cents: int) -> float:
    # Exact for every whole number of cents below 2**53; the cell format shows two places.
    return int(cents) / 100


def _date(value: object) -> dt.datetime:
    return pd.Timestamp(value).to_pydatetime()


def display_width(text: object) -> int:
    """Columns a text takes in a fixed-width view: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _fit_widths(sheet: Worksheet, spec: list[Mapping[str, int]], widest: list[int]) -> None:
    for j, (bounds, width) in enumerate(zip(spec, widest, strict=True)):
        sheet.set_column(j, j, max(bounds["min"], min(bounds["max"], width + 2)))


def _print_setup(ctx: _Context, sheet: Worksheet) -> None:
    setup = ctx.template.data["print"]
    fill = {"company": _amp(ctx.statements.company_name), "category": _amp(ctx.category_caption),
            "period": _amp(f"{ctx.statements.start.isoformat()} ~ {ctx.statements.end.isoformat()}")}
    margins = setup["margins"]
    sheet.set_paper(PageSetup(paper=ctx.statements.paper_size).paper_code)  # Settings paper_size
    sheet.set_portrait()
    sheet.fit_to_pages(setup["fit_width"], 0)
    sheet.set_margins(left=margins["left"], right=margins["right"], top=margins["top"], bottom=margins["bottom"])
    sheet.set_header(ctx.template.print_text("header").format(**fill), {"margin": margins["header"]})
    sheet.set_footer(ctx.template.print_text("footer").format(**fill), {"margin": margins["footer"]})
    sheet.hide_gridlines(2)
    sheet.center_horizontally()


def _amp(text: str) -> str:
    return text.replace("&", "&&")  # a lone & starts a header/footer code


# One statement block, as rows of a 7-column grid (A date … G balance).
_LAST = 6


def _write_blocks(ctx: _Context, sheet: Worksheet, customers: Iterable[CustomerStatement]) -> list[int]:
    """Every customer's block, each on a new page; returns the first row of each block."""
    starts: list[int] = []
    widest = [0] * (_LAST + 1)
    row = 0
    for customer in customers:
        starts.append(row)
        row = _write_block(ctx, sheet, row, customer, widest) + 2
    _fit_widths(sheet, ctx.template.data["columns"]["statement"], widest)
    sheet.set_h_pagebreaks(starts[1:])  # a break above each later block's first row
    _print_setup(ctx, sheet)
    return starts


def _write_block(ctx: _Context, sheet: Worksheet, top: int, c: CustomerStatement, widest: list[int]) -> int:
    """One customer's statement from row `top`; returns its last row. Widens `widest` as it writes."""
    tpl, s, fmt = ctx.template, ctx.statements, ctx.fmt

    def grow(col: int, text: object) -> None:
        widest[col] = max(widest[col], display_width(text))

    sheet.set_row(top, 24)
    sheet.merge_range(top, 0, top, _LAST, s.company_name, fmt("company"))
    sheet.merge_range(top + 1, 0, top + 1, _LAST, tpl.word("title"), fmt("title"))
    sheet.merge_range(top + 2, 0, top + 2, _LAST, ctx.period, fmt("period"))

    details = c.details
    pairs = (
        ("customer_code", c.customer_code, "tax_id", details.get("tax_id")),
        ("customer_name", c.name, "contact", details.get("contact")),
        ("address", details.get("address"), "phone", details.get("phone")),
        ("category", ctx.category_caption, "currency", s.currency),
        ("settlement_method", details.get("settlement_method"), "invoice_type", details.get("invoice_type")),
    )
    row = top + 4
    for left, left_value, right, right_value in pairs:
        sheet.write_string(row, 0, tpl.word(left), fmt("label"))
        sheet.merge_range(row, 1, row, 3, left_value or "", fmt("value"))
        sheet.write_string(row, 4, tpl.word(right), fmt("label"))
        sheet.merge_range(row, 5, row, _LAST, right_value or "", fmt("value"))
        grow(0, tpl.word(left))
        grow(4, tpl.word(right))
        row += 1

    row += 1
    headers = ("date", "txn_id", "kind", "memo", "debit", "credit", "balance")
    for j, key in enumerate(headers):
        sheet.write_string(row, j, tpl.word(key), fmt("header"))
        grow(j, tpl.word(key))
    row += 1
    sheet.write_datetime(row, 0, _date(s.start), fmt("date"))
    _blank(sheet, row, (1, 2, 4, 5), fmt("text"))
    sheet.write_string(row, 3, tpl.word("opening"), fmt("sub_text"))
    sheet.write_number(row, 6, _yuan(c.opening), fmt("sub_money"))
    grow(6, format_money(c.opening))
    row += 1
    for line in c.lines.itertuples(index=False):
        sheet.write_datetime(row, 0, _date(line.date), fmt("date"))
        sheet.write_string(row, 1, line.txn_id or "", fmt("text"))
        sheet.write_string(row, 2, tpl.kind(line.kind), fmt("text"))
        memo = "" if line.memo is None or pd.isna(line.memo) else str(line.memo)
        sheet.write_string(row, 3, memo, fmt("wrap"))
        for j, cents in ((4, line.debit), (5, line.credit)):
            if cents:
                sheet.write_number(row, j, _yuan(cents), fmt("money"))
            else:
                sheet.write_blank(row, j, None, fmt("money"))
        sheet.write_number(row, 6, _yuan(line.balance), fmt("money"))
        for j, value in ((1, line.txn_id or ""), (2, tpl.kind(line.kind)), (3, memo), (4, format_money(line.debit)),
                         (5, format_money(line.credit)), (6, format_money(line.balance))):
            grow(j, value)
        row += 1
    if c.lines.empty:
        _blank(sheet, row, (0, 1, 2, 4, 5, 6), fmt("text"))
        sheet.write_string(row, 3, tpl.word("no_lines"), fmt("wrap"))
        row += 1
    _blank(sheet, row, (0, 1, 2, 6), fmt("sub_text"))
    sheet.write_string(row, 3, tpl.word("period_total"), fmt("sub_text"))
    sheet.write_number(row, 4, _yuan(c.debits), fmt("sub_money"))
    sheet.write_number(row, 5, _yuan(c.credits), fmt("sub_money"))
    row += 1
    sheet.write_datetime(row, 0, _date(s.end), fmt("total_date"))
    _blank(sheet, row, (1, 2, 4, 5), fmt("total_text"))
    sheet.write_string(row, 3, tpl.word("closing"), fmt("total_text"))
    sheet.write_number(row, 6, _yuan(c.closing), fmt("total_money"))
    for j, value in ((4, format_money(c.debits)), (5, format_money(c.credits)), (6, format_money(c.closing))):
        grow(j, value)

    row = _write_aging_and_credit(ctx, sheet, row + 2, c)

    row += 1
    sheet.set_row(row, 30)
    sheet.merge_range(row, 0, row, _LAST, tpl.word("confirm"), fmt("note"))
    row += 2
    sheet.set_row(row, 24)
    sheet.merge_range(row, 0, row, 3, tpl.word("signature"), fmt("label"))
    sheet.merge_range(row, 4, row, _LAST, tpl.word("signed_on"), fmt("label"))
    return row


def _write_aging_and_credit(ctx: _Context, sheet: Worksheet, row: int, c: CustomerStatement) -> int:
    """Aging at the end date (columns A-D) beside the credit position (E-G); returns the last row."""
    tpl, fmt = ctx.template, ctx.fmt
    sheet.merge_range(row, 0, row, 3, tpl.word("aging", date=ctx.statements.end.isoformat()), fmt("section"))
    sheet.merge_range(row, 4, row, _LAST, tpl.word("credit_heading"), fmt("section"))
    aging: list[tuple[str, int, str, str]] = [
        (tpl.bucket(label), c.aging[label], "text", "money") for label in ctx.statements.bucket_labels
    ]
    aging.append((tpl.word("open_items"), c.open_amount, "sub_text", "sub_money"))
    if c.unapplied_credit:
        aging.append((tpl.word("unapplied"), -c.unapplied_credit, "text", "money"))
    aging.append((tpl.word("aging_balance"), c.open_amount - c.unapplied_credit, "sub_text", "sub_money"))
    limit = c.credit_limit
    credit: list[tuple[str, Callable[[int], None], str]] = [
        (tpl.word("credit_limit"), _money_or_text(sheet, limit, tpl.word("no_limit"), fmt("money"), fmt("text")),
         "text"),
        (tpl.word("closing"), _money_or_text(sheet, c.closing, "", fmt("money"), fmt("text")), "text"),
        (tpl.word("available"), _money_or_text(sheet, c.available_credit, tpl.word("no_limit"), fmt("sub_money"),
                                               fmt("sub_text")), "sub_text"),
    ]
    for i, (label, cents, label_fmt, money_fmt) in enumerate(aging):
        r = row + 1 + i
        sheet.merge_range(r, 0, r, 2, label, fmt(label_fmt))
        sheet.write_number(r, 3, _yuan(cents), fmt(money_fmt))
    for i, (label, write_value, label_fmt) in enumerate(credit):
        r = row + 1 + i
        sheet.merge_range(r, 4, r, 5, label, fmt(label_fmt))
        write_value(r)
    return row + max(len(aging), len(credit))


def _money_or_text(sheet: Worksheet, cents: int | None, missing: str, money: Format,
                   text: Format) -> Callable[[int], None]:
    """A writer of column G on a row: the amount, or `missing` when there is none."""
    def write(row: int) -> None:
        if cents is None:
            sheet.write_string(row, _LAST, missing, text)
        else:
            sheet.write_number(row, _LAST, _yuan(cents), money)
    return write


def _blank(sheet: Worksheet, row: int, cols: Iterable[int], fmt: Format) -> None:
    for j in cols:
        sheet.write_blank(row, j, None, fmt)


_SUMMARY_HEADER_ROW = 4


def _write_summary(ctx: _Context, sheet: Worksheet, starts: list[int]) -> None:
    """Customers of the category with opening, debits, credits and closing; total; the tie to the aging."""
    tpl, s, g, fmt = ctx.template, ctx.statements, ctx.group, ctx.fmt
    last = 5
    sheet.set_row(0, 24)
    sheet.merge_range(0, 0, 0, last, s.company_name, fmt("company"))
    sheet.merge_range(1, 0, 1, last, f"{tpl.word('summary_title')} — {ctx.category_caption}", fmt("title"))
    sheet.merge_range(2, 0, 2, last, ctx.period, fmt("period"))
    headers = ("customer_code", "customer_name", "opening", "debits", "credits", "closing")
    widest = [display_width(tpl.word(h)) for h in headers]
    for j, key in enumerate(headers):
        sheet.write_string(_SUMMARY_HEADER_ROW, j, tpl.word(key), fmt("header"))
    row = _SUMMARY_HEADER_ROW + 1
    target = tpl.sheet("statements").replace("'", "''")
    for c, start in zip(g.customers, starts, strict=True):
        sheet.write_url(row, 0, f"internal:'{target}'!A{start + 1}", fmt("link"), string=c.customer_code)
        sheet.write_string(row, 1, c.name, fmt("wrap"))
        figures = (c.opening, c.debits, c.credits, c.closing)
        for j, cents in enumerate(figures, start=2):
            sheet.write_number(row, j, _yuan(cents), fmt("money"))
        for j, value in enumerate((c.customer_code, c.name, *map(format_money, figures))):
            widest[j] = max(widest[j], display_width(value))
        row += 1
    sheet.merge_range(row, 0, row, 1, tpl.word("total"), fmt("total_text"))
    for j, cents in enumerate((g.opening, g.debits, g.credits, g.closing), start=2):
        sheet.write_number(row, j, _yuan(cents), fmt("total_money"))
    row += 2
    tie = tpl.word("tie_selected" if s.selected else "tie", date=s.end.isoformat())
    sheet.merge_range(row, 0, row, last - 1, tie, fmt("note"))
    sheet.write_number(row, last, _yuan(g.aging_balance), fmt("money"))
    _fit_widths(sheet, ctx.template.data["columns"]["summary"], widest)
    sheet.repeat_rows(0, _SUMMARY_HEADER_ROW)
    sheet.freeze_panes(_SUMMARY_HEADER_ROW + 1, 0)
    _print_setup(ctx, sheet)
