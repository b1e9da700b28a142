"""The workbook file as a zip package: read its structure, write xlcust's sheets into it safely.

xlcust writes only its own output sheets and a few explicit edits; everything else in
the file — other sheets, styles, names, validation, VBA, drawings, charts, buttons,
comments — must survive. openpyxl drops drawings and form controls on re-save, so this
module never round-trips through a spreadsheet library. It works on the package:

* every part it does not change is copied from the old zip to the new one unchanged
  (same bytes, same compression method, same timestamp);
* it rewrites only `xl/workbook.xml` (sheet list, defined names, active tab),
  `xl/_rels/workbook.xml.rels`, `[Content_Types].xml`, `xl/styles.xml` (entries are
  *appended*, existing indices stay valid), the output sheets' own parts (a sheet with
  charts also gets its rels, one drawing and one part per chart, under names no existing
  part uses), the user sheets an explicit edit touches, the tables an `AppendRows`
  grows, and drops `xl/calcChain.xml` when it would point at cells that no longer hold
  formulas (Excel rebuilds it). `docProps/app.xml` is left alone: Excel and LibreOffice rebuild its
  list of sheet titles themselves.

Which sheets are ours. An output sheet carries a hidden *sheet-scoped* defined name
`_xlcust_output` (value `"xlcust"`). A sheet-scoped name travels with its sheet when a
user renames, moves or reorders sheets in Excel, survives openpyxl and LibreOffice, and
costs no cell. `Package.output_sheets()` lists the sheets carrying it. An existing sheet
may be replaced by an output of the same name (compared the way Excel compares sheet
names, ignoring case) only when it carries the marker or has one of the reserved names
in `schema.OUTPUT_SHEETS`; anything else is the user's and is refused.

Replacing or removing an output sheet removes every part only it reaches (its drawing,
its charts, their rels); a part something else still reaches — the user's charts on
their own sheets — stays.

Highlights are conditional formats whose only rule is the always-true formula
`"xlcust"="xlcust"` with a light-red fill (a dxf appended to styles). Every save first
removes all of them from every sheet, so a rerun with fewer findings leaves no stale marks.

Saving is atomic: the new package is written to a temporary file beside the target,
flushed to disk, then moved over it with `os.replace`. On any failure the original is
untouched and the temporary file removed. A workbook open in Excel, WPS or LibreOffice
(their lock files `~$Book.xlsx` / `.~lock.Book.xlsx#` beside it, or a refused replace on
Windows) raises `WorkbookLocked`.

Zip64 is used only for a part too large for the classic format: Excel refuses packages
whose small parts carry Zip64 records, so parts are never forced into Zip64.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import os
import posixpath
import re
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from lxml import etree

from ..errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    NotAWorkbook,
    UsageError,
    WorkbookError,
    WorkbookLocked,
    WorkbookNotFound,
)
from ..i18n import N_
from ..schema import OUTPUT_SHEETS, column_index, column_letter
from . import booklock, safezip
from .charts import (
    CHART_CT,
    CHART_REL,
    DRAWING_CT,
    DRAWING_REL,
    ChartSeries,
    ChartSpec,
    chart_xml,
    drawing_xml,
    rels_xml,
)
from .flavour import convert as convert_flavour
from .sheetxml import (
    HIGHLIGHT_FORMULA,
    MAIN_NS,
    MAX_ROWS,
    REL_NS,
    XML_PARSER,
    AppendRows,
    CellEdit,
    CellSpec,
    ColumnSpec,
    DateSystem,
    Highlight,
    OutputSheet,
    OutputStyles,
    RenderedSheet,
    SheetEditor,
    estimate_width,
    find_error_cells,
    format_range,
    parse_cell,
    parse_range,
    render_output_sheet,
    validate_sheet_name,
)

__all__ = [
    "AppendRows",
    "CellEdit",
    "CellSpec",
    "ChartSeries",
    "ChartSpec",
    "ColumnSpec",
    "Highlight",
    "OUTPUT_MARKER",
    "OutputSheet",
    "Package",
    "TableInfo",
    "open_package",
    "save_package",
]

OUTPUT_MARKER = "_xlcust_output"

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RESERVED_OUTPUT_NAMES = {n.casefold() for pair in OUTPUT_SHEETS.items() for n in pair}

# CT_Workbook child order, for creating <definedNames> / <calcPr> where Excel expects them.
_WORKBOOK_ORDER = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
    "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
    "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
    "extLst",
)
_FONT_ORDER = {name: i for i, name in enumerate(
    ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color", "name",
     "family", "charset", "scheme"))}
_STYLES_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
    "tableStyles", "colors", "extLst",
)


@dataclass(frozen=True)
class TableInfo:
    """An Excel Table (ListObject) as the package describes it."""

    name: str
    display_name: str
    sheet: str
    ref: str  # "A1:H200", header row included
    header_row_count: int
    part: str  # "xl/tables/table1.xml"
    totals_row_count: int = 0
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Rel:
    id: str
    type: str
    target: str  # resolved part name for internal targets, raw target when external
    external: bool


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    sheet_id: int
    rid: str
    part: str
    kind: str  # "worksheet", "chartsheet", "dialogsheet", "macrosheet"
    state: str


# --------------------------------------------------------------------------------------
# Opening


def open_package(path: str | os.PathLike[str]) -> Package:
    """Open an .xlsx/.xlsm workbook for reading its structure (and later saving into it)."""
    p = Path(path)
    name = p.name or str(p)
    try:
        st = p.stat()
        if p.is_dir():
            raise NotAWorkbook(f"{name} is a folder, not a workbook: give the path of an .xlsx or .xlsm file")
        safezip.check_file_size(name, st.st_size)
        data = p.read_bytes()
    except FileNotFoundError:
        raise WorkbookNotFound(f"{p}: no such file; check the path and run again") from None
    except PermissionError:
        raise WorkbookLocked(f"{name} cannot be read (permission denied or locked by another program): "
                             "close it or fix its permissions and run again") from None
    except OSError as exc:
        raise WorkbookError(f"{name} cannot be read ({exc.strerror or exc}): check the file and run again") from None
    return Package(p, data, (st.st_mtime_ns, st.st_size))


def _sniff(name: str, data: bytes) -> None:
    """Raise the right error for bytes that are not an OOXML zip package."""
    if not data:
        raise CorruptWorkbook(f"{name} is empty (0 bytes): restore it from a backup or save it again from Excel")
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise EncryptedWorkbook(f"{name} is password-protected: open it in Excel, remove the password "
                                    "(File > Info > Protect Workbook) and save it, then run again")
        raise NotAWorkbook(f"{name} is an old-format Excel (.xls) or other Office file: open it in Excel and "
                           "save it as .xlsx (or .xlsm), then run again")
    if not data.startswith(b"PK"):
        raise NotAWorkbook(f"{name} is not an Excel workbook (.xlsx/.xlsm): open it in Excel and save it as "
                           ".xlsx, then run again")


def _corrupt(name: str, what: str) -> CorruptWorkbook:
    return CorruptWorkbook(f"{name} is damaged ({what}): open it in Excel to repair it, save it, and run again")


# --------------------------------------------------------------------------------------
# The package


class Package:
    """A workbook file held in memory: its parts, sheets, tables; the source for `save_package`."""

    path: Path

    def __init__(self, path: Path, data: bytes, stamp: tuple[int, int] | None = None) -> None:
        self.path = path
        self._load(data, stamp)

    def _load(self, data: bytes, stamp: tuple[int, int] | None) -> None:
        name = self.path.name
        _sniff(name, data)
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
            raise _corrupt(name, f"not a readable zip: {exc}") from None
        # Bombs, duplicate or escaping names and DTDs are refused before any part is parsed.
        self._infos = safezip.check_directory(zf, name)
        safezip.check_no_dtd(zf, self._infos, name)
        self._verified: set[str] = set()  # parts whose inflated size was checked
        self._data = data
        self._stamp = stamp
        self._zip = zf
        self._by_lower = {i.filename.lower(): i for i in self._infos}
        self._rels_cache: dict[str, list[_Rel]] = {}
        self._xml_cache: dict[str, etree._Element] = {}
        if "[content_types].xml" not in self._by_lower:
            if "mimetype" in self._by_lower:
                raise NotAWorkbook(f"{name} is an OpenDocument spreadsheet (.ods): save it as .xlsx and run again")
            raise NotAWorkbook(f"{name} is a zip file but not an Excel workbook: save it as .xlsx and run again")
        self.workbook_part = self._find_workbook_part()
        if self.workbook_part.lower().endswith(".bin"):
            raise NotAWorkbook(f"{name} is a binary workbook (.xlsb): open it in Excel and save it as .xlsx "
                               "or .xlsm, then run again")
        root = self._xml(self.workbook_part)
        ns = etree.QName(root).namespace
        if ns == STRICT_MAIN_NS:
            raise NotAWorkbook(f"{name} is saved as 'Strict Open XML': save it in Excel as "
                               "'Excel Workbook (*.xlsx)' and run again")
        if ns != MAIN_NS or etree.QName(root).localname != "workbook":
            raise NotAWorkbook(f"{name} is not an Excel workbook: save it as .xlsx and run again")
        pr = root.find(f"{{{ns}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        self._sheets = self._read_sheets(root)

    def fingerprint(self) -> booklock.Fingerprint | None:
        """The fingerprint of the file as this package read it (for refusing to replace a changed book)."""
        return None if self._stamp is None else booklock.fingerprint_of(self._data, self._stamp[0])

    def for_native_readers(self, *sheets: str) -> bytes:
        """The bytes to hand fastexcel / python-calamine, once the parts they inflate proved their sizes.

        fastexcel inflates a part past the size the zip directory declares (python-calamine
        and Python's zipfile stop there), so before it gets the file the parts it reads are
        inflated once here and counted (see `safezip.verify_sizes`): the workbook's common
        parts (workbook, relationships, shared strings, styles) and the worksheets named in
        `sheets`, each at most once per package. Callers name a sheet before reading it.
        They get the bytes that passed, not the path: the file may change after it was checked.
        """
        wanted = {self.workbook_part.lower(), rels_part_of(self.workbook_part).lower(), "_rels/.rels",
                  "[content_types].xml"}
        wanted |= {r.target.lower() for r in self.rels(self.workbook_part)
                   if not r.external and r.type.rsplit("/", 1)[-1] in ("sharedStrings", "styles")}
        wanted |= {self.sheet_part(s).lower() for s in sheets}
        todo = [i for i in self._infos if i.filename.lower() in wanted - self._verified]
        if todo:
            safezip.verify_sizes(self._data, todo, self.path.name)
            self._verified.update(i.filename.lower() for i in todo)
        return self._data

    # -- parts ----------------------------------------------------------------------------

    def parts(self) -> list[str]:
        """Every part name in the zip, in stored order."""
        return [i.filename for i in self._infos]

    def has_part(self, name: str) -> bool:
        return name.lstrip("/").lower() in self._by_lower

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = self._by_lower.get(name.lstrip("/").lower())
        if info is None:
            raise KeyError(f"{self.path.name} has no part {name!r}")
        return info

    def read_part(self, name: str) -> bytes:
        """The decompressed bytes of one part ("xl/workbook.xml")."""
        info = self._info(name)
        try:
            return self._zip.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise _corrupt(self.path.name, f"part {info.filename} unreadable: {exc}") from None

    def open_part(self, name: str) -> IO[bytes]:
        """A part as a stream, for reading its beginning without decompressing the rest."""
        return self._zip.open(self._info(name))

    @contextlib.contextmanager
    def parsing(self, name: str) -> Iterator[None]:
        """Malformed XML or a broken stream in part `name` is the file's damage, said so, not a crash."""
        try:
            yield
        except etree.XMLSyntaxError as exc:
            raise safezip.damaged(self.path.name, N_("part {part} is not well-formed XML: {error}"),
                                  part=name, error=str(exc)) from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise safezip.damaged(self.path.name, N_("part {part} unreadable: {error}"),
                                  part=name, error=str(exc)) from None

    def shared_strings_part(self) -> str | None:
        """The workbook's shared-string table ("xl/sharedStrings.xml"), if it has one."""
        for rel in self.rels(self.workbook_part):
            if rel.type.endswith("/sharedStrings") and not rel.external and self.has_part(rel.target):
                return rel.target
        return None

    def _xml(self, name: str) -> etree._Element:
        root = self._xml_cache.get(name)
        if root is None:
            try:
                root = etree.fromstring(self.read_part(name), XML_PARSER)
            except etree.XMLSyntaxError as exc:
                raise _corrupt(self.path.name, f"part {name} is not well-formed XML: {exc}") from None
            self._xml_cache[name] = root
        return root

    def rels(self, source: str) -> list[_Rel]:
        """Relationships of a part ("" for the package itself), targets resolved to part names."""
        cached = self._rels_cache.get(source)
        if cached is not None:
            return cached
        rels_part = rels_part_of(source)
        out: list[_Rel] = []
        if self.has_part(rels_part):
            for el in self._xml(rels_part).iter(f"{{{PKG_REL_NS}}}Relationship"):
                external = el.get("TargetMode") == "External"
                target = el.get("Target", "")
                out.append(_Rel(el.get("Id", ""), el.get("Type", ""), target if external
                                else self._canonical(resolve_target(source, target)), external))
        self._rels_cache[source] = out
        return out

    def _canonical(self, part: str) -> str:
        info = self._by_lower.get(part.lower())
        return info.filename if info else part

    def _find_workbook_part(self) -> str:
        for rel in self.rels(""):
            if rel.type.endswith("/officeDocument") and not rel.external:
                if not self.has_part(rel.target):
                    raise _corrupt(self.path.name, f"main part {rel.target} missing")
                return rel.target
        if self.has_part("xl/workbook.xml"):
            return self._canonical("xl/workbook.xml")
        if self.has_part("word/document.xml") or self.has_part("ppt/presentation.xml"):
            raise NotAWorkbook(f"{self.path.name} is a Word or PowerPoint file, not an Excel workbook")
        raise _corrupt(self.path.name, "xl/workbook.xml missing")

    # -- sheets ---------------------------------------------------------------------------

    def _read_sheets(self, root: etree._Element) -> list[_SheetEntry]:
        rels = {r.id: r for r in self.rels(self.workbook_part)}
        ns = etree.QName(root).namespace
        sheets_el = root.find(f"{{{ns}}}sheets")
        out = []
        for el in () if sheets_el is None else sheets_el.iterchildren(f"{{{ns}}}sheet"):
            rel = rels.get(el.get(f"{{{REL_NS}}}id", ""))
            if rel is None or rel.external:
                raise _corrupt(self.path.name, f"sheet {el.get('name')!r} has no part")
            kind = rel.type.rsplit("/", 1)[-1]
            out.append(_SheetEntry(el.get("name", ""), int(el.get("sheetId", "0")), rel.id, rel.target, kind,
                                   el.get("state", "visible")))
        if not out:
            raise _corrupt(self.path.name, "no sheets")
        return out

    def sheet_names(self) -> list[str]:
        """Sheet names in workbook (tab) order, chart sheets included."""
        return [s.name for s in self._sheets]

    def _sheet(self, name: str) -> _SheetEntry:
        for s in self._sheets:
            if s.name == name:
                return s
        folded = name.casefold()
        for s in self._sheets:  # Excel compares sheet names ignoring case
            if s.name.casefold() == folded:
                return s
        raise KeyError(f"{self.path.name} has no sheet {name!r}")

    def sheet_part(self, name: str) -> str:
        """The part holding a sheet, e.g. "xl/worksheets/sheet3.xml"."""
        return self._sheet(name).part

    def output_sheets(self) -> list[str]:
        """Sheets carrying xlcust's output marker, in tab order."""
        indices = set()
        for dn in _defined_names(self._xml(self.workbook_part)):
            if dn.get("name") == OUTPUT_MARKER and (lsid := dn.get("localSheetId", "")).isdigit():
                indices.add(int(lsid))
        return [s.name for i, s in enumerate(self._sheets) if i in indices]

    def tables(self) -> list[TableInfo]:
        """Every Excel Table, sheet by sheet."""
        out = []
        for s in self._sheets:
            if s.kind != "worksheet":
                continue
            for rel in self.rels(s.part):
                if rel.external or not rel.type.endswith("/table") or not self.has_part(rel.target):
                    continue
                t = self._xml(rel.target)
                ns = etree.QName(t).namespace
                cols = tuple(c.get("name", "") for c in t.iter(f"{{{ns}}}tableColumn"))
                out.append(TableInfo(
                    name=t.get("name") or t.get("displayName", ""),
                    display_name=t.get("displayName") or t.get("name", ""),
                    sheet=s.name,
                    ref=t.get("ref", ""),
                    header_row_count=int(t.get("headerRowCount", "1")),
                    part=rel.target,
                    totals_row_count=int(t.get("totalsRowCount", "0")),
                    columns=cols,
                ))
        return out

    def error_cells(self, sheet_name: str) -> dict[tuple[int, int], str]:
        """(row Excel shows, 0-based column) → error text ("#DIV/0!") for cells holding an error value."""
        s = self._sheet(sheet_name)
        if s.kind != "worksheet":
            return {}
        with self.parsing(s.part):
            return find_error_cells(self.read_part(s.part))


def rels_part_of(part: str) -> str:
    """"xl/workbook.xml" → "xl/_rels/workbook.xml.rels"; "" (the package) → "_rels/.rels"."""
    directory, base = posixpath.split(part)
    return posixpath.join(directory, "_rels", f"{base}.rels")


def resolve_target(source: str, target: str) -> str:
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target)).lstrip("/")


def _defined_names(wb: etree._Element) -> list[etree._Element]:
    ns = etree.QName(wb).namespace
    dn = wb.find(f"{{{ns}}}definedNames")
    return [] if dn is None else list(dn.iterchildren(f"{{{ns}}}definedName"))


def _insert_ordered(root: etree._Element, el: etree._Element, order: Sequence[str]) -> None:
    rank = order.index(etree.QName(el).localname)
    for i, child in enumerate(root):
        if isinstance(child.tag, str) and etree.QName(child).localname in order \
                and order.index(etree.QName(child).localname) > rank:
            root.insert(i, el)
            return
    root.append(el)


def _new_child(parent: etree._Element, name: str, order: Sequence[str]) -> etree._Element:
    ns = etree.QName(parent).namespace
    el = etree.SubElement(parent, f"{{{ns}}}{name}")  # created in place so it reuses the parent's prefix
    parent.remove(el)
    _insert_ordered(parent, el, order)
    return el


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def _to_bytes(root: etree._Element) -> bytes:
    # The declaration as Excel writes it (lxml's own uses single quotes).
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------
# Styles: append-only


def _canon(el: etree._Element) -> tuple:
    return (
        etree.QName(el).localname,
        tuple(sorted(el.attrib.items())),
        tuple(_canon(c) for c in el if isinstance(c.tag, str)),
        (el.text or "").strip(),
    )


_MINIMAL_STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '<family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/>'
    '<top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
    'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
).encode()


class _Styles:
    """xl/styles.xml with xlcust's formats appended (or found, when an identical entry exists)."""

    def __init__(self, xml: bytes | None) -> None:
        self.created = xml is None
        self.root = etree.fromstring(_MINIMAL_STYLES if xml is None else xml, XML_PARSER)
        self.ns = etree.QName(self.root).namespace or MAIN_NS
        self.changed = self.created
        self._memo: dict[str, int] = {}

    def _q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def _container(self, name: str) -> etree._Element:
        el = self.root.find(self._q(name))
        if el is None:
            el = _new_child(self.root, name, _STYLES_ORDER)
            el.set("count", "0")
        return el

    def _add(self, container_name: str, build: Callable[[etree._Element], etree._Element]) -> int:
        """Index of an entry equal to what build() makes; appended if there is none."""
        container = self._container(container_name)
        existing = [c for c in container if isinstance(c.tag, str)]
        new = build(container)
        key = _canon(new)
        for i, old in enumerate(existing):
            if _canon(old) == key:
                container.remove(new)
                return i
        container.set("count", str(len(existing) + 1))
        self.changed = True
        return len(existing)

    def _sub(self, parent: etree._Element, name: str, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, self._q(name), **attrs)

    def num_fmt(self, code: str) -> int:
        container = self._container("numFmts")
        for nf in container.iterchildren(self._q("numFmt")):
            if nf.get("formatCode") == code:
                return int(nf.get("numFmtId", "0"))
        # Custom ids start at 164; dxfs carry numFmts of their own, so avoid theirs too.
        ids = [int(i) for nf in self.root.iter(self._q("numFmt")) if (i := nf.get("numFmtId", "")).isdigit()]
        new_id = max([163, *ids]) + 1
        self._sub(container, "numFmt", numFmtId=str(new_id), formatCode=code)
        container.set("count", str(sum(1 for _ in container.iterchildren(self._q("numFmt")))))
        self.changed = True
        return new_id

    def _base_font(self) -> etree._Element:
        fonts = self._container("fonts")
        first = next((f for f in fonts if isinstance(f.tag, str)), None)
        if first is None:
            first = self._sub(fonts, "font")
            self._sub(first, "sz", val="11")
            self._sub(first, "name", val="Calibri")
            fonts.set("count", "1")
        return first

    def font(self, *, bold: bool = False, size: str | None = None, color: str | None = None,
             underline: bool = False) -> int:
        base = self._base_font()

        def build(fonts: etree._Element) -> etree._Element:
            f = copy.deepcopy(base)
            fonts.append(f)
            if bold and f.find(self._q("b")) is None:
                f.insert(0, etree.Element(self._q("b")))
            if underline and f.find(self._q("u")) is None:
                f.insert(0, etree.Element(self._q("u")))
            if size:
                for sz in f.findall(self._q("sz")):
                    f.remove(sz)
                self._sub(f, "sz", val=size)
            if color:
                for c in f.findall(self._q("color")):
                    f.remove(c)
                self._sub(f, "color", rgb=color)
            # Keep the order Excel writes (the schema allows any, Excel's habits are safer).
            f[:] = sorted(f, key=lambda ch: _FONT_ORDER.get(etree.QName(ch).localname, 99)
                          if isinstance(ch.tag, str) else 99)
            return f

        return self._add("fonts", build)

    def solid_fill(self, rgb: str) -> int:
        fills = self._container("fills")
        while sum(1 for f in fills if isinstance(f.tag, str)) < 2:  # 0 and 1 are reserved by Excel
            n = sum(1 for f in fills if isinstance(f.tag, str))
            self._sub(self._sub(fills, "fill"), "patternFill", patternType="none" if n == 0 else "gray125")
            fills.set("count", str(n + 1))

        def build(container: etree._Element) -> etree._Element:
            fill = self._sub(container, "fill")
            pf = self._sub(fill, "patternFill", patternType="solid")
            self._sub(pf, "fgColor", rgb=rgb)
            self._sub(pf, "bgColor", indexed="64")
            return fill

        return self._add("fills", build)

    def bottom_border(self) -> int:
        def build(container: etree._Element) -> etree._Element:
            b = self._sub(container, "border")
            for side in ("left", "right", "top"):
                self._sub(b, side)
            self._sub(self._sub(b, "bottom", style="thin"), "color", auto="1")
            self._sub(b, "diagonal")
            return b

        return self._add("borders", build)

    def xf(self, num_fmt: int = 0, font: int = 0, fill: int = 0, border: int = 0,
           vertical: str | None = None) -> int:
        has_style_xfs = self.root.find(self._q("cellStyleXfs")) is not None

        def build(container: etree._Element) -> etree._Element:
            attrs = {"numFmtId": str(num_fmt), "fontId": str(font), "fillId": str(fill), "borderId": str(border)}
            if has_style_xfs:
                attrs["xfId"] = "0"
            for flag, used in (("applyNumberFormat", num_fmt), ("applyFont", font), ("applyFill", fill),
                               ("applyBorder", border), ("applyAlignment", vertical)):
                if used:
                    attrs[flag] = "1"
            x = self._sub(container, "xf", **attrs)
            if vertical:
                self._sub(x, "alignment", vertical=vertical)
            return x

        return self._add("cellXfs", build)

    def _memoized(self, key: str, make: Callable[[], int]) -> int:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def date_xf(self) -> int:
        return self._memoized("date", lambda: self.xf(num_fmt=self.num_fmt("yyyy-mm-dd")))

    def datetime_xf(self) -> int:
        return self._memoized("datetime", lambda: self.xf(num_fmt=self.num_fmt("yyyy-mm-dd hh:mm")))

    def highlight_dxf(self) -> int:
        def build(container: etree._Element) -> etree._Element:
            d = self._sub(container, "dxf")
            self._sub(self._sub(d, "font"), "color", rgb="FF9C0006")
            self._sub(self._sub(self._sub(d, "fill"), "patternFill"), "bgColor", rgb="FFFFC7CE")
            return d

        return self._memoized("highlight", lambda: self._add("dxfs", build))

    def value_fill_dxf(self, fill: str, font: str) -> int:
        """A differential format (fill and font colour, RRGGBB) for a value fill's conditional format."""
        def build(container: etree._Element) -> etree._Element:
            d = self._sub(container, "dxf")
            self._sub(self._sub(d, "font"), "color", rgb="FF" + font.upper())
            self._sub(self._sub(self._sub(d, "fill"), "patternFill"), "bgColor", rgb="FF" + fill.upper())
            return d

        return self._memoized(f"fill:{fill}:{font}", lambda: self._add("dxfs", build))

    def output_styles(self, with_highlight: bool, fills: Iterable[tuple[str, str]] = ()) -> OutputStyles:
        by_kind = {
            "text": 0,
            "number": 0,
            "int": self.xf(num_fmt=1),  # 0
            "money": self.xf(num_fmt=4),  # #,##0.00
            "cents": self.xf(num_fmt=4),
            "percent": self.xf(num_fmt=10),  # 0.00%
            "date": self.date_xf(),
            "datetime": self.datetime_xf(),
            "link": 0,
        }
        return OutputStyles(
            title=self.xf(font=self.font(bold=True, size="13")),
            header=self.xf(font=self.font(bold=True), fill=self.solid_fill("FFDDEBF7"), border=self.bottom_border(),
                           vertical="center"),
            link=self.xf(font=self.font(color="FF0563C1", underline=True)),
            by_kind=by_kind,
            date=by_kind["date"],
            datetime=by_kind["datetime"],
            highlight_dxf=self.highlight_dxf() if with_highlight else None,
            fill_dxfs={(fill, font): self.value_fill_dxf(fill, font) for fill, font in dict.fromkeys(fills)},
        )

    def to_bytes(self) -> bytes:
        return _to_bytes(self.root)


# --------------------------------------------------------------------------------------
# Saving


def save_package(
    pkg: Package,
    path_out: str | os.PathLike[str] | None = None,
    *,
    outputs: Iterable[OutputSheet] = (),
    edits: Iterable[CellEdit | AppendRows | Highlight] = (),
    remove_outputs: Iterable[str] = (),
    since: booklock.Fingerprint | None = None,
) -> dict[str, int]:
    """Write the workbook with these output sheets (replacing same-named ones), edits and removals.

    `since` is the fingerprint of the file as the caller read it (`Package.fingerprint`),
    when that was before `pkg` was opened: the save is refused if the file changed since.

    Returns, per output sheet that had more links than Excel keeps (65,530), how many of its
    cells became plain text instead. Writes to path_out (default: the file it was read from)
    atomically. Raises
    WorkbookLocked when the target is open in Excel/WPS/LibreOffice, changed on disk since
    it was read, or not writable; UsageError for impossible requests (an output that would
    overwrite a user sheet, an edit of a missing sheet). After saving over pkg.path, pkg
    reflects the new file.
    """
    target = Path(os.path.realpath(Path(path_out) if path_out is not None else pkg.path))
    same_file = target == Path(os.path.realpath(pkg.path))
    build = _Build(pkg, list(outputs), list(edits), list(remove_outputs), target=target)
    build.check_arguments()
    _check_not_open(target)
    # One xlcust writer per book: the lock spans the checks and the replace (see booklock).
    with booklock.hold(target):
        booklock.remove_stale_temporaries(target)
        if same_file:
            _check_unchanged(pkg, target)
            booklock.refuse_if_changed(target, since)
        try:
            build.prepare()
            data = _write_atomically(target, build.write_zip, keep_bytes=same_file)
            dropped = {new.spec.name: new.rendered.hyperlinks_dropped for new in build.new_sheets
                       if new.rendered is not None and new.rendered.hyperlinks_dropped}
        finally:
            build.close()
    if data is not None:  # pkg now describes the file on disk, ready for another save
        st = target.stat()
        pkg._load(data, (st.st_mtime_ns, st.st_size))
    return dropped


@dataclass
class _NewSheet:
    spec: OutputSheet
    part: str
    rid: str
    sheet_id: int
    rendered: RenderedSheet | None = None
    drawing: str | None = None  # its drawing part, when it has charts
    charts: list[str] = field(default_factory=list)  # its chart parts, in the order of spec.charts

    def parts(self) -> list[str]:
        """Every part this save writes for the sheet."""
        out = [self.part]
        if self.drawing is not None:
            out += [rels_part_of(self.part), self.drawing, rels_part_of(self.drawing), *self.charts]
        return out


@dataclass
class _Build:
    pkg: Package
    outputs: list[OutputSheet]
    edits: list[CellEdit | AppendRows | Highlight]
    remove_outputs: list[str]
    target: Path | None = None  # where the save goes: its extension says .xlsx or .xlsm (io.flavour)
    modified: dict[str, bytes] = field(default_factory=dict)  # part → new bytes (existing or created parts)
    deleted: set[str] = field(default_factory=set)  # lower-case part names
    new_sheets: list[_NewSheet] = field(default_factory=list)
    _replaced: dict[int, OutputSheet] = field(default_factory=dict)  # old sheet index → output
    _removed: set[int] = field(default_factory=set)

    # -- arguments ------------------------------------------------------------------------

    def check_arguments(self) -> None:
        pkg = self.pkg
        seen: set[str] = set()
        for out in self.outputs:
            if not isinstance(out, OutputSheet):
                raise UsageError(f"outputs must be OutputSheet objects, not {type(out).__name__}")
            validate_sheet_name(out.name)
            if out.name.casefold() in seen:
                raise UsageError(f"two output sheets are both called {out.name!r}")
            seen.add(out.name.casefold())
            for chart in out.charts:
                if not isinstance(chart, ChartSpec):
                    raise UsageError(f"charts of {out.name!r} must be ChartSpec objects, not {type(chart).__name__}")
        ours = {n.casefold() for n in pkg.output_sheets()}
        index = {s.name.casefold(): i for i, s in enumerate(pkg._sheets)}

        def owned(i: int) -> bool:
            name = pkg._sheets[i].name.casefold()
            return name in ours or name in _RESERVED_OUTPUT_NAMES

        for out in self.outputs:
            i = index.get(out.name.casefold())
            if i is None:
                continue
            if not owned(i):
                raise UsageError(f"sheet {pkg._sheets[i].name!r} in {pkg.path.name} was not written by xlcust: "
                                 "rename it or remove it, then run again")
            self._replaced[i] = out
        for name in self.remove_outputs:
            i = index.get(name.casefold())
            if i is None or i in self._replaced:
                continue
            if not owned(i):
                raise UsageError(f"refusing to remove sheet {pkg._sheets[i].name!r}: it was not written by xlcust")
            self._removed.add(i)
        if len(self._removed) == len(pkg._sheets) and not self.outputs:
            raise UsageError("a workbook needs at least one sheet; nothing would be left")
        busy = {pkg._sheets[i].name.casefold() for i in (*self._replaced, *self._removed)} | seen
        for edit in self.edits:
            if not isinstance(edit, (CellEdit, AppendRows, Highlight)):
                raise UsageError(f"unknown edit {edit!r}")
            folded = edit.sheet.casefold()
            if isinstance(edit, Highlight) and folded in seen:
                continue  # highlights on an output written now go into that sheet's XML
            if folded in busy:
                raise UsageError(f"cannot edit sheet {edit.sheet!r}: it is an output sheet replaced by this run")
            i = index.get(folded)
            if i is None:
                raise UsageError(f"{pkg.path.name} has no sheet {edit.sheet!r} to edit")
            if pkg._sheets[i].kind != "worksheet":
                raise UsageError(f"sheet {edit.sheet!r} is a chart or dialog sheet, not a worksheet")
            if isinstance(edit, CellEdit):
                parse_cell(f"{edit.col_letter}{edit.row}")  # raises UsageError outside Excel's grid

    # -- planning -------------------------------------------------------------------------

    def prepare(self) -> None:
        pkg = self.pkg
        wb = copy.deepcopy(pkg._xml(pkg.workbook_part))
        wb_rels = copy.deepcopy(pkg._xml(rels_part_of(pkg.workbook_part)))
        ct = copy.deepcopy(pkg._xml("[Content_Types].xml"))
        styles_part = next((r.target for r in pkg.rels(pkg.workbook_part)
                            if r.type.endswith("/styles") and not r.external), None)
        if styles_part is not None and not pkg.has_part(styles_part):
            styles_part = None
        styles = _Styles(None if styles_part is None else pkg.read_part(styles_part))
        dates = DateSystem(pkg.date1904)

        gone = sorted({*self._replaced, *self._removed})
        dead_rids = {pkg._sheets[i].rid for i in gone}
        self._collect_deleted(dead_rids, [pkg._sheets[i].part for i in gone])
        drop_calc_chain = self._calc_chain_mentions({pkg._sheets[i].sheet_id for i in gone})

        highlights_by_sheet = self._highlights()
        out_highlights = {k: v for k, v in highlights_by_sheet.items()
                          if k in {o.name.casefold() for o in self.outputs}}
        fills = [(f.fill, f.font) for o in self.outputs for f in o.fills]
        out_styles = styles.output_styles(with_highlight=bool(out_highlights), fills=fills) if self.outputs else None

        # User sheets: remove old highlights everywhere, apply edits.
        editors = self._edit_user_sheets(styles, dates, highlights_by_sheet, gone)
        for editor_part, editor in editors.items():
            self.modified[editor_part] = editor.to_bytes()
            drop_calc_chain |= editor.result.formulas_removed
        wrote_formulas = any(e.result.wrote_formulas for e in editors.values())

        # The new sheet list.
        self._plan_sheets(wb_rels, ct)
        new_order = self._new_order()
        self._render_outputs(out_styles, dates, out_highlights, wb, new_order)
        self._write_charts(dates)
        self._update_workbook(wb, new_order, gone, wrote_formulas)

        if drop_calc_chain and (calc_chain := self._calc_chain_part()) is not None:
            self.deleted.add(calc_chain.lower())  # Excel rebuilds it; stale entries make it repair the file
        if self.target is not None:  # a new name of the other kind: Excel opens only a package that matches it
            convert_flavour(pkg, self.target, ct, wb_rels, self.deleted)
        self._remove_deleted(wb_rels, ct)
        if styles.changed:
            if styles_part is None:
                styles_part = "xl/styles.xml" if not pkg.has_part("xl/styles.xml") else "xl/xlcust-styles.xml"
                self._add_rel(wb_rels, STYLES_REL, styles_part)
                self._add_override(ct, styles_part, STYLES_CT)
            self.modified[styles_part] = styles.to_bytes()
        for part, root in ((pkg.workbook_part, wb), (rels_part_of(pkg.workbook_part), wb_rels),
                           ("[Content_Types].xml", ct)):
            if _canon(root) != _canon(pkg._xml(part)):  # leave the bytes alone when nothing changed
                self.modified[pkg._canonical(part)] = _to_bytes(root)

    def _highlights(self) -> dict[str, list[str]]:
        by_sheet: dict[str, list[str]] = {}
        for e in self.edits:
            if isinstance(e, Highlight) and e.cells:
                for ref in e.cells:
                    parse_range(ref)  # validate before writing anything
                by_sheet.setdefault(e.sheet.casefold(), []).extend(e.cells)
        return by_sheet

    def _collect_deleted(self, dead_rids: set[str], dead_parts: list[str]) -> None:
        """The replaced/removed sheets' parts and whatever only they referenced."""
        if not dead_parts:
            return
        pkg = self.pkg

        def reach(starts: Iterable[str], skip: Callable[[str, _Rel], bool]) -> set[str]:
            seen: set[str] = set()
            todo = list(starts)
            while todo:
                part = todo.pop()
                if part.lower() in seen:
                    continue
                seen.add(part.lower())
                for rel in pkg.rels(part):
                    if not rel.external and not skip(part, rel) and pkg.has_part(rel.target):
                        todo.append(rel.target)
            return seen

        candidates = reach(dead_parts, lambda s, r: False)
        alive = reach([""], lambda s, r: s == pkg.workbook_part and r.id in dead_rids)
        doomed = candidates - alive
        for part in list(doomed):
            doomed.add(rels_part_of(pkg._canonical(part)).lower())
        self.deleted |= {p for p in doomed if pkg.has_part(p)}

    def _calc_chain_mentions(self, sheet_ids: set[int]) -> bool:
        if not sheet_ids:
            return False
        part = self._calc_chain_part()
        if part is None:
            return False
        current = 0
        for c in self.pkg._xml(part):
            i = c.get("i")
            if i is not None:
                current = int(i)
            if current in sheet_ids:
                return True
        return False

    def _calc_chain_part(self) -> str | None:
        for r in self.pkg.rels(self.pkg.workbook_part):
            if r.type.endswith("/calcChain") and not r.external and self.pkg.has_part(r.target):
                return r.target
        return None

    def _edit_user_sheets(self, styles: _Styles, dates: DateSystem, highlights: dict[str, list[str]],
                          gone: list[int]) -> dict[str, SheetEditor]:
        pkg = self.pkg
        editors: dict[str, SheetEditor] = {}

        # Sheets whose cells change are parsed whole; the others only around their cells.
        names = {n.casefold() for n in pkg.sheet_names()}
        cell_edits = {pkg._sheet(e.sheet).part for e in self.edits
                      if isinstance(e, CellEdit | AppendRows) and e.sheet.casefold() in names}
        xml: dict[str, bytes] = {}  # each sheet part decompressed once (a big one is 100 MB)

        def new_editor(part: str, name: str) -> SheetEditor:
            raw = xml[part] if part in xml else pkg.read_part(part)
            with pkg.parsing(part):
                return SheetEditor(raw, name) if part in cell_edits else SheetEditor.around_cells(raw, name)

        def editor(sheet_name: str) -> SheetEditor:
            s = pkg._sheet(sheet_name)
            if s.part not in editors:
                editors[s.part] = new_editor(s.part, s.name)
            return editors[s.part]

        markers = (HIGHLIGHT_FORMULA.encode(), HIGHLIGHT_FORMULA.replace('"', "&quot;").encode())
        for i, s in enumerate(pkg._sheets):
            if i in gone or s.kind != "worksheet":
                continue
            xml[s.part] = pkg.read_part(s.part)
            if any(m in xml[s.part] for m in markers):
                ed = new_editor(s.part, s.name)
                with pkg.parsing(s.part):
                    removed = ed.remove_highlights()
                if removed:
                    editors[s.part] = ed

        tables = pkg.tables()
        for e in self.edits:
            if isinstance(e, CellEdit):
                col = column_index(e.col_letter)
                _refuse_table_header(e, col, [t for t in tables if t.sheet.casefold() == e.sheet.casefold()])
                date_style = styles.date_xf() if isinstance(e.value, dt.date) else None
                editor(e.sheet).set_cell(e.row, col, e.value, dates, date_style=date_style)
            elif isinstance(e, AppendRows):
                self._append(editor(e.sheet), e, tables, styles, dates)
        outputs = {o.name.casefold() for o in self.outputs}
        for sheet_key, cells in highlights.items():
            if sheet_key not in outputs:
                editor(pkg._sheet(sheet_key).name).add_highlight(cells, styles.highlight_dxf())
        return editors

    def _append(self, ed: SheetEditor, e: AppendRows, tables: list[TableInfo], styles: _Styles,
                dates: DateSystem) -> None:
        rows = [list(r) for r in e.rows]
        if not rows:
            return
        date_style = styles.date_xf() if any(isinstance(v, dt.date) for r in rows for v in r) else None
        if e.table_name is None:
            first_row = ed.last_row() + 1
            first_col = column_index(e.start_col_letter or "A")
            last = first_row + len(rows) - 1
            if last > MAX_ROWS:
                raise UsageError(f"{e.sheet}: appending {len(rows)} rows would pass Excel's last row")
            ed.append_rows(first_row, first_col, rows, dates, style_row=first_row - 1 or None, date_style=date_style)
            return
        folded = e.table_name.casefold()
        info = next((t for t in tables if folded in (t.name.casefold(), t.display_name.casefold())), None)
        if info is None or info.sheet.casefold() != ed.name.casefold():
            raise UsageError(f"no table {e.table_name!r} on sheet {e.sheet!r}")
        if info.totals_row_count:
            raise WorkbookError(f"table {info.name} on {info.sheet} has a totals row: turn it off (Table Design > "
                                "Total Row), run again, then turn it back on")
        r1, c1, r2, c2 = parse_range(info.ref)
        first_col = column_index(e.start_col_letter) if e.start_col_letter else c1
        width = max(len(r) for r in rows)
        if first_col < c1 or first_col + width - 1 > c2:
            raise UsageError(f"rows for table {info.name} do not fit its columns {column_letter(c1)}:"
                             f"{column_letter(c2)}")
        data_first = r1 + info.header_row_count
        if r2 < data_first:  # header only
            first_row = data_first
        elif r2 == data_first and not any(ed.has_value(r2, c) for c in range(c1, c2 + 1)):
            first_row = r2  # a new table's one empty row: fill it rather than leave a gap
        else:
            first_row = r2 + 1
        style_row = r2 if r2 >= data_first else None
        new_last = first_row + len(rows) - 1
        if new_last > MAX_ROWS:
            raise UsageError(f"table {info.name}: appending {len(rows)} rows would pass Excel's last row")
        for r in range(r2 + 1, new_last + 1):
            for c in range(c1, c2 + 1):
                if ed.has_value(r, c):
                    raise WorkbookError(f"{info.sheet}!{column_letter(c)}{r} below table {info.name} is not empty: "
                                        "move what is there and run again")
        for other in tables:
            if other.part != info.part and other.sheet == info.sheet:
                o1, k1, o2, k2 = parse_range(other.ref)
                if o1 <= new_last and o2 > r2 and k1 <= c2 and k2 >= c1:
                    raise WorkbookError(f"table {info.name} cannot grow: table {other.name} is in the way on "
                                        f"{info.sheet}")
        table = copy.deepcopy(self.pkg._xml(info.part))
        ns = etree.QName(table).namespace
        formulas: dict[int, str] = {}
        for k, col in enumerate(table.iter(f"{{{ns}}}tableColumn")):
            calc = col.find(f"{{{ns}}}calculatedColumnFormula")
            if calc is not None and calc.text and calc.get("array") not in ("1", "true"):
                formulas[c1 + k] = calc.text
        ed.append_rows(first_row, first_col, rows, dates, style_row=style_row, formulas=formulas,
                       date_style=date_style)
        table.set("ref", format_range(r1, c1, new_last, c2))
        for name in ("autoFilter", "sortState"):
            for el in table.iter(f"{{{ns}}}{name}"):
                ref = el.get("ref")
                if ref and parse_range(ref)[2] == r2:
                    a1, b1, _a2, b2 = parse_range(ref)
                    el.set("ref", format_range(a1, b1, new_last, b2))
        ed.extend_ranges(r2, new_last, c1, c2)
        self.modified[info.part] = _to_bytes(table)

    def _plan_sheets(self, wb_rels: etree._Element, ct: etree._Element) -> None:
        pkg = self.pkg
        taken = {i.filename.lower() for i in pkg._infos} - self.deleted
        used_ids = [s.sheet_id for s in pkg._sheets]
        by_name = {s.name.casefold(): (i, s) for i, s in enumerate(pkg._sheets)}
        next_id = max(used_ids, default=0) + 1
        for out in self.outputs:
            part = _free_part("xl/worksheets/sheet{}.xml", taken)
            old = by_name.get(out.name.casefold())
            if old is not None and old[0] in self._replaced:
                sheet_id = old[1].sheet_id
            else:
                sheet_id, next_id = next_id, next_id + 1
            rid = self._add_rel(wb_rels, WORKSHEET_REL, part)
            self._add_override(ct, part, WORKSHEET_CT)
            new = _NewSheet(out, part, rid, sheet_id)
            if out.charts:
                new.drawing = _free_part("xl/drawings/drawing{}.xml", taken)
                self._add_override(ct, new.drawing, DRAWING_CT)
                for _ in out.charts:
                    new.charts.append(_free_part("xl/charts/chart{}.xml", taken))
                    self._add_override(ct, new.charts[-1], CHART_CT)
            self.new_sheets.append(new)

    def _new_order(self) -> list[tuple[int | None, _NewSheet | None]]:
        """The new tab order: (old index, None) for kept sheets, (None, new) for outputs."""
        by_spec = {id(n.spec): n for n in self.new_sheets}
        order: list[tuple[int | None, _NewSheet | None]] = []
        for i in range(len(self.pkg._sheets)):
            if i in self._replaced:
                order.append((None, by_spec[id(self._replaced[i])]))
            elif i not in self._removed:
                order.append((i, None))
        placed = {id(o) for _, o in order if o is not None}
        order.extend((None, n) for n in self.new_sheets if id(n) not in placed)
        return order

    def _render_outputs(self, styles: OutputStyles | None, dates: DateSystem, highlights: dict[str, list[str]],
                        wb: etree._Element, order: list[tuple[int | None, _NewSheet | None]]) -> None:
        active = _active_tab(wb)
        new_active = self._map_tab(active, order)
        for position, (_, new) in enumerate(order):
            if new is None:
                continue
            assert styles is not None
            new.rendered = render_output_sheet(new.spec, styles, dates, tab_selected=position == new_active,
                                               highlights=highlights.get(new.spec.name.casefold(), ()),
                                               drawing_rid=_DRAWING_RID if new.drawing else None)

    def _write_charts(self, dates: DateSystem) -> None:
        """Each charted output's sheet rels, drawing, drawing rels and chart parts."""
        for new in self.new_sheets:
            if new.drawing is None:
                continue
            assert new.rendered is not None
            spec = new.spec
            rids = [f"rId{i + 1}" for i in range(len(spec.charts))]
            widths = [c.width or estimate_width(c.header, c.kind) for c in spec.columns]
            self.modified[rels_part_of(new.part)] = rels_xml([(_DRAWING_RID, DRAWING_REL,
                                                               _relative(new.part, new.drawing))])
            self.modified[new.drawing] = drawing_xml(spec.charts, rids, widths)
            self.modified[rels_part_of(new.drawing)] = rels_xml(
                [(rid, CHART_REL, _relative(new.drawing, part)) for rid, part in zip(rids, new.charts, strict=True)])
            for chart, part in zip(spec.charts, new.charts, strict=True):
                self.modified[part] = chart_xml(chart, spec.name, new.rendered.cells, dates)

    def _map_tab(self, old: int, order: list[tuple[int | None, _NewSheet | None]]) -> int:
        """Where the sheet at old index sits now (or the nearest survivor)."""
        if old in self._replaced:
            target = id(self._replaced[old])
            return next(p for p, (_, n) in enumerate(order) if n is not None and id(n.spec) == target)
        for p, (i, _) in enumerate(order):  # a removed sheet's place goes to the next survivor
            if i is not None and i >= old:
                return p
        return max(len(order) - 1, 0)

    def _update_workbook(self, wb: etree._Element, order: list[tuple[int | None, _NewSheet | None]],
                         gone: list[int], wrote_formulas: bool) -> None:
        pkg = self.pkg
        ns = etree.QName(wb).namespace
        q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
        sheets_el = wb.find(q("sheets"))
        old_els = list(sheets_el.iterchildren(q("sheet")))
        for el in old_els:
            sheets_el.remove(el)
        old_to_new: dict[int, int] = {}
        for position, (old, new) in enumerate(order):
            if old is not None:
                sheets_el.append(old_els[old])
                old_to_new[old] = position
            else:
                assert new is not None
                el = etree.SubElement(sheets_el, q("sheet"), name=new.spec.name, sheetId=str(new.sheet_id))
                if new.spec.visibility != "visible":
                    el.set("state", new.spec.visibility)
                el.set(f"{{{REL_NS}}}id", new.rid)

        # Defined names: re-point sheet-scoped ones, drop those of replaced/removed sheets.
        gone_names = [pkg._sheets[i].name for i in self._removed]
        dn_el = wb.find(q("definedNames"))
        for dn in _defined_names(wb):
            lsid = dn.get("localSheetId")
            if lsid is not None and lsid.isdigit():
                old = int(lsid)
                if old in gone or old not in old_to_new:
                    dn.getparent().remove(dn)
                    continue
                dn.set("localSheetId", str(old_to_new[old]))
            if gone_names and dn.text:
                dn.text = _ref_error_for_sheets(dn.text, gone_names)
        for position, (_, new) in enumerate(order):
            if new is None:
                continue
            if dn_el is None:
                dn_el = _new_child(wb, "definedNames", _WORKBOOK_ORDER)
            r = new.rendered
            assert r is not None
            quoted = _quote_sheet(new.spec.name)
            names = [(OUTPUT_MARKER, '"xlcust"', True)] if new.spec.owned else []
            names.append(("_xlnm.Print_Titles", f"{quoted}!${r.header_row}:${r.header_row}", False))
            if new.spec.autofilter:
                r1, c1, r2, c2 = parse_range(r.data_ref)
                names.append(("_xlnm._FilterDatabase",
                              f"{quoted}!${column_letter(c1)}${r1}:${column_letter(c2)}${r2}", True))
            for name, value, hidden in names:
                el = etree.SubElement(dn_el, q("definedName"), name=name, localSheetId=str(position))
                if hidden:
                    el.set("hidden", "1")
                el.text = value
        if dn_el is not None and len(dn_el) == 0:
            wb.remove(dn_el)

        # Active and first visible tab follow their sheets.
        views = wb.find(q("bookViews"))
        for view in () if views is None else views.iterchildren(q("workbookView")):
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is not None and value.isdigit():
                    view.set(attr, str(min(self._map_tab(int(value), order), len(order) - 1)))
        if wrote_formulas:  # appended table rows got their calculated-column formulas: compute on open
            calc = wb.find(q("calcPr"))
            if calc is None:
                calc = _new_child(wb, "calcPr", _WORKBOOK_ORDER)
            calc.set("fullCalcOnLoad", "1")

    # -- rels and content types -------------------------------------------------------------

    def _add_rel(self, rels: etree._Element, rel_type: str, part: str) -> str:
        ids = {el.get("Id") for el in rels}
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        target = posixpath.relpath(part, posixpath.dirname(self.pkg.workbook_part) or ".")
        etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=rel_type, Target=target)
        return rid

    def _add_override(self, ct: etree._Element, part: str, content_type: str) -> None:
        # A part reusing a deleted part's name must not leave two Overrides for one name (Excel repairs that).
        name = "/" + part.lower()
        for ov in list(ct.iterchildren(f"{{{CT_NS}}}Override")):
            if ov.get("PartName", "").lower() == name:
                ct.remove(ov)
        etree.SubElement(ct, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=content_type)

    def _remove_deleted(self, wb_rels: etree._Element, ct: etree._Element) -> None:
        """Drop relationships and content types of deleted parts (a new part may reuse a freed name)."""
        gone = self.deleted - {p.lower() for n in self.new_sheets for p in n.parts()}
        new_rids = {n.rid for n in self.new_sheets}
        for rel in list(wb_rels):
            if rel.get("TargetMode") == "External" or rel.get("Id") in new_rids:
                continue
            target = resolve_target(self.pkg.workbook_part, rel.get("Target", "")).lower()
            if target in self.deleted:
                wb_rels.remove(rel)
        for ov in list(ct.iterchildren(f"{{{CT_NS}}}Override")):
            if ov.get("PartName", "").lstrip("/").lower() in gone:
                ct.remove(ov)

    # -- writing --------------------------------------------------------------------------

    def write_zip(self, f: IO[bytes]) -> None:
        pkg = self.pkg
        modified = {k.lower(): v for k, v in self.modified.items()}
        written: set[str] = set()
        # Level 3 for the parts written here: a third of level 6's time on large sheets for ~5% more bytes.
        # Copied parts keep the default level (their ZipInfo carries none).
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=3) as zout:
            for info in pkg._infos:
                key = info.filename.lower()
                if key in self.deleted:
                    continue
                written.add(key)
                if key in modified:
                    zout.writestr(_same_info(info), modified[key])
                    continue
                with pkg._zip.open(info) as src, zout.open(_same_info(info), "w") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
            for part, data in self.modified.items():  # parts created by this save (styles)
                if part.lower() not in written:
                    zout.writestr(part, data)
            for new in self.new_sheets:
                r = new.rendered
                assert r is not None
                with zout.open(new.part, "w", force_zip64=r.size >= zipfile.ZIP64_LIMIT) as dst:
                    r.write_to(dst)

    def close(self) -> None:
        for new in self.new_sheets:
            if new.rendered is not None:
                new.rendered.close()


_DRAWING_RID = "rId1"  # an output sheet's rels hold only its drawing


def _free_part(pattern: str, taken: set[str]) -> str:
    """The first pattern.format(n) that is free and whose rels part is free too (taken grows by it).

    A stray rels part left under a free name would attach itself to the new part.
    """
    n = 1
    while {pattern.format(n).lower(), rels_part_of(pattern.format(n)).lower()} & taken:
        n += 1
    part = pattern.format(n)
    taken.update({part.lower(), rels_part_of(part).lower()})
    return part


def _relative(source: str, target: str) -> str:
    """A relationship target from source's folder ("../charts/chart2.xml")."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def _refuse_table_header(e: CellEdit, col: int, tables: list[TableInfo]) -> None:
    """A Table's header cells must match its column names in the table part, or Excel repairs the file."""
    for t in tables:
        r1, c1, _r2, c2 = parse_range(t.ref)
        if t.header_row_count and e.row == r1 and c1 <= col <= c2:
            raise UsageError(f"{e.sheet}!{e.col_letter}{e.row} is a header of table {t.name}: "
                             "rename the column in Excel instead")


def _same_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh header for a copied part: same name, time, compression and attributes."""
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = info.compress_type
    out.external_attr = info.external_attr
    out.comment = info.comment
    out.file_size = info.file_size  # lets zipfile choose Zip64 only for parts that need it
    return out


def _active_tab(wb: etree._Element) -> int:
    ns = etree.QName(wb).namespace
    view = wb.find(f"{{{ns}}}bookViews/{{{ns}}}workbookView")
    value = None if view is None else view.get("activeTab")
    return int(value) if value and value.isdigit() else 0


def _ref_error_for_sheets(formula: str, sheets: Sequence[str]) -> str:
    """Point references to deleted sheets at #REF!, as Excel does when a sheet is deleted."""
    for name in sheets:
        pattern = rf"(?<![\w.']){re.escape(_quote_sheet(name))}!|(?<![\w.']){re.escape(name)}!"
        formula = re.sub(pattern, "#REF!", formula, flags=re.IGNORECASE)
    return formula


# --------------------------------------------------------------------------------------
# Files: locks and atomic replacement


def _lock_files(target: Path) -> list[Path]:
    return [target.with_name(f"~${target.name}"), target.with_name(f".~lock.{target.name}#")]


def _check_not_open(target: Path) -> None:
    for lock in _lock_files(target):
        if lock.exists():
            raise WorkbookLocked(f"{target.name} is open in Excel/WPS/LibreOffice (lock file {lock.name}): close it "
                                 f"and run again; if it is not open, delete {lock.name}")
    if target.exists() and not os.access(target, os.W_OK):
        raise WorkbookLocked(f"{target.name} is read-only: clear its read-only setting and run again")


def _check_unchanged(pkg: Package, target: Path) -> None:
    if pkg._stamp is None:
        return
    try:
        st = target.stat()
    except FileNotFoundError:
        return
    if (st.st_mtime_ns, st.st_size) != pkg._stamp:
        raise WorkbookLocked(f"{target.name} was changed by another program after xlcust read it: "
                             "save and close it there, then run again")


def _write_atomically(target: Path, write: Callable[[IO[bytes]], None], *, keep_bytes: bool = False
                      ) -> bytes | None:
    """Write via a temporary file in the target's folder, then replace the target; the bytes if asked."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=booklock.tmp_prefix(target), suffix=booklock.TMP_SUFFIX,
                                        dir=target.parent)
    except PermissionError:
        raise WorkbookLocked(f"cannot write in the folder of {target.name}: check its permissions and run again"
                             ) from None
    except OSError as exc:
        raise WorkbookError(f"cannot save {target.name} ({exc.strerror or exc}): check the folder and run again"
                            ) from None
    tmp = Path(tmp_name)
    booklock.lock_temporary(fd)  # a later run's cleanup leaves this file alone while we live
    try:
        with os.fdopen(fd, "w+b") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            data = None
            if keep_bytes:
                f.seek(0)
                data = f.read()
        _copy_mode(target, tmp)
        _replace(tmp, target)
        return data
    except PermissionError:
        _discard(tmp)
        raise WorkbookLocked(f"{target.name} is open in Excel/WPS/LibreOffice or read-only: close it and run again"
                             ) from None
    except OSError as exc:
        _discard(tmp)
        raise WorkbookError(f"cannot save {target.name} ({exc.strerror or exc}): free some disk space or check the "
                            "folder, then run again") from None
    except BaseException:
        _discard(tmp)
        raise


def _replace(tmp: Path, target: Path) -> None:
    # Windows: a virus scanner or indexer may hold the fresh file for a moment; Excel holds
    # an open workbook for good, which surfaces as PermissionError after the retries.
    attempts = 5 if os.name == "nt" else 1
    for attempt in range(attempts):
        try:
            os.replace(tmp, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


def _copy_mode(target: Path, tmp: Path) -> None:
    """mkstemp makes a 0600 file; give the new workbook the old one's permissions (or the umask's)."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()
