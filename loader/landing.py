"""The feeds lifecycle on disk: landing -> (load) -> archive -> (prune).

Spiders write `<landing>/<source>/<YYYY-MM-DD>/<jobid>.jl.gz` (as `.tmp` until the crawl closes) with a
`<jobid>.stats.json` sidecar. Once loaded (or found already loaded), a feed and its sidecar move to the same
`<source>/<date>/` place under the archive. A move is a rename when both are on one filesystem; across
filesystems the copy is written under a temporary name, fsynced and renamed before the original goes, so a
feed is never half-archived and never lost: on any error it simply stays in landing.
"""
import errno
import os
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from foundation import config
from foundation.errors import PricewatchError
from loader.feed_reader import ARRAY_SUFFIXES, LINE_SUFFIXES, SIDECAR_SUFFIX, is_feed


def landing_feeds(landing: Path | None = None) -> list[Path]:
    """Complete feed files in landing, sorted by path (so by source, then date, then job)."""
    landing = landing or config.landing_dir()
    if not landing.is_dir():
        return []
    return sorted(path for path in landing.rglob("*") if path.is_file() and is_feed(path))


def sidecar(feed: Path) -> Path:
    """`<jobid>.stats.json` beside `<jobid>.jl.gz`."""
    name = feed.name
    for suffix in sorted(LINE_SUFFIXES + ARRAY_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return feed.with_name(name[: -len(suffix)] + SIDECAR_SUFFIX)
    raise ValueError(f"{feed} is not a feed file")


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def move(source: Path, target: Path) -> None:
    """Move a file so that it is, at every moment, complete in one place or the other."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = target.with_name(target.name + ".part")
    try:
        with open(source, "rb") as reader, open(partial, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
        shutil.copystat(source, partial)
        os.replace(partial, target)
        fsync_directory(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    source.unlink()


def archive_feed(feed: Path, landing: Path | None = None, archive: Path | None = None) -> Path:
    """Move a loaded feed and its stats sidecar from landing to the archive; returns the archived feed path."""
    landing = (landing or config.landing_dir()).resolve()
    archive = archive or config.archive_dir()
    feed = feed.resolve()
    target = archive / feed.relative_to(landing)
    try:
        stats = sidecar(feed)
        # The sidecar first: if the feed then fails to move it stays in landing and moves on the next run.
        if stats.exists():
            move(stats, target.with_name(stats.name))
        move(feed, target)
    except OSError as exc:
        raise PricewatchError(
            f"{feed}: loaded, but could not move it to {target}: {exc.strerror or exc}; it stays in landing") from exc
    return target


@dataclass(frozen=True)
class DiskUsage:
    files: int
    bytes: int


def disk_usage(directory: Path) -> DiskUsage:
    files = total = 0
    if directory.is_dir():
        for path in directory.rglob("*"):
            if path.is_file():
                files += 1
                total += path.stat().st_size
    return DiskUsage(files, total)


def feeds_disk_usage() -> dict[str, DiskUsage]:
    """Disk used by feed files (with their sidecars and any `.tmp` still being written): for `pricewatch status`."""
    return {"landing": disk_usage(config.landing_dir()), "archive": disk_usage(config.archive_dir())}


def archive_days() -> int:
    """Default age after which archived feeds are pruned: $PRICEWATCH_ARCHIVE_DAYS, else 30."""
    value = os.environ.get("PRICEWATCH_ARCHIVE_DAYS") or "30"
    try:
        days = int(value)
    except ValueError:
        raise PricewatchError(f"PRICEWATCH_ARCHIVE_DAYS must be a whole number of days, got {value!r}") from None
    if days < 0:
        raise PricewatchError(f"PRICEWATCH_ARCHIVE_DAYS must not be negative, got {days}")
    return days


def prune_archive(older_than_days: int, archive: Path | None = None, today: date | None = None) -> DiskUsage:
    """Delete archived `<source>/<date>/` directories whose date is more than `older_than_days` ago.

    Ages come from the directory date (the crawl date), not file times, which moves and copies change.
    Directories whose name is not a date are left alone."""
    archive = archive or config.archive_dir()
    cutoff = (today or date.today()) - timedelta(days=older_than_days)
    files = total = 0
    for day_dir in sorted(archive.glob("*/*")):
        try:
            day = date.fromisoformat(day_dir.name)
        except ValueError:
            continue
        if not day_dir.is_dir() or day >= cutoff:
            continue
        usage = disk_usage(day_dir)
        shutil.rmtree(day_dir)
        files += usage.files
        total += usage.bytes
        if not any(day_dir.parent.iterdir()):
            day_dir.parent.rmdir()
    return DiskUsage(files, total)
