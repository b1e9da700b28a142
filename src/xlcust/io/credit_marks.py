"""Credit control while an invoice is typed: native conditional formats over the Transactions sheet.

Formulas only, so the marks work in Excel (desktop, web) and LibreOffice without Python.
On an invoice row (kind `invoice` / 发票) the Amount cell is coloured:

    balance  = SUMIFS of Amount over the customer's rows from the top down to this row,
               invoices, openings and adjustments (English or Chinese word) up, receipts and
               credit notes down — the same figure `xlcust.credit.typed` computes
    limit    = the customer's Credit limit, else its category's, else each ancestor's (the
               coding scheme's levels, longest first), else Settings default_credit_limit;
               no limit anywhere: no mark
    red      balance > limit
    amber    not red, balance > 0 and balance ≥ Settings credit_near_limit × limit (90 % when unreadable)

Lookups use whole columns (Customers, Categories, Settings), so they follow the Tables as
they grow; conditional formats cannot use structured references. Kind words other than
the two drop-down spellings are not summed here (the checks read them all).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..schema import CATEGORIES, CUSTOMERS, KIND_ZH, SETTINGS, TRANSACTIONS, Sheet, column_letter

UP = ("invoice", "opening", "adjustment")
DOWN = ("credit_note", "receipt")
RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}


def _col(sheet: Sheet, field: str) -> str:
    return column_letter([c.name for c in sheet.columns].index(field))


def _quote(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


class MarkFormulas:
    """The formulas for one workbook layout: sheet names (in the workbook's language) and the coding scheme."""

    def __init__(self, names: dict[str, str], scheme: Sequence[int], first_row: int = 2) -> None:
        self.names = {key: _quote(name) for key, name in names.items()}
        self.first_row = first_row
        lengths, total = [], 0
        for n in scheme:
            total += n
            lengths.append(total)
        self.ancestor_lengths = sorted(lengths[:-1], reverse=True)

    def _whole(self, sheet: Sheet, field: str) -> str:
        letter = _col(sheet, field)
        return f"{self.names[sheet.key]}!${letter}:${letter}"

    def balance(self, row: int) -> str:
        """The customer's balance from the first data row down to `row` (signed by kind)."""
        t, top = TRANSACTIONS, self.first_row
        amount, customer, kind = (_col(t, f) for f in ("amount", "customer_code", "kind"))

        def sumifs(word: str) -> str:
            return (f'SUMIFS(${amount}${top}:${amount}{row},${customer}${top}:${customer}{row},${customer}{row},'
                    f'${kind}${top}:${kind}{row},"{word}")')

        up = "+".join(sumifs(w) for k in UP for w in (k, KIND_ZH[k]))
        down = "-".join(sumifs(w) for k in DOWN for w in (k, KIND_ZH[k]))
        return f"({up}-{down})"

    def limit(self, row: int) -> str:
        """The resolved credit limit, or "" for none."""
        c, k, s = CUSTOMERS, CATEGORIES, SETTINGS
        code = f"${_col(TRANSACTIONS, 'customer_code')}{row}"
        at = f"MATCH({code},{self._whole(c, 'code')},0)"
        own = f"IFERROR(INDEX({self._whole(c, 'credit_limit')},{at}),\"\")"
        category = f"IFERROR(INDEX({self._whole(c, 'category_code')},{at}),\"\")"

        def of(code_expr: str) -> str:
            limits, codes = self._whole(k, "credit_limit"), self._whole(k, "code")
            return f"IFERROR(INDEX({limits},MATCH({code_expr},{codes},0)),\"\")"

        default = (f"IFERROR(INDEX({self._whole(s, 'value')},MATCH(\"default_credit_limit\","
                   f"{self._whole(s, 'key')},0)),\"\")")
        chain = default
        for n in self.ancestor_lengths[::-1]:  # built inside out: the shortest ancestor is the last resort
            chain = f"IF({of(f'LEFT({category},{n})')}&\"\"<>\"\",{of(f'LEFT({category},{n})')},{chain})"
        chain = f"IF({of(category)}&\"\"<>\"\",{of(category)},{chain})"
        return f"IF({own}&\"\"<>\"\",{own},{chain})"

    def near_share(self) -> str:
        s = SETTINGS
        value = f"VALUE(INDEX({self._whole(s, 'value')},MATCH(\"credit_near_limit\",{self._whole(s, 'key')},0))&\"\")"
        return f"IFERROR(IF({value}>1,{value}/100,{value}),0.9)"

    def _invoice(self, row: int) -> str:
        kind = f"${_col(TRANSACTIONS, 'kind')}{row}"
        return f'OR({kind}="invoice",{kind}="{KIND_ZH["invoice"]}")'

    def over(self, row: int | None = None) -> str:
        """TRUE on an invoice row that takes the customer over its limit."""
        row = row or self.first_row
        limit = self.limit(row)
        # IF, not AND: IF evaluates only the branch it takes (in Excel and LibreOffice), so rows that are
        # not invoices, and customers without a limit, never run the SUMIFS.
        return f'IF({self._invoice(row)},IF({limit}&""="",FALSE,{self.balance(row)}>N({limit})),FALSE)'

    def near(self, row: int | None = None) -> str:
        """TRUE on an invoice row within the near-limit band (not over)."""
        row = row or self.first_row
        limit, balance = self.limit(row), self.balance(row)
        # Not over: the red rule comes first and stops; a balance ≤ 0 is never near (a limit of 0).
        return (f'IF({self._invoice(row)},IF({limit}&""="",FALSE,'
                f'{balance}>=MAX({self.near_share()}*N({limit}),0.01)),FALSE)')



def add_credit_marks(worksheet, workbook, formulas: MarkFormulas, last_row: int) -> None:
    """The two conditional formats on an XlsxWriter worksheet (the Transactions sheet), rows 2…last_row.

    Only the Amount cells carry them: a spreadsheet evaluates a conditional format once per cell, and
    the running SUMIFS are the costly part (marking whole rows made LibreOffice eight times slower).
    """
    amount = _col(TRANSACTIONS, "amount")
    cells = f"{amount}{formulas.first_row}:{amount}{last_row}"
    worksheet.conditional_format(cells, {"type": "formula", "criteria": "=" + formulas.over(),
                                         "format": workbook.add_format(RED), "stop_if_true": True})
    worksheet.conditional_format(cells, {"type": "formula", "criteria": "=" + formulas.near(),
                                         "format": workbook.add_format(AMBER)})
