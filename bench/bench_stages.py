"""A full run at scale, stage by stage, against the floor of reading the cells (issue 8).

    python bench/registry.py --transactions 1048575 --customers 50000
    python bench/bench_stages.py bench/data/registry_1048575_50000_20240101.xlsx

Prints one table:

- the floor: the fastest reader alone reading every cell of every sheet (fastexcel),
  and python-calamine for comparison; each a whole process, median of 3, with its
  peak memory;
- in one process, the stages of `xlcust run` exactly as the command runs them
  (`read_book`, then `pipeline.refresh` timed at each of its progress steps, then
  writing the output sheets), each as seconds and as a ratio to the floor;
- XlsxWriter's constant_memory mode writing the same output cells, for comparison;
- the whole `xlcust run BOOK --out …` as a separate process, with its peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR_CODE = {
    "fastexcel": """
import fastexcel
r = fastexcel.read_excel(PATH)
for name in r.sheet_names:
    r.load_sheet(name, eager=True)  # header on row 1, each column's type inferred: its fastest read
""",
    "python-calamine": """
import python_calamine
w = python_calamine.CalamineWorkbook.from_path(PATH)
for name in w.sheet_names:
    w.get_sheet_by_name(name).to_python(skip_empty_area=False)
""",
}

CHILD = """
import json, resource, sys, time
PATH = sys.argv[1]
started = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - started,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

RUN_CODE = """
from xlcust.cli import main
sys.argv = ["xlcust", "run", PATH, "--out", sys.argv[2]]
try:
    main()
except SystemExit as exc:
    assert exc.code in (0, 1, None), exc.code
"""


def child(body: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(body=body), *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def median_of(n: int, body: str, *args: str) -> tuple[float, float]:
    runs = [child(body, *args) for _ in range(n)]
    return statistics.median(r["seconds"] for r in runs), max(r["rss_mib"] for r in runs)


def row(name: str, seconds: float, floor: float, note: str = "") -> None:
    print(f"| {name:<44} | {seconds:8.1f} | {seconds / floor:6.2f}× | {note}", flush=True)


def in_process(path: Path, floor: float, out: Path) -> dict[str, float]:
    from xlcust.io.auditlog import read_audit_log
    from xlcust.io.reader import read_book
    from xlcust.io.save import write_outputs
    from xlcust.views.detail import place_detail
    from xlcust.views.outputs import highlights
    from xlcust.views.run import refresh_sheets

    started = time.perf_counter()
    book = read_book(path)
    times = {"read_book (read + typing)": time.perf_counter() - started}

    started = time.perf_counter()
    recorded = read_audit_log(path).recorded()
    times["reading the audit log"] = time.perf_counter() - started
    marks: list[tuple[str, float]] = []
    result, sheets = refresh_sheets(book, progress=lambda stage: marks.append((stage, time.perf_counter())),
                                    recorded=recorded)
    marks.append(("", time.perf_counter()))
    for (stage, t0), (_, t1) in zip(marks, marks[1:], strict=False):
        times[stage] = t1 - t0

    sizes = [(s.name, *_shape(s)) for s in sheets]
    started = time.perf_counter()
    # what `xlcust run` writes: detail sheets past Settings detail_rows_in_book keep their totals only
    plan = place_detail(sheets, book.settings, book_file=out.name, write_companion=False)
    write_outputs(path, plan.book, edits=highlights(result.findings), out=out)
    times["writing the output sheets"] = time.perf_counter() - started
    moved = [f"{p.sheet} {p.rows:,}" for p in plan.placements if p.where != "book"]
    if moved:
        print("written as their totals only (rows past Settings detail_rows_in_book): " + ", ".join(moved))

    for stage, seconds in times.items():
        row(stage, seconds, floor)
    after_read = sum(v for k, v in times.items() if k not in ("read_book (read + typing)", "reading the audit log",
                                                              "writing the output sheets"))
    row("everything after the read (target ≤ 1.0×)", after_read, floor)
    print(f"peak RSS in this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    print("output sheets (rows × columns): " + ", ".join(f"{n} {r:,}×{c}" for n, r, c in sizes))
    times["_cells"] = sum(r * c for _, r, c in sizes)
    return times


def _shape(sheet) -> tuple[int, int]:
    import pandas as pd

    rows = sheet.rows
    if isinstance(rows, pd.DataFrame):
        return len(rows), len(sheet.columns)
    if not isinstance(rows, list | tuple):
        rows = list(rows)
        sheet.rows = rows  # consumed here, so keep them for the writer
    return len(rows), len(sheet.columns)


def xlsxwriter_same_cells(path: Path, out: Path) -> float:
    """XlsxWriter constant_memory writing the cells of the same output sheets (values and number formats)."""
    import xlsxwriter

    from xlcust.io.reader import read_book
    from xlcust.plain import plain_values
    from xlcust.views.run import refresh_sheets
    from xlcust.views.sheet import CellSpec

    _, sheets = refresh_sheets(read_book(path))
    started = time.perf_counter()
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    formats = {"money": wb.add_format({"num_format": "#,##0.00"}), "cents": wb.add_format({"num_format": "#,##0.00"}),
               "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
               "percent": wb.add_format({"num_format": "0.00%"}), "int": wb.add_format({"num_format": "0"})}
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        kinds = [c.kind for c in sheet.columns]
        ws.write_row(0, 0, [c.header for c in sheet.columns])
        rows = sheet.rows
        if hasattr(rows, "itertuples"):  # a frame: its columns as the row writer sees them (NaN → None)
            rows = zip(*[plain_values(rows[c]) for c in rows.columns], strict=True)
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                if isinstance(value, CellSpec):
                    value = value.value
                if isinstance(value, tuple):  # a link: its text
                    value = value[0]
                if value is None:
                    continue
                kind = kinds[c] if c < len(kinds) else "text"
                if kind == "cents" and isinstance(value, int):
                    value = value / 100
                ws.write(r, c, value, formats.get(kind))
    wb.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each floor reader (median)")
    parser.add_argument("--no-xlsxwriter", action="store_true", help="skip the XlsxWriter comparison")
    args = parser.parse_args()
    path = args.book.resolve()

    print(f"{path.name}\n")
    print(f"| {'stage':<44} | {'seconds':>8} | {'× floor':>7} | note")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 9}|-----")
    floor, floor_rss = median_of(args.repeat, FLOOR_CODE["fastexcel"], str(path))
    row("floor: fastexcel, every cell of every sheet", floor, floor, f"peak {floor_rss:,.0f} MiB")
    cal, cal_rss = median_of(args.repeat, FLOOR_CODE["python-calamine"], str(path))
    row("python-calamine, every cell (for comparison)", cal, floor, f"peak {cal_rss:,.0f} MiB")

    with tempfile.TemporaryDirectory() as tmp:
        times = in_process(path, floor, Path(tmp) / "out.xlsx")
        if not args.no_xlsxwriter:
            theirs = xlsxwriter_same_cells(path, Path(tmp) / "xlsxwriter.xlsx")
            row("XlsxWriter constant_memory, same cells", theirs, floor,
                f"{times['_cells']:,} cells; xlcust writes them in {times['writing the output sheets']:.1f} s")
        whole = child(RUN_CODE, str(path), str(Path(tmp) / "run.xlsx"))
        out_bytes = (Path(tmp) / "run.xlsx").stat().st_size
    writing = times["writing the output sheets"]
    row("whole `xlcust run` (own process)", whole["seconds"], floor,
        f"peak {whole['rss_mib']:,.0f} MiB; target ≤ 3× floor + writing = {3 * floor + writing:.1f} s")
    in_bytes = path.stat().st_size
    print(f"output workbook {out_bytes / 2**20:,.1f} MiB, input {in_bytes / 2**20:,.1f} MiB "
          f"({out_bytes / in_bytes:.2f}× the input)")


if __name__ == "__main__":
    main()
