"""The file name and the package must agree: .xlsx is macro-free, .xlsm macro-enabled.

Excel refuses to open a macro-enabled package named .xlsx, and a macro-free one named
.xlsm ("the file format or extension is not valid"). When a save writes to a new name
whose extension says the other kind, `convert` makes the package that kind:

- to .xlsx: the VBA project (`xl/vbaProject.bin`, its own relationships such as a
  signature) and its relationship are dropped, and the workbook part's content type
  becomes the plain one. The caller warns that the macros were left out
  (`macros_left_out`);
- to .xlsm: only the content type changes. An .xlsm without a VBA project is what Excel
  itself saves for a macro-free workbook under that name; it has no macros
  (`no_macros_in_xlsm` lets the caller say so).

Saving over the file read is never converted: the user's VBA stays where it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from .package import Package

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MACRO_MAIN_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
VBA_PROJECT_CT = "application/vnd.ms-office.vbaProject"
VBA_REL_SUFFIX = "/vbaProject"


def wants_macros(path: str | os.PathLike[str]) -> bool | None:
    """True for .xlsm, False for .xlsx, None for a name that does not say (kept as read)."""
    return {".xlsm": True, ".xlsx": False}.get(Path(path).suffix.lower())


def vba_parts(pkg: Package) -> list[str]:
    """The VBA project part of the workbook and every part it points to (signatures), or []."""
    from .package import rels_part_of

    found: list[str] = []
    for rel in pkg.rels(pkg.workbook_part):
        if rel.type.endswith(VBA_REL_SUFFIX) and not rel.external:
            found.append(rel.target)
            found.append(rels_part_of(rel.target))
            found += [r.target for r in pkg.rels(rel.target) if not r.external]
    return [p for p in found if pkg.has_part(p)]


def is_macro_enabled(pkg: Package) -> bool:
    """Does the package say it is an .xlsm (content type of the workbook part, or a VBA project)?"""
    return _main_content_type(pkg) == MACRO_MAIN_CT or bool(vba_parts(pkg))


def macros_left_out(pkg: Package, target: str | os.PathLike[str]) -> bool:
    """Would saving `pkg` to `target` drop its VBA project (a new .xlsx name for a workbook with macros)?"""
    return _converts(pkg, target) and wants_macros(target) is False and bool(vba_parts(pkg))


def no_macros_in_xlsm(pkg: Package, target: str | os.PathLike[str]) -> bool:
    """Would saving `pkg` to `target` make an .xlsm that has no macros?"""
    return wants_macros(target) is True and not vba_parts(pkg) and (
        _converts(pkg, target) or not _same_file(pkg, target))


def misnamed(pkg: Package) -> bool:
    """Is the file read already of the other kind than its name says (Excel refuses to open it)?"""
    macros = wants_macros(pkg.path)
    return macros is not None and macros != is_macro_enabled(pkg)


def convert(pkg: Package, target: str | os.PathLike[str], ct: etree._Element, wb_rels: etree._Element,
            deleted: set[str]) -> None:
    """Make the package the kind `target`'s extension says (edits `ct`, `wb_rels`, `deleted` in place)."""
    if not _converts(pkg, target):
        return
    macros = wants_macros(target)
    if not macros:
        gone = {p.lower() for p in vba_parts(pkg)}
        deleted |= gone
        for rel in list(wb_rels):
            if rel.get("Type", "").endswith(VBA_REL_SUFFIX):
                wb_rels.remove(rel)
        for default in list(ct.iterchildren(f"{{{CT_NS}}}Default")):
            # The .bin default names the VBA project's type; no other part uses it once the project is gone.
            if default.get("ContentType") == VBA_PROJECT_CT and not _other_bin_parts(pkg, gone):
                ct.remove(default)
    main = "/" + pkg.workbook_part.lstrip("/")
    for override in ct.iterchildren(f"{{{CT_NS}}}Override"):
        if override.get("PartName", "").lower() == main.lower():
            override.set("ContentType", MACRO_MAIN_CT if macros else PLAIN_MAIN_CT)


def _converts(pkg: Package, target: str | os.PathLike[str]) -> bool:
    macros = wants_macros(target)
    return macros is not None and not _same_file(pkg, target) and macros != is_macro_enabled(pkg)


def _same_file(pkg: Package, target: str | os.PathLike[str]) -> bool:
    return os.path.realpath(target) == os.path.realpath(pkg.path)


def _main_content_type(pkg: Package) -> str | None:
    root = etree.fromstring(pkg.read_part("[Content_Types].xml"))
    main = "/" + pkg.workbook_part.lstrip("/")
    for override in root.iterchildren(f"{{{CT_NS}}}Override"):
        if override.get("PartName", "").lower() == main.lower():
            return override.get("ContentType")
    return None


def _other_bin_parts(pkg: Package, gone: set[str]) -> bool:
    return any(p.lower().endswith(".bin") and p.lower() not in gone for p in pkg.parts())
