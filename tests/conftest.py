"""Test-wide setup."""

from __future__ import annotations

import os

# xlcust speaks the system locale's language when neither --lang nor Settings says otherwise:
# pin a neutral locale so a developer's Chinese desktop does not change what the tests expect.
for _var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"
