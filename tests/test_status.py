"""pricewatch status and ops.source_status: per source, crawls against earlier ones, loads, ETL, backlog, disk."""
from datetime import datetime, timezone

import psycopg2
import pytest

from pricewatch.cli import main

UTC = timezone.utc
T = [datetime(2026, 11, 27, hour, 30, tzinfo=UTC) for hour in range(24)]


@pytest.fixture
def history(admin):
    """steam: three good crawls (80, 130, then 100 items), then one whose health failed; gog: one good crawl,
    one that shut down, and an empty feed loaded (no source in the ledger, only in its landing path)."""
    with admin.cursor() as cur:
        cur.execute("""
            insert into ops.crawl_job (job_id, spider, node, state, scheduled_at, finished_at, items_scraped,
                                       finish_reason, health)
            values ('steam-1', 'steam', 'alpha', 'finished', %(t1)s, %(t1)s, 80, 'finished', 'ok'),
                   ('steam-2', 'steam', 'beta', 'finished', %(t2)s, %(t2)s, 130, 'finished', 'ok'),
                   ('steam-3', 'steam', 'alpha', 'finished', %(t3)s, %(t3)s, 100, 'finished', 'ok'),
                   ('steam-4', 'steam', 'alpha', 'finished', %(t4)s, %(t4)s, 3, 'finished', 'failed'),
                   ('steam-5', 'steam', 'alpha', 'running', %(t5)s, null, null, null, null),
                   ('gog-1', 'gog', 'beta', 'finished', %(t2)s, %(t2)s, 7, 'finished', 'unchecked'),
                   ('gog-2', 'gog', 'beta', 'finished', %(t3)s, %(t3)s, 0, 'shutdown', null)
        """, {"t1": T[1], "t2": T[2], "t3": T[3], "t4": T[4], "t5": T[5]})
        cur.execute("""
            insert into ops.feed_file (path, sha256, source, feed_kind, bytes, loaded_at)
            values ('landing/steam/2026-11-27/steam-3.jl.gz', 'a', 'steam', 'store_listing', 10, %(t3)s),
                   ('landing/steam/2026-11-27/steam-4.jl.gz', 'b', 'steam', 'store_listing', 10, %(t6)s),
                   ('/srv/landing/gog/2026-11-27/gog-2.jl.gz', 'c', null, 'store_listing', 0, %(t5)s)
        """, {"t3": T[3], "t5": T[5], "t6": T[6]})
        cur.execute("""
            insert into ops.etl_run (source, started_at, finished_at, status, error)
            values ('steam', %(t6)s, %(t6)s, 'succeeded', null), ('steam', %(t7)s, %(t7)s, 'failed', 'boom')
        """, {"t6": T[6], "t7": T[7]})


def test_source_status_view_summarises_each_source(history, admin):
    with admin.cursor() as cur:
        cur.execute("set role pricewatch_etl")
        cur.execute("""
            select source, last_crawl_job_id, last_crawl_at, last_crawl_items, previous_crawls_avg_items,
                   previous_crawls, last_failed_crawl_at, last_load_at, feeds_loaded, last_etl_at, last_etl_status
            from ops.source_status order by source
        """)
        assert cur.fetchall() == [
            ("gog", "gog-1", T[2], 7, None, 0, T[3], T[5], 1, None, None),
            ("steam", "steam-3", T[3], 100, 105, 2, T[4], T[6], 2, T[6], "failed"),
        ]


def test_reader_role_cannot_see_crawl_records(history, admin):
    with admin.cursor() as cur:
        cur.execute("set role pricewatch_reader")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("select * from ops.crawl_job")


def local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def test_status_prints_a_row_per_source_with_backlog_and_disk(history, pricewatch_home, capsys):
    day = pricewatch_home / "landing" / "steam" / "2026-11-27"
    day.mkdir(parents=True)
    (day / "steam-5.jl.gz").write_bytes(b"\0" * 2048)
    (day / "steam-6.jl.gz.tmp").write_bytes(b"\0" * 100)  # a crawl still writing: not backlog
    archived = pricewatch_home / "archive" / "steam" / "2026-11-27"
    archived.mkdir(parents=True)
    (archived / "steam-3.jl.gz").write_bytes(b"\0" * 3072)
    (pricewatch_home / "landing" / "epic" / "2026-11-27").mkdir(parents=True)

    assert main(["status"]) == 0
    lines = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:-1]]
             for line in capsys.readouterr().out.splitlines() if line.startswith("│")}
    assert lines["steam"] == [local(T[3]), "100 (avg 105 over 2)", local(T[4]), local(T[6]),
                              local(T[6]) + " (last run failed)", "1 feeds", "2.1 KiB", "3.0 KiB"]
    assert lines["gog"] == [local(T[2]), "7 (first)", local(T[3]), local(T[5]), "never", "0 feeds", "0 B", "0 B"]
    assert lines["epic"] == ["never", "-", "-", "never", "never", "0 feeds", "0 B", "0 B"]
