"""The message catalog: every text a user reads, in English and in Chinese.

Texts are gettext messages. The English text is the msgid, with `{name}` placeholders
for its parameters; the Chinese text lives in `locale/zh/LC_MESSAGES/xlcust.po`, a
catalog managed with Babel (see `locale/README.md` for the two commands that extract
new texts and merge them into the catalog). English needs no catalog: the msgid is
the English text.

Three ways a module uses it, by layer:

- **core** (checks, ledger, credit, rules, reclass, importer, reports) never picks a
  language. It marks a text with `N_("…")`, or `msg("…", name=value)` which keeps the
  msgid and its parameters together as a `Msg` (a Finding's message and fix are Msgs),
  so any view can render it later in any language;
- **views** render with `translate(msgid, lang, **params)` (`ntranslate` for texts
  with a count, `ctranslate` for a word marked with its context by `C_`);
- **hosts** (CLI, xlwings, Lite) decide the language once — `resolve_language`:
  `--lang`, else the workbook's Settings `language`, else the system locale — and
  may set it for the rest of the call with `use_language`; `_()` then translates in it.

Parameters are formatted after translation, so a translation may reorder them.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import locale
import os
from collections.abc import Iterator
from importlib.resources import files

DOMAIN = "xlcust"
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("xlcust_language", default=DEFAULT_LANGUAGE)


def N_(msgid: str) -> str:
    """Mark `msgid` for the catalog without translating it (the core keeps msgids as data)."""
    return msgid


def C_(context: str, msgid: str) -> str:
    """Mark `msgid` in `context` (gettext's msgctxt) without translating it.

    The context tells apart one English word with two meanings: a code the core returns
    (`invoice` the transaction kind, `invoice` the aging basis) gets its label per context.
    """
    return msgid


def normalize_language(lang: str | None) -> str | None:
    """'zh', 'zh_CN', 'zh-Hans', '中文' → 'zh'; 'en_US' → 'en'; anything else → None."""
    if not lang:
        return None
    text = str(lang).strip().lower().replace("-", "_")
    if text.startswith("zh") or text in ("中文", "chinese", "cn"):
        return "zh"
    if text.startswith("en") or text in ("english", "英文"):
        return "en"
    return None


def system_language() -> str:
    """The language of the user's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        found = normalize_language(os.environ.get(var, "").split(":")[0].split(".")[0])
        if found:
            return found
    with contextlib.suppress(ValueError, TypeError):
        found = normalize_language(locale.getlocale()[0])
        if found:
            return found
    return DEFAULT_LANGUAGE


def resolve_language(requested: str | None = None, workbook: str | None = None) -> str:
    """`--lang` if given, else the workbook's Settings `language` if set, else the locale."""
    return normalize_language(requested) or normalize_language(workbook) or system_language()


@functools.cache
def catalog(lang: str) -> gettext.NullTranslations:
    """The translations of `lang`, compiled from its .po file once per process."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = files("xlcust") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as handle:
        messages = read_po(handle, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, messages)  # fuzzy entries are left out: they fall back to English
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translate(msgid: str, lang: str, /, **params: object) -> str:
    """`msgid` in `lang`, with `params` formatted in."""
    text = catalog(lang).gettext(msgid) if msgid else msgid
    return text.format(**params) if params else text


def ctranslate(context: str, msgid: str, lang: str, /, **params: object) -> str:
    """`msgid` in `context` (see `C_`), in `lang`, with `params` formatted in."""
    text = catalog(lang).pgettext(context, msgid) if msgid else msgid
    return text.format(**params) if params else text


def ntranslate(singular: str, plural: str, n: int, lang: str, /, **params: object) -> str:
    """A text with a count (`n` is also passed to the text as `{n}`)."""
    text = catalog(lang).ngettext(singular, plural, n)
    return text.format(n=n, **params)


def current_language() -> str:
    return _current.get()


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[str]:
    """Translate `_()` in `lang` until the block ends."""
    token = _current.set(normalize_language(lang) or DEFAULT_LANGUAGE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_language(lang: str) -> None:
    """Switch the current language for the rest of the enclosing `use_language` block.

    A host that learns the workbook's language only after reading it (the CLI) uses this.
    """
    _current.set(normalize_language(lang) or DEFAULT_LANGUAGE)


def _(msgid: str, /, **params: object) -> str:
    """`msgid` in the current language (hosts set it with `use_language`)."""
    return translate(msgid, _current.get(), **params)


class Msg:
    """A marked text and its parameters, kept as data until a view renders it.

    `msg("Code {code} is blank", code="0101")` is what the core stores (a Finding's
    message, a fix); `render(lang)` formats it in any language. A parameter that is
    itself a Msg, or anything with a `render(lang)` method (a column, whose header the
    sheet shows), is rendered in the same language.
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: object) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, lang: str) -> str:
        """The text in `lang` (English for any language without a catalog)."""
        params = {k: v.render(lang) if hasattr(v, "render") else v for k, v in self.params.items()}
        return translate(self.msgid, lang, **params)

    def to_json(self) -> dict:
        """msgid and parameters (nested texts as their msgid), for tools that translate themselves."""
        return {"msgid": self.msgid,
                "params": {k: v.msgid if isinstance(v, Msg) else v.render(DEFAULT_LANGUAGE)
                           if hasattr(v, "render") else v for k, v in self.params.items()}}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, **{self.params!r})"

    def __str__(self) -> str:
        return self.render(DEFAULT_LANGUAGE)


class Term:
    """A code the core writes into a sheet (a history source, a changed field), kept as data.

    `term("history source", "import")` marks the code with its context (as `C_` does);
    `render(lang)` is the code itself in English and its catalog label in another language.
    `str()` is the code, so a Term read back as text is the code again.
    """

    __slots__ = ("context", "code")

    def __init__(self, context: str, code: str) -> None:
        self.context, self.code = context, code

    def render(self, lang: str) -> str:
        return self.code if lang == DEFAULT_LANGUAGE else ctranslate(self.context, self.code, lang)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Term) and (self.context, self.code) == (other.context, other.code)

    def __hash__(self) -> int:
        return hash((self.context, self.code))

    def __repr__(self) -> str:
        return f"Term({self.context!r}, {self.code!r})"

    def __str__(self) -> str:
        return self.code


def term(context: str, code: str) -> Term:
    """Mark a code with its context for the catalog and keep it as a `Term` (core code)."""
    return Term(context, code)


def labels_of(context: str, codes: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Every language's label of each code → the code, for reading back what a view wrote."""
    return {ctranslate(context, code, lang): code for code in codes for lang in LANGUAGES}


class Joined:
    """Several texts shown as one list ("a; b; c"), each rendered in the reader's language."""

    __slots__ = ("parts", "sep")

    def __init__(self, parts: tuple[object, ...], sep: str = "; ") -> None:
        self.parts, self.sep = tuple(parts), sep

    def render(self, lang: str) -> str:
        return self.sep.join(p.render(lang) if hasattr(p, "render") else str(p) for p in self.parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Joined) and (self.parts, self.sep) == (other.parts, other.sep)

    def __hash__(self) -> int:
        return hash(self.parts)

    def __str__(self) -> str:
        return self.render(DEFAULT_LANGUAGE)


def msg(msgid: str, /, **params: object) -> Msg:
    """Mark `msgid` for the catalog and keep it with its parameters (core code)."""
    return Msg(msgid, **params)


def render(text: str | Msg | Joined, lang: str) -> str:
    """A text in `lang`: a Msg (or Joined) is translated, a plain string (a name, a code) is shown as is."""
    return text.render(lang) if isinstance(text, Msg | Joined) else text


YES, NO = N_("Yes"), N_("No")


def yes_no(value: bool, lang: str) -> str:
    """A boolean as a reader says it: Yes/No, 是/否 (never TRUE/FALSE on a printed page)."""
    return translate(YES if value else NO, lang)
