"""How a source's health reads, for `pricewatch status` and the web status page alike, and the rows
`pricewatch status` reads it from."""
import contextlib

from foundation import database


def items(row: dict) -> str:
    """Items of the last good crawl against the crawls before it, from a reporting/ops source_status row."""
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


def source_rows() -> list[dict]:
    from psycopg2.extras import RealDictCursor

    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn:
        with conn.cursor(cursor_factory=RealDictCursor) as cur:
            cur.execute("select * from ops.source_status order by source")
            return cur.fetchall()


def coverage_rows() -> list[dict]:
    """Per spider, the coverage its last finished crawl recorded (stats sidecar `coverage`, `regions_skipped`)."""
    from psycopg2.extras import RealDictCursor

    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn:
        with conn.cursor(cursor_factory=RealDictCursor) as cur:
            cur.execute("""
                with last as (
                    select distinct on (spider) spider, job_id, finished_at, stats
                    from ops.crawl_job
                    where state = 'finished' and stats is not null
                    order by spider, finished_at desc nulls last
                )
                select spider, job_id, finished_at,
                       coalesce(stats -> 'coverage', '{}'::jsonb) as coverage,
                       coalesce(stats -> 'regions_skipped', '[]'::jsonb) as skipped
                from last
                where stats -> 'coverage' <> '{}'::jsonb or jsonb_array_length(stats -> 'regions_skipped') > 0
                order by spider
            """)
            return cur.fetchall()
