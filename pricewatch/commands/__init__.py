"""Subcommands of the `pricewatch` CLI, one module each, each exposing register(subparsers); and the question
the destructive ones ask first."""
import sys

from foundation.errors import PricewatchError


def confirm(action: str, yes: bool) -> None:
    """Go on when --yes was given or the person at the terminal answers y; otherwise stop with a one-line error.
    Without a terminal (cron, scripts) nobody can answer, so it refuses rather than assume."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise PricewatchError(f"this would {action}; no terminal to ask, so nothing was done (add --yes to go ahead)")
    answer = input(f"This will {action}. Go ahead? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise PricewatchError("nothing was done")
