"""The workbook file itself: lock files of Excel / WPS / LibreOffice, and atomic replacement.

The new package is written to a temporary file beside the target, flushed, then moved
over it with `os.replace`; on any failure the original is untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..errors import (
    WorkbookError,
    WorkbookLocked,
)
from ..i18n import msg
from . import booklock
from .package import Package

# --------------------------------------------------------------------------------------
# Files: locks and atomic replacement


def _lock_files(target: Path) -> list[Path]:
    return [target.with_name(f"~${target.name}"), target.with_name(f".~lock.{target.name}#")]


def _check_not_open(target: Path) -> None:
    for lock in _lock_files(target):
        if lock.exists():
            raise WorkbookLocked(msg("{name} is open in Excel/WPS/LibreOffice (lock file {lock}): close it and run "
                                     "again; if it is not open, delete {lock}",
                                     name=target.name, lock=lock.name))
    if target.exists() and not os.access(target, os.W_OK):
        raise WorkbookLocked(msg("{name} is read-only: clear its read-only setting and run again",
                                 name=target.name))


def _check_unchanged(pkg: Package, target: Path) -> None:
    if pkg._stamp is None:
        return
    try:
        st = target.stat()
    except FileNotFoundError:
        return
    if (st.st_mtime_ns, st.st_size) != pkg._stamp:
        raise WorkbookLocked(msg("{name} was changed by another program after xlcust read it: save and close it "
                                 "there, then run again", name=target.name))


def _write_atomically(target: Path, write: Callable[[IO[bytes]], None], *, keep_bytes: bool = False
                      ) -> bytes | None:
    """Write via a temporary file in the target's folder, then replace the target; the bytes if asked."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=booklock.tmp_prefix(target), suffix=booklock.TMP_SUFFIX,
                                        dir=target.parent)
    except PermissionError:
        raise WorkbookLocked(msg("cannot write in the folder of {name}: check its permissions and run again",
                                 name=target.name)
                             ) from None
    except OSError as exc:
        raise WorkbookError(msg("cannot save {name} ({reason}): check the folder and run again",
                                name=target.name, reason=exc.strerror or exc)
                            ) from None
    tmp = Path(tmp_name)
    booklock.lock_temporary(fd)  # a later run's cleanup leaves this file alone while we live
    try:
        with os.fdopen(fd, "w+b") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
            data = None
            if keep_bytes:
                f.seek(0)
                data = f.read()
        _copy_mode(target, tmp)
        _replace(tmp, target)
        return data
    except PermissionError:
        _discard(tmp)
        raise WorkbookLocked(msg("{name} is open in Excel/WPS/LibreOffice or read-only: close it and run again",
                                 name=target.name)
                             ) from None
    except OSError as exc:
        _discard(tmp)
        raise WorkbookError(msg("cannot save {name} ({reason}): free some disk space or check the folder, then run "
                                "again", name=target.name, reason=exc.strerror or exc)) from None
    except BaseException:
        _discard(tmp)
        raise


def _replace(tmp: Path, target: Path) -> None:
    # Windows: a virus scanner or indexer may hold the fresh file for a moment; Excel holds
    # an open workbook for good, which surfaces as PermissionError after the retries.
    attempts = 5 if os.name == "nt" else 1
    for attempt in range(attempts):
        try:
            os.replace(tmp, target)
            return
        except PermissionError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


def _copy_mode(target: Path, tmp: Path) -> None:
    """mkstemp makes a 0600 file; give the new workbook the old one's permissions (or the umask's)."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def close_xlsxwriter(workbook: object, path: Path) -> None:
    """Close an XlsxWriter workbook (which writes the file), its failures as our errors.

    XlsxWriter raises FileCreateError when the file is open elsewhere (Excel and WPS lock it
    on Windows) and OSError for a missing folder or a full disk.
    """
    from xlsxwriter.exceptions import FileCreateError

    try:
        workbook.close()  # type: ignore[attr-defined]
    except FileCreateError as exc:
        raise WorkbookLocked(msg("{path}: cannot write the file ({reason}); close it in Excel or WPS, or choose "
                                 "another folder", path=path, reason=exc.__context__ or exc)) from None
    except OSError as exc:
        raise WorkbookError(msg("{path}: cannot write the file ({reason})",
                                path=path, reason=exc.strerror or exc)) from None
