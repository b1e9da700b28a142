"""How a sheet prints: paper, orientation, fit to width, margins, header and footer.

One model for every sheet xlcust writes: the input sheets of a new workbook
(`xlcust.io.template`), the output sheets (`xlcust.io.sheetxml` for files,
`xlcust.excel` for live Excel) and the statements. Hosts translate a `PageSetup`
into their own calls; nothing here knows XML or Excel.

Widths are in Excel's character units (the width of a digit in the default font);
`print_scale` estimates the zoom that "fit to one page wide" will pick, so a view can
choose the orientation that prints the table largest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import N_, translate
from ..settings import PAPER_NAMES, Settings

if TYPE_CHECKING:
    from .sheet import OutputSheet

# Settings `paper_size` → (OOXML/Excel paperSize code, width mm, height mm), portrait.
PAPERS: dict[str, tuple[int, float, float]] = {
    "A4": (9, 210.0, 297.0),
    "A3": (8, 297.0, 420.0),
    "A5": (11, 148.0, 210.0),
    "Letter": (1, 215.9, 279.4),
    "Legal": (5, 215.9, 355.6),
}
DEFAULT_PAPER = "A4"
assert set(PAPERS) == set(PAPER_NAMES), "every paper Settings accepts has a size here"

PAGE_WORDS = N_("Page &P of &N")  # &P and &N are Excel's page and page count in a footer

_MM_PER_INCH = 25.4
_PX_PER_INCH = 96.0
_DIGIT_PX = 7.0  # a digit of 11-point Calibri; Excel's width unit
_CELL_PAD_PX = 5.0  # Excel adds this to every column


@dataclass(frozen=True)
class Margins:
    """Page margins in inches (Excel's unit); header and footer are their distances from the edge."""

    left: float = 0.4
    right: float = 0.4
    top: float = 0.75
    bottom: float = 0.6
    header: float = 0.3
    footer: float = 0.3


@dataclass(frozen=True)
class PageSetup:
    """Print settings of one sheet.

    landscape None means "choose from the table's width" (`choose_landscape`). header and
    footer use Excel's header/footer codes (&L left, &C centre, &R right, &P page, &N
    pages, &A sheet name, &D date). repeat_header repeats the sheet's header row on every
    printed page (the `_xlnm.Print_Titles` name).
    """

    paper: str = DEFAULT_PAPER
    landscape: bool | None = None
    fit_width: bool = True
    margins: Margins = Margins()
    header: str = ""
    footer: str = "&C" + PAGE_WORDS
    repeat_header: bool = True

    @property
    def paper_code(self) -> int:
        """The paperSize number Excel and OOXML use (A4 = 9)."""
        return PAPERS.get(self.paper, PAPERS[DEFAULT_PAPER])[0]


def paper_name(value: object) -> str | None:
    """'a4', ' A4 ', 'letter' → the canonical name ('A4', 'Letter'); None when not a known paper."""
    text = str(value).strip().replace(" ", "").casefold()
    return next((name for name in PAPERS if name.casefold() == text), None)


def paper_of_code(code: int) -> str:
    """The paper name of an Excel paperSize number (9 → 'A4'); A4 for one xlcust does not list."""
    return next((name for name, (c, _, _) in PAPERS.items() if c == code), DEFAULT_PAPER)


def escape_codes(text: str) -> str:
    """Text shown as is in a header or footer (a lone & starts a code)."""
    return text.replace("&", "&&")


def page_setup(lang: str, *, title: str = "", company: str = "", paper: str = DEFAULT_PAPER,
               landscape: bool | None = None, margins: Margins = Margins()) -> PageSetup:
    """The house page setup: title left and company right on top; sheet, page of pages and date below.

    Input sheets and output sheets share it, so every printed page of a workbook carries the
    same header and footer.
    """
    header = f"&L{escape_codes(title)}&R{escape_codes(company)}" if title or company else ""
    footer = f"&L&A&C{translate(PAGE_WORDS, lang)}&R&D"
    return PageSetup(paper=paper, landscape=landscape, margins=margins, header=header, footer=footer)


def sections(codes: str) -> dict[str, str]:
    """'&Lleft&Ccentre&Rright' → {"L": "left", "C": "centre", "R": "right"} (hosts that set each part)."""
    out = {"L": "", "C": "", "R": ""}
    part, i = "C", 0  # text before any section code is centred, as Excel does
    while i < len(codes):
        if codes[i] == "&" and i + 1 < len(codes) and codes[i + 1] in "LCR":
            part, i = codes[i + 1], i + 2
            continue
        if codes[i] == "&" and i + 1 < len(codes):  # another code (&P, &&): kept as it is
            out[part] += codes[i:i + 2]
            i += 2
            continue
        out[part] += codes[i]
        i += 1
    return out


def printable_width_in(setup: PageSetup, landscape: bool) -> float:
    """Inches between the left and right margins."""
    _, w, h = PAPERS.get(setup.paper, PAPERS[DEFAULT_PAPER])
    return (h if landscape else w) / _MM_PER_INCH - setup.margins.left - setup.margins.right


def table_width_in(widths: Sequence[float]) -> float:
    """Inches the columns take at 100 % (Excel: width × digit + padding pixels, 96 per inch)."""
    return sum(w * _DIGIT_PX + _CELL_PAD_PX for w in widths) / _PX_PER_INCH


def print_scale(widths: Sequence[float], setup: PageSetup, landscape: bool) -> float:
    """The zoom "fit to one page wide" picks (never above 1), as a fraction."""
    table = table_width_in(widths)
    return 1.0 if table <= 0 else min(1.0, printable_width_in(setup, landscape) / table)


PORTRAIT_MIN_SCALE = 0.85  # a table that fits upright at this zoom or more prints upright


def choose_landscape(widths: Sequence[float], setup: PageSetup) -> bool:
    """Portrait when the table fits the page's width at nearly full size, else landscape (it prints larger)."""
    if setup.landscape is not None:
        return setup.landscape
    return print_scale(widths, setup, landscape=False) < PORTRAIT_MIN_SCALE


MIN_SCALE = 0.6  # below this zoom print is hard to read: the table is spread over pages side by side
MAX_PAGES_WIDE = 3


def pages_wide(widths: Sequence[float], setup: PageSetup, landscape: bool, repeated: int = 0,
               charts: bool = False) -> int:
    """Pages side by side the table is fitted to: 1, or more when one page would print below MIN_SCALE.

    The first `repeated` columns (the customer's code and name) print on every page side by
    side, so each page is read on its own. A sheet with charts stays one page wide: a page
    break would cut a chart in two.
    """
    if charts or not setup.fit_width or print_scale(widths, setup, landscape) >= MIN_SCALE:
        return 1
    head, rest = list(widths[:repeated]), list(widths[repeated:])
    for n in range(2, MAX_PAGES_WIDE + 1):
        if print_scale([*head, *(w / n for w in rest)], setup, landscape) >= MIN_SCALE:
            return n
    return MAX_PAGES_WIDE


def output_page(settings: Settings, title: str, landscape: bool | None = None) -> PageSetup:
    """How an output sheet prints: Settings' paper, company and language; orientation from its width."""
    return page_setup(settings.language, title=title, company=settings.company_name, paper=settings.paper_size,
                      landscape=landscape)


def with_page(sheets: Sequence[OutputSheet], settings: Settings) -> list[OutputSheet]:
    """The sheets, each given the house page setup (`output_page`) under its own name.

    A sheet that chose its orientation keeps it.
    """
    for sheet in sheets:
        sheet.page = output_page(settings, sheet.name, sheet.page.landscape)
    return list(sheets)
