"""Native Excel charts on output sheets: what a report asks for, and the DrawingML parts for it.

A report puts `ChartSpec`s on an `OutputSheet` (`OutputSheet.charts`). Each chart reads
cells of that same sheet: the categories ("A3:A12") and, per series, its values
("B3:B12") and its name (literal text, or "=B2" for the cell holding it)::

    ChartSpec("bar", title="Aging by category", categories="A3:A8",
              series=[("=B2", "B3:B8"), ("=C2", "C3:C8")], grouping="stacked",
              anchor="J2", size_emu=(6_096_000, 3_048_000), number_format="#,##0")

The package writer (`xlcust.io.package_write`) gives an output sheet with charts one drawing
part (`xl/drawings/drawingN.xml`: an `xdr:wsDr` with one `xdr:twoCellAnchor` per chart)
and one chart part per chart (`xl/charts/chartN.xml`: a `c:chartSpace`), named so they
never collide with the user's own, and removes exactly those with the sheet.

Formulas point at the sheet by name (`'Dashboard'!$B$3:$B$8`) and every reference
carries the values it stood for when written (`c:strCache` / `c:numCache`): Excel
refreshes them from the cells, viewers that do not recalculate draw the cache.

Element order follows ECMA-376 Part 1 (dml-chart.xsd, dml-spreadsheetDrawing.xsd);
Excel "repairs" (drops) a chart whose children are out of schema order, so each builder
below writes its children in the sequence its complex type declares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from ..refs import parse_cell, parse_range
from ..schema import column_letter
from ..views.charts import LEGENDS, PALETTE, ChartSeries, ChartSpec, range_cells, range_count
from .sheetxml import DateSystem, chart_cache_value, xml_attr, xml_text

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
DRAWING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"

EMU_PER_PIXEL = 9525  # at 96 dpi
DEFAULT_COLUMN_WIDTH = 8.43  # characters, Excel's default for Calibri 11
ROW_HEIGHT_PX = 20  # 15 pt, Excel's default row for Calibri 11

_CAT_AXIS_ID = 500000001
_VAL_AXIS_ID = 500000002


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def formula(sheet: str, ref: str) -> str:
    """'Dashboard'!$B$3:$B$8 for "B3:B8" on sheet Dashboard."""
    r1, c1, r2, c2 = parse_range(ref)
    first = f"${column_letter(c1)}${r1}"
    last = "" if (r1, c1) == (r2, c2) else f":${column_letter(c2)}${r2}"
    return f"{_quote_sheet(sheet)}!{first}{last}"


# --------------------------------------------------------------------------------------
# The chart part (c:chartSpace)

Cells = Mapping[tuple[int, int], tuple[object, str]]


def chart_xml(spec: ChartSpec, sheet: str, cells: Cells, dates: DateSystem) -> bytes:
    """The chart part for `spec` on `sheet`; `cells` holds the values written to the cells it reads."""
    chart_group = {"bar": _bar_chart, "line": _line_chart, "pie": _pie_chart}[spec.kind](spec, sheet, cells, dates)
    axes = "" if spec.kind == "pie" else _axes(spec)
    legend = ""
    if spec.legend is not None:
        legend = f'<c:legend><c:legendPos val="{LEGENDS[spec.legend]}"/><c:overlay val="0"/></c:legend>'
    # CT_Chart: title, autoTitleDeleted, …, plotArea, legend, plotVisOnly, dispBlanksAs
    title = _title(spec.title, size=1200) if spec.title else ""
    chart = (f'<c:chart>{title}<c:autoTitleDeleted val="{0 if spec.title else 1}"/>'
             f"<c:plotArea><c:layout/>{chart_group}{axes}</c:plotArea>{legend}"
             '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>')
    # CT_ChartSpace: date1904, lang, roundedCorners, …, chart, spPr, txPr
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        f'<c:date1904 val="{int(dates.date1904)}"/><c:roundedCorners val="0"/>{chart}'
        '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
        '<a:ln w="9525"><a:solidFill><a:srgbClr val="D9D9D9"/></a:solidFill></a:ln></c:spPr>'
        '<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="900"/></a:pPr>'
        '<a:endParaRPr lang="en-US"/></a:p></c:txPr>'
        "</c:chartSpace>"
    ).encode()


def _grouping(spec: ChartSpec, *, line: bool) -> str:
    if spec.grouping == "clustered":
        return "standard" if line else "clustered"
    return "percentStacked" if spec.grouping == "percent_stacked" else "stacked"


def _bar_chart(spec: ChartSpec, sheet: str, cells: Cells, dates: DateSystem) -> str:
    # CT_BarChart: barDir, grouping, varyColors, ser*, dLbls, gapWidth, overlap, serLines*, axId, axId
    sers = "".join(
        # CT_BarSer: idx, order, tx, spPr, invertIfNegative, …, cat, val
        f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>{_series_name(s, sheet, cells, dates)}'
        f"{_fill(_color(s, i))}<c:invertIfNegative val=\"0\"/>"
        f"{_categories(spec, sheet, cells, dates)}{_values(s, spec, sheet, cells, dates)}</c:ser>"
        for i, s in enumerate(spec.series)
    )
    stacked = spec.grouping != "clustered"
    return (f'<c:barChart><c:barDir val="{"col" if spec.direction == "column" else "bar"}"/>'
            f'<c:grouping val="{_grouping(spec, line=False)}"/><c:varyColors val="0"/>{sers}'
            f'{_data_labels(spec)}<c:gapWidth val="{60 if stacked else 150}"/>'
            + ('<c:overlap val="100"/>' if stacked else "")
            + f'<c:axId val="{_CAT_AXIS_ID}"/><c:axId val="{_VAL_AXIS_ID}"/></c:barChart>')


def _line_chart(spec: ChartSpec, sheet: str, cells: Cells, dates: DateSystem) -> str:
    # CT_LineChart: grouping, varyColors, ser*, dLbls, dropLines, hiLowLines, upDownBars, marker, smooth, axId, axId
    parts = []
    for i, s in enumerate(spec.series):
        color = _color(s, i)
        line = (f'<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
                "<a:round/></a:ln></c:spPr>")
        # CT_Marker: symbol, size, spPr
        marker = (f'<c:marker><c:symbol val="circle"/><c:size val="5"/><c:spPr><a:solidFill><a:srgbClr val="{color}"/>'
                  f'</a:solidFill><a:ln w="9525"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln>'
                  "</c:spPr></c:marker>")
        # CT_LineSer: idx, order, tx, spPr, marker, dPt*, dLbls, trendline*, errBars, cat, val, smooth
        parts.append(f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>{_series_name(s, sheet, cells, dates)}'
                     f"{line}{marker}{_categories(spec, sheet, cells, dates)}"
                     f'{_values(s, spec, sheet, cells, dates)}<c:smooth val="0"/></c:ser>')
    return (f'<c:lineChart><c:grouping val="{_grouping(spec, line=True)}"/><c:varyColors val="0"/>{"".join(parts)}'
            f'{_data_labels(spec)}<c:marker val="1"/>'
            f'<c:axId val="{_CAT_AXIS_ID}"/><c:axId val="{_VAL_AXIS_ID}"/></c:lineChart>')


def _pie_chart(spec: ChartSpec, sheet: str, cells: Cells, dates: DateSystem) -> str:
    # CT_PieChart: varyColors, ser*, dLbls, firstSliceAng
    (s,) = spec.series
    n = range_count(s.values)
    # CT_DPt: idx, invertIfNegative, marker, bubble3D, explosion, spPr
    points = "".join(f'<c:dPt><c:idx val="{i}"/><c:bubble3D val="0"/>{_fill(PALETTE[i % len(PALETTE)])}</c:dPt>'
                     for i in range(n))
    # CT_PieSer: idx, order, tx, spPr, explosion, dPt*, dLbls, cat, val
    ser = (f'<c:ser><c:idx val="0"/><c:order val="0"/>{_series_name(s, sheet, cells, dates)}{points}'
           f"{_categories(spec, sheet, cells, dates)}{_values(s, spec, sheet, cells, dates)}</c:ser>")
    return f'<c:pieChart><c:varyColors val="1"/>{ser}{_data_labels(spec)}<c:firstSliceAng val="0"/></c:pieChart>'


def _color(s: ChartSeries, i: int) -> str:
    return (s.color or PALETTE[i % len(PALETTE)]).upper()


def _fill(color: str) -> str:
    return f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>'


def _data_labels(spec: ChartSpec) -> str:
    if not spec.data_labels:
        return ""
    pie = spec.kind == "pie"
    fmt = f'<c:numFmt formatCode="{xml_attr(spec.number_format)}" sourceLinked="0"/>' \
        if spec.number_format and not pie else ""
    # Group_DLbls: numFmt, spPr, txPr, dLblPos, showLegendKey, showVal, showCatName, showSerName,
    # showPercent, showBubbleSize
    return (f'<c:dLbls>{fmt}<c:showLegendKey val="0"/><c:showVal val="{int(not pie)}"/><c:showCatName val="0"/>'
            f'<c:showSerName val="0"/><c:showPercent val="{int(pie)}"/><c:showBubbleSize val="0"/></c:dLbls>')


def _series_name(s: ChartSeries, sheet: str, cells: Cells, dates: DateSystem) -> str:
    # CT_SerTx: strRef | v
    if s.name is None:
        return ""
    cell = s.name_cell
    if cell is None:
        return f"<c:tx><c:v>{xml_text(s.name)}</c:v></c:tx>"
    ref = f"{column_letter(cell[1])}{cell[0]}"
    return f"<c:tx>{_str_ref(sheet, ref, cells, dates)}</c:tx>"


def _categories(spec: ChartSpec, sheet: str, cells: Cells, dates: DateSystem) -> str:
    if spec.categories is None:
        return ""
    return f"<c:cat>{_str_ref(sheet, spec.categories, cells, dates)}</c:cat>"


def _str_ref(sheet: str, ref: str, cells: Cells, dates: DateSystem) -> str:
    # CT_StrRef: f, strCache; CT_StrData: ptCount, pt*
    points = []
    for i, cell in enumerate(range_cells(ref)):
        held = cells.get(cell)
        text = None if held is None else chart_cache_value(held[0], held[1], dates)[1]
        if text is not None:
            points.append(f'<c:pt idx="{i}"><c:v>{xml_text(text)}</c:v></c:pt>')
    return (f"<c:strRef><c:f>{xml_text(formula(sheet, ref))}</c:f><c:strCache>"
            f'<c:ptCount val="{range_count(ref)}"/>{"".join(points)}</c:strCache></c:strRef>')


def _values(s: ChartSeries, spec: ChartSpec, sheet: str, cells: Cells, dates: DateSystem) -> str:
    # CT_NumRef: f, numCache; CT_NumData: formatCode, ptCount, pt*
    points = []
    for i, cell in enumerate(range_cells(s.values)):
        held = cells.get(cell)
        number = None if held is None else chart_cache_value(held[0], held[1], dates)[0]
        if number is not None:
            points.append(f'<c:pt idx="{i}"><c:v>{number}</c:v></c:pt>')
    fmt = xml_text(spec.number_format or "General")
    return (f"<c:val><c:numRef><c:f>{xml_text(formula(sheet, s.values))}</c:f><c:numCache>"
            f'<c:formatCode>{fmt}</c:formatCode><c:ptCount val="{range_count(s.values)}"/>{"".join(points)}'
            "</c:numCache></c:numRef></c:val>")


def _axes(spec: ChartSpec) -> str:
    horizontal = spec.kind == "bar" and spec.direction == "bar"
    cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
    value_format = spec.number_format or ("0%" if spec.grouping == "percent_stacked" else "General")
    # CT_CatAx: axId, scaling, delete, axPos, majorGridlines, minorGridlines, title, numFmt, majorTickMark,
    # minorTickMark, tickLblPos, spPr, txPr, crossAx, crosses, auto, lblAlgn, lblOffset, noMultiLvlLbl
    cat = (f'<c:catAx><c:axId val="{_CAT_AXIS_ID}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
           f'<c:delete val="0"/><c:axPos val="{cat_pos}"/>{_title(spec.x_title, vertical=horizontal)}'
           '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
           '<c:minorTickMark val="none"/><c:tickLblPos val="low"/>'
           f'<c:crossAx val="{_VAL_AXIS_ID}"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
           '<c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>')
    # CT_ValAx: axId, scaling, delete, axPos, majorGridlines, minorGridlines, title, numFmt, majorTickMark,
    # minorTickMark, tickLblPos, spPr, txPr, crossAx, crosses, crossBetween
    val = (f'<c:valAx><c:axId val="{_VAL_AXIS_ID}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
           f'<c:delete val="0"/><c:axPos val="{val_pos}"/>'
           '<c:majorGridlines><c:spPr><a:ln w="9525"><a:solidFill><a:srgbClr val="E0E0E0"/></a:solidFill></a:ln>'
           f"</c:spPr></c:majorGridlines>{_title(spec.y_title, vertical=not horizontal)}"
           f'<c:numFmt formatCode="{xml_attr(value_format)}" sourceLinked="0"/><c:majorTickMark val="out"/>'
           '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
           f'<c:crossAx val="{_CAT_AXIS_ID}"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>')
    return cat + val


def _title(text: str | None, *, size: int = 1000, vertical: bool = False) -> str:
    """A CT_Title (tx, layout, overlay) holding rich text; "" for no title."""
    if not text:
        return ""
    body = '<a:bodyPr rot="-5400000" vert="horz"/>' if vertical else "<a:bodyPr/>"
    # a:p: pPr, r*, endParaRPr; a:r: rPr, t
    return (f"<c:title><c:tx><c:rich>{body}<a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"{size}\" b=\"1\"/></a:pPr>"
            f'<a:r><a:rPr lang="en-US" sz="{size}" b="1"/><a:t>{xml_text(text)}</a:t></a:r></a:p></c:rich></c:tx>'
            '<c:overlay val="0"/></c:title>')


# --------------------------------------------------------------------------------------
# The drawing part (xdr:wsDr) and the relationship parts


def column_width_px(width_chars: float) -> int:
    """A column's width in pixels, as Excel lays out Calibri 11 (maximum digit width 7 px, 5 px padding)."""
    if width_chars < 1:
        return int(width_chars * 12 + 0.5)
    return int(width_chars * 7 + 0.5) + 5


def _advance(start: int, length_px: float, size_of: Callable[[int], int]) -> tuple[int, int]:
    """From the start of cell `start`, go length_px: (cell reached, EMU offset into it)."""
    index, left = start, length_px
    while left >= size_of(index):
        left -= size_of(index)
        index += 1
    return index, int(round(left * EMU_PER_PIXEL))


def _span_px(start: int, cells: float, size_of: Callable[[int], int]) -> float:
    whole = int(math.floor(cells))
    return sum(size_of(start + k) for k in range(whole)) + (cells - whole) * size_of(start + whole)


def drawing_xml(specs: Sequence[ChartSpec], chart_rids: Sequence[str], column_widths: Sequence[float]) -> bytes:
    """The sheet's drawing: one two-cell anchor per chart; column_widths in characters (the rest: default)."""

    def col_px(c: int) -> int:
        return column_width_px(column_widths[c] if c < len(column_widths) else DEFAULT_COLUMN_WIDTH)

    def row_px(_r: int) -> int:
        return ROW_HEIGHT_PX

    anchors = []
    for n, (spec, rid) in enumerate(zip(specs, chart_rids, strict=True)):
        row, col = parse_cell(spec.anchor)
        row -= 1  # 0-based in the drawing
        if spec.size_emu is not None:
            width_px, height_px = spec.size_emu[0] / EMU_PER_PIXEL, spec.size_emu[1] / EMU_PER_PIXEL
        else:
            width_px, height_px = _span_px(col, spec.size[0], col_px), _span_px(row, spec.size[1], row_px)
        to_col, col_off = _advance(col, width_px, col_px)
        to_row, row_off = _advance(row, height_px, row_px)
        name = xml_attr(spec.title or f"Chart {n + 1}")
        # CT_TwoCellAnchor: from, to, graphicFrame, clientData; CT_Marker: col, colOff, row, rowOff
        anchors.append(
            "<xdr:twoCellAnchor>"
            f"<xdr:from><xdr:col>{col}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row>"
            "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{to_col}</xdr:col><xdr:colOff>{col_off}</xdr:colOff><xdr:row>{to_row}</xdr:row>"
            f"<xdr:rowOff>{row_off}</xdr:rowOff></xdr:to>"
            # CT_GraphicalObjectFrame: nvGraphicFramePr, xfrm, a:graphic
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{n + 2}" name="{name}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{C_NS}"><c:chart xmlns:c="{C_NS}" r:id="{rid}"/></a:graphicData>'
            "</a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>"
        )
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">{"".join(anchors)}</xdr:wsDr>'
            ).encode()


def rels_xml(rels: Sequence[tuple[str, str, str]]) -> bytes:
    """A relationships part: (id, type, relative target) each."""
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{xml_attr(target)}"/>'
                   for rid, kind, target in rels)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
            f'<Relationships xmlns="{PKG_REL_NS}">{body}</Relationships>').encode()
