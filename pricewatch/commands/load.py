"""pricewatch load PATH... | --landing | --watch: load feed files into change-only staging."""
import contextlib
import sys
import time

from foundation import config
from foundation.errors import PricewatchError
from loader import build_loader
from loader.feed_reader import feed_paths
from loader.landing import archive_feed, landing_feeds


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


def load_files(loader, paths, archive: bool = False) -> list:
    """Load each file (then archive it when asked); prints one line per file, returns the files that failed."""
    failed = []
    with progress_bar(paths) as on_file:
        for path in paths:
            try:
                result = loader.load(path, on_progress=on_file(path))
                print(result.summary(), flush=True)
                if archive:
                    archive_feed(path)
            except PricewatchError as exc:
                print(f"pricewatch: error: {exc}", file=sys.stderr, flush=True)
                failed.append(path)
    return failed


def file_state(path):
    with contextlib.suppress(OSError):
        stat = path.stat()
        return path, stat.st_size, stat.st_mtime_ns
    return path, None, None


def watch(loader, interval: float) -> None:
    """Load feeds as they land. A feed that failed is tried again only once it changes, not every poll."""
    failed = set()
    while True:
        waiting = [path for path in landing_feeds() if file_state(path) not in failed]
        failed = {file_state(path) for path in load_files(loader, waiting, archive=True)} | {
            state for state in failed if state[0].exists()}
        time.sleep(interval)


def run(args) -> int:
    if not (args.paths or args.landing or args.watch):
        raise PricewatchError("nothing to load: give feed files or directories, --landing or --watch")
    if args.paths and (args.landing or args.watch):
        raise PricewatchError("give either PATHs or --landing/--watch, not both")
    paths = feed_paths(args.paths)
    with build_loader({"LOADER_FEED_KIND": args.kind}) as loader:
        if args.paths:
            return 1 if load_files(loader, paths) else 0
        if not args.watch:
            return 1 if load_files(loader, landing_feeds(), archive=True) else 0
        print(f"watching {config.landing_dir()} every {args.interval:g}s (Ctrl-C to stop)", file=sys.stderr, flush=True)
        try:
            watch(loader, args.interval)
        except KeyboardInterrupt:
            print("stopped watching", file=sys.stderr)
            return 0
