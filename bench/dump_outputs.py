"""Dump every cell value and style of the demo's outputs, to diff before/after a code move.

    python bench/dump_outputs.py OUT_DIR [--lang en|zh]

Makes a demo book, runs `xlcust run` (its output sheets, charts, the Dashboard) and
`xlcust statements` and `xlcust revenue --out` on it, then writes one text file per
workbook to OUT_DIR: per sheet, every cell's coordinate, value and style (font, fill,
border, alignment, number format), the merged ranges, column widths, page setup and
print titles, and the other package parts' XML with run times blanked. Two dumps of the
same code are identical; `diff -r` of a dump before and after a move shows what it changed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl

DEMO_AS_OF = "2026-09-30"
_VOLATILE = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
_RUN_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?")  # "generated … on", AuditLog


def _xlcust(*args: str) -> None:
    exe = Path(sys.executable).with_name("xlcust")
    subprocess.run([str(exe), *args], check=False, capture_output=True)


def _style(cell) -> str:
    f, a, b, fill = cell.font, cell.alignment, cell.border, cell.fill
    return "|".join(map(str, (
        f.name, f.sz, f.b, f.i, f.u, f.color.rgb if f.color is not None else None,
        fill.fill_type, fill.fgColor.rgb if fill.fgColor is not None else None,
        a.horizontal, a.vertical, a.wrap_text, a.indent, a.text_rotation,
        *(getattr(b, side).style for side in ("left", "right", "top", "bottom")),
        cell.number_format, cell.protection.locked,
    )))


def dump_workbook(path: Path) -> str:
    """Text of every sheet's cells, styles and layout, and of the non-sheet parts."""
    out = [f"# {path.name}"]
    wb = openpyxl.load_workbook(path, rich_text=False)
    for ws in wb.worksheets:
        out.append(f"## sheet {ws.title} state={ws.sheet_state} dims={ws.dimensions}")
        ps = ws.page_setup
        out.append(f"page paper={ps.paperSize} orient={ps.orientation} fitW={ps.fitToWidth} fitH={ps.fitToHeight} "
                   f"titles={ws.print_title_rows} area={ws.print_area} freeze={ws.freeze_panes} "
                   f"header={ws.oddHeader.center.text!r} footer={ws.oddFooter.center.text!r}")
        out.append("merged " + " ".join(sorted(str(r) for r in ws.merged_cells.ranges)))
        out.append("widths " + " ".join(f"{k}={d.width}" for k, d in sorted(ws.column_dimensions.items())))
        out.append("cf " + " ".join(f"{r.sqref}:{[x.formula for x in r.rules]}"
                                    for r in ws.conditional_formatting))
        out.append("dv " + " ".join(f"{d.sqref}:{d.formula1}" for d in ws.data_validations.dataValidation))
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    out.append(f"{c.coordinate}\t{c.value!r}\t{_style(c)}")
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if "worksheets/sheet" in name:
                continue
            out.append(f"## part {name}")
            out.append(_VOLATILE.sub(b"", z.read(name)).decode("utf-8", "replace"))
    return _RUN_TIME.sub("<run time>", "\n".join(out)) + "\n"


def main(out_dir: Path, lang: str) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "demo.xlsx"
        _xlcust("new", str(book), "--demo", "--lang", lang)
        _xlcust("run", str(book), "--as-of", DEMO_AS_OF, "--lang", lang)
        _xlcust("statements", str(book), "--from", "2026-07-01", "--to", DEMO_AS_OF, "--out", f"{tmp}/st",
                "--lang", lang)
        _xlcust("statements", str(book), "--from", "2026-07-01", "--to", DEMO_AS_OF, "--out", f"{tmp}/stc",
                "--per", "customer", "--category", "01", "--lang", lang)
        _xlcust("revenue", str(book), "--from", "2026-01-01", "--to", DEMO_AS_OF, "--by", "quarter",
                "--out", f"{tmp}/revenue.xlsx", "--lang", lang)
        _xlcust("revenue", str(book), "--from", "2026-01-01", "--to", DEMO_AS_OF, "--by", "quarter",
                "--out", f"{tmp}/revenue.csv", "--lang", lang)
        files = [book, *sorted(Path(tmp, "st").glob("*.xlsx")), *sorted(Path(tmp, "stc").glob("*.xlsx")),
                 Path(tmp, "revenue.xlsx")]
        for f in files:
            if f.is_file():
                folder = "" if f.parent == Path(tmp) else f"{f.parent.name}_"
                (out_dir / f"{folder}{f.stem}.txt").write_text(dump_workbook(f))
        csv = Path(tmp, "revenue.csv")
        if csv.is_file():
            (out_dir / "revenue.csv").write_bytes(csv.read_bytes())


if __name__ == "__main__":
    args = sys.argv[1:]
    lang = args[args.index("--lang") + 1] if "--lang" in args else "en"
    main(Path(args[0]), lang)
