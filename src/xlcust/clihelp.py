"""`xlcust --help` in the reader's language.

Typer evaluates every `help=` text when the command modules are imported, before any
language is known, so the texts stay English msgids in the code (marked with `N_`
for the catalog) and are translated afterwards, in two steps:

1. `localized_command(app, lang)` builds the click command tree from the typer app and
   replaces the help of every command and option with its translation. It runs in
   `cli.main()`, once per process, with the language `help_language()` reads from the
   command line (`--lang zh`, also after `--help`, since click answers `--help` before
   parsing the other options) or else from the locale. A workbook's Settings language
   cannot apply here: help never reads the workbook.
2. A help formatter translates the words click itself writes ("Usage:", "Options",
   "[default: …]", "Show this message and exit.").
3. `run_localized` shows click's usage errors ("Missing option '--from'.", "No such option:
   --frob") in the same language: the click that typer bundles writes them as English
   f-strings, so the common ones are recognised by their shape and rendered from the
   catalog; anything else keeps click's English.

Translating after import keeps one English text per option in the code (no per-language
decorators) and needs no change to how commands are declared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import typer
from typer import _click as click

from .i18n import N_, normalize_language, system_language, translate

# click's own words in the help page (click translates them with gettext's default domain,
# which xlcust does not install; the catalog has them instead)
CLICK_WORDS = {"Usage: ": N_("Usage: "), "Options": N_("Options"), "Arguments": N_("Arguments"),
               "Commands": N_("Commands"), "Show this message and exit.": N_("Show this message and exit.")}
ERROR_SHAPES = [  # click's usage errors, as their English reads → the catalog text that says the same
    (re.compile(r"^Missing option '(?P<name>[^']+)'\.$"), N_("Missing option '{name}'.")),
    (re.compile(r"^Missing argument '(?P<name>[^']+)'\.$"), N_("Missing argument '{name}'.")),
    (re.compile(r"^No such option: (?P<name>\S+)$"), N_("No such option: {name}")),
    (re.compile(r"^No such option: (?P<name>\S+) Did you mean (?P<other>\S+)\?$"),
     N_("No such option: {name} Did you mean {other}?")),
    (re.compile(r"^No such command '(?P<name>[^']+)'\.$"), N_("No such command '{name}'.")),
    (re.compile(r"^Got unexpected extra argument(?:\(s\))? \((?P<args>.*)\)$"),
     N_("Got unexpected extra argument(s) ({args})")),
    (re.compile(r"^Option '(?P<name>[^']+)' requires an argument\.$"), N_("Option '{name}' requires an argument.")),
    (re.compile(r"^Invalid value for (?P<name>[^:]+): (?P<reason>.*)$"), N_("Invalid value for {name}: {reason}")),
]
TRY_HELP = N_("Try '{command} {option}' for help.")
ERROR = N_("Error: {message}")
ABORTED = N_("Aborted!")
REQUIRED = N_("required")
DEFAULT = N_("default: {default}")
_SUFFIX = re.compile(r"^(?P<head>.*?)\s*\[(?P<extra>[^\[\]]*)\]\s*$", re.S)


def help_language(argv: Sequence[str]) -> str:
    """The language of the help page: `--lang X` / `--lang=X` anywhere on the line, else the locale."""
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value is not None and normalize_language(value):
            return normalize_language(value) or "en"
    return system_language()


def localized_command(app: typer.Typer, lang: str) -> click.Command:
    """The click command of `app` with every help text in `lang` (see the module docstring)."""
    command = typer.main.get_command(app)
    context = type("LocalizedContext", (click.Context,), {"formatter_class": _formatter(lang)})
    _localize(command, lang, context)
    return command


def _localize(command: click.Command, lang: str, context: type[click.Context]) -> None:
    command.context_class = context
    if command.help:
        command.help = translate(command.help, lang)
    if command.short_help:
        command.short_help = translate(command.short_help, lang)
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            param.help = translate(text, lang)  # type: ignore[attr-defined]
    for sub in getattr(command, "commands", {}).values():
        _localize(sub, lang, context)


def _formatter(lang: str) -> type[click.HelpFormatter]:
    class LocalizedFormatter(click.HelpFormatter):
        """Writes click's own words of the help page in `lang`."""

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, translate(CLICK_WORDS["Usage: "], lang) if prefix is None else prefix)

        def write_heading(self, heading: str) -> None:
            super().write_heading(translate(CLICK_WORDS.get(heading, heading), lang))

        def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
            super().write_dl([(term, localized_extra(text, lang)) for term, text in rows], col_max, col_spacing)

    return LocalizedFormatter


def localized_extra(text: str, lang: str) -> str:
    """An option's help line with click's additions ("[default: x]", "[required]") in `lang`."""
    match = _SUFFIX.match(text or "")
    head, extra = (match["head"], match["extra"]) if match else (text or "", None)
    head = translate(CLICK_WORDS.get(head, head), lang) if head in CLICK_WORDS else head
    if extra is None:
        return head
    parts = []
    for part in extra.split("; "):
        if part == "required":
            parts.append(translate(REQUIRED, lang))
        elif part.startswith("default: "):
            parts.append(translate(DEFAULT, lang, default=part[len("default: "):]))
        else:
            parts.append(part)
    return f"{head}  [{'; '.join(parts)}]"


def localized_error(message: str, lang: str) -> str:
    """A click usage error's message in `lang` (one it does not recognise stays as written)."""
    for shape, msgid in ERROR_SHAPES:
        match = shape.match(message)
        if match:
            return translate(msgid, lang, **match.groupdict())
    return message


def run_localized(command: click.Command, lang: str, prog_name: str) -> int:
    """Run `command` as click's standalone mode would, its usage errors shown in `lang`; the exit code."""
    try:
        code = command.main(prog_name=prog_name, standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()  # the help page itself, already in `lang`
        return exc.exit_code
    except click.exceptions.UsageError as exc:
        _show_usage_error(exc, lang)
        return exc.exit_code
    except click.exceptions.ClickException as exc:
        click.echo(translate(ERROR, lang, message=localized_error(exc.format_message(), lang)), err=True)
        return exc.exit_code
    except typer.Abort:  # Ctrl+C at a prompt or during a command (typer's bundled click has no Abort of its own)
        click.echo(translate(ABORTED, lang), err=True)
        return 1
    return code if isinstance(code, int) else 0


def _show_usage_error(exc: click.exceptions.UsageError, lang: str) -> None:
    ctx = exc.ctx
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = translate(TRY_HELP, lang, command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
        click.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
    click.echo(translate(ERROR, lang, message=localized_error(exc.format_message(), lang)), err=True)
