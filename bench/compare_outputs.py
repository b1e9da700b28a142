"""Compare two workbooks sheet by sheet: cell values, styles, hyperlinks and sheet layout.

    python bench/compare_outputs.py A.xlsx B.xlsx [--sheets Allocation,Settlement] [--max 10]
                                    [--ignore heights,widths,...] [--keep-times]

The "read back identical" check of a writer change: run xlcust on the same book before and
after (or take `/work/benchdata/base/out_1m.xlsx` as A) and compare. Prints, per sheet, either
`same` or what differs, with the first few cells of each kind of difference; exits 1 when
anything differs, 0 otherwise.

- values: every cell as python-calamine reads it (shared or inline strings, numbers,
  dates by their number format, booleans); run times ("2026-12-06 17:21") are masked
  unless --keep-times, as a rerun always differs there;
- styles: each cell's cellXfs entry resolved to what it shows (number format code, font,
  fill, border, alignment, protection), so two books that number their styles differently
  still compare equal; a cell without `s` is style 0;
- links: every hyperlink's cell, in-book location or external target, and display text;
- layout: column widths, custom row heights, merged ranges, frozen panes, autofilter,
  conditional formats, data validations, the sheet's dimension; and the workbook's
  defined names.

The XML is scanned with byte regexes, not an XML tree, so a 1M-row book takes a minute or
two, not hours; cells may come with or without `r` references.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import sys
import zipfile
from array import array
from dataclasses import dataclass, field

import numpy as np
from lxml import etree
from python_calamine import CalamineWorkbook

PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RUN_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?")
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")  # (tag, its attributes)
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Z]*)([0-9]+)["']""")
_S_ATTR = re.compile(rb"""(?:^|\s)s\s*=\s*["']([0-9]+)["']""")
_HT_ATTR = re.compile(rb"""(?:^|\s)ht\s*=\s*["']([^"']*)["']""")
_CUSTOM_HEIGHT = re.compile(rb"""(?:^|\s)customHeight\s*=\s*["'](?:1|true)["']""")
_BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
                    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
                    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
                    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
                    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss",
                    47: "mmss.0", 48: "##0.0E+0", 49: "@"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _canon(el: etree._Element | None) -> str:
    """An element's content without namespaces, attributes sorted: equal looks compare equal."""
    if el is None:
        return "-"
    attrs = ",".join(f"{_local(k)}={v}" for k, v in sorted(el.attrib.items()))
    inner = "".join(_canon(ch) for ch in el if isinstance(ch.tag, str))
    text = (el.text or "").strip()
    return f"{_local(el.tag)}({attrs}){'=' + repr(text) if text else ''}{inner}"


@dataclass
class SheetScan:
    """What the XML of one worksheet holds beside its values."""

    rows: array = field(default_factory=lambda: array("i"))
    cols: array = field(default_factory=lambda: array("i"))
    styles: array = field(default_factory=lambda: array("i"))  # index into Book.style_keys
    links: dict[str, str] = field(default_factory=dict)  # cell → target
    layout: dict[str, dict[str, str]] = field(default_factory=dict)  # kind → key → value


class Book:
    """A workbook's sheets (name → part), resolved styles and defined names."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path)
        names = {n.lower(): n for n in self.zip.namelist()}
        self._names = names
        root_rels = self._rels("")
        wb_part = next(t for t, typ in root_rels.values() if typ.endswith("/officeDocument"))
        self.wb_part = wb_part
        wb = self._xml(wb_part)
        rels = self._rels(wb_part)
        self.sheets: dict[str, str] = {}
        for el in wb.iter():
            if _local(el.tag) == "sheet":
                rid = el.get(f"{{{REL_NS}}}id")
                if rid in rels:
                    self.sheets[el.get("name")] = rels[rid][0]
        self.defined_names = {f"{el.get('name')}@{el.get('localSheetId', '')}": (el.text or "")
                              for el in wb.iter() if _local(el.tag) == "definedName"}
        styles_part = next((t for t, typ in rels.values() if typ.endswith("/styles")), None)
        self.style_keys: list[str] = self._styles(styles_part)

    def part(self, name: str) -> bytes:
        return self.zip.read(self._names[name.lower()])

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def _xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.part(name), etree.XMLParser(huge_tree=True, resolve_entities=False))

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_name):
            return {}
        out = {}
        for el in self._xml(rels_name):
            target = el.get("Target", "")
            if el.get("TargetMode") != "External":
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
            out[el.get("Id")] = (target, el.get("Type", ""))
        return out

    def _styles(self, part: str | None) -> list[str]:
        if part is None or not self.has(part):
            return ["default"]
        root = self._xml(part)

        def group(name: str) -> list[etree._Element]:
            el = next((e for e in root if _local(e.tag) == name), None)
            return [] if el is None else [e for e in el if isinstance(e.tag, str)]

        formats = {int(e.get("numFmtId")): e.get("formatCode") for e in group("numFmts")}
        fonts, fills, borders = group("fonts"), group("fills"), group("borders")
        keys = []
        for xf in group("cellXfs"):
            fmt_id = int(xf.get("numFmtId", "0"))
            fmt = formats.get(fmt_id, _BUILTIN_FORMATS.get(fmt_id, f"builtin {fmt_id}"))

            def pick(items: list[etree._Element], attr: str, xf: etree._Element = xf) -> str:
                i = int(xf.get(attr, "0"))
                return _canon(items[i]) if i < len(items) else "-"

            sub = {_local(e.tag): _canon(e) for e in xf if isinstance(e.tag, str)}
            keys.append("|".join((fmt, pick(fonts, "fontId"), pick(fills, "fillId"), pick(borders, "borderId"),
                                  sub.get("alignment", "-"), sub.get("protection", "-"),
                                  f"quotePrefix={xf.get('quotePrefix', '0')}")))
        return keys or ["default"]

    def scan(self, sheet: str, key_ids: dict[str, int]) -> SheetScan:
        """Cell styles (as ids into key_ids, shared by both books), links and layout of one sheet."""
        part = self.sheets[sheet]
        xml = self.part(part)
        out = SheetScan()
        start = xml.find(b"sheetData")
        end = xml.rfind(b"sheetData")
        styles = [key_ids.setdefault(k, len(key_ids)) for k in self.style_keys]
        default = styles[0] if styles else key_ids.setdefault("default", len(key_ids))
        row = 0
        col = -1
        rows, cols, ids = out.rows, out.cols, out.styles
        heights = out.layout.setdefault("heights", {})
        r_attr, s_attr, custom, ht = _R_ATTR.search, _S_ATTR.search, _CUSTOM_HEIGHT.search, _HT_ATTR.search
        for tag, attrs in _TAG.findall(xml, start, end if end > start else len(xml)):
            ref = r_attr(attrs)
            if tag == b"row":
                row = int(ref.group(2)) if ref else row + 1
                col = -1
                if custom(attrs):
                    h = ht(attrs)
                    heights[str(row)] = h.group(1).decode() if h else ""
                continue
            if ref:
                col = _col_index(ref.group(1).decode())
                row = int(ref.group(2))
            else:
                col += 1
            st = s_attr(attrs)
            rows.append(row)
            cols.append(col)
            ids.append(styles[int(st.group(1))] if st and int(st.group(1)) < len(styles) else default)
        if end > start:  # cut the cells out: the rest is small enough for a tree
            open_lt = xml.rfind(b"<", 0, start)
            close_gt = xml.find(b">", end)
            xml = xml[:open_lt] + b"<" + xml[open_lt + 1:start] + b"sheetData/>" + xml[close_gt + 1:]
        self._sheet_layout(part, xml, out)
        return out

    def _sheet_layout(self, part: str, head_tail: bytes, out: SheetScan) -> None:
        """Everything but the cells."""
        try:
            root = etree.fromstring(head_tail, etree.XMLParser(huge_tree=True, resolve_entities=False))
        except etree.XMLSyntaxError as e:
            out.layout["unreadable"] = {"xml": str(e)}
            return
        rels = self._rels(part)
        lay = out.layout
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            name = _local(el.tag)
            if name == "col":
                for c in range(int(el.get("min", "1")), int(el.get("max", "1")) + 1):
                    lay.setdefault("widths", {})[str(c)] = f"{el.get('width')} hidden={el.get('hidden', '0')}"
            elif name == "mergeCell":
                lay.setdefault("merged", {})[el.get("ref")] = ""
            elif name == "pane":
                lay.setdefault("pane", {})["pane"] = _canon(el)
            elif name == "autoFilter" and _local(el.getparent().tag) == "worksheet":
                lay.setdefault("autofilter", {})["ref"] = el.get("ref")
            elif name == "conditionalFormatting":
                lay.setdefault("conditional formats", {})[el.get("sqref")] = _canon(el)
            elif name == "dataValidation":
                lay.setdefault("validations", {})[el.get("sqref")] = _canon(el)
            elif name == "dimension":
                lay.setdefault("dimension", {})["ref"] = el.get("ref")
            elif name == "hyperlink":
                rid = el.get(f"{{{REL_NS}}}id")
                target = rels[rid][0] if rid in rels else ""
                out.links[el.get("ref")] = f"{target}#{el.get('location', '')} display={el.get('display', '')}"
            elif name in ("pageSetup", "sheetProtection", "tabColor", "pageMargins"):
                lay.setdefault("page", {})[name] = _canon(el)


def _values(wb: CalamineWorkbook, name: str) -> list[list[object]]:
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _mask(v: object) -> object:
    return _RUN_TIME.sub("<run time>", v) if isinstance(v, str) and "-" in v else v


def _cell(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


class Report:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.differs = False

    def section(self, title: str, diffs: list[str], total: int | None = None) -> None:
        if not diffs:
            return
        self.differs = True
        total = len(diffs) if total is None else total
        print(f"  {title}: {total:,} differ")
        for d in diffs[:self.limit]:
            print(f"    {d if len(d) <= 400 else d[:200] + ' … ' + d[-150:]}")


def compare_values(a: list[list[object]], b: list[list[object]], mask: bool) -> tuple[list[str], int]:
    diffs: list[str] = []
    count = 0
    width = max(max((len(r) for r in a), default=0), max((len(r) for r in b), default=0))
    for i in range(max(len(a), len(b))):
        ra = a[i] if i < len(a) else []
        rb = b[i] if i < len(b) else []
        if ra == rb and (not mask or i > 2):
            continue
        for j in range(width):
            va = ra[j] if j < len(ra) else ""
            vb = rb[j] if j < len(rb) else ""
            if mask:
                va, vb = _mask(va), _mask(vb)
            if va != vb or type(va) is not type(vb):
                count += 1
                if len(diffs) < 50:
                    diffs.append(f"{_cell(i + 1, j)}: {va!r} != {vb!r}")
    return diffs, count


def compare_styles(a: SheetScan, b: SheetScan, names: list[str], default_a: int, default_b: int
                   ) -> tuple[list[str], int]:
    """Cell by cell; a cell written on one side only has the other book's default style (xf 0) there."""
    def table(s: SheetScan) -> np.ndarray:
        t = np.zeros(len(s.rows), dtype=[("r", "i8"), ("c", "i8"), ("s", "i8")])
        t["r"], t["c"], t["s"] = s.rows, s.cols, s.styles
        return np.sort(t, order=["r", "c"])

    ta, tb = table(a), table(b)
    if len(ta) == len(tb) and (ta["r"] == tb["r"]).all() and (ta["c"] == tb["c"]).all():  # the usual case
        bad = np.flatnonzero(ta["s"] != tb["s"])
        return [f"{_cell(int(ta['r'][k]), int(ta['c'][k]))}: {names[ta['s'][k]]} != {names[tb['s'][k]]}"
                for k in bad[:50]], len(bad)
    keys_a = ta["r"] * 20_000 + ta["c"]
    keys_b = tb["r"] * 20_000 + tb["c"]
    every = np.union1d(keys_a, keys_b)
    sa = np.full(len(every), -1)
    sb = np.full(len(every), -1)
    sa[np.searchsorted(every, keys_a)] = ta["s"]
    sb[np.searchsorted(every, keys_b)] = tb["s"]
    sa = np.where(sa < 0, default_a, sa)
    sb = np.where(sb < 0, default_b, sb)
    bad = np.flatnonzero(sa != sb)
    diffs = []
    for k in bad[:50]:
        r, c = divmod(int(every[k]), 20_000)
        diffs.append(f"{_cell(r, c)}: {names[sa[k]]} != {names[sb[k]]}")
    return diffs, len(bad)


def compare_dicts(a: dict[str, str], b: dict[str, str]) -> list[str]:
    out = []
    for k in sorted(set(a) | set(b), key=lambda k: (len(k), k)):
        if a.get(k) != b.get(k):
            out.append(f"{k}: {a.get(k)!r} != {b.get(k)!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--sheets", help="comma-separated sheet names (default: every sheet)")
    ap.add_argument("--max", type=int, default=10, help="differences shown per kind and sheet")
    ap.add_argument("--ignore", default="", help="comma-separated: values,styles,links,heights,widths,merged,"
                                                 "pane,autofilter,conditional formats,validations,dimension,page")
    ap.add_argument("--keep-times", action="store_true", help="do not mask run times in text")
    args = ap.parse_args(argv)
    ignore = {s.strip() for s in args.ignore.split(",") if s.strip()}
    report = Report(args.max)
    book_a, book_b = Book(args.a), Book(args.b)
    wanted = set(args.sheets.split(",")) if args.sheets else None
    only_a = [s for s in book_a.sheets if s not in book_b.sheets]
    only_b = [s for s in book_b.sheets if s not in book_a.sheets]
    if only_a or only_b:
        report.differs = True
        print(f"sheets only in A: {only_a}; only in B: {only_b}")
    if list(s for s in book_a.sheets if s in book_b.sheets) != list(s for s in book_b.sheets if s in book_a.sheets):
        report.differs = True
        print(f"sheet order differs: {list(book_a.sheets)} != {list(book_b.sheets)}")
    print("workbook")
    report.section("defined names", compare_dicts(book_a.defined_names, book_b.defined_names))
    key_ids: dict[str, int] = {}
    cal_a, cal_b = CalamineWorkbook.from_path(args.a), CalamineWorkbook.from_path(args.b)
    for name in book_a.sheets:
        if name not in book_b.sheets or (wanted and name not in wanted):
            continue
        before = report.differs
        report.differs = False
        print(f"sheet {name}")
        if "values" not in ignore:
            diffs, n = compare_values(_values(cal_a, name), _values(cal_b, name), mask=not args.keep_times)
            report.section("values", diffs, n)
        scan_a, scan_b = book_a.scan(name, key_ids), book_b.scan(name, key_ids)
        names = [k for k, _ in sorted(key_ids.items(), key=lambda kv: kv[1])]
        if "styles" not in ignore:
            diffs, n = compare_styles(scan_a, scan_b, names, key_ids[book_a.style_keys[0]],
                                      key_ids[book_b.style_keys[0]])
            report.section("styles", diffs, n)
        if "links" not in ignore:
            report.section("links", compare_dicts(scan_a.links, scan_b.links))
        for kind in sorted(set(scan_a.layout) | set(scan_b.layout)):
            if kind not in ignore:
                report.section(kind, compare_dicts(scan_a.layout.get(kind, {}), scan_b.layout.get(kind, {})))
        if not report.differs:
            print(f"  same ({len(scan_a.rows):,} cells, {len(scan_a.links):,} links)")
        report.differs = report.differs or before
    return 1 if report.differs else 0


if __name__ == "__main__":
    sys.exit(main())
