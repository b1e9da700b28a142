"""Build the bundled demo workbooks, `workbook/CustomerLedger.xlsx` and `.xlsm`, from the sources.

    python -m xlcust.excel.bundle            # rewrites both workbooks under workbook/

The .xlsx is the registry template (templates/registry.toml) filled with the
deterministic demo data (xlcust.demo), stamped with the demo's as-of date, so the
same sources always give the same bytes; a test rebuilds it and compares. The .xlsm
is the same workbook plus the Start sheet with buttons and the VBA project built
from templates/vba (xlcust.excel.xlsm); it is rebuilt and compared the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..io.template import create_workbook

BUNDLED = Path(__file__).resolve().parents[3] / "workbook" / "CustomerLedger.xlsx"
BUNDLED_XLSM = BUNDLED.with_suffix(".xlsm")


def build_bundled_workbook(path: Path = BUNDLED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    create_workbook(path, lang="en", demo=True)
    return path


def build_bundled_xlsm(path: Path = BUNDLED_XLSM) -> Path:
    from .xlsm import build_xlsm

    path.parent.mkdir(parents=True, exist_ok=True)
    return build_xlsm(path, lang="en", demo=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:  # one target: its suffix says which workbook
        target = Path(sys.argv[1])
        print(build_bundled_xlsm(target) if target.suffix.lower() == ".xlsm" else build_bundled_workbook(target))
    else:
        print(build_bundled_workbook())
        print(build_bundled_xlsm())
