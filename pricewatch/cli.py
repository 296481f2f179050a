"""The `pricewatch` command: track video-game prices across stores.

Each subcommand lives in its own module under pricewatch/commands/ and
registers itself; adding a command means adding a module name to COMMANDS, nothing else."""
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
    "etl", "report",
    "games", "watch", "alerts", "chart",
    "serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pricewatch", description=__doc__.splitlines()[0])
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
        print(f"pricewatch: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pricewatch: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`pricewatch report best | head`): stop quietly, as cat and grep do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
