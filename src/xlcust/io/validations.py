"""Data validations of an output sheet as worksheet XML (`<dataValidations>`, CT_DataValidations).

The sheet XML alone carries them, no other part: a drop-down's source is a formula, a prompt
(Excel's "input message") is shown when a cell of the range is selected. Excel caps a prompt's
title at 32 characters, a prompt or error text at 255; longer texts are cut rather than refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..views.sheet import Validation
from .sheetxml import xml_attr, xml_text

_LIMITS = {"promptTitle": 32, "prompt": 255, "errorTitle": 32, "error": 255}


def validations_xml(validations: Sequence[Validation]) -> str:
    """The `<dataValidations>` element (goes after conditionalFormatting, before hyperlinks), or ""."""
    if not validations:
        return ""
    items = []
    for v in validations:
        attrs = {"type": v.kind if v.kind != "any" else None, "operator": "between" if v.kind == "date" else None,
                 "allowBlank": "1", "showInputMessage": "1" if v.prompt else None,
                 "showErrorMessage": "1" if v.kind != "any" else None,
                 "errorTitle": v.error_title, "error": v.error, "promptTitle": v.prompt_title, "prompt": v.prompt,
                 "sqref": v.ref}
        text = " ".join(f'{k}="{xml_attr(val[:_LIMITS.get(k, len(val))])}"' for k, val in attrs.items()
                        if val is not None)
        formulas = "".join(f"<formula{i}>{xml_text(f)}</formula{i}>"
                           for i, f in ((1, v.formula1), (2, v.formula2)) if f is not None)
        items.append(f"<dataValidation {text}>{formulas}</dataValidation>" if formulas
                     else f"<dataValidation {text}/>")
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>'
