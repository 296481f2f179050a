"""Loading feed files one by one, and the landing directory once or as feeds land.

Each file's outcome (its LoadResult, or the error that stopped it) is yielded as it happens, so `pricewatch
load`, `pricewatch run` and `pricewatch db rebuild` print it their own way; a bad file never stops the others.
"""
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from foundation.errors import PricewatchError
from loader.landing import archive_feed, landing_feeds


@dataclass(frozen=True)
class FeedOutcome:
    path: Path
    result: object = None
    error: PricewatchError | None = None

    def summary(self) -> str:
        return f"pricewatch: error: {self.error}" if self.error else self.result.summary()


def load_each(loader, paths, archive: bool = False,
              on_file: Callable[[Path], Callable | None] = lambda path: None) -> Iterator[FeedOutcome]:
    """Load each file (then move it to the archive when asked); `on_file(path)` may return a progress callback."""
    for path in paths:
        try:
            result = loader.load(path, on_progress=on_file(path))
            if archive:
                archive_feed(path)
            yield FeedOutcome(path, result)
        except PricewatchError as exc:
            yield FeedOutcome(path, error=exc)


def file_state(path: Path):
    with contextlib.suppress(OSError):
        stat = path.stat()
        return path, stat.st_size, stat.st_mtime_ns
    return path, None, None


def watch(loader, interval: float) -> Iterator[FeedOutcome]:
    """Load feeds as they land, until interrupted. A feed that failed is tried again only once it changes."""
    failed = set()
    while True:
        failed = {state for state in failed if state[0].exists()}
        waiting = [path for path in landing_feeds() if file_state(path) not in failed]
        for outcome in load_each(loader, waiting, archive=True):
            if outcome.error:
                failed.add(file_state(outcome.path))
            yield outcome
        time.sleep(interval)
