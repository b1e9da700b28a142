"""The Rules sheet compiled: rules in evaluation order, and findings on the cells that are wrong.

Order: by Priority (smaller first; a blank priority after every numbered one), then
by row. A blank Active cell means active. A rule whose id, priority, active flag,
condition or action is unusable is reported on that cell and does not run; so does
the second of two rows with the same id. An inactive rule is compiled too, and a
problem in it is a note (RUL_INACTIVE_INVALID), not an error: switching it on later
should not be a surprise, switching it off should silence it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..codes import CategoryTree
from ..findings import Finding, error, info, warning
from ..i18n import msg
from . import metrics as metrics_module
from .actions import Action, ActionKind, compile_action
from .compiler import Context, Expr, compile_condition
from .syntax import RuleError, parse_condition

if TYPE_CHECKING:
    from ..book import Book, SheetTable


@dataclass(frozen=True)
class Rule:
    """One row of the Rules sheet, compiled (condition / action None when they failed)."""

    rule_id: str
    row: int
    priority: int | None
    when: str
    then: str
    active: bool
    note: str | None = None
    condition: Expr | None = None
    action: Action | None = None
    metrics: frozenset[str] = frozenset()

    @property
    def runnable(self) -> bool:
        return self.active and self.condition is not None and self.action is not None


@dataclass
class RuleSet:
    rules: list[Rule]  # every row with a usable id, priority and active flag, in evaluation order
    row_findings: list[Finding] = field(default_factory=list)  # ids, priorities, Active cells
    text_findings: list[Finding] = field(default_factory=list)  # conditions and actions

    @property
    def findings(self) -> list[Finding]:
        return [*self.row_findings, *self.text_findings]

    @property
    def runnable(self) -> list[Rule]:
        return [r for r in self.rules if r.runnable]

    @property
    def metrics(self) -> set[str]:
        return set().union(*(r.metrics for r in self.runnable)) if self.runnable else set()


@dataclass(frozen=True)
class _Row:
    row: int
    rule_id: str
    priority: int | None
    active: bool
    when: str | None
    then: str | None
    note: str | None


def rule_rows(book: Book) -> tuple[list[_Row], list[Finding]]:
    """Rows with a usable id, priority and active flag; findings for the others."""
    t = book.rules
    if not t.present or "rule_id" not in t.data.columns:
        return [], []
    d = t.data
    bad_priority = _status_rows(t, "priority", "bad")
    bad_active = _status_rows(t, "active", "bad", "error_value")
    rows: list[_Row] = []
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for excel_row, rec in zip(d.index, d.to_dict("records"), strict=True):
        rid = _text(rec.get("rule_id"))
        when, then = _text(rec.get("when")), _text(rec.get("then"))
        if rid is None:
            if when is None and then is None:
                continue
            findings.append(error("RUL_ID_MISSING", t.name, msg("The rule has no Rule ID, so it cannot run or be "
                                                                "cited in the AuditLog"),
                                  **t.where("rule_id", excel_row),
                                  suggestion=msg("Type a short unique id such as R07")))
            continue
        if rid in seen:
            findings.append(error("RUL_ID_DUPLICATE", t.name,
                                  msg("Rule ID '{rule}' is used on row {first} too; this row does not run",
                                      rule=rid, first=seen[rid]), **t.where("rule_id", excel_row), value=rid,
                                  suggestion=msg("Give every rule its own id")))
            continue
        seen[rid] = int(excel_row)
        if excel_row in bad_priority:
            findings.append(error("RUL_PRIORITY_INVALID", t.name,
                                  msg("Priority '{value}' of rule {rule} is not a whole number, so its place in the "
                                      "order is unknown", value=_raw(t, "priority", excel_row), rule=rid),
                                  **t.where("priority", excel_row), value=_raw(t, "priority", excel_row),
                                  suggestion=msg("Type a whole number (smaller runs first), or leave it blank to "
                                                 "run after the numbered rules")))
            continue
        if excel_row in bad_active:
            findings.append(error("RUL_ACTIVE_INVALID", t.name,
                                  msg("Active '{value}' of rule {rule} is not yes or no",
                                      value=_raw(t, "active", excel_row), rule=rid),
                                  **t.where("active", excel_row), value=_raw(t, "active", excel_row),
                                  suggestion=msg("Type TRUE or FALSE (是/否), or leave it blank for active")))
            continue
        priority = rec.get("priority")
        active = rec.get("active")
        rows.append(_Row(int(excel_row), rid, None if priority is None or pd.isna(priority) else int(priority),
                         True if active is None or pd.isna(active) else bool(active), when, then,
                         _text(rec.get("note"))))
    rows.sort(key=lambda r: (r.priority is None, r.priority or 0, r.row))
    return rows, findings


def compile_rules(book: Book, *, credit: bool | None = None) -> RuleSet:
    """Every rule of the Rules sheet compiled against the book's categories, with findings."""
    rows, row_findings = rule_rows(book)
    findings: list[Finding] = []
    if credit is None:
        credit = metrics_module.credit_installed()
    t = book.rules
    tree = CategoryTree.from_book(book)
    inactive = _inactive_categories(book)
    errors_in = set(_status_rows(t, "when", "error_value")) | set(_status_rows(t, "then", "error_value"))
    rules: list[Rule] = []
    for r in rows:
        problems: list[Finding] = []
        condition = action = None
        used: frozenset[str] = frozenset()
        if r.row in errors_in:
            for name in ("when", "then"):
                if r.row in _status_rows(t, name, "error_value"):
                    problems.append(error(
                        "RUL_ERROR_VALUE", t.name,
                        msg("The {column} cell of rule {rule} holds the Excel error {value}: Excel took it for a "
                            "formula", column=t.spec.by_name[name], rule=r.rule_id, value=_raw(t, name, r.row)),
                        **t.where(name, r.row), value=_raw(t, name, r.row),
                        suggestion=msg("Type the rule without a leading '=' (or start the cell with an apostrophe ')")))
        else:
            if r.when is None:
                problems.append(error("RUL_WHEN_MISSING", t.name, msg("Rule {rule} has no condition", rule=r.rule_id),
                                      **t.where("when", r.row),
                                      suggestion=msg("Type a condition such as months_since_last_txn >= 12, or TRUE "
                                                     "for every customer")))
            else:
                try:
                    ctx = Context(r.when, credit)
                    condition = compile_condition(parse_condition(r.when), ctx)
                    used = frozenset(ctx.metrics)
                except RuleError as exc:
                    problems.append(_finding(t, r, "when", exc))
            if r.then is None:
                problems.append(error("RUL_THEN_MISSING", t.name, msg("Rule {rule} has no action", rule=r.rule_id),
                                      **t.where("then", r.row),
                                      suggestion=msg('Type an action such as tag + "催收"')))
            else:
                try:
                    action = compile_action(r.then, tree)
                except RuleError as exc:
                    problems.append(_finding(t, r, "then", exc))
        if r.active:
            findings.extend(problems)
            if action is not None and action.kind is ActionKind.CATEGORY and action.value in inactive:
                findings.append(warning(
                    "RUL_CATEGORY_INACTIVE", t.name,
                    msg("Rule {rule} moves customers to category '{category}', which is marked inactive",
                        rule=r.rule_id, category=action.value), **t.where("then", r.row), value=r.then,
                    suggestion=msg("Activate the category, or choose an active one")))
        else:
            findings.extend(info("RUL_INACTIVE_INVALID", f.sheet,
                                 msg("Inactive rule {rule}: {problem}", rule=r.rule_id, problem=f.text or f.message),
                                 row=f.row, column=f.column, field=f.field, value=f.value,
                                 suggestion=f.fix or f.suggestion) for f in problems)
        rules.append(Rule(r.rule_id, r.row, r.priority, r.when or "", r.then or "", r.active, r.note,
                          condition, action, used))
    return RuleSet(rules, row_findings, findings)


def _finding(t: SheetTable, r: _Row, field_name: str, exc: RuleError) -> Finding:
    text = (r.when if field_name == "when" else r.then) or ""
    if exc.pos is None:
        message = msg("Rule {rule}: {problem}", rule=r.rule_id, problem=exc.text or exc.message)
    else:
        message = msg("Rule {rule}, character {at} of {length}: {problem}", rule=r.rule_id,
                      at=min(exc.pos, len(text)) + 1, length=len(text), problem=exc.text or exc.message)
    return error(exc.code, t.name, message, **t.where(field_name, r.row),
                 value=text if len(text) <= 200 else text[:199] + "…", suggestion=exc.fix or exc.suggestion)


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    s = str(value).strip()
    return s or None


def _status_rows(t: SheetTable, field_name: str, *words: str) -> set[int]:
    s = t.status.get(field_name)
    if s is None or not len(s):
        return set()
    return {int(r) for r in s.index[s.isin(words).to_numpy()]}


def _raw(t: SheetTable, field_name: str, row: int) -> str:
    source = t.raw if field_name in t.raw.columns else t.data
    value = source.at[row, field_name]
    return "" if value is None else str(value)


def _inactive_categories(book: Book) -> frozenset[str]:
    cats = book.categories.data
    if "active" not in cats.columns or "code" not in cats.columns:
        return frozenset()
    off = cats["active"].eq(False).to_numpy(dtype=bool)
    return frozenset(cats.loc[off, "code"].dropna())
