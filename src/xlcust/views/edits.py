"""Edit lists in the reader's language: the texts the core put in them rendered for one workbook.

The core writes codes and messages into the rows it appends (a CategoryHistory source
`Term`, a note `Msg`); a host renders them with the workbook's language just before it
applies the edits, so the sheet holds plain text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..edits import AppendRows, CellEdit, Highlight


def _shown(value: object, lang: str) -> object:
    return value.render(lang) if hasattr(value, "render") else value


Edit = CellEdit | AppendRows | Highlight


def render_edits(edits: Iterable[Edit], lang: str) -> list[Edit]:
    """`edits` with every catalog text or term in their values rendered in `lang`."""
    out: list[Edit] = []
    for e in edits:
        if isinstance(e, CellEdit):
            e = replace(e, value=_shown(e.value, lang))
        elif isinstance(e, AppendRows):
            e = replace(e, rows=[[_shown(v, lang) for v in row] for row in e.rows])
        out.append(e)
    return out
