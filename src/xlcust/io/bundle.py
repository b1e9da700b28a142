"""Build the bundled demo workbook, `workbook/CustomerLedger.xlsx`, from the sources.

    python -m xlcust.io.bundle            # rewrites workbook/CustomerLedger.xlsx

The workbook is the registry template (templates/registry.toml) filled with the
deterministic demo data (xlcust.demo), stamped with the demo's as-of date, so the
same sources always give the same bytes; a test rebuilds it and compares.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .template import create_workbook

BUNDLED = Path(__file__).resolve().parents[3] / "workbook" / "CustomerLedger.xlsx"


def build_bundled_workbook(path: Path = BUNDLED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    create_workbook(path, lang="en", demo=True)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else BUNDLED
    print(build_bundled_workbook(target))
