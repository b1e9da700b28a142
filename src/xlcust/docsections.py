"""Generated sections of Markdown pages: the blocks between `<!-- NAME -->` markers, remade from code."""

from __future__ import annotations

import re
from collections.abc import Callable


def fill_sections(text: str, sections: dict[str, Callable[[], str]]) -> str:
    """`text` with each `<!-- NAME -->…<!-- /NAME -->` block remade by `sections[NAME]()`.

    A lone opening marker is filled the first time; afterwards the block is replaced.
    Used for the README here and for the generated pages under docs/.
    """
    for name, make in sections.items():
        block = f"<!-- {name} -->\n{make()}\n<!-- /{name} -->"
        pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->", re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _m, b=block: b, text)
        else:
            text = text.replace(f"<!-- {name} -->", block)
    return text
