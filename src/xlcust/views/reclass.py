"""The Reclass output sheet: the rules' diff, one row per change, linked to the cells behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..i18n import N_, term, translate
from ..reclass.evaluate import Change
from .labels import FIELD, label
from .outputs import banner, columns, sheet_title
from .sheet import OutputSheet

if TYPE_CHECKING:
    from ..book import Book

RECLASS_COLUMNS = (
    (term("column header", "Customer"), "link", 12),
    (term("column header", "Name"), "text", 28),
    (term("column header", "Field"), "text", 10),
    (term("column header", "Old"), "text", 24),
    (term("column header", "New"), "text", 24),
    (term("column header", "Rule"), "link", 9),
    (term("column header", "Rule note"), "text", 32),
    (term("column header", "Effective"), "date", 12),
)


def reclass_sheet(changes: Sequence[Change], lang: str, *, book: Book | None = None, as_of: dt.date | None = None,
                  applied: bool = False) -> OutputSheet:
    """Reclass: the changes (proposed, or `applied`), linked to Customers and Rules rows when `book` is given.

    A change with no rule records a category the Customers sheet already had but the
    history did not; a grade or flag whose New is blank is an override or flag that
    no rule raises any more.
    """
    customer_link = rule_link = None
    notes: dict[str, str] = {}
    rule_rows: dict[str, int] = {}
    if book is not None:
        c, r = book.customers, book.rules
        if c.present:
            customer_link = (c.name, c.columns.get("code", "A"))
        if r.present and "rule_id" in r.data.columns:
            rule_link = (r.name, r.columns.get("rule_id", "A"))
            for row, rid, note in zip(r.data.index, r.data["rule_id"], r.data.get("note", [None] * len(r.data)),
                                      strict=True):
                if rid is not None and rid not in rule_rows:
                    rule_rows[rid] = int(row)
                    notes[rid] = note or ""

    def rows() -> Iterable[tuple]:
        for ch in changes:
            customer: object = ch.customer_code
            if customer_link and ch.customer_row:
                customer = (ch.customer_code, f"'{customer_link[0]}'!{customer_link[1]}{ch.customer_row}")
            rule: object = ch.rule_id or translate(N_("(history)"), lang)
            if ch.rule_id and rule_link and ch.rule_id in rule_rows:
                rule = (ch.rule_id, f"'{rule_link[0]}'!{rule_link[1]}{rule_rows[ch.rule_id]}")
            field = label(FIELD, ch.field, lang)
            yield (customer, ch.name, field, ch.old, ch.new, rule, notes.get(ch.rule_id or "", ""), ch.effective)

    n_customers = len({ch.customer_code for ch in changes})
    what = translate(N_("Reclass (applied): {changes} change(s) for {customers} customer(s)") if applied else
                     N_("Reclass (proposed, not applied): {changes} change(s) for {customers} customer(s)"), lang,
                     changes=len(changes), customers=n_customers)
    return OutputSheet(sheet_title("Reclass", lang), columns(lang, RECLASS_COLUMNS), rows(),
                       title=banner(what, lang, as_of), tab_color="4472C4" if applied else "FFC000")
