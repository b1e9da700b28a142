"""styles.xml of a package, append-only: existing indices stay valid (see `package`)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from lxml import etree

from .package import _FONT_ORDER, _STYLES_ORDER, _new_child, _to_bytes
from .sheetxml import (
    MAIN_NS,
    XML_PARSER,
    OutputStyles,
)

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
           vertical: str | None = None, horizontal: str | None = None, wrap: bool = False,
           indent: int = 0) -> int:
        has_style_xfs = self.root.find(self._q("cellStyleXfs")) is not None
        aligned = bool(vertical or horizontal or wrap or indent)

        def build(container: etree._Element) -> etree._Element:
            attrs = {"numFmtId": str(num_fmt), "fontId": str(font), "fillId": str(fill), "borderId": str(border)}
            if has_style_xfs:
                attrs["xfId"] = "0"
            for flag, used in (("applyNumberFormat", num_fmt), ("applyFont", font), ("applyFill", fill),
                               ("applyBorder", border), ("applyAlignment", aligned)):
                if used:
                    attrs[flag] = "1"
            x = self._sub(container, "xf", **attrs)
            if aligned:
                alignment = {"horizontal": horizontal, "vertical": vertical, "wrapText": "1" if wrap else None,
                             "indent": str(indent) if indent else None}
                self._sub(x, "alignment", **{k: v for k, v in alignment.items() if v})
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
        # Data cells sit at the top of their row (a wrapped text makes a row taller); text is
        # indented a character so it never runs into a right-aligned number on its left.
        text = self.xf(vertical="top", horizontal="left", indent=1)
        by_kind = {
            "text": text,
            "number": self.xf(vertical="top"),
            "int": self.xf(num_fmt=1, vertical="top"),  # 0
            "money": self.xf(num_fmt=4, vertical="top"),  # #,##0.00
            "cents": self.xf(num_fmt=4, vertical="top"),
            "percent": self.xf(num_fmt=10, vertical="top"),  # 0.00%
            "date": self.xf(num_fmt=self.num_fmt("yyyy-mm-dd"), vertical="top"),
            "datetime": self.xf(num_fmt=self.num_fmt("yyyy-mm-dd hh:mm"), vertical="top"),
            "link": text,
        }
        header = {"font": self.font(bold=True), "fill": self.solid_fill("FFDDEBF7"), "border": self.bottom_border(),
                  "vertical": "center", "wrap": True}
        return OutputStyles(
            title=self.xf(font=self.font(bold=True, size="13")),  # a title in the table spills over empty cells
            title_wrap=self.xf(font=self.font(bold=True, size="13"), vertical="top", horizontal="left", wrap=True),
            header=self.xf(**header, horizontal="left", indent=1),
            header_right=self.xf(**header, horizontal="right"),
            text_wrap=self.xf(vertical="top", horizontal="left", indent=1, wrap=True),
            link=self.xf(font=self.font(color="FF0563C1", underline=True), vertical="top", horizontal="left",
                         indent=1),
            by_kind=by_kind,
            date=by_kind["date"],
            datetime=by_kind["datetime"],
            highlight_dxf=self.highlight_dxf() if with_highlight else None,
            fill_dxfs={(fill, font): self.value_fill_dxf(fill, font) for fill, font in dict.fromkeys(fills)},
        )

    def to_bytes(self) -> bytes:
        return _to_bytes(self.root)


