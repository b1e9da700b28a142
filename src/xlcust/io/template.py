"""A new registry workbook, built with XlsxWriter from templates/registry.toml.

`create_workbook(path, lang=…, demo=…)` is what `xlcust new` runs. The template says
how the workbook looks (sheet order, styles, formats, validation, print setup,
notes); xlcust.schema says which columns each sheet has; the rows come from
`xlcust.demo` with `demo=True`, from `data=` when a caller has its own, and are
otherwise empty (one blank table row, which every reader skips).

The macro-enabled workbook is built on the same function: `vba_project` adds a
vbaProject.bin, and `extra_sheets` adds sheets (a Start sheet with buttons goes
first) written by a callback once the tables exist:

    create_workbook("CustomerLedger.xlsm", vba_project=Path("vbaProject.bin"),
                    extra_sheets=[ExtraSheet("Start", write_start, first=True)])
"""

from __future__ import annotations

import datetime as dt
import numbers
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Format, Workbook
from xlsxwriter.worksheet import Worksheet

from ..book import Book
from ..demo import AS_OF as DEMO_AS_OF
from ..demo import DEMO_SEED, demo_data
from ..errors import UsageError
from ..i18n import N_, msg, translate
from ..refs import MAX_ROWS
from ..schema import (
    CATEGORIES,
    CUSTOMERS,
    HISTORY,
    INPUT_SHEETS,
    KIND_ZH,
    KINDS,
    SETTINGS,
    SHEETS_BY_KEY,
    TRANSACTIONS,
    Column,
    ColumnType,
    Sheet,
    column_letter,
)
from ..settings import Settings, parse_scheme, setting_rows
from ..tables import SheetTable
from ..views.memory import SheetLook
from ..views.page import Margins, PageSetup, page_setup, paper_of_code
from ..views.sheet import Validation
from .atomic import close_xlsxwriter
from .credit_marks import MarkFormulas, add_credit_marks

TEMPLATE_NAME = "registry.toml"
LANGS = ("en", "zh")
Rows = Sequence[Mapping[str, object]]


# ---------------------------------------------------------------------- template


@dataclass(frozen=True)
class SheetLayout:
    """How one input sheet looks: from a [[sheets]] entry of the template."""

    spec: Sheet
    title: Mapping[str, str]
    tab_color: str
    landscape: bool
    freeze: tuple[int, int]
    note: Mapping[str, str]


@dataclass(frozen=True)
class Template:
    """The parsed template. Build one with `load_template`."""

    data: Mapping[str, Any]
    sheets: tuple[SheetLayout, ...]

    def text(self, value: Mapping[str, str] | str, lang: str) -> str:
        """A {en, zh} table (or a plain string) in `lang`."""
        return value if isinstance(value, str) else value.get(lang, value["en"])

    def cell_format(self, sheet: Sheet, column: Column) -> dict[str, Any]:
        """XlsxWriter format properties of a column's cells."""
        override = self.data["formats"].get("columns", {}).get(f"{sheet.key}.{column.name}")
        return dict(override or self.data["formats"][column.type.value])

    def validation(self, sheet: Sheet, column: Column) -> Mapping[str, Any] | None:
        """The validation of a column: its own entry, else its type's, else none."""
        rules = self.data.get("validation", {})
        own = rules.get("columns", {}).get(f"{sheet.key}.{column.name}")
        return own if own is not None else rules.get("types", {}).get(column.type.value)

    def words(self, name: str, lang: str) -> list[str]:
        """A drop-down word list; "kinds" and "status" are the words the checks read (one list each)."""
        if name == "kinds":
            return [KIND_ZH[k] for k in KINDS] if lang == "zh" else list(KINDS)
        if name == "status":
            return status_words(lang)
        return list(self.data["words"][name][lang])


def load_template(name: str = TEMPLATE_NAME) -> Template:
    """Read and check a template from the `xlcust.templates` package."""
    try:
        text = (resources.files("xlcust.templates") / name).read_text(encoding="utf-8")
    except ModuleNotFoundError:
        # An editable install made before templates/ became a package: read the source tree.
        text = (Path(__file__).resolve().parents[3] / "templates" / name).read_text(encoding="utf-8")
    return parse_template(tomllib.loads(text))


def parse_template(data: Mapping[str, Any]) -> Template:
    """A `Template` from parsed TOML; ValueError names the first thing that is wrong."""
    layouts = []
    for entry in data["sheets"]:
        spec = SHEETS_BY_KEY.get(entry["key"])
        if spec is None:
            raise ValueError(f"template: unknown sheet '{entry['key']}'")
        layouts.append(SheetLayout(
            spec, entry["title"], entry["tab_color"], bool(entry["landscape"]),
            (int(entry["freeze"][0]), int(entry["freeze"][1])), entry["note"],
        ))
    if [s.spec.key for s in layouts] != [s.key for s in INPUT_SHEETS]:
        raise ValueError("template: [[sheets]] must list every input sheet of xlcust.schema, in order")
    for ref in data["formats"].get("columns", {}):
        _column_ref(ref)
    for ref in data.get("validation", {}).get("columns", {}):
        _column_ref(ref)
    names = data.get("names", {})
    for name in names.values():
        if "leaves_of" in name:
            if names.get(name["leaves_of"], {}).get("column") is None:
                raise ValueError(f"template: leaves_of '{name['leaves_of']}' is not a name over a column")
        else:
            _column_ref(name["column"])
    return Template(data, tuple(layouts))


def table_style() -> str:
    """The Table style of the template's tables as Excel names it ("TableStyleMedium2"), for a Table
    xlcust adds to an existing workbook; the template spells it as XlsxWriter takes it ("Table Style Medium 2")."""
    return str(load_template().data["table"]["style"]).replace(" ", "")


def _column_ref(ref: str) -> tuple[Sheet, Column]:
    """'Customers.category_code' → (sheet, column); ValueError when either is unknown."""
    sheet_key, _, field_name = ref.partition(".")
    sheet = SHEETS_BY_KEY.get(sheet_key)
    if sheet is None or field_name not in sheet.by_name:
        raise ValueError(f"template: no column '{ref}' in xlcust.schema")
    return sheet, sheet.by_name[field_name]


# ------------------------------------------------------------------------ hooks


@dataclass
class BuildContext:
    """What a sheet writer (the built-in ones or an `ExtraSheet`) can use."""

    workbook: Workbook
    template: Template
    lang: str
    company: str
    worksheets: dict[str, Worksheet] = field(default_factory=dict)  # Sheet.key → sheet
    tables: dict[str, str] = field(default_factory=dict)  # Sheet.key → range, e.g. "A1:H201"
    _formats: dict[tuple, Format] = field(default_factory=dict)

    def format(self, **properties: Any) -> Format:
        """A workbook format for these XlsxWriter properties, made once."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def sheet_name(self, key: str) -> str:
        return SHEETS_BY_KEY[key].title(self.lang)


@dataclass(frozen=True)
class ExtraSheet:
    """A sheet besides the input sheets: created in place, written after the tables."""

    name: str
    write: Callable[[BuildContext, Worksheet], None]
    first: bool = False  # before Settings (a Start sheet), else after CategoryHistory


# ---------------------------------------------------------------------- building


def create_workbook(
    path: str | Path,
    *,
    lang: str = "en",
    demo: bool = False,
    seed: int = DEMO_SEED,
    vba_project: Path | None = None,
    data: Mapping[str, Rows] | None = None,
    extra_sheets: Sequence[ExtraSheet] = (),
    template: Template | None = None,
    created: dt.datetime | None = None,
) -> None:
    """Write a new registry workbook to `path`.

    `lang` picks sheet names, headers, notes and drop-down words ("en" or "zh").
    `demo` fills it from `xlcust.demo.demo_data(seed, lang)`; `data` (rows per
    `Sheet.key`, dicts of canonical field → value) fills it instead. A sheet without
    rows is an empty table; Settings without rows gets every setting at its default.
    `vba_project` (a vbaProject.bin) makes a macro workbook, which must be .xlsm.
    `created` stamps the document properties; a demo workbook is stamped with the demo's
    as-of date, so the same seed gives the same bytes (the bundled workbook is rebuilt
    and compared in a test).
    """
    path = Path(path)
    if lang not in LANGS:
        raise UsageError(msg("language must be en or zh, not '{lang}'", lang=lang))
    macro = path.suffix.lower() == ".xlsm"
    if vba_project is not None and not macro:
        raise UsageError(msg("{name}: a workbook with macros must be named .xlsm", name=path.name))
    if macro and vba_project is None:
        raise UsageError(msg("{name}: an .xlsm needs a VBA project; name the workbook .xlsx", name=path.name))
    tpl = template or load_template()
    rows: dict[str, Rows] = dict(data) if data is not None else (
        dict(demo_data(seed, lang).rows) if demo else {})
    if not rows.get(SETTINGS.key):
        rows[SETTINGS.key] = default_setting_rows(lang)
    company = next((str(r.get("value") or "") for r in rows[SETTINGS.key]
                    if r.get("key") == "company_name"), "")

    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    ctx = BuildContext(workbook, tpl, lang, company)
    if created is None and demo and data is None:
        created = dt.datetime.combine(DEMO_AS_OF, dt.time(0, 0))
    if vba_project is not None:
        if not Path(vba_project).is_file():
            raise UsageError(msg("VBA project {path} not found", path=vba_project))
        workbook.add_vba_project(str(vba_project))
        workbook.set_vba_name("ThisWorkbook")

    extras = [(x, workbook.add_worksheet(x.name)) for x in extra_sheets if x.first]
    for layout in tpl.sheets:
        sheet = workbook.add_worksheet(layout.spec.title(lang))
        ctx.worksheets[layout.spec.key] = sheet
        _write_input_sheet(ctx, layout, sheet, rows.get(layout.spec.key) or ())
    extras += [(x, workbook.add_worksheet(x.name)) for x in extra_sheets if not x.first]
    _add_credit_marks(ctx, rows[SETTINGS.key])
    _define_names(ctx)
    _set_properties(ctx, created)
    for extra, sheet in extras:
        extra.write(ctx, sheet)
    close_xlsxwriter(workbook, path)


def default_setting_rows(lang: str) -> list[dict[str, object]]:
    """Settings rows of a new, empty workbook: every key at its default."""
    return [{"key": k, "value": v, "note": n}
            for k, v, n in setting_rows(Settings(language=lang), lang)]


def _write_input_sheet(ctx: BuildContext, layout: SheetLayout, sheet: Worksheet, rows: Rows) -> None:
    spec, tpl, lang = layout.spec, ctx.template, ctx.lang
    formats = [ctx.format(**tpl.cell_format(spec, c)) for c in spec.columns]
    for j, (column, fmt) in enumerate(zip(spec.columns, formats, strict=True)):
        sheet.set_column(j, j, column.width, fmt)
    # A date in a column of another type (a Settings value) keeps the column's alignment.
    date_number = tpl.data["formats"]["date"]["num_format"]
    date_formats = [fmt if c.type is ColumnType.DATE else
                    ctx.format(**{**tpl.cell_format(spec, c), "num_format": date_number})
                    for c, fmt in zip(spec.columns, formats, strict=True)]
    for i, row in enumerate(rows, start=1):
        for j, column in enumerate(spec.columns):
            _write_value(ctx, sheet, i, j, row.get(column.name), formats[j], date_formats[j])

    # A table needs one data row; an empty table gets a blank one (readers skip it).
    last_row = max(len(rows), 1)
    header = ctx.format(**tpl.data["header"])
    sheet.add_table(0, 0, last_row, len(spec.columns) - 1, {
        "name": spec.table,
        "style": tpl.data["table"]["style"],
        "columns": [{"header": c.header(lang), "header_format": header} for c in spec.columns],
    })
    ctx.tables[spec.key] = f"A1:{column_letter(len(spec.columns) - 1)}{last_row + 1}"
    sheet.set_row(0, tpl.data["table"]["header_height"])
    _add_validations(ctx, spec, sheet, last_row + tpl.data["table"]["validation_rows"])

    sheet.freeze_panes(*layout.freeze)
    sheet.set_tab_color(layout.tab_color)
    sheet.write_comment(0, 0, tpl.text(layout.note, lang), {
        "author": "xlcust", "x_scale": 3.4, "y_scale": 2.4, "font_size": 9,
    })
    _print_setup(ctx, layout, sheet)


def _add_credit_marks(ctx: BuildContext, settings_rows: Rows) -> None:
    """Invoice rows over or near the customer's credit limit turn red or amber as they are typed."""
    typed = next((r.get("value") for r in settings_rows if r.get("key") == "coding_scheme"), None)
    try:
        scheme = parse_scheme(typed) if typed not in (None, "") else Settings().coding_scheme
    except ValueError:
        scheme = Settings().coding_scheme  # the checks report the setting; the marks use the default
    names = {spec.key: ctx.sheet_name(spec.key) for spec in (SETTINGS, CATEGORIES, CUSTOMERS, TRANSACTIONS)}
    last = int(ctx.tables[TRANSACTIONS.key].rsplit(":", 1)[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    add_credit_marks(ctx.worksheets[TRANSACTIONS.key], ctx.workbook, MarkFormulas(names, scheme),
                     last + ctx.template.data["table"]["validation_rows"])


def _write_value(ctx: BuildContext, sheet: Worksheet, row: int, col: int, value: object,
                 fmt: Format, date_format: Format) -> None:
    """One cell, by the Python type of the value; None and "" stay blank."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        if ctx.lang == "en":
            sheet.write_boolean(row, col, value, fmt)
        else:
            yes, no = ctx.template.words("bool", ctx.lang)
            sheet.write_string(row, col, yes if value else no, fmt)
    elif isinstance(value, dt.date):  # datetime too
        sheet.write_datetime(row, col, value, date_format)
    elif isinstance(value, numbers.Real | Decimal):
        if value != value:  # NaN: blank
            return
        sheet.write_number(row, col, float(value), fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _add_validations(ctx: BuildContext, spec: Sheet, sheet: Worksheet, last_row: int) -> None:
    tpl, lang = ctx.template, ctx.lang
    for j, column in enumerate(spec.columns):
        rule = tpl.validation(spec, column)
        if rule is None:
            continue
        letter = column_letter(j)
        options: dict[str, Any] = {"validate": rule["validate"]}
        for key in ("criteria", "value", "minimum", "maximum", "error_type"):
            if key in rule:
                value = rule[key]
                if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    value = dt.datetime.combine(value, dt.time())
                options[key] = value
        if "list" in rule:
            options["source"] = tpl.words(rule["list"], lang)
        elif "name" in rule:
            options["source"] = "=" + rule["name"]
        elif "formula" in rule:
            options["value"] = "=" + rule["formula"].format(col=f"${letter}:${letter}",
                                                            cell=f"{letter}2")
        if "input" in rule:
            options["input_title"] = column.header(lang)[:32]
            options["input_message"] = tpl.text(rule["input"], lang)[:255]
        if "error" in rule:
            options["error_title"] = translate(N_("Check this value"), lang)
            options["error_message"] = tpl.text(rule["error"], lang)[:255]
        sheet.data_validation(1, j, last_row, j, options)


def _define_names(ctx: BuildContext) -> None:
    """Names over table columns, as structured references (they grow with the table)."""
    for name, entry in ctx.template.data.get("names", {}).items():
        if "leaves_of" in entry:
            ctx.workbook.define_name(name, "=" + leaf_codes_formula(entry["leaves_of"]))
            continue
        sheet, column = _column_ref(entry["column"])
        ctx.workbook.define_name(name, f"={sheet.table}[{column.header(ctx.lang)}]")


def leaf_codes_formula(codes: str) -> str:
    """The codes of `codes` (a name over the Categories code column) that no other code extends.

    A code is a leaf when no code starts with it and goes on ("01" has "0101"). FILTER is
    Excel 2021/365's; in a program that lacks it ROWS(FILTER(…)) is an error and the list
    is every code, as before (the checks still reject a non-leaf category).
    """
    leaves = f'_xlfn._xlws.FILTER({codes},COUNTIF({codes},{codes}&"?*")=0)'
    return f"IF(ISERROR(ROWS({leaves})),{codes},{leaves})"


def status_words(lang: str) -> list[str]:
    """The customer statuses offered in the Status drop-down: the checks' own words (xlcust.archive)."""
    from ..archive import STATUS_WORDS

    if lang == "zh":
        return [next(w for w in words if not w.isascii()) for words in STATUS_WORDS.values()]
    return [words[0] for words in STATUS_WORDS.values()]


def _print_setup(ctx: BuildContext, layout: SheetLayout, sheet: Worksheet) -> None:
    """The house page setup (`xlcust.views.page`), the template's paper and margins."""
    setup = ctx.template.data["print"]
    page = page_setup(ctx.lang, title=ctx.template.text(layout.title, ctx.lang), company=ctx.company,
                      paper=paper_of_code(setup["paper"]), landscape=layout.landscape,
                      margins=Margins(**setup["margins"]))
    apply_page_setup(sheet, page)


def apply_page_setup(sheet: Worksheet, page: PageSetup, landscape: bool | None = None) -> None:
    """A `PageSetup` through XlsxWriter: paper, orientation, one page wide, header row on every page."""
    sheet.set_paper(page.paper_code)
    if landscape if landscape is not None else page.landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    if page.fit_width:
        sheet.fit_to_pages(1, 0)
    if page.repeat_header:
        sheet.repeat_rows(0)
    m = page.margins
    sheet.set_margins(left=m.left, right=m.right, top=m.top, bottom=m.bottom)
    sheet.set_header(page.header, {"margin": m.header})
    sheet.set_footer(page.footer, {"margin": m.footer})


def _set_properties(ctx: BuildContext, created: dt.datetime | None = None) -> None:
    tpl, lang = ctx.template, ctx.lang
    book = tpl.data["workbook"]
    stamp = {"created": created} if created is not None else {}
    ctx.workbook.set_properties({
        **stamp,
        "title": tpl.text(book["title"], lang),
        "subject": tpl.text(book["subject"], lang),
        "author": book["author"],
        "company": ctx.company,
        "keywords": book["keywords"],
        "comments": tpl.text(book["comments"], lang),
    })
    ctx.workbook.set_custom_property("xlcust_template", f"registry v{tpl.data['version']}")


# ------------------------------------------------------------------- an added CategoryHistory


def history_look(book: Book, template: Template | None = None) -> SheetLook:
    """The template's look for a CategoryHistory sheet that `run` / `check --write` add to `book`.

    The drop-downs and date checks `xlcust new` puts on the sheet, and its note, as a prompt on the
    header's first cell. A book made elsewhere has no CustomerCodes / CategoryCodes names, so a list's
    source is the code column of the book's own Customers / Categories sheet, however long it grows.
    """
    tpl = template or load_template()
    lang = book.settings.language
    layout = next(s for s in tpl.sheets if s.spec.key == HISTORY.key)
    last = min(1 + max(len(book.customers), 1) + tpl.data["table"]["validation_rows"], MAX_ROWS)
    sources = {"CustomerCodes": _code_column(book.customers), "CategoryCodes": _code_column(book.categories)}
    out = [Validation("A1", prompt_title=tpl.text(layout.title, lang)[:32], prompt=tpl.text(layout.note, lang))]
    for j, column in enumerate(HISTORY.columns):
        rule = tpl.validation(HISTORY, column)
        if rule is None:
            continue
        ref = f"{column_letter(j)}2:{column_letter(j)}{last}"
        error = {"error_title": translate(N_("Check this value"), lang), "error": tpl.text(rule["error"], lang)}
        if rule["validate"] == "list" and sources.get(rule.get("name", "")):
            out.append(Validation(ref, "list", sources[rule["name"]], **error))
        elif rule["validate"] == "date":
            low, high = rule["minimum"], rule["maximum"]
            out.append(Validation(ref, "date", f"DATE({low.year},{low.month},{low.day})",
                                  f"DATE({high.year},{high.month},{high.day})", **error))
    setup = tpl.data["print"]
    page = page_setup(lang, title=tpl.text(layout.title, lang), company=book.settings.company_name or "",
                      paper=paper_of_code(setup["paper"]), landscape=layout.landscape,
                      margins=Margins(**setup["margins"]))
    return SheetLook(validations=tuple(out), tab_color=layout.tab_color.lstrip("#"), page=page)


def _code_column(table: SheetTable) -> str | None:
    """A list source over a sheet's code column, from its first data row to its last filled one."""
    letter = table.columns.get("code")
    if not table.present or letter is None:
        return None
    sheet = "'" + table.name.replace("'", "''") + "'"
    first = table.header_row + 1
    cells = f"{sheet}!${letter}${first}:${letter}${MAX_ROWS}"
    return f"OFFSET({sheet}!${letter}${first},0,0,MAX(1,COUNTA({cells})),1)"
