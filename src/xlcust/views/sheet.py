"""What an output sheet is, as plain data: its columns, rows, title, look and charts.

Views build `OutputSheet`s from the core's results; a host writes them (the package
writer `xlcust.io.sheetxml` for files, `xlcust.excel` for live Excel). Nothing here
knows XML or files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .page import PageSetup

if TYPE_CHECKING:
    from .charts import ChartSpec

KINDS = ("text", "int", "money", "cents", "date", "datetime", "percent", "number", "link")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an output sheet.

    kind decides the number format: "text", "int" (0), "money" (#,##0.00; Decimal, float or
    int in yuan — *not* cents), "cents" (#,##0.00; int cents, written exactly as cents/100),
    "date", "datetime", "percent" (0.00%; 0.13 shows 13.00%), "number" (General), "link"
    (a `(display_text, "'Sheet'!B7")` pair becomes a clickable in-workbook hyperlink; a
    plain value is written as text; past Excel's 65,530 links per sheet the rest are plain
    text). width is in characters; None estimates from the header.
    """

    header: str
    kind: str = "text"
    width: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.header!r}: unknown kind {self.kind!r} (one of {', '.join(KINDS)})")


ROLES = ("header", "title")


@dataclass(frozen=True)
class CellSpec:
    """A cell that does not follow its column: its own kind, or styled as a header or title.

    A sheet holding several small tables (the Dashboard) uses it for the later tables'
    header rows (`role="header"`) and for figures of another kind than the column's
    (`CellSpec(45.2, "int")` in a money column).
    """

    value: object
    kind: str = "text"
    role: str | None = None  # None, "header" (the header row's look) or "title" (bold, larger)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"cell {self.value!r}: unknown kind {self.kind!r} (one of {', '.join(KINDS)})")
        if self.role is not None and self.role not in ROLES:
            raise ValueError(f"cell {self.value!r}: unknown role {self.role!r} (one of {', '.join(ROLES)})")


@dataclass(frozen=True)
class ValueFill:
    """Cells of one column that read `value` get a fill and font colour (warning levels).

    Written as a conditional format over the column's data rows, so the colour follows the
    value when a user sorts or filters the sheet.
    """

    column: int  # 0-based
    value: str
    fill: str  # RRGGBB
    font: str = "000000"  # RRGGBB

    def __post_init__(self) -> None:
        for colour in (self.fill, self.font):
            if not re.fullmatch(r"[0-9A-Fa-f]{6}", colour):
                raise ValueError(f"value fill {self.value!r}: colour must be RRGGBB, not {colour!r}")


@dataclass(frozen=True)
class Validation:
    """An Excel data validation on a range of a sheet: a drop-down, a date range, or only a prompt.

    kind: "list" (formula1 is the list's source, a formula without "="), "date" (between formula1
    and formula2, Excel serial days), "any" (no check: the prompt alone, shown when a cell of the
    range is selected — a note on a header cell). Texts are already in the sheet's language.
    """

    ref: str  # "A2:A5001"
    kind: str = "any"
    formula1: str | None = None
    formula2: str | None = None
    prompt_title: str | None = None  # at most 32 characters (Excel)
    prompt: str | None = None  # at most 255 characters (Excel)
    error_title: str | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("any", "list", "date"):
            raise ValueError(f"validation {self.ref}: unknown kind {self.kind!r}")


@dataclass
class OutputSheet:
    """A sheet xlcust owns: replaced wholesale on every run, protected against accidental edits.

    rows is any iterable of tuples/lists (a generator is fine: it is consumed once, row XML
    is streamed) or a pandas DataFrame (written a column at a time by `xlcust.io.framexml`
    when the sheet has no charts; its `attrs["links"]` may map a column position to
    (target rows, "'Sheet'!A") to make that column's cells links to those rows).
    Values: str, int, float, Decimal, bool, datetime.date, datetime.datetime, None (empty
    cell), or a `CellSpec` for a cell with its own kind or look; see ColumnSpec for how each
    kind formats them. title, when given, is a bold line above the header (row 1), spanning
    the table's columns and wrapping within them; the header is then row 2. Column widths
    come from the values (`xlcust.views.layout`); page says how the sheet prints
    (`xlcust.views.page`: orientation None = chosen from the table's width). charts are
    native Excel charts drawn from this sheet's cells (`xlcust.views.charts.ChartSpec`).
    fills colour the cells of a column by their value (`ValueFill`).
    """

    name: str
    columns: Sequence[ColumnSpec]
    rows: Iterable[Sequence[object]] = ()
    title: str | None = None
    protect: bool = True  # sheet protection without password; sorting and filtering stay allowed
    tab_color: str | None = None  # "RRGGBB"
    page: PageSetup = field(default_factory=PageSetup)  # paper, orientation, header/footer
    freeze_header: bool = True
    autofilter: bool = True
    charts: Sequence[ChartSpec] = ()
    # "visible", "hidden" or "veryHidden" (Excel's Unhide dialog does not list it; xlcust's memory).
    visibility: str = "visible"
    # False: the sheet is written once and is the user's from then on (no output marker), like a
    # CategoryHistory sheet xlcust adds to a workbook that lacks one.
    owned: bool = True
    # An Excel Table (ListObject) of this name over the header and rows: a sheet the user keeps
    # typing into and the readers expect as a Table (an added CategoryHistory), not an output.
    table: str | None = None
    # The sheet's links lead into this workbook file beside it (a name, relative) instead of into
    # this workbook: a companion detail file's way back to the book's Transactions rows, and the
    # book's way to its companion (`xlcust.views.detail`).
    link_file: str | None = None

    def __post_init__(self) -> None:
        if self.visibility not in ("visible", "hidden", "veryHidden"):
            raise ValueError(f"sheet {self.name!r}: visibility must be visible, hidden or veryHidden")
    fills: Sequence[ValueFill] = ()
    # Drop-downs and prompts on a sheet the user goes on typing into (an added CategoryHistory).
    validations: Sequence[Validation] = ()

    @property
    def header_row(self) -> int:
        return 2 if self.title else 1

    @property
    def filter_buttons(self) -> bool:
        """The header cells show filter buttons (a sheet filter or a Table's own): room for them."""
        return self.autofilter or self.table is not None


def estimate_width(header: str, kind: str) -> float:
    """Column width in characters: room for the header (CJK counts double) and its filter arrow."""
    text = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in header) + 3
    floor = {"date": 12, "datetime": 17, "money": 14, "cents": 14, "percent": 10, "int": 9, "number": 12}
    return float(min(max(text, floor.get(kind, 12)), 60))
