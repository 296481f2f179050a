"""Every command, run as a new user would get it wrong: one line on stderr, no traceback, a non-zero exit.

The commands are read off `pricewatch.cli.build_parser()`, so a new command is checked without being listed
here; it only has to be put in one of the groups below by what it needs (a test fails until it is).
"""
import argparse
import io
import sys
from datetime import date
from pathlib import Path

import pytest

from foundation import database
from foundation.errors import PricewatchError
from pricewatch.cli import build_parser, main

SAMPLE_FEED = str(Path(__file__).parent / "fixtures" / "handmade_sample_feed.jl")
# Values for positional arguments, by their dest; anything else gets "x".
POSITIONALS = {"paths": SAMPLE_FEED, "name": "best", "title": "Hades", "ids": "1", "sources": "steam",
               "spiders": "steam", "listing": "steam:1", "listing_a": "steam:1", "listing_b": "gog:2"}
UPGRADE_FIRST = "run `pricewatch db upgrade` first"
# Options a command cannot go without (argparse cannot say so: they are required together, one of several).
REQUIRED_OPTIONS = {"watch add": ["--discount", "10"]}

# Commands that read or write the price model: on a database without it they say to upgrade.
NEED_THE_MODEL = {
    "scrapyd jobs", "status", "load", "etl", "report", "game", "games match", "games merge", "games split",
    "games review", "games show", "watch add", "watch list", "watch remove", "alerts", "chart", "serve",
}
# Commands that create the model (upgrade, rebuild, run), work on any database (url, backup, restore of a
# missing file) or ask before they drop it (downgrade); the database is not theirs to miss.
MAKE_OR_COPY_THE_MODEL = {"db upgrade", "db downgrade", "db rebuild", "db url", "db backup", "db restore", "run"}
# Commands that talk to Scrapyd or the file system before any database (schedule asks Scrapyd for its jobs first).
NO_DATABASE_FIRST = {
    "parse", "replay serve", "replay check", "scrapyd start", "scrapyd stop", "scrapyd status", "deploy",
    "schedule", "cron show", "cron install", "feeds prune", "feeds usage",
}


def commands(parser=None, path=()) -> dict[str, argparse.ArgumentParser]:
    """Every runnable command line ("db upgrade", "report", ...) with its parser."""
    parser = parser or build_parser()
    actions = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    if not actions:
        return {" ".join(path): parser}
    found = {}
    for name, subparser in actions[0].choices.items():
        found.update(commands(subparser, (*path, name)))
    return found


COMMANDS = commands()


def valid_argv(command: str) -> list[str]:
    """The command with a plausible value for each positional argument it needs (and for files to load)."""
    argv = command.split()
    for action in COMMANDS[command]._actions:
        if action.option_strings or action.nargs == "?" or (action.nargs == "*" and action.dest not in POSITIONALS):
            continue
        argv.append(POSITIONALS.get(action.dest, "x"))
    return argv + REQUIRED_OPTIONS.get(command, [])


def one_line_error(captured) -> str:
    lines = captured.err.splitlines()
    assert "Traceback" not in captured.err, captured.err
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("pricewatch"), lines
    return lines[0]


def test_every_command_is_in_exactly_one_group():
    groups = [NEED_THE_MODEL, MAKE_OR_COPY_THE_MODEL, NO_DATABASE_FIRST]
    assert sorted(name for group in groups for name in group) == sorted(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unknown_option_is_one_line_and_exit_2(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*valid_argv(command), "--no-such-option"])
    assert exit_.value.code == 2
    line = one_line_error(capsys.readouterr())
    assert "unrecognized arguments: --no-such-option" in line and "--help" in line


@pytest.mark.parametrize("argv, message", [
    (["report", "best", "--limit", "-1"], "argument --limit: must be 0 or more, got -1"),
    (["report", "best", "--days", "many"], "argument --days: expected a whole number, got 'many'"),
    (["report", "worst"], "argument REPORT: invalid choice: 'worst'"),
    (["report", "best", "--kind", "currency-pack"], "argument --kind: invalid choice"),
    (["db"], "the following arguments are required: ACTION"),
    ([], "the following arguments are required: COMMAND"),
])
def test_bad_arguments_are_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in one_line_error(capsys.readouterr())


@pytest.mark.parametrize("command", sorted(NEED_THE_MODEL))
def test_a_database_without_the_model_says_to_upgrade(command, empty_db_url, pricewatch_home, capsys):
    assert main(valid_argv(command)) == 1
    assert UPGRADE_FIRST in one_line_error(capsys.readouterr())


@pytest.mark.parametrize("command", sorted(NEED_THE_MODEL | MAKE_OR_COPY_THE_MODEL))
def test_a_garbage_database_url_is_one_line(command, pricewatch_home, monkeypatch, capsys):
    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", "garbage")
    argv = valid_argv(command)
    if command in ("db downgrade", "db rebuild"):
        argv.append("--yes")
    assert main(argv) == 1
    line = one_line_error(capsys.readouterr())
    assert line.startswith("pricewatch: error: "), line
    if command != "db restore":  # a missing backup file is named before the database is looked at
        assert "PRICEWATCH_DATABASE_URL is not a PostgreSQL URL like postgresql://" in line


@pytest.mark.parametrize("command", ["report", "status", "db upgrade", "load"])
def test_an_unreachable_server_is_one_line(command, pricewatch_home, monkeypatch, capsys):
    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", f"postgresql://nobody@/pricewatch?host={pricewatch_home}")
    assert main(valid_argv(command)) == 1
    assert "cannot connect to the database at postgresql://nobody@/pricewatch" in one_line_error(capsys.readouterr())


def test_a_missing_role_says_to_upgrade(db_url, monkeypatch):
    """A server where the first migration never ran has none of the pricewatch roles."""
    monkeypatch.setattr(database, "ROLES", (*database.ROLES, "pricewatch_nobody"))
    with pytest.raises(PricewatchError, match='role "pricewatch_nobody" does not exist: .*' + UPGRADE_FIRST.replace(
            "`", ".")):
        database.connect(role="pricewatch_nobody")


def test_commands_after_a_downgrade_say_to_upgrade(db_url, pricewatch_home, capsys):
    assert main(["db", "downgrade", "--yes"]) == 0
    capsys.readouterr()
    for argv in (["status"], ["load", SAMPLE_FEED], ["scrapyd", "jobs"], ["report", "best"]):
        assert main(argv) == 1, argv
        assert UPGRADE_FIRST in one_line_error(capsys.readouterr()), argv


def test_a_bad_feed_file_is_named_as_such(db_url, tmp_path, capsys):
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"this is not json\x00{]")
    assert main(["load", str(garbage)]) == 1
    line = one_line_error(capsys.readouterr())
    assert line.startswith(f"pricewatch: error: {garbage}: not a JSON array of records"), line
    assert "connection" not in line


def test_a_chart_into_a_missing_directory_is_one_line(db_url, tmp_path, capsys):
    assert main(["load", SAMPLE_FEED]) == 0 and main(["etl"]) == 0
    capsys.readouterr()
    assert main(["chart", "Hades", "--format", "png", "-o", str(tmp_path / "missing" / "hades.png")]) == 1
    assert one_line_error(capsys.readouterr()) == (
        f"pricewatch: error: cannot write {tmp_path / 'missing' / 'hades.png'}: no directory {tmp_path / 'missing'}")


@pytest.mark.parametrize("argv", [["db", "downgrade"], ["db", "rebuild", "--replace"], ["feeds", "prune"]])
def test_destructive_commands_refuse_without_a_terminal_or_yes(argv, db_url, pricewatch_home, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))
    assert main(argv) == 1
    assert "no terminal to ask, so nothing was done (add --yes to go ahead)" in one_line_error(capsys.readouterr())
    assert main(["report", "best"]) == 0, "the database is still there"


class Terminal(io.StringIO):
    """What a person types at a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer, code, said", [("y\n", 0, "deleted 0 archived files"), ("\n", 1, ""),
                                                ("no\n", 1, "")])
def test_a_destructive_command_asks_on_a_terminal(answer, code, said, pricewatch_home, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    # Prune deletes only what a backup holds: give it one (an empty dump of today is enough to date it).
    (pricewatch_home / "backup").mkdir(parents=True)
    (pricewatch_home / "backup" / f"pricewatch-{date.today():%Y-%m-%d}T040000Z.dump").write_text("")
    assert main(["feeds", "prune", "--older-than", "30"]) == code
    captured = capsys.readouterr()
    assert captured.out.startswith(f"This will delete the archived feeds older than 30 days in {pricewatch_home}/archive")
    assert "Go ahead? [y/N]" in captured.out and said in captured.out
    assert captured.err == ("" if code == 0 else "pricewatch: error: nothing was done\n")
