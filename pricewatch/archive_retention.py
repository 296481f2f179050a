"""What `feeds prune` may delete and where `db rebuild` starts, so that a rebuild never needs a pruned feed.

Backups go to the backup folder ($PRICEWATCH_BACKUP, default PRICEWATCH_HOME/backup) as
`pricewatch-<UTC time>.dump`. Prune deletes an archived crawl date only once the newest backup holds it: the
date must be older than the retention and more than a day older than the backup (feeds are loaded within the
hour of their crawl: cron loads 40 minutes after it). A rebuild restores the newest backup, then replays the
archive on top of it: the feed ledger (ops.feed_file) in the backup skips the feeds it already holds.
"""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from foundation import config
from foundation.errors import PricewatchError
from loader.landing import DiskUsage, prune_archive
from pricewatch import backup

STAMP = "%Y-%m-%dT%H%M%SZ"
# Backups kept in the folder: the newest is the one rebuilds use, the one before it a spare.
KEPT_BACKUPS = 2


def backups(folder: Path | None = None) -> list[Path]:
    """Backups in the folder, oldest first."""
    folder = folder or config.backup_dir()
    return sorted(folder.glob("pricewatch-*.dump")) if folder.is_dir() else []


def backup_time(path: Path) -> datetime:
    return datetime.strptime(path.stem.removeprefix("pricewatch-"), STAMP).replace(tzinfo=timezone.utc)


def back_up(url: str, now: datetime | None = None) -> Path:
    """A new backup in the backup folder; older ones beyond the newest KEPT_BACKUPS go."""
    folder = config.backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = backup.backup(url, folder / f"pricewatch-{(now or datetime.now(timezone.utc)):{STAMP}}.dump")
    for old in backups(folder)[:-KEPT_BACKUPS]:
        old.unlink()
    return written


def newest_backup() -> Path | None:
    found = backups()
    return found[-1] if found else None


def prune(older_than_days: int, today: date | None = None) -> DiskUsage:
    """Delete archived crawl dates older than `older_than_days` that the newest backup holds."""
    newest = newest_backup()
    if newest is None:
        raise PricewatchError(f"no backup in {config.backup_dir()}: pruned feeds could not be rebuilt; "
                              "run `pricewatch db backup` first (cron does daily)")
    today = today or date.today()
    held_before = backup_time(newest).date() - timedelta(days=1)
    return prune_archive(max(older_than_days, (today - held_before).days), today=today)
