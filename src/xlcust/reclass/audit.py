"""The AuditLog as reclassify sees it: the trail `xlcust.audit` keeps, plus what it means for rules.

The trail itself — its columns and entries — is `xlcust.audit`, shared with every
command that changes user sheets; reading it from a file is `xlcust.io.auditlog`, its
sheet `xlcust.views.audit`.
Here: the rows a reclassification adds (who, which rule, which customer, field,
old → new, effective date, and the SHA-256 of the Rules and Settings data that
produced the change, so an auditor can tell which version of the rules was in force),
and the state the trail records for output-only results (`AuditLog.recorded()`): the
latest grade row per customer is the override in force (a row with no rule id lifts
it), and a flag stands from the row that raised it to the row that cleared it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..audit import AUDIT_COLUMNS, AuditEntry
from ..i18n import labels_of, term
from .evaluate import FIELDS, Change, Recorded

if TYPE_CHECKING:
    from ..book import Book

FIELD_CONTEXT = "changed field"  # the AuditLog's Field column holds a Term: its label in the book's language


def _field_by_word() -> dict[str, str]:
    """What a Field cell may hold (the code, or its label in any language the log was written in) → the code."""
    return {**labels_of(FIELD_CONTEXT, list(FIELDS)), **{f: f for f in FIELDS}}

__all__ = ["AUDIT_COLUMNS", "AuditLog", "audit_rows", "rules_hash"]


@dataclass
class AuditLog:
    """The AuditLog sheet as found in the workbook (empty when there is none yet)."""

    sheet: str | None = None  # its name in the workbook
    rows: list[tuple] = field(default_factory=list)  # data rows, values as read, AUDIT_COLUMNS order

    def recorded(self) -> Recorded:
        """Grade overrides and flags in force, replaying the rows in order."""
        state = Recorded()
        by_word = _field_by_word()
        for row in self.rows:
            _when, _who, rule, customer, word, old, new, *_ = (*row, *([None] * len(AUDIT_COLUMNS)))
            kind = by_word.get(str(word).strip()) if word is not None else None
            if customer is None or kind not in ("grade", "flag"):
                continue
            customer, rule = str(customer), None if rule in (None, "") else str(rule)
            if kind == "grade":
                if rule is None or new in (None, ""):
                    state.grades.pop(customer, None)
                else:
                    state.grades[customer] = str(new)
            elif new not in (None, "") and rule is not None:
                state.flags.add((customer, rule, str(new)))
            elif old not in (None, "") and rule is not None:
                state.flags.discard((customer, rule, str(old)))
        return state


def rules_hash(book: Book) -> str:
    """SHA-256 of the Rules rows (row, id, priority, when, then, active) and the resolved Settings."""
    rules = book.rules.data
    fields = [f for f in ("rule_id", "priority", "when", "then", "active") if f in rules.columns]
    records = [[int(row), *(_plain(v) for v in values)]
               for row, values in zip(rules.index, rules[fields].itertuples(index=False), strict=True)]
    payload = {"rules": {"fields": fields, "rows": records}, "settings": book.settings.model_dump(mode="json")}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def audit_rows(changes: Iterable[Change], *, when: dt.datetime, who: str, effective: dt.date,
               digest: str) -> list[tuple]:
    """New AuditLog rows for `changes` (the Field cell a `Term`: the AuditLog sheet shows its label)."""
    return [AuditEntry(rule=ch.rule_id or "", customer=ch.customer_code,
                       field=term("changed field", ch.field), old=ch.old or "", new=ch.new or "",
                       effective=ch.effective or effective, rules_hash=digest, who=who, when=when).values()
            for ch in changes]
