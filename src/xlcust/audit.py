"""The AuditLog sheet (审计日志): one append-only trail of what xlcust changed in user sheets.

Every command that changes a user sheet (import, reclassify --apply, …) adds rows here
in the *same* atomic save as the change itself, so the trail and the data never
disagree. AuditLog is an output sheet (xlcust writes it, users do not), but unlike the
other outputs it is never recomputed: each save rewrites it as the rows already there
(read back as values) followed by the new ones.

    entries = [AuditEntry(rule="import", field="Customers", new="14 row(s) at 202-215 …")]
    sheet = audit_output(pkg, entries, lang)          # old rows + new (xlcust.io.auditlog)
    save_package(pkg, outputs=[sheet], edits=[...])   # one save: edits and their trail together

    append_audit(path, entries)                       # the same, when the entries are the only change

This module is the trail as data (entries, their columns, reading them back from a grid
of values); reading and writing the sheet is `xlcust.io.auditlog`, its layout
`xlcust.views.audit`.

The columns are those `reclassify --apply` writes (`xlcust.reclass.audit`), in the same
order, so both commands keep each other's rows: When 时间, Who 操作人, Rule 规则 (the
rule id, or the command: `import`), Customer 客户编码, Field 字段, Old 原值, New 新值,
Effective 生效日期, Rules hash 规则哈希. Rows are read back by position below the header
row (the row whose first cell is When / 时间).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import UsageError
from .i18n import msg
from .schema import OUTPUT_SHEETS

AUDIT_KEY = "AuditLog"

# (en header, zh header, kind, width): the layout xlcust.reclass.audit writes too.
AUDIT_COLUMNS: tuple[tuple[str, str, str, float], ...] = (
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
_FIRST_HEADERS = {h.casefold() for h in AUDIT_COLUMNS[0][:2]}


def current_user() -> str:
    """The login name recorded as who made a change ("unknown" where there is none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers / services
        return "unknown"


@dataclass(frozen=True)
class AuditEntry:
    """One row of the trail, in the sheet's column order."""

    rule: str  # the rule id of a reclassification, or the command ("import")
    customer: str = ""
    field: str = ""
    old: str = ""
    new: str = ""
    effective: dt.date | None = None
    rules_hash: str = ""
    who: str = dataclasses.field(default_factory=current_user)
    when: dt.datetime | str = dataclasses.field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    def values(self) -> tuple[object, ...]:
        return (self.when, self.who or None, self.rule or None, self.customer or None, self.field or None,
                self.old or None, self.new or None, self.effective, self.rules_hash or None)

    @classmethod
    def from_values(cls, values: Sequence[object]) -> AuditEntry:
        when, who, rule, customer, field, old, new, effective, digest = (*values, *([None] * 9))[:9]
        return cls(rule=_text(rule), customer=_text(customer), field=_text(field), old=_text(old), new=_text(new),
                   effective=_date(effective), rules_hash=_text(digest), who=_text(who), when=_datetime(when))


def audit_sheet_names() -> tuple[str, ...]:
    """The names the AuditLog sheet may have (English, Chinese)."""
    return (AUDIT_KEY, OUTPUT_SHEETS[AUDIT_KEY])


def entries_from_grid(name: str, grid: Sequence[Sequence[object]]) -> list[AuditEntry]:
    """The entries of an AuditLog sheet read as a grid of values (none when it is blank).

    Raises UsageError when the sheet holds something else: rewriting it would lose it.
    """
    header = next((i for i, r in enumerate(grid[:5]) if r and str(r[0]).strip().casefold() in _FIRST_HEADERS), None)
    if header is None:
        if not any(v not in (None, "") for r in grid for v in r):
            return []
        raise UsageError(msg("the {name} sheet does not look like xlcust's AuditLog (no 'When' header in its first "
                             "rows); rename it to keep it, and xlcust will start a new one", name=name))
    return [AuditEntry.from_values(r) for r in grid[header + 1:] if any(v not in (None, "") for v in r)]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _datetime(value: object) -> dt.datetime | str:
    """A datetime as read back; text that is not one stays text (it is written back as it was)."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return _text(value)
