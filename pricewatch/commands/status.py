"""pricewatch status: per source, the last good crawl against earlier ones, the last load and ETL, the backlog,
then the coverage of each source's last finished crawl per region (items against the store's own total), then
what went wrong with each source's last failed crawl."""
from datetime import datetime

from foundation import config
from loader.landing import disk_usage, landing_feeds
from pricewatch.source_status import coverage_rows, items, size, source_rows


def register(subparsers) -> None:
    parser = subparsers.add_parser("status", help="crawls, loads, ETL runs, landing backlog and disk, per source")
    parser.set_defaults(func=run)


def coverage_text(row: dict) -> str:
    """"US 99,870/99,893 (100%), KR 25 (no store total)", then the regions skipped."""
    parts = []
    for region, counts in sorted(row["coverage"].items()):
        if counts.get("expected"):
            parts.append(f"{region} {counts['yielded']:,}/{counts['expected']:,} ({counts['yielded'] / counts['expected']:.0%})")
        else:
            parts.append(f"{region} {counts['yielded']:,} (no store total)")
    parts += [f"skipped {reason}" for reason in row["skipped"]]
    return ", ".join(parts)


def when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "never"


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
    covered = coverage_rows()
    if covered:
        console.print("coverage of each source's last finished crawl (items / the store's own total):")
    for row in covered:
        console.print(f"  {row['spider']}: {coverage_text(row)} ({row['job_id']})", markup=False, highlight=False,
                      soft_wrap=True)
    failures = [row for row in rows.values() if row.get("last_failed_crawl_job_id")]
    if failures:
        console.print("last failed crawl per source:")
    for row in failures:
        console.print(f"  {row['source']}: {row['last_failed_crawl_job_id']} at {when(row['last_failed_crawl_at'])}: "
                      f"{row['last_failed_crawl_problem']}", markup=False, highlight=False, soft_wrap=True)
    return 0
