"""How long LibreOffice takes to open a workbook before and after `xlcust run` (issue 15).

    python bench/bench_open.py bench/data/registry_100000_50000_20240101.xlsx [--repeat 3]

What a user waits for on opening counts as much as the refresh. Excel is not on these
machines; LibreOffice's headless load is the proxy: `soffice --headless --convert-to csv`
loads the whole workbook (every sheet, styles, links, conditional formats) and then writes
the first sheet, so its time is dominated by the load. Each figure is the median wall time
of `--repeat` runs, with the CPU seconds of the soffice process tree beside it, for the
input and for the refreshed workbook, and their ratio (target ≤ 1.5×).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        if found := shutil.which(name):
            return found
    sys.exit("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")


def open_once(book: Path, profile: Path, outdir: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one headless load-and-convert (own user profile, warmed up)."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "csv",
                    "--outdir", str(outdir), str(book)], check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = os.times()
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def timed(book: Path, repeat: int, profile: Path, outdir: Path) -> tuple[float, float]:
    runs = [open_once(book, profile, outdir) for _ in range(repeat)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    book = args.book.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        refreshed = tmp_path / f"refreshed{book.suffix}"
        exe = Path(sys.executable).with_name("xlcust")
        run = subprocess.run([str(exe), "run", str(book), "--out", str(refreshed)], capture_output=True, text=True)
        if run.returncode not in (0, 1) or not refreshed.exists():
            sys.exit(f"xlcust run failed ({run.returncode}):\n{run.stderr}")
        profile = tmp_path / "profile"
        open_once(book, profile, tmp_path)  # first start of a profile sets it up: not counted
        rows = [("input", book), ("refreshed by xlcust run", refreshed)]
        figures = {label: (path.stat().st_size, *timed(path, args.repeat, profile, tmp_path)) for label, path in rows}
    print(f"{book.name}: LibreOffice headless load (--convert-to csv), median of {args.repeat}\n")
    print(f"| {'workbook':<24} | {'MiB':>7} | {'wall s':>7} | {'CPU s':>7} |")
    print(f"|{'-' * 26}|{'-' * 9}|{'-' * 9}|{'-' * 9}|")
    for label, (size, wall, cpu) in figures.items():
        print(f"| {label:<24} | {size / 2**20:7.1f} | {wall:7.1f} | {cpu:7.1f} |")
    (_, w0, c0), (_, w1, c1) = figures.values()
    print(f"\nrefreshed / input: {w1 / w0:.2f}× wall, {c1 / c0:.2f}× CPU (target ≤ 1.5×)")


if __name__ == "__main__":
    main()
