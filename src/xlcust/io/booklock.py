"""One xlcust writer per workbook at a time, and no litter from runs that were killed.

`hold(book)` takes an OS lock (`fcntl.flock` on POSIX, `msvcrt.locking` on Windows) on a
small lock file beside the book, `.Book.xlsx.xlcust-lock`. The operating system drops
the lock when the process ends, however it ends (`kill -9`, a power cut leaves no
process), so a crashed run never leaves a book locked; the file itself is removed when
the lock is released. A second run finds the lock taken and is refused at once with a
message, rather than waiting: a `run` on a big book takes minutes, and the second run's
result would be computed from the book as it was before the first one wrote.

The lock is reentrant within one process: `xlcust run` holds it from reading the book to
writing it, and `save_package` takes it again around the replace.

Temporary files. The atomic save writes `.Book.<random>.xlcust-tmp` beside the book and
holds an OS lock on it while writing. `remove_stale_temporaries` (called by every save,
under the book's lock) deletes files of that naming whose lock it can take: a live writer
still holds its own, so only files left by killed runs go.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import WorkbookBusy, WorkbookLocked
from ..i18n import msg

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


TMP_SUFFIX = ".xlcust-tmp"
LOCK_SUFFIX = ".xlcust-lock"
_PID_AT = 16  # the holder's process id is written past the locked byte (Windows cannot read a locked range)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # a planted link must not make us create or lock another file

_held: dict[Path, tuple[int, int]] = {}  # lock path → (fd, depth) for this process


def lock_path(book: Path) -> Path:
    """The lock file of a workbook: hidden, beside it."""
    return book.with_name(f".{book.name}{LOCK_SUFFIX}")


def tmp_prefix(book: Path) -> str:
    """The start of the name of the atomic save's temporary files for this book."""
    return f".{book.stem[:40]}."


@contextlib.contextmanager
def hold(book: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the workbook's write lock for the block; refuse at once when another run holds it."""
    path = lock_path(Path(os.path.realpath(book)))
    if path in _held:
        fd, depth = _held[path]
        _held[path] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[path]
            _held[path] = (fd, depth - 1)
        return
    fd = _acquire(path, Path(book).name)
    _held[path] = (fd, 1)
    try:
        yield
    finally:
        del _held[path]
        # Unlink before unlocking: a run waiting on this file's lock then finds it gone and makes a new one.
        with contextlib.suppress(OSError):
            os.unlink(path)
        _unlock(fd)
        os.close(fd)


def _acquire(path: Path, book: str) -> int:
    for _attempt in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o666)
        except PermissionError:
            raise WorkbookLocked(msg("cannot write in the folder of {book}: check its permissions and run again",
                                     book=book)) from None
        except OSError as exc:  # a symlink planted as the lock file (ELOOP), or a full disk
            raise WorkbookBusy(msg("cannot lock {book} for writing ({error}): remove {lock} if it is not "
                                   "xlcust's, then run again", book=book, error=exc.strerror or str(exc),
                                   lock=path.name)) from None
        if not _try_lock(fd):
            holder = _holder(fd)
            os.close(fd)
            raise WorkbookBusy(msg("another xlcust run (process {pid}) is writing {book}: wait until it has "
                                   "finished, then run again", pid=holder or "?", book=book))
        try:  # the previous holder may have removed the file between our open and our lock
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.lseek(fd, _PID_AT, os.SEEK_SET)
                os.write(fd, str(os.getpid()).encode())
            return fd
        _unlock(fd)
        os.close(fd)
    raise WorkbookBusy(msg("another xlcust run (process {pid}) is writing {book}: wait until it has "
                           "finished, then run again", pid="?", book=book))


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        os.lseek(fd, _PID_AT, os.SEEK_SET)
        return os.read(fd, 32).strip(b"\x00 ").decode("ascii", "replace")
    return ""


def lock_temporary(fd: int) -> None:
    """Mark a temporary file as being written by a live run (its lock dies with the process)."""
    _try_lock(fd)


def remove_stale_temporaries(book: Path) -> list[Path]:
    """Delete this book's temporary files that no live run is writing; the ones removed.

    Call it holding the book's lock. A file whose OS lock can be taken belongs to no live
    process; one whose lock cannot (another run writing a book whose name starts alike) is kept.
    """
    removed = []
    prefix = tmp_prefix(book)
    try:
        candidates = [p for p in book.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(TMP_SUFFIX)]
    except OSError:
        return removed
    for candidate in candidates:
        try:
            fd = os.open(candidate, os.O_RDWR | _NOFOLLOW)
        except OSError:  # gone already, a link, or not ours to open
            continue
        try:
            if not os.path.isfile(candidate) or not _try_lock(fd):
                continue
            with contextlib.suppress(OSError):
                os.unlink(candidate)
                removed.append(candidate)
            _unlock(fd)
        finally:
            os.close(fd)
    return removed


Fingerprint = tuple[int, int, str]  # (mtime in ns, size, BLAKE2b of the bytes)


def fingerprint_of(data: bytes, mtime_ns: int) -> Fingerprint:
    """What identifies the bytes a run read: a change of either the time or the content shows."""
    return mtime_ns, len(data), hashlib.blake2b(data, digest_size=16).hexdigest()


def fingerprint(path: str | os.PathLike[str]) -> Fingerprint | None:
    """The fingerprint of a file as it is on disk now, None when it is gone."""
    try:
        with open(path, "rb") as f:
            mtime = os.fstat(f.fileno()).st_mtime_ns
            return fingerprint_of(f.read(), mtime)
    except FileNotFoundError:
        return None


def refuse_if_changed(book: Path, read: Fingerprint | None) -> None:
    """Refuse to replace `book` when it is no longer the file this run read (another program saved it)."""
    if read is None:
        return
    now = fingerprint(book)
    if now is not None and now != read:
        raise WorkbookBusy(msg("{book} was changed by another program after xlcust read it: xlcust did not "
                               "replace it; save and close it there, then run again", book=book.name))
