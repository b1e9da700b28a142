"""A fresh clone passes its tests; CI always runs the reference-data ones (issue 13, point 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .external import REPOSITORY

IBM_TEST = "tests/test_ledger_settlement.py"


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("CI", "XLCUST_EXTERNAL_DATA")} | env
    return subprocess.run([sys.executable, "-m", "pytest", IBM_TEST, "-m", "external", "-rs", "-p",
                           "no:cacheprovider"], cwd=REPOSITORY, env=environment, capture_output=True, text=True,
                          timeout=300)


def test_without_the_folder_the_external_tests_are_skipped_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "external"
    result = _pytest(tmp_path, XLCUST_EXTERNAL_DATA=str(missing))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert f"reference data folder {missing} is absent" in result.stdout


def test_under_ci_a_missing_folder_fails_instead_of_skipping(tmp_path: Path) -> None:
    result = _pytest(tmp_path, XLCUST_EXTERNAL_DATA=str(tmp_path / "nowhere"), CI="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout and "skipped" not in result.stdout


def test_ci_script_refuses_to_start_without_the_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"XLCUST_EXTERNAL_DATA": str(tmp_path / "nowhere")}
    result = subprocess.run(["bash", str(REPOSITORY / ".ci" / "run")], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert f"reference data folder {tmp_path / 'nowhere'} is absent" in result.stderr
