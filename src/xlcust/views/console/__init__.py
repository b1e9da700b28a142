"""Console tables an accountant can read (views layer): results → rich tables.

Three promises, whatever the terminal width:

- an amount (or a code, a date, a count) is never folded: its column has a fixed width
  equal to its widest cell, `no_wrap` and no overflow handling, and is right-aligned
  when it is a number; only text columns (names, explanations) fold;
- a table wider than the console is cut into *panels* of columns that fit, each panel
  repeating the key columns (code, name) and the total row — the way a wide ledger is
  printed on narrow paper — instead of letting rich squeeze every column;
- headers come from the message catalog, in the language of the call.

`render_table` takes plain cell values (money in integer cents) and the column specs;
`views.console.reports` and `views.console.checks` build those from the core's results.
Nothing here reads a file or picks a language: the host passes its rich `Console` and
the language.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...i18n import translate
from ...money import format_money

Kind = Literal["text", "code", "money", "int", "number", "percent", "figure", "date"]
NUMERIC: frozenset[str] = frozenset({"money", "int", "number", "percent", "figure"})  # "figure": already formatted
TEXT_MIN = 12  # a folding text column keeps at least this many cells, so a name stays readable
COLUMN_GAP = 2  # padding + divider that rich spends per column with the box and padding below
LONG_LIST = 40  # a list longer than this is shown summary first; --all shows every row


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a console table.

    `header` is a catalog msgid (rendered in the table's language); `kind` decides the
    formatting and alignment; `key` columns are repeated in every panel of a wide table.
    """

    header: str
    kind: Kind = "text"
    key: bool = False


def cell_text(value: object, kind: Kind) -> str:
    """A value as the console shows it: money from cents with two decimals, blanks for NA."""
    if value is None or _is_na(value):
        return ""
    if kind == "money":
        return format_money(int(value))  # type: ignore[call-overload]
    if kind == "int":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if kind == "number":
        return f"{float(value):.1f}"  # type: ignore[arg-type]
    if kind == "percent":
        return f"{float(value):.0%}"  # type: ignore[arg-type]
    if kind == "date" and isinstance(value, dt.date | dt.datetime):
        return value.isoformat()[:10]
    if kind == "date" and hasattr(value, "date"):  # pandas Timestamp
        return value.date().isoformat()
    return str(value)


def _is_na(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def _width(text: str) -> int:
    """Cells the text takes on a terminal (a Chinese character takes two)."""
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _header_width(header: str) -> int:
    """The narrowest a header can be: its longest word (Chinese headers: the whole, it has no spaces)."""
    return max((cell_len(word) for word in header.split()), default=0)


@dataclass(frozen=True, slots=True)
class _Sized:
    column: Column
    header: str
    width: int  # fixed width (non-text) or the width the text wants
    minimum: int  # what the column needs at least in a panel

    @property
    def cost(self) -> int:
        return self.minimum + COLUMN_GAP


def render_table(
    console: Console,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    lang: str,
    total: Sequence[object] | None = None,
    total_label: str | None = None,
) -> None:
    """Print `rows` under `columns` on `console`, cut into panels that fit its width.

    `total` is the bold last row (values per column; the first None among them becomes
    `total_label`, default "Total" in `lang`). The caller passes the figures the report
    carries (its control total), so the row is tied to them, not re-added from text.
    """
    texts = [[cell_text(v, c.kind) for v, c in zip(row, columns, strict=True)] for row in rows]
    total_texts: list[str] | None = None
    if total is not None:
        total_texts = [cell_text(v, c.kind) for v, c in zip(total, columns, strict=True)]
        label_at = next((i for i, v in enumerate(total) if v is None), None)
        if label_at is not None:
            total_texts[label_at] = total_label or translate("Total", lang)
    every = [*texts, *([total_texts] if total_texts else [])]
    # a text column with nothing in it (say, no customer is over its limit) only takes room
    keep = [i for i, c in enumerate(columns) if c.key or c.kind != "text" or any(r[i] for r in every)]
    if len(keep) < len(columns):
        columns = [columns[i] for i in keep]
        texts = [[r[i] for i in keep] for r in texts]
        total_texts = None if total_texts is None else [total_texts[i] for i in keep]
        every = [*texts, *([total_texts] if total_texts else [])]
    sized = [_size(c, translate(c.header, lang), [r[i] for r in every]) for i, c in enumerate(columns)]
    panels = split_panels(sized, console.width)
    for n, panel in enumerate(panels, start=1):
        heading = title if len(panels) == 1 else translate(
            "{title} (part {n} of {count})", lang, title=title, n=n, count=len(panels))
        footer = None if total_texts is None else [_aligned(total_texts[i], sized[i]) for i in panel]
        table = _table(heading, [sized[i] for i in panel], footer)
        for row in texts:
            table.add_row(*(_aligned(row[i], sized[i]) for i in panel))
        console.print(table)


def _size(column: Column, header: str, cells: list[str]) -> _Sized:
    widest = max((_width(t) for t in cells), default=0)
    if column.kind == "text":
        wanted = max(widest, _header_width(header), 1)
        return _Sized(column, header, wanted, min(wanted, max(TEXT_MIN, _header_width(header))))
    fixed = max(widest, _header_width(header), 1)
    return _Sized(column, header, fixed, fixed)


def _aligned(text: str, sized: _Sized) -> str:
    # rich does not right-justify a cell whose overflow is "ignore", so numbers come padded
    if sized.column.kind in NUMERIC:
        return " " * (sized.width - _width(text)) + text
    return text


def split_panels(sized: Sequence[_Sized], width: int) -> list[list[int]]:
    """Column indexes per panel: key columns in each, the others packed in order while they fit.

    A table that fits whole is one panel. A column that does not fit even beside the keys
    alone gets a panel of its own (the terminal then wraps the line, but the cell is whole).
    """
    keys = [i for i, s in enumerate(sized) if s.column.key]
    rest = [i for i, s in enumerate(sized) if not s.column.key]
    width += COLUMN_GAP  # n columns have n - 1 gaps between them: the first column's gap is free
    if sum(s.cost for s in sized) <= width:
        return [list(range(len(sized)))]
    base = sum(sized[i].cost for i in keys)
    groups: list[list[int]] = []
    used = width  # forces a first group
    for i in rest:  # greedy: as few panels as fit
        if not groups or (used + sized[i].cost > width and groups[-1]):
            groups.append([])
            used = base
        groups[-1].append(i)
        used += sized[i].cost
    groups = _balanced(groups, sized, base, width)
    return [sorted([*keys, *group]) for group in groups] or [keys]


def _balanced(groups: list[list[int]], sized: Sequence[_Sized], base: int, width: int) -> list[list[int]]:
    """The same number of panels with the columns spread evenly (4 + 4, not 7 + 1), when that fits."""
    flat = [i for group in groups for i in group]
    count = len(groups)
    if count < 2:
        return groups
    size = -(-len(flat) // count)
    even = [flat[n:n + size] for n in range(0, len(flat), size)]
    fits = all(base + sum(sized[i].cost for i in group) <= width for group in even)
    return even if fits and len(even) == count else groups


def _table(title: str, sized: Sequence[_Sized], footer: list[str] | None) -> Table:
    # the total row is the footer: box.SIMPLE rules it off from the figures above it
    table = Table(title=title, box=box.SIMPLE, padding=(0, 1), collapse_padding=True, pad_edge=False,
                  show_edge=False, title_justify="left", show_footer=footer is not None, footer_style="bold")
    for n, s in enumerate(sized):
        foot = footer[n] if footer is not None else ""
        numeric = s.column.kind in NUMERIC
        header = Text(s.header, justify="right" if numeric else "left", no_wrap=False, overflow="fold")
        if s.column.kind == "text":
            table.add_column(header, foot, overflow="fold", min_width=s.minimum, max_width=s.width)
        else:  # fixed width, never folded: an amount is read whole or not at all
            table.add_column(header, foot, justify="right" if numeric else "left", no_wrap=True, overflow="ignore",
                             width=s.width)
    return table


def more_line(hidden: int, lang: str) -> str:
    """The line under a shortened list: how many rows are not shown and how to see them."""
    return translate("… {n} more; --all or --json for the full list", lang, n=f"{hidden:,}")
