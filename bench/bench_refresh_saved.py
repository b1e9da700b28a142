"""Python-side time of the Refresh all button on a big saved workbook (the file path).

    python bench/registry.py --transactions 1048575 --customers 50000   # once, ~2-8 min
    python bench/bench_refresh_saved.py [PATH]

When Excel says the workbook has no unsaved edits, the handler reads the file with the
fast reader instead of pulling every cell through COM (xlcust.excel.host.book_for_run).
This runs the handler on a host whose saved file is PATH and whose writes stay in
memory, so the figure is everything Python does: reading, the core, building the output
sheets. Handing those sheets to Excel through xlwings comes on top.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from xlcust.excel import handlers
from xlcust.excel.host import MemoryHost

DEFAULT = Path(__file__).resolve().parent / "data" / "registry_1048575_50000_20240101.xlsx"


def main() -> None:
    """Time one Refresh all on the saved file; print the seconds and the handler's message."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.exists():
        sys.exit(f"{path} is missing: python bench/registry.py --transactions 1048575 --customers 50000")
    host = MemoryHost({}, name=str(path), file=path)
    start = time.perf_counter()
    text = handlers.refresh_all(host)
    seconds = time.perf_counter() - start
    rows = {name: len(block.values) for name, block in host.written.items()}
    print(f"Refresh all, saved file {path.name}: {seconds:.1f} s (Python side)")
    print(f"sheets written: {rows}")
    print(text)


if __name__ == "__main__":
    main()
