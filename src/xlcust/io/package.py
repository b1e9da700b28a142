"""The workbook file as a zip package: read its structure (writing: `package_write`).

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
import io
import os
import posixpath
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from lxml import etree

from ..errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    NotAWorkbook,
    WorkbookError,
    WorkbookLocked,
    WorkbookNotFound,
)
from ..i18n import N_, Msg, msg
from ..schema import OUTPUT_SHEETS
from . import booklock, safezip, zipwrite
from .sheetxml import (
    MAIN_NS,
    REL_NS,
    XML_PARSER,
    find_error_cells,
)

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
            raise NotAWorkbook(msg("{name} is a folder, not a workbook: give the path of an .xlsx or .xlsm file",
                                   name=name))
        safezip.check_file_size(name, st.st_size)
        data = p.read_bytes()
    except FileNotFoundError:
        raise WorkbookNotFound(msg("{path}: no such file; check the path and run again", path=p)) from None
    except PermissionError:
        raise WorkbookLocked(msg("{name} cannot be read (permission denied or locked by another program): close it "
                                 "or fix its permissions and run again", name=name)) from None
    except OSError as exc:
        raise WorkbookError(msg("{name} cannot be read ({reason}): check the file and run again",
                                name=name, reason=exc.strerror or exc)) from None
    return Package(p, data, (st.st_mtime_ns, st.st_size))


def _sniff(name: str, data: bytes) -> None:
    """Raise the right error for bytes that are not an OOXML zip package."""
    if not data:
        raise CorruptWorkbook(msg("{name} is empty (0 bytes): restore it from a backup or save it again from Excel",
                                  name=name))
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise EncryptedWorkbook(msg("{name} is password-protected: open it in Excel, remove the password (File "
                                        "> Info > Protect Workbook) and save it, then run again", name=name))
        raise NotAWorkbook(msg("{name} is an old-format Excel (.xls) or other Office file: open it in Excel and "
                               "save it as .xlsx (or .xlsm), then run again", name=name))
    if not data.startswith(b"PK"):
        raise NotAWorkbook(msg("{name} is not an Excel workbook (.xlsx/.xlsm): open it in Excel and save it as "
                               ".xlsx, then run again", name=name))


def _corrupt(name: str, what: Msg) -> CorruptWorkbook:
    return CorruptWorkbook(msg("{name} is damaged ({what}): open it in Excel to repair it, save it, and run again",
                               name=name, what=what))


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
            raise _corrupt(name, msg("not a readable zip: {error}", error=str(exc))) from None
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
                raise NotAWorkbook(msg("{name} is an OpenDocument spreadsheet (.ods): save it as .xlsx and run again",
                                       name=name))
            raise NotAWorkbook(msg("{name} is a zip file but not an Excel workbook: save it as .xlsx and run again",
                                   name=name))
        self.workbook_part = self._find_workbook_part()
        if self.workbook_part.lower().endswith(".bin"):
            raise NotAWorkbook(msg("{name} is a binary workbook (.xlsb): open it in Excel and save it as .xlsx or "
                                   ".xlsm, then run again", name=name))
        root = self._xml(self.workbook_part)
        ns = etree.QName(root).namespace
        if ns == STRICT_MAIN_NS:
            raise NotAWorkbook(msg("{name} is saved as 'Strict Open XML': save it in Excel as 'Excel Workbook "
                                   "(*.xlsx)' and run again", name=name))
        if ns != MAIN_NS or etree.QName(root).localname != "workbook":
            raise NotAWorkbook(msg("{name} is not an Excel workbook: save it as .xlsx and run again",
                                   name=name))
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
            if info.compress_type == zipfile.ZIP_DEFLATED:  # zlib-ng's inflate (zipwrite.inflate_part): faster
                return zipwrite.inflate_part(self._data, info)
            return self._zip.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise _corrupt(self.path.name, msg("part {part} unreadable: {error}", part=info.filename,
                                                   error=str(exc))) from None

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
                raise _corrupt(self.path.name, msg("part {part} is not well-formed XML: {error}", part=name,
                                                       error=str(exc))) from None
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
                    raise _corrupt(self.path.name, msg("main part {part} missing", part=rel.target))
                return rel.target
        if self.has_part("xl/workbook.xml"):
            return self._canonical("xl/workbook.xml")
        if self.has_part("word/document.xml") or self.has_part("ppt/presentation.xml"):
            raise NotAWorkbook(msg("{name} is a Word or PowerPoint file, not an Excel workbook",
                                   name=self.path.name))
        raise _corrupt(self.path.name, msg("main part {part} missing", part="xl/workbook.xml"))

    # -- sheets ---------------------------------------------------------------------------

    def _read_sheets(self, root: etree._Element) -> list[_SheetEntry]:
        rels = {r.id: r for r in self.rels(self.workbook_part)}
        ns = etree.QName(root).namespace
        sheets_el = root.find(f"{{{ns}}}sheets")
        out = []
        for el in () if sheets_el is None else sheets_el.iterchildren(f"{{{ns}}}sheet"):
            rel = rels.get(el.get(f"{{{REL_NS}}}id", ""))
            if rel is None or rel.external:
                raise _corrupt(self.path.name, msg("sheet '{sheet}' has no part", sheet=el.get("name")))
            kind = rel.type.rsplit("/", 1)[-1]
            out.append(_SheetEntry(el.get("name", ""), int(el.get("sheetId", "0")), rel.id, rel.target, kind,
                                   el.get("state", "visible")))
        if not out:
            raise _corrupt(self.path.name, msg("no sheets"))
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


