"""Where the details of an internal error go: a private folder only this user can write.

The shared temp folder (/tmp) is writable by every local user. A fixed file name there
lets another user plant a symbolic link under that name, and the next crash would
overwrite whatever file the link points at. So the log lives in a per-user folder
(`xlcust-<uid>` in the temp folder, mode 0700, checked to be ours and not a link), is
opened without following links, and when that folder is someone else's a fresh private
folder is made instead. On Windows the temp folder is already per user.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def log_folder() -> Path:
    """This user's private folder for xlcust's logs (created 0700 if needed)."""
    base = Path(tempfile.gettempdir())
    if os.name == "nt":  # pragma: no cover - %TEMP% is inside the user's profile
        folder = base / "xlcust"
        folder.mkdir(exist_ok=True)
        return folder
    folder = base / f"xlcust-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    st = os.lstat(folder)
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077:
        return folder
    # Planted by someone else, a link, or opened up to others: not a place for our details.
    return Path(tempfile.mkdtemp(prefix="xlcust-"))


def write_crash_log(name: str, text: str) -> Path | None:
    """Write `text` to the log `name` in the private folder; its path, or None when it cannot be written."""
    try:
        path = log_folder() / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError:
        return None
    return path
