"""Benchmark `xlcust import transactions` on the UCI Online Retail file (541,909 lines).

    python bench/bench_import.py [--file PATH] [--into empty|demo] [--repeat N]

Imports the file into a fresh registry (an empty one, or the demo registry with its
12,000 transactions) creating the customers, as tests/test_import_uci.py does: first as
a dry run (read, plan, verify against the registry checks; best of --repeat, as a
shared machine is noisy), then for real (the same plus the atomic save through
AppendRows). Prints seconds per phase, wall-clock and CPU, the rows written per second
by the save, and peak RSS.

Phases: read = decode, parse, find the header, drop title/blank/subtotal rows;
registry = open the workbook and type its tables; plan = clean every column, resolve
customers, group lines into documents; verify = run_checks on the registry as it
would be; write = lay out the rows, AppendRows into three Tables + AuditLog, save.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from xlcust.importer import ImportOptions
from xlcust.io.importing import import_transactions
from xlcust.io.template import create_workbook

UCI = Path(__file__).resolve().parents[1].parent / "shared" / "external" / "uci_online_retail.csv.gz"
PHASES = ("read", "registry", "plan", "verify", "write", "total")


def fresh_registry(folder: Path, kind: str) -> tuple[Path, str]:
    path = folder / f"registry-{time.monotonic_ns()}.xlsx"
    if kind == "demo":
        create_workbook(path, demo=True)
        return path, "020201"  # a leaf category of the demo (Retail, East China)
    create_workbook(path)
    return path, "99"


def run(source: Path, folder: Path, kind: str, dry_run: bool) -> tuple[dict[str, float], float, object]:
    book, category = fresh_registry(folder, kind)
    options = ImportOptions(dry_run=dry_run, create_customers=True, category=category,
                            new_category="Online retail" if kind == "empty" else None)
    cpu = time.process_time()
    report = import_transactions(source, book, options)
    return report.timings, time.process_time() - cpu, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=UCI)
    parser.add_argument("--into", choices=("empty", "demo"), default="empty")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.file.is_file():
        sys.exit(f"{args.file}: not found (the shared external data sit beside the repository)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dry = [run(args.file, folder, args.into, True) for _ in range(args.repeat)]
        best, best_cpu, report = min(dry, key=lambda r: r[0]["total"])
        real, real_cpu, written = run(args.file, folder, args.into, False)
    s = report.summary
    print(f"{args.file.name} into the {args.into} registry: {s['lines']:,} lines → {s['transactions_added']:,} "
          f"transactions ({s['by_kind']}), {s['customers_created']:,} customers created, "
          f"{s['lines_without_customer']:,} lines without customer reported; net sales {s['net_sales']:,.2f}")
    print(f"{'phase':<10}{'dry run (best of ' + str(args.repeat) + ')':>26}{'import':>12}")
    for phase in PHASES:
        print(f"{phase:<10}{best.get(phase, 0):>24.2f} s{real.get(phase, 0):>10.2f} s")
    print(f"{'cpu':<10}{best_cpu:>24.2f} s{real_cpu:>10.2f} s")
    rows = sum(len(f) for f in written.added.values())
    print(f"rows appended: {rows:,} ({', '.join(f'{k} {len(f):,}' for k, f in written.added.items())}); "
          f"save {rows / max(real['write'], 1e-9):,.0f} rows/s; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
