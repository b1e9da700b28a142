"""A command that aborts (a declined prompt, Ctrl+C at one): one line in the user's language, exit 1."""

from __future__ import annotations

import typer

from xlcust.clihelp import run_localized


def _interrupted_command() -> typer.main.TyperCommand:
    app = typer.Typer()

    @app.command()
    def slow() -> None:
        raise typer.Abort()  # what a declined prompt (or Ctrl+C at one) raises inside a command

    return typer.main.get_command(app)


def test_ctrl_c_is_a_short_message_and_exit_1(capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.argv", ["xlcust"])
    assert run_localized(_interrupted_command(), "en", "xlcust") == 1
    assert capsys.readouterr().err.strip() == "Aborted!"


def test_ctrl_c_message_follows_the_language(capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.argv", ["xlcust"])
    assert run_localized(_interrupted_command(), "zh", "xlcust") == 1
    err = capsys.readouterr().err.strip()
    assert err and "Aborted" not in err
