"""Native charts on output sheets: the parts, their order, their caches, and what survives.

Inputs are written with XlsxWriter, including a chart of the user's own (xl/charts/chart1.xml)
that must come through every save byte for byte. Chart XML is checked two ways: against the
child sequences ECMA-376 Part 1 declares (dml-chart.xsd, dml-spreadsheetDrawing.xsd), and
against the order XlsxWriter — whose output Excel opens without repair — writes the same
elements in.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from lxml import etree

from xlcust.errors import UsageError
from xlcust.io import charts as charts_module
from xlcust.io import sheetxml
from xlcust.io.charts import ChartSeries, ChartSpec, drawing_xml, formula
from xlcust.io.package import open_package, rels_part_of
from xlcust.io.package_write import save_package
from xlcust.io.sheetxml import CellSpec, ColumnSpec, OutputSheet

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"

USER_CHART_PARTS = ("xl/charts/chart1.xml", "xl/drawings/drawing1.xml", "xl/drawings/_rels/drawing1.xml.rels",
                    "xl/worksheets/_rels/sheet1.xml.rels")


def user_book(path: Path) -> Path:
    """A user sheet with a chart of its own (chart1.xml, drawing1.xml) and a Notes sheet."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Customers")
    ws.write_column("A1", ["Code", "0101", "0102"])
    ws.write_column("B1", ["Limit", 1000, 2000])
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Customers!$A$2:$A$3", "values": "=Customers!$B$2:$B$3"})
    ws.insert_chart("D2", chart)
    wb.add_worksheet("Notes").write("A1", "notes")
    wb.close()
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return user_book(tmp_path / "Registry.xlsx")


def charted(name: str = "Dashboard", charts: int = 2) -> OutputSheet:
    """A small table (row 2 header, rows 3–5) with up to three charts beside it."""
    rows = [("North", 12345, Decimal("20.5"), 3), ("South", 67890, None, 5), ("West", -500, Decimal("7"), 4)]
    specs = [
        ChartSpec("bar", [("=B2", "B3:B5"), ("=C2", "C3:C5")], categories="A3:A5", title="Open by region",
                  grouping="stacked", anchor="F2", y_title="Yuan", number_format="#,##0"),
        ChartSpec("line", [ChartSeries("D3:D5", "Days", "C00000")], categories="A3:A5", title="Days",
                  anchor="F20", size=(6.5, 12)),
        ChartSpec("pie", [("Share", "B3:B5")], categories="A3:A5", title="Share", anchor="F40",
                  data_labels=True, legend="right"),
    ][:charts]
    columns = [ColumnSpec("Region"), ColumnSpec("Open", "cents"), ColumnSpec("Limit", "money"),
               ColumnSpec("Days", "int")]
    return OutputSheet(name, columns, rows, title="Dashboard — test", charts=specs)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def related(all_parts: dict[str, bytes], source: str, kind: str) -> list[str]:
    """Targets (as part names) of source's relationships of this type."""
    directory, base = source.rsplit("/", 1)
    rels = all_parts.get(f"{directory}/_rels/{base}.rels")
    if rels is None:
        return []
    out = []
    for rel in xml(rels).iter(f"{PR}Relationship"):
        if rel.get("Type").endswith("/" + kind):
            target = rel.get("Target")
            out.append(target.lstrip("/") if target.startswith("/") else _join(directory, target))
    return out


def _join(directory: str, target: str) -> str:
    stack = directory.split("/")
    for piece in target.split("/"):
        if piece == "..":
            stack.pop()
        elif piece != ".":
            stack.append(piece)
    return "/".join(stack)


def output_charts(path: Path, sheet: str) -> tuple[str, list[str]]:
    """The drawing of an output sheet and its chart parts, found through the rels."""
    all_parts = parts(path)
    sheet_part = open_package(path).sheet_part(sheet)
    (drawing,) = related(all_parts, sheet_part, "drawing")
    return drawing, related(all_parts, drawing, "chart")


def check_content_types(all_parts: dict[str, bytes]) -> None:
    """One Override per part name, each for a part that exists; every chart and drawing has one."""
    overrides = [ov.get("PartName").lstrip("/") for ov in xml(all_parts["[Content_Types].xml"]).iter(f"{CT}Override")]
    assert [name for name, n in Counter(overrides).items() if n > 1] == []
    assert set(overrides) <= set(all_parts)
    for name in all_parts:
        if re.fullmatch(r"xl/(charts/chart|drawings/drawing)\d+\.xml", name):
            assert name in overrides


# --------------------------------------------------------------------------------------
# Parts and what survives


def test_chart_parts_are_written_related_and_typed(book: Path) -> None:
    before = parts(book)
    pkg = open_package(book)
    save_package(pkg, outputs=[charted()])
    after = parts(book)

    drawing, charts = output_charts(book, "Dashboard")
    assert drawing == "xl/drawings/drawing2.xml"  # drawing1 and chart1 are the user's
    assert charts == ["xl/charts/chart2.xml", "xl/charts/chart3.xml"]
    sheet_part = pkg.sheet_part("Dashboard")
    new = set(after) - set(before)
    assert new == {sheet_part, rels_part_of(sheet_part), drawing, rels_part_of(drawing), *charts}
    for name in USER_CHART_PARTS:
        assert after[name] == before[name], name
    check_content_types(after)
    overrides = xml(after["[Content_Types].xml"]).iter(f"{CT}Override")
    types = {ov.get("PartName"): ov.get("ContentType") for ov in overrides}
    assert types["/xl/drawings/drawing2.xml"] == "application/vnd.openxmlformats-officedocument.drawing+xml"
    assert types["/xl/charts/chart3.xml"] == "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

    # <drawing> sits where CT_Worksheet wants it: after headerFooter, children in schema order.
    root = xml(after[sheet_part])
    names = [etree.QName(child).localname for child in root]
    ranks = [sheetxml._WORKSHEET_ORDER[n] for n in names]
    assert ranks == sorted(ranks)
    assert names[-2:] == ["headerFooter", "drawing"]
    assert root[-1].get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id") == "rId1"


def test_replacing_twice_leaves_one_drawing_and_the_charts_asked_for(book: Path) -> None:
    before = parts(book)
    pkg = open_package(book)
    save_package(pkg, outputs=[charted(charts=3)])
    first = parts(book)
    save_package(pkg, outputs=[charted(charts=3)])
    assert set(parts(book)) == set(first)  # freed names are reused: nothing piles up
    save_package(pkg, outputs=[charted(charts=1)])
    after = parts(book)

    drawings = sorted(n for n in after if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
    charts = sorted(n for n in after if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    assert drawings == ["xl/drawings/drawing1.xml", "xl/drawings/drawing2.xml"]  # the user's and ours
    assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
    assert output_charts(book, "Dashboard") == ("xl/drawings/drawing2.xml", ["xl/charts/chart2.xml"])
    assert not [n for n in after if n.startswith("xl/charts/_rels/")]
    for name in USER_CHART_PARTS:
        assert after[name] == before[name], name
    check_content_types(after)
    assert pkg.sheet_names() == ["Customers", "Notes", "Dashboard"]


def test_an_output_without_charts_drops_the_old_ones(book: Path) -> None:
    before = parts(book)
    pkg = open_package(book)
    save_package(pkg, outputs=[charted()])
    save_package(pkg, outputs=[OutputSheet("Dashboard", [ColumnSpec("x")], [("y",)])])
    after = parts(book)
    assert {n for n in after if "chart" in n or "drawing" in n} == {n for n in before if "chart" in n or "drawing" in n}
    assert not [n for n in after if n.startswith("xl/worksheets/_rels/") and n not in before]
    check_content_types(after)


def test_removing_the_output_removes_only_its_drawing_and_charts(book: Path) -> None:
    before = parts(book)
    pkg = open_package(book)
    save_package(pkg, outputs=[charted(charts=3)])
    save_package(pkg, remove_outputs=["Dashboard"])
    after = parts(book)
    assert set(after) == set(before)
    for name in USER_CHART_PARTS:
        assert after[name] == before[name], name
    check_content_types(after)


def test_new_parts_never_take_a_users_name_or_a_stray_rels(tmp_path: Path) -> None:
    """chart2.xml is free but a stray rels part sits under its name: it must not be reused."""
    path = user_book(tmp_path / "book.xlsx")
    old = parts(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in old.items():
            z.writestr(name, data)
        z.writestr("xl/charts/_rels/chart2.xml.rels", f'<Relationships xmlns="{PR[1:-1]}"/>')
    save_package(open_package(path), outputs=[charted()])
    assert output_charts(path, "Dashboard")[1] == ["xl/charts/chart3.xml", "xl/charts/chart4.xml"]


# --------------------------------------------------------------------------------------
# Reading the result back


def test_openpyxl_and_calamine_read_the_sheet_and_its_charts(book: Path) -> None:
    save_package(open_package(book), outputs=[charted(charts=3)])
    wb = openpyxl.load_workbook(book)  # warnings are errors: a chart openpyxl cannot read fails here
    ws = wb["Dashboard"]
    kinds = [type(ch).__name__ for ch in ws._charts]
    assert kinds == ["BarChart", "LineChart", "PieChart"]
    bar = ws._charts[0]
    assert (bar.grouping, bar.overlap, bar.type) == ("stacked", 100, "col")
    assert [s.val.numRef.f for s in bar.series] == ["'Dashboard'!$B$3:$B$5", "'Dashboard'!$C$3:$C$5"]
    assert bar.series[0].cat.strRef.f == "'Dashboard'!$A$3:$A$5"
    assert len(wb["Customers"]._charts) == 1
    values = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Dashboard").to_python()
    assert values[1] == ["Region", "Open", "Limit", "Days"]
    assert values[2] == ["North", 123.45, 20.5, 3]


def test_caches_hold_what_the_cells_show(book: Path) -> None:
    save_package(open_package(book), outputs=[charted(name="Bob's board")])
    _, (bar, line) = output_charts(book, "Bob's board")
    root = xml(parts(book)[bar])
    first, second = root.iter(f"{C}ser")
    assert first.findtext(f"{C}tx/{C}strRef/{C}f") == "'Bob''s board'!$B$2"
    assert first.findtext(f"{C}tx/{C}strRef/{C}strCache/{C}pt/{C}v") == "Open"
    assert [v.text for v in first.iter(f"{C}v")][1:4] == ["North", "South", "West"]
    num = first.find(f"{C}val/{C}numRef/{C}numCache")
    assert num.findtext(f"{C}formatCode") == "#,##0"
    assert [float(pt.findtext(f"{C}v")) for pt in num.iter(f"{C}pt")] == [123.45, 678.9, -5.0]  # cents → yuan
    cache = second.find(f"{C}val/{C}numRef/{C}numCache")
    assert cache.find(f"{C}ptCount").get("val") == "3"
    assert [pt.get("idx") for pt in cache.iter(f"{C}pt")] == ["0", "2"]  # the empty cell has no point
    line_root = xml(parts(book)[line])
    assert line_root.findtext(f".//{C}ser/{C}tx/{C}v") == "Days"  # a literal name
    assert line_root.find(f".//{C}ser/{C}spPr//{{http://schemas.openxmlformats.org/drawingml/2006/main}}srgbClr"
                          ).get("val") == "C00000"


def test_cache_values_follow_the_column_kind() -> None:
    dates = sheetxml.DateSystem()
    assert sheetxml.chart_cache_value(123456, "cents", dates) == ("1234.56", "1234.56")
    assert sheetxml.chart_cache_value(Decimal("1.5"), "money", dates) == ("1.5", "1.5")
    assert sheetxml.chart_cache_value(dt.date(2024, 5, 6), "date", dates) == ("45418", "2024-05-06")
    assert sheetxml.chart_cache_value("2026Q1", "text", dates) == (None, "2026Q1")
    assert sheetxml.chart_cache_value(float("nan"), "number", dates) == (None, None)
    assert sheetxml.chart_cache_value(("Go", "'S'!A1"), "link", dates) == (None, "Go")


def test_cell_specs_take_their_own_kind_and_look(book: Path) -> None:
    rows = [(CellSpec("Quarter", role="header"), CellSpec("Days", role="header")),
            ("2026Q1", CellSpec(45.26, "int")), ("2026Q2", 1234)]
    save_package(open_package(book), outputs=[OutputSheet("Dashboard", [ColumnSpec("Label"),
                                                                         ColumnSpec("Amount", "cents")], rows)])
    ws = openpyxl.load_workbook(book)["Dashboard"]
    assert ws["A2"].font.b and ws["B2"].fill.fgColor.rgb == ws["A1"].fill.fgColor.rgb  # header look
    assert ws["B3"].value == 45.26 and ws["B3"].number_format == "0"
    assert ws["B4"].value == 12.34 and ws["B4"].number_format == "#,##0.00"
    with pytest.raises(ValueError, match="unknown role"):
        CellSpec("x", role="footer")


# --------------------------------------------------------------------------------------
# The chart XML Excel expects

# Child sequences of the complex types xlcust writes (ECMA-376 Part 1, dml-chart.xsd and
# dml-spreadsheetDrawing.xsd), keyed by (parent, grandparent) where one name has two types.
SEQ = {
    "chartSpace": ["date1904", "lang", "roundedCorners", "AlternateContent", "style", "clrMapOvr", "pivotSource",
                   "protection", "chart", "spPr", "txPr", "externalData", "printSettings", "userShapes", "extLst"],
    "chart": ["title", "autoTitleDeleted", "pivotFmts", "view3D", "floor", "sideWall", "backWall", "plotArea",
              "legend", "plotVisOnly", "dispBlanksAs", "showDLblsOverMax", "extLst"],
    "plotArea": ["layout", "CHART", "AXIS", "dTable", "spPr", "extLst"],
    "barChart": ["barDir", "grouping", "varyColors", "ser", "dLbls", "gapWidth", "overlap", "serLines", "axId",
                 "extLst"],
    "lineChart": ["grouping", "varyColors", "ser", "dLbls", "dropLines", "hiLowLines", "upDownBars", "marker",
                  "smooth", "axId", "extLst"],
    "pieChart": ["varyColors", "ser", "dLbls", "firstSliceAng", "extLst"],
    ("ser", "barChart"): ["idx", "order", "tx", "spPr", "invertIfNegative", "pictureOptions", "dPt", "dLbls",
                          "trendline", "errBars", "cat", "val", "shape", "extLst"],
    ("ser", "lineChart"): ["idx", "order", "tx", "spPr", "marker", "dPt", "dLbls", "trendline", "errBars", "cat",
                           "val", "smooth", "extLst"],
    ("ser", "pieChart"): ["idx", "order", "tx", "spPr", "explosion", "dPt", "dLbls", "cat", "val", "extLst"],
    "catAx": ["axId", "scaling", "delete", "axPos", "majorGridlines", "minorGridlines", "title", "numFmt",
              "majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx", "crosses", "auto",
              "lblAlgn", "lblOffset", "tickLblSkip", "tickMarkSkip", "noMultiLvlLbl", "extLst"],
    "valAx": ["axId", "scaling", "delete", "axPos", "majorGridlines", "minorGridlines", "title", "numFmt",
              "majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx", "crosses", "crossBetween",
              "majorUnit", "minorUnit", "dispUnits", "extLst"],
    "scaling": ["logBase", "orientation", "max", "min", "extLst"],
    "title": ["tx", "layout", "overlay", "spPr", "txPr", "extLst"],
    "legend": ["legendPos", "legendEntry", "layout", "overlay", "spPr", "txPr", "extLst"],
    "strRef": ["f", "strCache", "extLst"],
    "numRef": ["f", "numCache", "extLst"],
    "strCache": ["ptCount", "pt", "extLst"],
    "numCache": ["formatCode", "ptCount", "pt", "extLst"],
    "dLbls": ["dLbl", "delete", "numFmt", "spPr", "txPr", "dLblPos", "showLegendKey", "showVal", "showCatName",
              "showSerName", "showPercent", "showBubbleSize", "separator", "showLeaderLines", "leaderLines",
              "extLst"],
    "dPt": ["idx", "invertIfNegative", "marker", "bubble3D", "explosion", "spPr", "pictureOptions", "extLst"],
    ("marker", "ser"): ["symbol", "size", "spPr", "extLst"],
    "twoCellAnchor": ["from", "to", "OBJECT", "clientData"],
    "from": ["col", "colOff", "row", "rowOff"],
    "to": ["col", "colOff", "row", "rowOff"],
    "graphicFrame": ["nvGraphicFramePr", "xfrm", "graphic"],
    "nvGraphicFramePr": ["cNvPr", "cNvGraphicFramePr"],
}
REQUIRED = {
    "chartSpace": {"chart"}, "chart": {"plotArea"}, "barChart": {"barDir", "axId"}, "lineChart": {"grouping", "axId"},
    "catAx": {"axId", "scaling", "axPos", "crossAx", "crosses"}, "valAx": {"axId", "scaling", "axPos", "crossAx",
                                                                           "crosses"},
    "ser": {"idx", "order"}, "twoCellAnchor": {"from", "to", "clientData"},
}
GROUPS = {"CHART": {"barChart", "lineChart", "pieChart", "areaChart", "scatterChart"},
          "AXIS": {"catAx", "valAx", "dateAx", "serAx"}, "OBJECT": {"graphicFrame", "sp", "pic"}}


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def sequence_for(el: etree._Element) -> list[str] | None:
    parent = el.getparent()
    return SEQ.get((local(el), local(parent) if parent is not None else "")) or SEQ.get(local(el))


def schema_problems(root: etree._Element) -> list[str]:
    """Children out of their schema sequence, unknown children, missing required ones."""
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).namespace not in (C[1:-1], XDR[1:-1]):
            continue
        parent = el.getparent()
        if parent is not None and local(parent) == "graphicData":
            continue  # the drawing's <c:chart r:id> (CT_RelId), not a chart's CT_Chart
        seq = sequence_for(el)
        if seq is None:
            continue
        rank = {name: i for i, name in enumerate(seq)}
        for group, members in GROUPS.items():
            if group in rank:
                rank.update(dict.fromkeys(members, rank[group]))
        ranks = []
        for child in el:
            if local(child) not in rank:
                problems.append(f"{local(el)}: unexpected {local(child)}")
            else:
                ranks.append(rank[local(child)])
        if ranks != sorted(ranks):
            problems.append(f"{local(el)}: children out of order: {[local(c) for c in el]}")
        missing = REQUIRED.get(local(el), set()) - {local(c) for c in el}
        if missing:
            problems.append(f"{local(el)}: missing {sorted(missing)}")
    return problems


VARIANTS = [
    ChartSpec("bar", [("=B2", "B3:B5"), ("Two", "C3:C5")], categories="A3:A5", title="clustered",
              x_title="Region", y_title="Yuan", number_format="#,##0", data_labels=True),
    ChartSpec("bar", [("=B2", "B3:B5"), ("Two", "C3:C5")], categories="A3:A5", grouping="stacked", legend=None),
    ChartSpec("bar", [("=B2", "B3:B5")], categories="A3:A5", direction="bar", grouping="percent_stacked",
              legend="top_right", x_title="Region", y_title="Share"),
    ChartSpec("line", [("=D2", "D3:D5"), ("Two", "C3:C5")], categories="A3:A5", title="line", y_title="Days",
              data_labels=True),
    ChartSpec("pie", [("=B2", "B3:B5")], categories="A3:A5", title="pie", data_labels=True),
]


@pytest.mark.parametrize("spec", VARIANTS, ids=lambda s: f"{s.kind}-{s.direction}-{s.grouping}")
def test_chart_xml_follows_the_schema(spec: ChartSpec) -> None:
    cells = {(2, 1): ("Open", "text"), (3, 0): ("North", "text"), (3, 1): (100, "cents"), (4, 1): (250, "cents")}
    root = xml(charts_module.chart_xml(spec, "Dashboard", cells, sheetxml.DateSystem()))
    assert schema_problems(root) == []
    plot = root.find(f"{C}chart/{C}plotArea")
    groups = [c for c in plot if local(c) in GROUPS["CHART"]]
    assert len(groups) == 1
    axes = {c.find(f"{C}axId").get("val"): c for c in plot if local(c) in GROUPS["AXIS"]}
    if spec.kind == "pie":
        assert axes == {}
        return
    ids = [a.get("val") for a in groups[0].iterchildren(f"{C}axId")]
    assert len(ids) == 2 and set(ids) == set(axes)  # the pair names exactly the plot area's two axes
    for axis_id, axis in axes.items():
        other = axis.find(f"{C}crossAx").get("val")
        assert other in axes and other != axis_id
        assert axis.find(f"{C}crosses").get("val") == "autoZero"
    assert {local(a) for a in axes.values()} == {"catAx", "valAx"}


def test_drawing_xml_follows_the_schema() -> None:
    root = xml(drawing_xml(VARIANTS[:2], ["rId1", "rId2"], [20.0]))
    assert schema_problems(root) == []
    ids = [el.get("id") for el in root.iter(f"{XDR}cNvPr")]
    assert len(set(ids)) == len(ids)


def xlsxwriter_orders(tmp_path: Path) -> dict[str, list[list[str]]]:
    """Child sequences XlsxWriter writes for the same chart kinds and options, per parent element."""
    path = tmp_path / "xw.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("S")
    ws.write_column("A1", ["a", "b", "c"])
    ws.write_column("B1", [1, 2, 3])
    for kind, subtype in [("column", None), ("column", "stacked"), ("bar", "percent_stacked"), ("line", None),
                          ("pie", None)]:
        chart = wb.add_chart({"type": kind, **({"subtype": subtype} if subtype else {})})
        series = {"categories": "=S!$A$1:$A$3", "values": "=S!$B$1:$B$3", "name": "=S!$A$1",
                  "data_labels": {"value": True, "num_format": "#,##0"}}
        if kind == "line":
            series |= {"marker": {"type": "circle", "size": 5, "fill": {"color": "#FF0000"}},
                       "line": {"color": "#FF0000"}}
        elif kind == "pie":
            series |= {"points": [{"fill": {"color": "#FF0000"}}]}
        else:
            series |= {"fill": {"color": "#FF0000"}}
        chart.add_series(series)
        chart.add_series(series)
        chart.set_title({"name": "T"})
        if kind != "pie":
            chart.set_x_axis({"name": "X"})
            chart.set_y_axis({"name": "Y", "num_format": "#,##0", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_chartarea({"border": {"color": "#D9D9D9"}, "fill": {"color": "#FFFFFF"}})
        ws.insert_chart("E2", chart)
    wb.close()
    orders: dict[str, list[list[str]]] = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"xl/(charts/chart|drawings/drawing)\d+\.xml", name):
                for el in xml(z.read(name)).iter():
                    if isinstance(el.tag, str):
                        orders.setdefault(el.tag, []).append([c.tag for c in el if isinstance(c.tag, str)])
    return orders


def test_chart_xml_orders_elements_as_xlsxwriter_does(tmp_path: Path) -> None:
    """For every parent both write, any two children both write come in the same order."""
    orders = xlsxwriter_orders(tmp_path)
    cells = {(3, 0): ("North", "text"), (3, 1): (100, "cents")}
    compared = 0
    for spec in VARIANTS:
        roots = [xml(charts_module.chart_xml(spec, "S", cells, sheetxml.DateSystem())),
                 xml(drawing_xml([spec], ["rId1"], []))]
        for root in roots:
            for el in root.iter():
                ours = [c.tag for c in el if isinstance(c.tag, str)]
                for theirs in orders.get(el.tag, []):
                    position = {tag: i for i, tag in enumerate(theirs)}
                    common = [position[t] for t in ours if t in position]
                    compared += len(common)
                    assert common == sorted(common), (etree.QName(el).localname, ours, theirs)
    assert compared > 500


# --------------------------------------------------------------------------------------
# The spec


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "area"}, "chart kind"),
    ({"series": [("x", "B3:C5")]}, "one row or one column"),
    ({"categories": "A3:A6"}, "differ in length"),
    ({"series": []}, "no series"),
    ({"kind": "pie", "series": [("a", "B3:B5"), ("b", "C3:C5")]}, "exactly one series"),
    ({"grouping": "overlapping"}, "grouping"),
    ({"legend": "middle"}, "legend"),
    ({"anchor": "Sheet1!A1"}, "not a cell reference"),
    ({"series": [("=Sheet2!B2", "B3:B5")]}, "not a cell reference"),
    ({"size": (0, 10)}, "positive"),
])
def test_chart_spec_refuses_what_it_cannot_draw(kwargs: dict, message: str) -> None:
    args = {"kind": "bar", "series": [("a", "B3:B5")], "categories": "A3:A5"} | kwargs
    with pytest.raises((ValueError, UsageError), match=message):  # a bad reference is the user's
        ChartSpec(**args)


def test_series_series_pairs_become_chart_series_and_cells_are_listed() -> None:
    spec = ChartSpec("bar", [("=B2", "B3:B4"), ChartSeries("C3:C4", "Two")], categories="A3:A4")
    assert spec.series == (ChartSeries("B3:B4", "=B2"), ChartSeries("C3:C4", "Two"))
    assert spec.cells() == {(2, 1), (3, 0), (4, 0), (3, 1), (4, 1), (3, 2), (4, 2)}
    assert formula("It's", "B3:B4") == "'It''s'!$B$3:$B$4"
    assert formula("S", "B3") == "'S'!$B$3"


def test_anchor_spans_cells_or_emus() -> None:
    def anchor(spec: ChartSpec, widths: list[float]) -> list[tuple[int, ...]]:
        root = xml(drawing_xml([spec], ["rId1"], widths))
        return [tuple(int(el.findtext(f"{XDR}{k}")) for k in ("col", "colOff", "row", "rowOff"))
                for el in (root.find(f".//{XDR}from"), root.find(f".//{XDR}to"))]

    cells = ChartSpec("bar", [("a", "B3:B5")], anchor="C4", size=(2.5, 10))
    # C4 is column 2, row 3 (0-based); 2.5 columns of 10 characters (75 px) → 37.5 px into column E.
    assert anchor(cells, [10.0] * 10) == [(2, 0, 3, 0), (4, 357188, 13, 0)]
    emus = ChartSpec("bar", [("a", "B3:B5")], anchor="A1", size_emu=(150 * 9525, 30 * 9525))
    # Column A is 100 px (13.57 characters), then default 64 px columns; rows 20 px.
    assert anchor(emus, [13.57]) == [(0, 0, 0, 0), (1, 50 * 9525, 1, 10 * 9525)]
