"""pricewatch status: per source, the last good crawl against earlier ones, the last load and ETL, the backlog,
then what went wrong with each source's last failed crawl."""
import contextlib
from datetime import datetime

from foundation import config, database
from loader.landing import disk_usage, landing_feeds


def register(subparsers) -> None:
    parser = subparsers.add_parser("status", help="crawls, loads, ETL runs, landing backlog and disk, per source")
    parser.set_defaults(func=run)


def source_rows() -> list[dict]:
    from psycopg2.extras import RealDictCursor

    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn:
        with conn.cursor(cursor_factory=RealDictCursor) as cur:
            cur.execute("select * from ops.source_status order by source")
            return cur.fetchall()


def when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "never"


def items(row: dict) -> str:
    if row["last_crawl_items"] is None:
        return "-"
    if not row["previous_crawls"]:
        return f"{row['last_crawl_items']} (first)"
    return f"{row['last_crawl_items']} (avg {row['previous_crawls_avg_items']} over {row['previous_crawls']})"


def size(count: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    rows = {row["source"]: row for row in source_rows()}
    landed = {path.name for path in config.landing_dir().glob("*") if path.is_dir()}
    empty = dict.fromkeys(("last_crawl_at", "last_crawl_items", "previous_crawls", "last_failed_crawl_at",
                           "last_load_at", "last_etl_at", "last_etl_status"))
    table = Table(title=f"pricewatch status ({config.home()})")
    for heading in ("source", "last good crawl", "items (vs earlier)", "last failed crawl", "last load",
                    "last ETL", "backlog", "landing", "archive"):
        table.add_column(heading)
    for source in sorted(rows.keys() | landed):
        row = rows.get(source, empty)
        etl = when(row["last_etl_at"])
        if row["last_etl_status"] == "failed":
            etl += " (last run failed)"
        table.add_row(
            source, when(row["last_crawl_at"]), items(row),
            when(row["last_failed_crawl_at"]) if row["last_failed_crawl_at"] else "-",
            when(row["last_load_at"]), etl, f"{len(landing_feeds(config.landing_dir() / source))} feeds",
            size(disk_usage(config.landing_dir() / source).bytes), size(disk_usage(config.archive_dir() / source).bytes),
        )
    console = Console(width=160)
    console.print(table)
    failures = [row for row in rows.values() if row.get("last_failed_crawl_job_id")]
    if failures:
        console.print("last failed crawl per source:")
    for row in failures:
        console.print(f"  {row['source']}: {row['last_failed_crawl_job_id']} at {when(row['last_failed_crawl_at'])}: "
                      f"{row['last_failed_crawl_problem']}", markup=False, highlight=False, soft_wrap=True)
    return 0
