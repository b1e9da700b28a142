"""The Then column: one action, checked against the category tree.

    category = "0102"     move the customer to this leaf category (the first matching rule wins)
    tag + "催收"          add a tag (tags accumulate, in priority order)
    tag - "VIP"           remove a tag
    grade = "D"           override the credit grade (the first matching rule wins)
    flag "核对结算节点"    raise a flag: a note in the Reclass sheet and AuditLog

The words have Chinese spellings too (分类, 标签, 等级, 提示), any case. Values are
text in double quotes: a category code typed as a number would lose its leading zeros.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..codes import CategoryTree
from ..i18n import N_, Joined, msg
from ..schema import normalize_header
from .syntax import RuleError, parse_action

GRADES = ("A", "B", "C", "D")
_TAG_SEPARATORS = ";；,，、|"


class ActionKind(StrEnum):
    CATEGORY = "category"
    TAG = "tag"
    GRADE = "grade"
    FLAG = "flag"


_WORDS: dict[str, ActionKind] = {
    normalize_header(word): kind
    for kind, words in {
        ActionKind.CATEGORY: ("category", "category_code", "分类", "分类编码", "客户分类"),
        ActionKind.TAG: ("tag", "tags", "标签"),
        ActionKind.GRADE: ("grade", "credit_grade", "等级", "信用等级"),
        ActionKind.FLAG: ("flag", "提示", "标记", "提醒"),
    }.items()
    for word in words
}
_OPERATORS: dict[ActionKind, tuple[str | None, ...]] = {
    ActionKind.CATEGORY: ("=",),
    ActionKind.TAG: ("+", "-"),
    ActionKind.GRADE: ("=",),
    ActionKind.FLAG: (None, "=", "+"),
}
_FORMS = {  # examples: the tag and flag texts are the reader's words
    ActionKind.CATEGORY: N_('category = "0102"'),
    ActionKind.TAG: N_('tag + "collect" or tag - "VIP"'),
    ActionKind.GRADE: N_('grade = "D"'),
    ActionKind.FLAG: N_('flag "check the site settlement"'),
}
_KIND_WORDS = {  # the action's target, as a message names it
    ActionKind.CATEGORY: N_("category"), ActionKind.TAG: N_("tag"), ActionKind.GRADE: N_("grade"),
    ActionKind.FLAG: N_("flag"),
}


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    value: str
    remove: bool = False  # tag - "…"

    def __str__(self) -> str:
        if self.kind is ActionKind.TAG:
            return f'tag {"-" if self.remove else "+"} "{self.value}"'
        if self.kind is ActionKind.FLAG:
            return f'flag "{self.value}"'
        return f'{self.kind.value} = "{self.value}"'


def compile_action(text: str, tree: CategoryTree) -> Action:
    """The action a Then cell describes; raises RuleError when it is not one xlcust can carry out."""
    syntax = parse_action(text)
    kind = _WORDS.get(normalize_header(syntax.word))
    if kind is None:
        raise RuleError("RUL_ACTION_UNKNOWN", msg("Unknown action '{word}'", word=syntax.word), syntax.word_pos,
                        msg("Actions: {forms}", forms=Joined(tuple(msg(f) for f in _FORMS.values()))))
    if syntax.op not in _OPERATORS[kind]:
        shown = msg("nothing") if syntax.op is None else f"'{syntax.op}'"
        raise RuleError("RUL_ACTION_UNKNOWN", msg("'{word}' does not take {op}", word=syntax.word, op=shown),
                        syntax.word_pos, msg("Write {example}", example=msg(_FORMS[kind])))
    if isinstance(syntax.value, float):
        return _number_value(kind, syntax.value_text, syntax.value_pos, tree)
    value = syntax.value.strip()
    if not value:
        raise RuleError("RUL_ACTION_VALUE", msg("The {what} is empty", what=msg(_KIND_WORDS[kind])), syntax.value_pos,
                        msg("Write {example}", example=msg(_FORMS[kind])))
    if kind is ActionKind.CATEGORY:
        return Action(kind, _category(value, syntax.value_pos, tree))
    if kind is ActionKind.GRADE:
        grade = normalize_header(value).upper()
        if grade not in GRADES:
            raise RuleError("RUL_ACTION_VALUE", msg("'{value}' is not a grade", value=value), syntax.value_pos,
                            msg('Grades are A, B, C and D: grade = "D"'))
        return Action(kind, grade)
    if kind is ActionKind.TAG:
        if any(ch in value for ch in _TAG_SEPARATORS):
            raise RuleError("RUL_ACTION_VALUE", msg("'{value}' is more than one tag", value=value), syntax.value_pos,
                            msg("One tag per rule: add a rule for each tag"))
        return Action(kind, value, remove=syntax.op == "-")
    return Action(kind, value)


def _number_value(kind: ActionKind, typed: str, pos: int, tree: CategoryTree) -> Action:
    hint = msg('Put it in double quotes: {word} = "{typed}"', word=kind.value, typed=typed)
    if kind is ActionKind.CATEGORY:
        padded = tree.scheme.pad_suggestion(typed)
        if padded is not None:
            hint = msg('Put the code in double quotes, with its leading zeros: category = "{padded}"', padded=padded)
    raise RuleError("RUL_ACTION_VALUE", msg("{typed} is typed as a number; the {what} must be text in double quotes",
                                            typed=typed, what=msg(_KIND_WORDS[kind])), pos, hint)


def _category(code: str, pos: int, tree: CategoryTree) -> str:
    code = normalize_header(code).upper()
    if code not in tree:
        padded = tree.scheme.pad_suggestion(code)
        hint = (msg('Did you mean "{padded}"?', padded=padded) if padded in tree else
                msg("Use a code from the Categories sheet"))
        raise RuleError("RUL_CATEGORY_UNKNOWN", msg("Category '{code}' is not on the Categories sheet", code=code), pos,
                        hint)
    if not tree.is_leaf(code):
        leaves = tree.leaves_under(code)
        raise RuleError("RUL_CATEGORY_NOT_LEAF", msg("Category '{code}' has subcategories; customers belong to leaf "
                                                     "categories only", code=code), pos,
                        msg("Choose one of {leaves}", leaves=tree.describe(leaves)))
    return code
