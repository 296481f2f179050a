"""pricewatch load PATH... | --landing | --watch: load feed files into change-only staging."""
import contextlib
import signal
import sys

from foundation import config
from foundation.errors import PricewatchError
from loader import build_loader
from loader.feed_reader import feed_paths
from loader.landing import landing_feeds
from pricewatch.feed_loading import load_each, watch


def register(subparsers) -> None:
    parser = subparsers.add_parser("load", help="load feed files (JSON lines, gzip, JSON arrays) into staging")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="feed files or directories of them")
    parser.add_argument("--landing", action="store_true",
                        help="load every complete feed in the landing directory, then move it to the archive")
    parser.add_argument("--watch", action="store_true", help="keep loading feeds as they land, until interrupted")
    parser.add_argument("--interval", type=float, default=10.0, metavar="S", help="seconds between --watch polls")
    parser.add_argument("--kind", help="feed kind (default: by landing source, else store_listing)")
    parser.set_defaults(func=run)


@contextlib.contextmanager
def progress_bar(paths):
    """A rich progress bar over the bytes to load when stderr is a terminal; otherwise nothing."""
    if not sys.stderr.isatty():
        yield lambda path: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    total = sum(path.stat().st_size for path in paths)
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("loading", total=total)

        def for_file(path):
            progress.update(task, description=path.name)
            return lambda done: progress.advance(task, done)

        yield for_file


def print_outcomes(outcomes) -> int:
    """Prints one line per file (errors on stderr); returns how many files failed."""
    failed = 0
    for outcome in outcomes:
        print(outcome.summary(), file=sys.stderr if outcome.error else sys.stdout, flush=True)
        failed += outcome.error is not None
    return failed


def load_paths(loader, paths, archive: bool = False) -> int:
    with progress_bar(paths) as on_file:
        return print_outcomes(load_each(loader, paths, archive=archive, on_file=on_file))


def run(args) -> int:
    if not (args.paths or args.landing or args.watch):
        raise PricewatchError("nothing to load: give feed files or directories, --landing or --watch")
    if args.paths and (args.landing or args.watch):
        raise PricewatchError("give either PATHs or --landing/--watch, not both")
    paths = feed_paths(args.paths)
    with build_loader({"LOADER_FEED_KIND": args.kind}) as loader:
        if args.paths:
            return 1 if load_paths(loader, paths) else 0
        if not args.watch:
            return 1 if load_paths(loader, landing_feeds(), archive=True) else 0
        print(f"watching {config.landing_dir()} every {args.interval:g}s (Ctrl-C to stop)", file=sys.stderr, flush=True)
        # Supervisors (systemd, containers, a shell's kill) stop with SIGTERM, and a background job may have
        # SIGINT ignored: both stop it like Ctrl-C, a file being loaded rolling back whole.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            print_outcomes(watch(loader, args.interval))
        except KeyboardInterrupt:
            print("stopped watching", file=sys.stderr)
            return 0
