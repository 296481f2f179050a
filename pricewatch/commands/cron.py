"""pricewatch cron show|install: the repo's crontab with this checkout's paths, installed for the current user."""
import difflib
import os
import shlex
import shutil
import string
import subprocess

from foundation import config
from foundation.errors import PricewatchError

TEMPLATE = config.PROJECT_ROOT / "cron" / "crontab"


def register(subparsers) -> None:
    parser = subparsers.add_parser("cron", help="show or install the crontab that crawls, loads and transforms")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("show", help="print the crontab lines for this checkout").set_defaults(func=run_show)
    install = actions.add_parser("install", help="show the change to your crontab; --yes applies it")
    install.add_argument("--yes", action="store_true", help="apply the change")
    install.set_defaults(func=run_install)


def markers() -> tuple[str, str]:
    return f"# >>> pricewatch {config.PROJECT_ROOT} >>>", f"# <<< pricewatch {config.PROJECT_ROOT} <<<"


def render() -> str:
    """cron/crontab with the checkout and PRICEWATCH_HOME filled in, between this checkout's markers."""
    body = string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        root=shlex.quote(str(config.PROJECT_ROOT)),
        env="PRICEWATCH_HOME=" + shlex.quote(str(config.home())),
    )
    begin, end = markers()
    return f"{begin}\n{body.rstrip()}\n{end}\n"


def commands(crontab: str) -> list[str]:
    """The shell command of every schedule line (what cron hands to /bin/sh)."""
    return [" ".join(line.split()[5:]) for line in crontab.splitlines() if line.strip() and not line.startswith("#")]


def merged(current: str, block: str) -> str:
    """`current` with this checkout's block replaced by `block` (appended when absent); other lines kept."""
    begin, end = markers()
    lines = current.splitlines(keepends=True)
    stripped = [line.rstrip("\n") for line in lines]
    if begin in stripped and end in stripped[stripped.index(begin):]:
        start = stripped.index(begin)
        stop = stripped.index(end, start)
        return "".join(lines[:start]) + block + "".join(lines[stop + 1:])
    separator = "" if not current or current.endswith("\n") else "\n"
    return current + separator + block


def current_crontab(executable: str) -> str:
    result = subprocess.run([executable, "-l"], capture_output=True, text=True)
    if result.returncode == 0:
        return result.stdout
    if "no crontab" in result.stderr.lower():
        return ""
    raise PricewatchError(f"`crontab -l` failed: {result.stderr.strip()}")


def run_show(args) -> int:
    print(render(), end="")
    return 0


def run_install(args) -> int:
    executable = shutil.which("crontab")
    if executable is None:
        raise PricewatchError("crontab is not installed (Debian/Ubuntu: apt-get install cron); "
                              "`pricewatch cron show` prints the lines to add to your scheduler")
    current = current_crontab(executable)
    wanted = merged(current, render())
    if wanted == current:
        print(f"the crontab of {os.environ.get('USER', 'this user')} is up to date")
        return 0
    print("".join(difflib.unified_diff(current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                                       "current crontab", "with pricewatch")), end="")
    if not args.yes:
        print("\nnothing changed; run `pricewatch cron install --yes` to apply this")
        return 0
    result = subprocess.run([executable, "-"], input=wanted, capture_output=True, text=True)
    if result.returncode != 0:
        raise PricewatchError(f"`crontab -` refused the new crontab: {result.stderr.strip()}")
    print("\ncrontab installed")
    return 0
