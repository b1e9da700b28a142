"""PDF copies of workbooks, made by LibreOffice: `soffice --headless --convert-to pdf`.

    pdfs = convert_to_pdf([Path("statement_010102_2026-07-01_2026-09-30.xlsx")], Path("statements"))

LibreOffice prints what the workbook's print setup says (paper, fit to width, repeated
rows, page breaks, header and footer), so the PDF is what Excel would print. Every call
runs LibreOffice with a profile of its own in a fresh temporary folder
(`-env:UserInstallation=file:///tmp/xlcust-lo-<uuid>`): parallel runs, and a LibreOffice
the user has open, would otherwise share one profile and one lock, and a second
instance would silently hand its work to the first or exit. All files go through one
LibreOffice start, which is most of the time taken. Chinese text needs a CJK font
installed (fonts-noto-cjk on Debian/Ubuntu); LibreOffice substitutes it for the
workbook's font. `progress(done, total)` is told each time a PDF appears in the output
folder while that one LibreOffice works through the list, so a count costs no extra start.

Errors (`PdfError`, an XlcustError: the CLI exits 2) say what to do: install
LibreOffice when `soffice` is missing; which files failed and LibreOffice's last words
when it could not convert; the limit when it hung (it is then killed).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import XlcustError
from ..i18n import msg

SOFFICE_NAMES = ("soffice", "libreoffice")


class PdfError(XlcustError):
    """A PDF could not be made (LibreOffice missing, failing or too slow)."""


def find_soffice() -> str:
    """The LibreOffice program on PATH; PdfError when there is none."""
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(msg("install LibreOffice to make PDFs (no soffice program was found on PATH)"))


Progress = Callable[[int, int], None]  # (PDFs made so far, PDFs asked for)


def convert_to_pdf(workbooks: Sequence[Path], out_dir: Path, *, timeout: float | None = None,
                   progress: Progress | None = None) -> list[Path]:
    """PDFs of `workbooks` in `out_dir` (same names, .pdf), in the same order.

    `timeout` in seconds (default: 120 plus 30 per workbook). An existing PDF of the
    same name is replaced. `progress(done, total)` is called as the PDFs appear.
    """
    if not workbooks:
        return []
    soffice = find_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / (Path(w).stem + ".pdf") for w in workbooks]
    for target in targets:
        target.unlink(missing_ok=True)  # so a stale PDF is never taken for a fresh one
    limit = timeout if timeout is not None else 120 + 30 * len(workbooks)
    profile = Path(tempfile.gettempdir()) / f"xlcust-lo-{uuid.uuid4().hex}"
    command = [
        soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore",
        "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out_dir), *(str(w) for w in workbooks),
    ]

    def done() -> None:
        if progress is not None:
            progress(sum(t.is_file() for t in targets), len(targets))

    try:
        done()
        _run(command, limit, done)
        done()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [t.name for t in targets if not t.is_file()]
    if missing:
        raise PdfError(msg("LibreOffice made no {files}; check that the workbooks open in LibreOffice",
                           files=', '.join(missing)))
    return targets


# How often the output folder is looked at while LibreOffice runs (a count, not a timer).
_POLL_SECONDS = 0.2


def _run(command: list[str], limit: float, poll: Callable[[], None]) -> None:
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        raise PdfError(msg("cannot start LibreOffice ({reason}); install LibreOffice to make PDFs",
                           reason=exc.strerror or exc)) from None
    deadline = time.monotonic() + limit
    while True:
        try:  # communicate() may be retried after a timeout without losing output
            _, stderr = process.communicate(timeout=min(_POLL_SECONDS, max(deadline - time.monotonic(), 0)))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                _kill(process)
                raise PdfError(msg("LibreOffice did not finish within {limit} s and was stopped",
                                   limit=f"{limit:.0f}")) from None
            poll()
    if process.returncode != 0:
        last = (stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        raise PdfError(msg("LibreOffice failed (exit code {code}): {last}",
                           code=process.returncode, last=last))


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop LibreOffice and what it started (soffice runs soffice.bin in its session)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups here
            process.kill()
    except ProcessLookupError:
        pass
    process.communicate()
