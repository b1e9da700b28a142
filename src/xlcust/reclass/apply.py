"""Record changes as an edit list: Customers cells, CategoryHistory periods, AuditLog rows.

    result = evaluate_rules(book, build_ledger(book, as_of))
    changes = diff(result, log.recorded())
    plan = plan_apply(book, result, changes)      # edits + audit rows; no file is touched here

Each host applies the plan its own way, with the AuditLog and Reclass sheets rewritten
in the same step: the file (`xlcust.io.reclass.apply_changes`, one atomic save) and
live Excel (`xlcust.excel.reclass_live`).

* Customers: the category cell of a customer a rule moved, the Tags cell of a customer
  whose tags changed (joined with ";"). Grades and flags are not written there.
* CategoryHistory: the open period of a moved customer gets Valid to = the as-of date,
  and a new open period starts that day (source = the rule id, or `manual` for a
  change the Customers sheet already had). Sources and notes are `Term`s and `Msg`s:
  the host writes them in the workbook's language (`views.edits.render_edits`), so a
  Chinese book reads 手工 / 导入 where an English one reads manual / import. A customer without history rows first gets
  a closed period for its old category, from its first transaction or opening date,
  so reports on a historical basis keep the old category for earlier dates.
* AuditLog: one row per change, after the rows already there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..audit import current_user
from ..edits import AppendRows, CellEdit
from ..errors import UsageError
from ..i18n import msg, term
from ..refs import parse_range
from ..schema import column_index, column_letter
from .audit import audit_rows, rules_hash
from .evaluate import Change, RuleResult

if TYPE_CHECKING:
    from ..book import Book, SheetTable


@dataclass(frozen=True)
class ApplyReport:
    changes: int
    customer_cells: int
    history_closed: int
    history_added: int
    audit_rows: int
    rules_hash: str
    written: bool


@dataclass(frozen=True)
class ApplyPlan:
    """What recording the changes writes: the user-sheet edits and the new AuditLog rows."""

    edits: list[CellEdit | AppendRows]
    audit_rows: list[tuple]  # AUDIT_COLUMNS order, appended after the rows already there
    customer_cells: int
    history_closed: int
    history_added: int
    rules_hash: str

    def report(self, changes: int, written: bool) -> ApplyReport:
        """The counts of this plan, as a command reports them."""
        return ApplyReport(changes, self.customer_cells, self.history_closed, self.history_added,
                           len(self.audit_rows), self.rules_hash, written)


def plan_apply(book: Book, result: RuleResult, changes: list[Change], *, now: dt.datetime | None = None,
               who: str | None = None) -> ApplyPlan:
    """The edits and audit rows that record `changes` (see the module docstring); empty when there are none."""
    digest = rules_hash(book)
    if not changes:
        return ApplyPlan([], [], 0, 0, 0, digest)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    who = who or current_user()
    edits: list[CellEdit | AppendRows] = []
    edits += customer_edits(book, changes)
    history_edits, closed, added = history_edit_plan(book, result, changes, now, who)
    edits += history_edits
    new_rows = audit_rows(changes, when=now, who=who, effective=result.as_of, digest=digest)
    cells = sum(1 for e in edits if isinstance(e, CellEdit) and e.sheet == book.customers.name)
    return ApplyPlan(edits, new_rows, cells, closed, added, digest)


def customer_edits(book: Book, changes: list[Change]) -> list[CellEdit]:
    """Customers cells (category, tags) that the changes rewrite; used by the file and live-Excel applies."""
    c = book.customers
    edits: list[CellEdit] = []
    final_tags: dict[tuple[str, int], str | None] = {}
    for ch in changes:
        if ch.customer_row is None:
            continue
        if ch.field == "category" and ch.rule_id is not None:
            edits.append(CellEdit(c.name, ch.customer_row, _letter(c, "category_code"), ch.new))
        elif ch.field == "tags":
            final_tags[(ch.customer_code, ch.customer_row)] = ch.new
    if final_tags:
        letter = c.columns.get("tags")
        if letter is None:
            raise UsageError(msg("rules change tags, but the {name} sheet has no Tags column: add one (header "
                                 "'Tags' or '标签') and run again", name=c.name))
        edits += [CellEdit(c.name, row, letter, tags) for (_, row), tags in final_tags.items()]
    return edits


def history_edit_plan(book: Book, result: RuleResult, changes: list[Change], now: dt.datetime,
                      who: str) -> tuple[list[CellEdit | AppendRows], int, int]:
    """CategoryHistory edits (close the open row, append the new one) and how many rows were closed/added."""
    moves = [ch for ch in changes if ch.field == "category"]
    position = {code: i for i, code in enumerate(result.customers["customer_code"])}
    needed = [ch for ch in moves if result.history_change[position[ch.customer_code]]]
    if not needed:
        return [], 0, 0
    h = book.history
    if not h.present:
        raise UsageError(msg("{count} category change(s) must be recorded in CategoryHistory, but the workbook has "
                             "no CategoryHistory sheet: run `xlcust check --write` (or `xlcust run`), which adds "
                             "it, and run again", count=len(needed)))
    for name in ("customer_code", "category_code", "valid_from", "valid_to"):
        _letter(h, name)
    as_of = result.as_of
    rules = {r.rule_id: r for r in result.ruleset.rules}
    edits: list[CellEdit | AppendRows] = []
    new_rows: list[dict[str, object]] = []
    closed = 0
    for ch in needed:
        i = position[ch.customer_code]
        state = result.history.iloc[i]
        if int(state["rows"]) > 0:
            edits.append(CellEdit(h.name, int(state["open_row"]), _letter(h, "valid_to"), as_of))
            closed += 1
        else:
            start = result.start[i]
            old = result.category_old[i]  # the category before the move: current, or remembered (xlcust.memory)
            if old is not None and not pd.isna(start) and pd.Timestamp(start).date() < as_of:
                new_rows.append({
                    "customer_code": ch.customer_code, "category_code": old,
                    "valid_from": pd.Timestamp(start).date(), "valid_to": as_of,
                    "source": term("history source", "import"), "changed_at": now, "changed_by": who,
                    "note": msg("Category before the first recorded change (from the first transaction or opening "
                                "date)"),
                })
        rule = rules.get(ch.rule_id) if ch.rule_id else None
        note = (rule.note or msg("xlcust reclassify: rule {rule}", rule=rule.rule_id)) if rule else msg(
            "Category changed on the {sheet} sheet, recorded by xlcust reclassify", sheet=book.customers.name)
        new_rows.append({
            "customer_code": ch.customer_code, "category_code": ch.new, "valid_from": as_of, "valid_to": None,
            "source": ch.rule_id or term("history source", "manual"), "changed_at": now, "changed_by": who,
            "note": note,
        })
    edits.append(_append(h, new_rows))
    return edits, closed, len(new_rows)


def _append(h: SheetTable, records: list[dict[str, object]]) -> AppendRows:
    """Rows laid out on the history sheet's columns (a Table's whole width, or the mapped columns)."""
    if h.table_ref:
        first, last = parse_range(h.table_ref)[1], parse_range(h.table_ref)[3]
    else:
        indices = [column_index(letter) for letter in h.columns.values()]
        first, last = min(indices), max(indices)
    rows = []
    for record in records:
        row: list[object] = [None] * (last - first + 1)
        for name, value in record.items():
            letter = h.columns.get(name)
            if letter is not None and first <= column_index(letter) <= last:
                row[column_index(letter) - first] = value
        rows.append(row)
    return AppendRows(h.name, h.table_name, rows, column_letter(first))


def _letter(t: SheetTable, name: str) -> str:
    letter = t.columns.get(name)
    if letter is None:
        label = t.spec.by_name[name].en
        raise UsageError(msg("the {name} sheet has no '{label}' column, which reclassify needs to write: add it and "
                             "run again", name=t.name, label=label))
    return letter
