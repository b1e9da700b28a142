"""A finding as one line of text, for a terminal or a message box (DESIGN §4: the core keeps
findings as records, views render them)."""

from __future__ import annotations

from ..findings import Finding
from ..i18n import DEFAULT_LANGUAGE


def format_finding(f: Finding, lang: str = DEFAULT_LANGUAGE) -> str:
    """One line of text for a terminal or a message box, in `lang`."""
    severity = f.severity.value.upper() if lang == DEFAULT_LANGUAGE else f.severity.label(lang)
    text = f"{severity:7} {f.cell:<22} {f.code}: {f.message_in(lang)}"
    suggestion = f.suggestion_in(lang)
    if suggestion:
        text += f" → {suggestion}"
    return text
