"""The `pricewatch` command: track video-game prices across stores.

Each subcommand lives in its own module under pricewatch/commands/ and
registers itself; adding a command means adding a module name to COMMANDS, nothing else.
Registering is cheap (command modules import their heavy libraries inside `run`), so `--help` and light
commands start fast.
"""
import argparse
import importlib
import logging
import os
import sys

from foundation.errors import PricewatchError

COMMANDS = (
    "db",
    "parse",
    "replay",
    "scrapyd", "deploy", "schedule", "run", "status", "cron",
    "load", "feeds",
    "etl", "report", "game",
    "games", "watch", "alerts", "chart",
    "serve",
)


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (with where to find the usage), like every other error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> Parser:
    parser = Parser(prog="pricewatch", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"pricewatch.commands.{name}").register(subparsers)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args) or 0
    except PricewatchError as exc:
        return fail(exc)
    except KeyboardInterrupt:
        print("pricewatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`pricewatch report best | head`): stop quietly, as cat and grep do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        # A file or directory the user named (chart -o /missing/x.png, an unreadable feed): strerror and the path.
        return fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else exc)
    except Exception as exc:
        # Database errors reach here from any command; psycopg2 is imported only once one happened.
        from foundation.database import user_error
        error = user_error(exc)
        if error is None:
            raise
        return fail(error)


def fail(error) -> int:
    lines = str(error).strip().splitlines() or [type(error).__name__]
    print(f"pricewatch: error: {lines[0]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
