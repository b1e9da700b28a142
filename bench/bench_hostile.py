"""Issue 17's hostile files: each one built in a temp folder, refused by `xlcust`, measured.

    python bench/bench_hostile.py [BASE.xlsx]

For every case: the command, its exit code, wall and CPU seconds and the peak memory of
the xlcust process alone (RUSAGE_CHILDREN of a fresh parent), and the first line it printed.
BASE defaults to a new demo book (`xlcust new --demo`). The files come from
tests/hostile.py, the same builders the tests use.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.hostile import bomb, deflated, lying, rezip, swap  # noqa: E402

MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "xlcust", *sys.argv[1:]], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "line": (done.stderr.strip().splitlines() or [""])[0],
                  "seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024}))
"""


def measure(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def gzip_bomb(path: Path, mib: int) -> Path:
    block = (b"C001,Acme Trading,01\n" * 60000)[: 1 << 20]
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    path.write_bytes(first + piece * (mib - 1) + c.flush())
    return path


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="xlcust-hostile-"))
    if len(sys.argv) > 1:
        base = Path(sys.argv[1])
    else:
        base = tmp / "base.xlsx"
        subprocess.run([sys.executable, "-m", "xlcust", "new", str(base), "--demo"], check=True, capture_output=True)
    with zipfile.ZipFile(base) as zf:
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
        xml = zf.read(sheet)
    body = xml[xml.index(b"?>") + 2:]
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    cases = {
        "clean demo book (baseline)": ("check", base),
        "zip bomb: one sheet part inflating to 3 GiB": (
            "check", rezip(base, tmp / "bomb.xlsx", lambda es: swap(es, sheet, bomb(sheet, 3072)))),
        "lying directory: 3 GiB declared as 4,000 bytes": (
            "check", rezip(base, tmp / "lie.xlsx", lambda es: swap(es, sheet, lying(bomb(sheet, 3072), 4000)))),
        "two parts with one name": ("check", rezip(base, tmp / "dup.xlsx", lambda es: [*es, deflated(sheet, b"<x/>")])),
        "part named xl/../../x (run)": (
            "run", rezip(base, tmp / "dotdot.xlsx", lambda es: [*es, deflated("xl/../../x", b"x")])),
        "billion laughs DTD in a sheet part": (
            "check", rezip(base, tmp / "dtd.xlsx", lambda es: swap(es, sheet, deflated(sheet, laughs + body)))),
        "sheet XML cut in half": (
            "check", rezip(base, tmp / "cut.xlsx", lambda es: swap(es, sheet, deflated(sheet, xml[: len(xml) // 2])))),
    }
    gz = gzip_bomb(tmp / "customers.csv.gz", 6144)
    rows = [(name, measure(command, str(path))) for name, (command, path) in cases.items()]
    rows.append(("import of a .csv.gz inflating to 6 GiB",
                 measure("import", "customers", str(gz), "--into", str(base), "--dry-run")))
    print("| case | exit | wall s | CPU s | peak MB | message |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['code']} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['peak_mb']:.0f} | {r['line'][:90]} |")


if __name__ == "__main__":
    main()
