"""Native Excel charts on output sheets, as plain data: what a view asks for.

A view puts `ChartSpec`s on an `OutputSheet` (`OutputSheet.charts`); each chart reads
cells of that same sheet. The DrawingML that draws them is the package writer's
(`xlcust.io.charts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..refs import parse_cell, parse_range

KINDS = ("bar", "line", "pie")
DIRECTIONS = ("column", "bar")
GROUPINGS = ("clustered", "stacked", "percent_stacked")
LEGENDS = {"right": "r", "left": "l", "top": "t", "bottom": "b", "top_right": "tr"}

# Office's default accents, used in turn when a series names no colour.
PALETTE = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E", "636363", "997300")


@dataclass(frozen=True)
class ChartSeries:
    """One series: its values range, its name (text, or "=B2" for a cell), its colour ("RRGGBB")."""

    values: str
    name: str | None = None
    color: str | None = None

    def __post_init__(self) -> None:
        _line(self.values, "series values")
        if self.name and self.name.startswith("="):
            parse_cell(self.name[1:])
        if self.color is not None and not _is_rgb(self.color):
            raise ValueError(f"series colour must be RRGGBB, not {self.color!r}")

    @property
    def name_cell(self) -> tuple[int, int] | None:
        return parse_cell(self.name[1:]) if self.name and self.name.startswith("=") else None


@dataclass(frozen=True)
class ChartSpec:
    """A native chart on an output sheet, drawn from that sheet's cells.

    kind: "bar" (columns or bars: `direction` "column" / "bar"), "line" or "pie".
    series: `ChartSeries`, or (name, values) pairs; a name starting with "=" is a cell.
    categories: the category labels' range (one row or column), as long as each series.
    grouping: "clustered", "stacked" or "percent_stacked" (bar and line charts).
    anchor: the top-left cell; size: (columns, rows) the chart spans (fractions allowed),
    or size_emu: (width, height) in EMUs (914,400 per inch; 9,525 per pixel), which wins.
    x_title / y_title: axis titles (category axis / value axis).
    number_format: the value axis' and data labels' format (Excel codes, "#,##0").
    legend: "right", "left", "top", "bottom", "top_right", or None for no legend.
    data_labels: show each point's value (a pie shows its percentage).
    """

    kind: str
    series: Sequence[ChartSeries | tuple[str | None, str]]
    categories: str | None = None
    title: str | None = None
    direction: str = "column"
    grouping: str = "clustered"
    anchor: str = "A1"
    size: tuple[float, float] = (8.0, 15.0)
    size_emu: tuple[int, int] | None = None
    x_title: str | None = None
    y_title: str | None = None
    number_format: str | None = None
    legend: str | None = "bottom"
    data_labels: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"chart kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"chart direction must be one of {', '.join(DIRECTIONS)}, not {self.direction!r}")
        if self.grouping not in GROUPINGS:
            raise ValueError(f"chart grouping must be one of {', '.join(GROUPINGS)}, not {self.grouping!r}")
        if self.legend is not None and self.legend not in LEGENDS:
            raise ValueError(f"legend must be one of {', '.join(LEGENDS)} or None, not {self.legend!r}")
        series = tuple(s if isinstance(s, ChartSeries) else ChartSeries(values=s[1], name=s[0]) for s in self.series)
        if not series:
            raise ValueError(f"chart {self.title or ''!r} has no series")
        if self.kind == "pie" and len(series) != 1:
            raise ValueError("a pie chart draws exactly one series")
        object.__setattr__(self, "series", series)
        counts = {range_count(s.values) for s in series}
        if self.categories is not None:
            counts.add(range_count(_line(self.categories, "categories")))
        if len(counts) != 1:
            raise ValueError(f"chart {self.title or ''!r}: categories and series differ in length")
        parse_cell(self.anchor)
        cols, rows = self.size
        if not (cols > 0 and rows > 0) or (self.size_emu is not None and min(self.size_emu) <= 0):
            raise ValueError("a chart's size must be positive")

    def cells(self) -> set[tuple[int, int]]:
        """Every cell the chart reads: (row Excel shows, 0-based column)."""
        out: set[tuple[int, int]] = set()
        for ref in [self.categories, *(s.values for s in self.series)]:
            if ref is not None:
                out.update(range_cells(ref))
        out.update(cell for s in self.series if (cell := s.name_cell) is not None)
        return out


def _is_rgb(value: str) -> bool:
    return len(value) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in value)


def _line(ref: str, what: str) -> str:
    r1, c1, r2, c2 = parse_range(ref)
    if r1 != r2 and c1 != c2:
        raise ValueError(f"{what} {ref!r} must be one row or one column")
    return ref


def range_cells(ref: str) -> list[tuple[int, int]]:
    """Every cell of a range, row by row: (row Excel shows, 0-based column)."""
    r1, c1, r2, c2 = parse_range(ref)
    return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def range_count(ref: str) -> int:
    """How many cells a range holds."""
    return len(range_cells(ref))
