"""Commands beyond the core ones in `xlcust.cli`, one module per area.

Each module here registers its commands on the app with `@app.command()` and uses the
shared helpers (`run`, `emit_json`, `load_book`, `err`, exit codes), both from
`commands/base.py`: no command module imports `xlcust.cli`, which imports them all when
the CLI starts.
"""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
