"""`xlcust reclassify` on the console: what the Rules sheet changes, summary first.

A short list prints every change under its customer. A long one prints the count per
rule and field, then every category change (they move revenue between categories, so
each deserves a look), then the first other changes and how many are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console

from ...i18n import N_, translate
from . import LONG_LIST, Column, more_line, render_table

TOP_N = 20
# what a change sets, as the reader says it (Change.field is a code)
FIELD_LABELS = {"category": N_("category"), "tags": N_("tags"), "grade": N_("grade"), "flag": N_("flag")}
HISTORY_ONLY = N_("(history: the Customers sheet's category, not yet recorded)")


def print_changes(console: Console, changes: Sequence[Any], lang: str, *, all_rows: bool = False) -> None:
    """The changes (reclass.Change) grouped by customer; a long list is summarised first."""
    if all_rows or len(changes) <= LONG_LIST:
        _print_list(console, changes, lang)
        return
    counts = Counter((ch.rule_id or "", ch.field) for ch in changes)
    render_table(console, translate("Changes by rule", lang),
                 [Column(N_("Rule"), "code"), Column(N_("Field")), Column(N_("Changes"), "int")],
                 ((rule or translate(HISTORY_ONLY, lang), field_label(field, lang), n)
                  for (rule, field), n in sorted(counts.items())),
                 lang=lang, total=("", None, len(changes)))
    moves = [ch for ch in changes if ch.field == "category"]
    others = [ch for ch in changes if ch.field != "category"][:max(TOP_N - len(moves), 0)]
    shown = [ch for ch in changes if ch.field == "category" or ch in others]
    _print_list(console, shown, lang)
    if len(shown) < len(changes):
        console.print(more_line(len(changes) - len(shown), lang), markup=False, highlight=False)


def field_label(field: str, lang: str) -> str:
    """A change's field in the reader's words."""
    return translate(FIELD_LABELS.get(field, field), lang)


def _print_list(console: Console, changes: Sequence[Any], lang: str) -> None:
    customer = None
    for ch in changes:
        if ch.customer_code != customer:
            customer = ch.customer_code
            console.print(f"{ch.customer_code}  {ch.name or ''}", style="bold", markup=False, highlight=False)
        old = "—" if ch.old is None else ch.old
        new = "—" if ch.new is None else ch.new
        by = ch.rule_id or translate(HISTORY_ONLY, lang)
        when = "  " + translate("effective {date}", lang, date=ch.effective.isoformat()) if ch.effective else ""
        console.print(f"  {field_label(ch.field, lang):<9} {old} → {new}   {by}{when}", markup=False,
                      highlight=False)
