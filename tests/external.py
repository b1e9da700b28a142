"""Where the reference data sets live, and what happens when they are not there.

The IBM "Accounts Receivable" and UCI "Online Retail" files are not in the repository
(their licences and size keep them out): they sit beside it in `../shared/external`
(`SOURCES.md` there says where each comes from), or wherever `XLCUST_EXTERNAL_DATA`
points. Tests that read them carry the `external` marker. On a clone without the
folder they are skipped, with a reason naming the folder; under CI (`CI` set) a missing
folder fails them instead, and `.ci/run` refuses to start without it, so CI always
runs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def external_folder() -> Path:
    """`XLCUST_EXTERNAL_DATA` if set, else `shared/external` beside the repository."""
    override = os.environ.get("XLCUST_EXTERNAL_DATA")
    return Path(override) if override else REPOSITORY.parent / "shared" / "external"


EXTERNAL = external_folder()


def missing_reason() -> str | None:
    """Why the `external` tests cannot run here, or None when the folder is there."""
    if EXTERNAL.is_dir():
        return None
    return (f"reference data folder {EXTERNAL} is absent: put the files SOURCES.md lists there "
            "(or set XLCUST_EXTERNAL_DATA) to run these tests")


def apply_marker(items: list[pytest.Item]) -> None:
    """Skip (or, under CI, fail) the `external` tests when their folder is absent."""
    reason = missing_reason()
    if reason is None or in_ci():
        return  # under CI they run, and fail on the missing file: a skip there would hide it
    for item in items:
        if item.get_closest_marker("external") is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
