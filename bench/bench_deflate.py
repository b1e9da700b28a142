"""Raw deflate (what a zip part holds) on one part of a workbook: CPU seconds and bytes per library and level.

    python bench/bench_deflate.py OUT.xlsx [--part xl/worksheets/sheet9.xml] [--mb 60]

Compares the standard zlib, zlib-ng (xlcust's choice, `io/zipwrite.py`) and, when installed,
isal (`pip install isal`) and libdeflate (`pip install deflate`: whole buffers only,
always ending with a final block, so it cannot be split into blocks joined pigz-style).
Then xlcust's own block writer (`zipwrite.ZipWriter`) on the same bytes with 0 and 2
worker threads: CPU and wall clock (wall only means something on a quiet machine).
"""

from __future__ import annotations

import argparse
import io
import time
import zipfile
import zlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book")
    parser.add_argument("--part", default=None, help="the part to compress (default: the largest worksheet)")
    parser.add_argument("--mb", type=int, default=60, help="how many MB of it (default 60)")
    args = parser.parse_args()
    with zipfile.ZipFile(args.book) as z:
        part = args.part or max((i for i in z.infolist() if i.filename.startswith("xl/worksheets/")),
                                key=lambda i: i.file_size).filename
        with z.open(part) as f:
            data = f.read(args.mb * 1_000_000)
    print(f"{part}: {len(data) / 1e6:.0f} MB of XML")
    print("| library | level | CPU s | MB | ratio |")
    print("|---|---:|---:|---:|---:|")

    def row(name: str, level: int, compress) -> None:
        started = time.process_time()
        out = compress()
        cpu = time.process_time() - started
        print(f"| {name} | {level} | {cpu:.2f} | {len(out) / 1e6:.2f} | {len(data) / len(out):.1f} |", flush=True)

    def stream(module, level: int):
        c = module.compressobj(level, module.DEFLATED, -15)
        return c.compress(data) + c.flush()

    for level in (1, 3, 6):
        row("zlib", level, lambda level=level: stream(zlib, level))
    try:
        from isal import isal_zlib
    except ImportError:
        print("| isal | not installed | | | |")
    else:
        for level in (0, 1, 2, 3):
            row("isal", level, lambda level=level: stream(isal_zlib, level))
    try:
        from zlib_ng import zlib_ng
    except ImportError:
        print("| zlib-ng | not installed | | | |")
    else:
        for level in (1, 2, 3, 4, 5, 6):
            row("zlib-ng", level, lambda level=level: stream(zlib_ng, level))
    try:
        import deflate
    except ImportError:
        print("| libdeflate | not installed | | | |")
    else:
        for level in (1, 3, 6):
            row("libdeflate", level, lambda level=level: deflate.deflate_compress(data, level))

    from xlcust.io.zipwrite import Deflater, ZipWriter

    for workers in (0, 2):
        deflater = Deflater(workers=workers)
        out = io.BytesIO()
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        cpu, wall = time.process_time(), time.perf_counter()
        with ZipWriter(out, deflater) as zw:
            zw.write(info, data)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        deflater.close()
        print(f"ZipWriter, {deflater.deflate.name} level {deflater.deflate.level}, {workers} workers: "
              f"CPU {cpu:.2f} s, wall {wall:.2f} s, {len(out.getvalue()) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
