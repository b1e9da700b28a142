"""The AuditLog output sheet: append-only record of every change `reclassify --apply` made.

AuditLog is written by xlcust only, like every output sheet, but it is never
emptied: each apply reads the rows already there (with python-calamine, as values)
and writes them back followed by the new ones. A row says when, who (the OS user),
which rule, which customer, which field, old → new, the effective date, and the
SHA-256 of the Rules and Settings data that produced the change, so an auditor can
tell which version of the rules was in force.

Grade overrides and flags are output-only; the AuditLog is where their state lives
(`recorded()`): the latest grade row per customer is the override in force (a row
with no rule id lifts it), and a flag stands from the row that raised it to the row
that cleared it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import UsageError
from ..io.outputs import banner, columns, sheet_title
from ..io.sheetxml import OutputSheet
from ..schema import OUTPUT_SHEETS
from .evaluate import FIELDS, Change, Recorded

if TYPE_CHECKING:
    from ..book import Book

AUDIT_COLUMNS = (
    ("When", "时间", "datetime", 17),
    ("Who", "操作人", "text", 12),
    ("Rule", "规则", "text", 9),
    ("Customer", "客户编码", "text", 12),
    ("Field", "字段", "text", 10),
    ("Old", "原值", "text", 26),
    ("New", "新值", "text", 26),
    ("Effective", "生效日期", "date", 12),
    ("Rules hash", "规则哈希", "text", 20),
)
FIELD_ZH = {"category": "分类", "tags": "标签", "grade": "等级", "flag": "提示"}
_FIELD_BY_WORD = {**{f: f for f in FIELDS}, **{zh: f for f, zh in FIELD_ZH.items()}}
_HEADERS = {h.casefold() for en, zh, _, _ in AUDIT_COLUMNS[:1] for h in (en, zh)}


@dataclass
class AuditLog:
    """The AuditLog sheet as found in the workbook (empty when there is none yet)."""

    sheet: str | None = None  # its name in the workbook
    rows: list[tuple] = field(default_factory=list)  # data rows, values as read, AUDIT_COLUMNS order

    def recorded(self) -> Recorded:
        """Grade overrides and flags in force, replaying the rows in order."""
        state = Recorded()
        for row in self.rows:
            _when, _who, rule, customer, word, old, new, *_ = (*row, *([None] * len(AUDIT_COLUMNS)))
            kind = _FIELD_BY_WORD.get(str(word).strip()) if word is not None else None
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


def audit_sheet_names() -> tuple[str, ...]:
    return ("AuditLog", OUTPUT_SHEETS["AuditLog"])


def read_audit_log(path: str | Path) -> AuditLog:
    """The AuditLog rows already in the workbook at `path` (none when it has no AuditLog)."""
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for unreadable files
        raise UsageError(f"{Path(path).name}: cannot read the AuditLog ({exc})") from None
    wanted = {n.casefold() for n in audit_sheet_names()}
    name = next((s for s in workbook.sheet_names if s.casefold() in wanted), None)
    if name is None:
        return AuditLog()
    grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    header = next((i for i, r in enumerate(grid[:5]) if r and str(r[0]).strip().casefold() in _HEADERS), None)
    if header is None:
        if not any(any(v not in (None, "") for v in r) for r in grid):
            return AuditLog(name)
        raise UsageError(f"the {name} sheet does not look like xlcust's AuditLog (no 'When' header in its first "
                         "rows); rename it to keep it, and xlcust will start a new one")
    width = len(AUDIT_COLUMNS)
    rows = []
    for r in grid[header + 1:]:
        values = [None if v == "" else v for v in (list(r) + [None] * width)[:width]]
        if any(v is not None for v in values):
            rows.append(tuple(values))
    return AuditLog(name, rows)


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


def audit_rows(changes: Iterable[Change], *, when: dt.datetime, who: str, effective: dt.date, digest: str,
               lang: str) -> list[tuple]:
    """New AuditLog rows for `changes`."""
    rows = []
    for ch in changes:
        word = FIELD_ZH[ch.field] if lang == "zh" else ch.field
        rows.append((when, who, ch.rule_id, ch.customer_code, word, ch.old, ch.new,
                     ch.effective or effective, digest))
    return rows


def audit_sheet(log: AuditLog, new_rows: Sequence[tuple], lang: str) -> OutputSheet:
    """The AuditLog sheet: the rows already there, then the new ones."""
    name = log.sheet or sheet_title("AuditLog", lang)
    total = len(log.rows) + len(new_rows)
    what = (f"审计日志：{total} 条分类调整记录（只追加，不删除）" if lang == "zh" else
            f"AuditLog: {total} recorded change(s), append-only")
    return OutputSheet(name, columns(lang, AUDIT_COLUMNS), [*log.rows, *new_rows], title=banner(what, lang),
                       tab_color="7F7F7F")
