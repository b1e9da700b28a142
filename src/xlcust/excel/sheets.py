"""Output sheets that only the live workbook writes (the headless commands write files instead).

`statements_sheet` lays the statements of `reports.statements.build_statements` out as one
sheet: per customer an opening row, its lines with the running balance, and a closing row
with credit limit and available credit. The printable per-category workbooks remain the
`xlcust statements` command's job.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..i18n import N_, term, translate
from ..money import format_money
from ..views.outputs import banner, columns, sheet_title
from ..views.sheet import OutputSheet

STATEMENT_COLUMNS = (
    (term("column header", "Category"), "text", 10),
    (term("column header", "Customer"), "text", 12),
    (term("column header", "Name"), "text", 28),
    (term("column header", "Date"), "date", 12),
    (term("column header", "Txn"), "text", 16),
    (term("column header", "Kind"), "text", 12),
    (term("column header", "Memo"), "text", 24),
    (term("column header", "Debit"), "cents", 15),
    (term("column header", "Credit"), "cents", 15),
    (term("column header", "Balance"), "cents", 15),
    (term("column header", "Credit limit"), "cents", 15),
    (term("column header", "Available"), "cents", 15),
)


def statements_sheet(result) -> OutputSheet:
    """The Statements sheet of a `Statements` result (money in int cents, as the sheet's kind says)."""
    lang = result.language
    opening_word, closing_word = translate(N_("Opening balance"), lang), translate(N_("Closing balance"), lang)

    def rows() -> Iterable[tuple]:
        for group in result.categories:
            for c in group.customers:
                yield (c.category_code, c.customer_code, c.name, result.start, None, None, opening_word,
                       None, None, c.opening, None, None)
                for line in c.lines.itertuples(index=False):
                    yield (c.category_code, c.customer_code, c.name, line.date.date(), line.txn_id, line.kind,
                           line.memo, int(line.debit) or None, int(line.credit) or None, int(line.balance), None,
                           None)
                yield (c.category_code, c.customer_code, c.name, result.end, None, None, closing_word,
                       c.debits, c.credits, c.closing, c.credit_limit, c.available_credit)

    closing = sum(g.closing for g in result.categories)
    what = translate(N_("Statements {start} to {end}: closing balances {total}"), lang,
                     start=result.start.isoformat(), end=result.end.isoformat(), total=format_money(closing))
    return OutputSheet(sheet_title("Statements", lang), columns(lang, STATEMENT_COLUMNS), rows(),
                       title=banner(what, lang), tab_color="2E75B6")
