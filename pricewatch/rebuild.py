"""Rebuild the whole database from the newest backup and the feed archive: the backup restored (or, without
one, the migrations), then every archived feed it does not hold replayed in order.

The archive keeps each loaded feed under `<source>/<crawl date>/`, so it holds the history the database
was built from. A rebuild replays it the way the daily runs made it: crawl date by crawl date, every feed of
that date loaded (by source, then job id, which starts with the crawl time), then one ETL run; the feed ledger
restored with the backup skips the feeds it already holds. `feeds prune` only deletes what the newest backup
holds (pricewatch.archive_retention), so nothing a rebuild needs is ever pruned. What feeds do not hold comes
from the backup and from the replaced database: its watch rules and manual game decisions are exported before
the drop (to $PRICEWATCH_HOME/rebuild/kept-<time>.json) and imported after the replay (each once), then games
are re-matched. Without a backup the alert log is not kept.
"""
import contextlib
import time
from datetime import datetime, timezone
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from urllib.parse import urlsplit

from psycopg2 import sql

from foundation import config, database
from foundation.errors import PricewatchError
from loader import build_loader
from loader.feed_reader import is_feed
from pricewatch import backup, etl_cycle, migrate, people_data
from pricewatch.feed_loading import load_each
from pricewatch.games.store import rematch_all


@dataclass(frozen=True)
class RebuildResult:
    revision: str
    feeds: int
    crawl_dates: int
    failed_feeds: int
    seconds: float
    kept: people_data.Restored | None = None

    def summary(self) -> str:
        return (f"rebuilt at revision {self.revision} from {self.feeds} archived feeds over {self.crawl_dates} "
                f"crawl dates in {self.seconds:.1f}s" + (f"; {self.failed_feeds} feeds failed" if self.failed_feeds else "")
                + (f"; {self.kept.summary()}" if self.kept else ""))


def archived_feeds(archive: Path | None = None) -> list[Path]:
    """Every archived feed, in replay order: crawl date, then source, then job id."""
    archive = archive or config.archive_dir()
    if not archive.is_dir():
        return []
    feeds = [path for path in archive.glob("*/*/*") if path.is_file() and is_feed(path)]
    return sorted(feeds, key=lambda path: (crawl_date(path), path.parent.parent.name, path.name))


def crawl_date(feed: Path) -> str:
    return feed.parent.name


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def holds_pricewatch(url: str) -> bool:
    with contextlib.closing(database.connect(url=url)) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from pg_namespace where nspname in ('staging', 'core', 'reporting', 'ops')")
        return cur.fetchone()[0] > 0


def drop_database(url: str) -> None:
    with contextlib.closing(database.connect(url=database.with_database(url, "postgres"))) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database_name(url))))


def rebuild(url: str, replace: bool = False, echo: Callable[[str], None] = lambda line: None,
            start: Path | None = None) -> RebuildResult:
    """Restore the backup `start` (if given) into the (empty or missing) database of `url`, migrate it to head
    and replay the archive into it; `echo` hears a line per crawl date, feed and ETL source."""
    started = time.monotonic()
    database.ensure_database(url)
    kept = None
    if holds_pricewatch(url):
        if not replace:
            raise PricewatchError(f"{database.describe(url)} already holds a pricewatch database; "
                                  "rebuild only fills an empty one (--replace drops it first)")
        kept_file = config.home() / "rebuild" / f"kept-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}.json"
        with contextlib.closing(database.connect(url=url)) as conn:
            kept = people_data.export(conn, kept_file)
        echo(f"watch rules and manual game decisions saved to {kept_file}")
        drop_database(url)
        database.ensure_database(url)
    if start is not None:
        backup.restore(url, start)
        echo(f"restored {start}")
    migrate.upgrade(url)
    feeds = archived_feeds()
    failed = 0
    with build_loader({"DATABASE_URL": url}) as loader:
        for day, day_feeds in groupby(feeds, key=crawl_date):
            echo(f"crawl date {day}:")
            for outcome in load_each(loader, list(day_feeds)):
                echo(outcome.summary())
                failed += outcome.error is not None
            cycle = etl_cycle.run(url=url, on_source=lambda result: echo(etl_cycle.summary(result)))
            if cycle.failed:
                raise PricewatchError(f"ETL failed for {', '.join(cycle.failed)} after crawl date {day} (see ops.etl_run)")
    restored = kept and restore(url, kept)
    return RebuildResult(migrate.current(url), len(feeds), len({crawl_date(path) for path in feeds}), failed,
                         time.monotonic() - started, restored)


def restore(url: str, kept: dict) -> people_data.Restored:
    """The replaced database's watch rules and decisions into the rebuilt one, then games matched by them."""
    with contextlib.closing(database.connect(role="pricewatch_etl", url=url)) as conn:
        restored = people_data.restore(conn, kept)
        rematch_all(conn)
        conn.commit()
    return restored
