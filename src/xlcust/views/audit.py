"""The AuditLog output sheet (审计日志): the trail's rows under its title and headers."""

from __future__ import annotations

from collections.abc import Sequence

from ..audit import AUDIT_COLUMNS, AUDIT_KEY
from ..i18n import N_, translate
from .outputs import banner, sheet_title
from .sheet import ColumnSpec, OutputSheet


def audit_sheet(rows: Sequence[Sequence[object]], lang: str, name: str | None = None) -> OutputSheet:
    """The AuditLog sheet holding `rows` (the ones already there, then the new ones).

    `name` is the sheet's current name when the workbook has one: a language change
    must not start a second log.
    """
    what = translate(N_("AuditLog: {n} recorded change(s), append-only"), lang, n=len(rows))
    # new rows carry codes and Msgs (the field changed, the import's summary): shown in the book's language
    shown = [tuple(v.render(lang) if hasattr(v, "render") else v for v in row) for row in rows]
    return OutputSheet(name or sheet_title(AUDIT_KEY, lang), _columns(lang), shown,
                       title=banner(what, lang), tab_color="7F7F7F")


def _columns(lang: str) -> list[ColumnSpec]:
    """The AuditLog's headers are the trail's schema, not catalog texts: `xlcust.audit` reads the
    sheet back by them (When / 时间), so both languages' words live with the schema."""
    return [ColumnSpec(zh if lang == "zh" else en, kind, width) for en, zh, kind, width in AUDIT_COLUMNS]
