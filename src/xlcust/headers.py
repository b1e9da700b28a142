"""Finding the header row of a sheet: the row, within the first ones, that names the most of its columns.

Pure: it looks at a grid of cell values, whoever read them (the file reader, live
Excel, an import source).
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import Sheet, normalize_header

HEADER_SCAN_ROWS = 20  # a header may sit below a title block of up to this many rows


@dataclass(frozen=True)
class HeaderMatch:
    row: int  # 0-based row in the grid
    columns: dict[str, int]  # field → 0-based column
    unknown: list[tuple[int, str]]  # (0-based column, header text)
    duplicates: list[tuple[int, str, str]]  # (column, header, field)


def match_header(spec: Sheet, grid: list[list[object]], start: int = 0, stop: int | None = None
                 ) -> HeaderMatch | None:
    """The first row (within the scan window) that names the most of this sheet's columns."""
    lookup = {normalize_header(n): c.name for c in spec.columns for n in c.all_names}
    best: HeaderMatch | None = None
    best_score = 0
    stop = min(len(grid), start + HEADER_SCAN_ROWS) if stop is None else stop
    for r in range(start, stop):
        columns: dict[str, int] = {}
        unknown: list[tuple[int, str]] = []
        duplicates: list[tuple[int, str, str]] = []
        for c, value in enumerate(grid[r]):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            field = lookup.get(normalize_header(value)) if isinstance(value, str) else None
            if field is None:
                unknown.append((c, str(value)))
            elif field in columns:
                duplicates.append((c, str(value), field))
            else:
                columns[field] = c
        required = sum(1 for col in spec.required_columns if col.name in columns)
        score = required * 100 + len(columns)
        if columns and score > best_score:
            best, best_score = HeaderMatch(r, columns, unknown, duplicates), score
    return best
