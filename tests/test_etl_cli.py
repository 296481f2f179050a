"""`pricewatch etl` as a user runs it: per-source summaries, clear errors, serialised concurrent runs, and
the issue's end-to-end path (upgrade, load, etl, report)."""
import contextlib
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from etl_fixtures import rows, source_lines
from test_etl import INVARIANT_BREACHES

from loader import build_loader
from pricewatch.cli import COMMANDS, main

SAMPLE_FEED = Path(__file__).parent / "fixtures" / "handmade_sample_feed.jl"


def pricewatch(*argv, **popen):
    return subprocess.Popen([sys.executable, "-m", "pricewatch.cli", *argv], env=os.environ.copy(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def test_etl_prints_rows_in_and_changed_per_source(admin, staging, capsys):
    staging.change("367520", "2026-03-01T00:00:00")
    staging.change("367520", "2026-03-02T00:00:00", price="9.99", discount_percent=50)
    staging.change("1308320452", "2026-03-01T00:00:00", source="gog")

    assert main(["etl", "steam", "--source", "gog"]) == 0

    assert source_lines(capsys.readouterr().out) == [
        "steam: 2 rows in, 2 price changes, 1 listings changed, 0 prices confirmed",
        "gog: 1 rows in, 1 price changes, 1 listings changed, 0 prices confirmed",
    ]


def test_etl_without_sources_runs_every_store(db_url, capsys):
    assert main(["etl"]) == 0
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == [
        "epic", "eshop", "gog", "psstore", "steam", "news", "reddit", "games", "summaries", "alerts"]


def test_unknown_source_is_a_clear_error(db_url, capsys):
    assert main(["etl", "steam", "itch"]) == 1
    assert capsys.readouterr().err == (
        "pricewatch: error: unknown source itch; known sources: epic, eshop, gog, psstore, steam, news, reddit\n")


def test_a_failing_run_exits_non_zero_and_says_why(admin, staging, capsys):
    staging.change("367520", "2026-03-01T00:00:00", currency="XTS")
    assert main(["etl", "steam"]) == 1
    captured = capsys.readouterr()
    # PostgreSQL names the partition the row went to (price_history_open: a first price is an open period).
    assert captured.out.startswith("steam: failed: insert or update on table \"price_history")
    assert "ETL failed for steam (see ops.etl_run)" in captured.err


def test_etl_on_an_unmigrated_database_says_to_upgrade(empty_db_url, capsys):
    assert main(["etl"]) == 1
    assert "run `pricewatch db upgrade`" in capsys.readouterr().err


def waiting_on_advisory_locks(admin) -> int:
    return rows(admin, "select count(*) from pg_locks where locktype = 'advisory' and not granted")[0][0]


@pytest.mark.slow
def test_two_concurrent_etl_processes_serialise(db_url, admin, staging):
    for day in range(1, 6):
        staging.change("367520", f"2026-03-0{day}T00:00:00", price=f"{day}.99")
    # Hold the source lock the way a load does, so both processes are queued behind it at once.
    with contextlib.closing(psycopg2.connect(db_url)) as blocker:
        with blocker.cursor() as cur:
            cur.execute("select pg_advisory_xact_lock(ops.source_lock_key('steam'))")
        processes = [pricewatch("etl", "steam") for _ in range(2)]
        deadline = time.monotonic() + 60
        while waiting_on_advisory_locks(admin) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert waiting_on_advisory_locks(admin) == 2
        blocker.commit()
    outputs = sorted(source_lines(process.communicate(timeout=120)[0]) for process in processes)
    assert [process.returncode for process in processes] == [0, 0]

    assert outputs == [["steam: 0 rows in, 0 price changes, 0 listings changed, 0 prices confirmed"],
                       ["steam: 5 rows in, 5 price changes, 1 listings changed, 0 prices confirmed"]]
    assert rows(admin, "select count(*) from core.price_history") == [(5,)]
    assert rows(admin, INVARIANT_BREACHES) == []


@pytest.mark.slow
@pytest.mark.skipif("load" not in COMMANDS, reason="`pricewatch load` has not landed yet")
def test_upgrade_load_etl_report_best(empty_db_url, pricewatch_home):
    def run(*argv):
        process = pricewatch(*argv)
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        return out

    run("db", "upgrade")
    assert "new 6" in run("load", str(SAMPLE_FEED))
    assert "steam: 4 rows in, 4 price changes, 2 listings changed" in run("etl")
    best = json.loads(run("report", "best", "--format", "json"))

    assert [(row["game"], row["currency"], row["price"], row["store"], row["listings_compared"]) for row in best] == [
        ("Hades", "GBP", "19.49", "steam", 1),
        ("Hades", "USD", "19.99", "gog", 3),
        ("Stardew Valley", "USD", "11.99", "steam", 1),
    ]
    table = run("report", "best")
    assert "Hades" in table and "19.99" in table and "gog" in table


def test_feeds_loaded_by_the_loader_flow_into_core(db_url, admin, tmp_path, capsys):
    rescrape = tmp_path / "rescrape.jl"
    rescrape.write_text(SAMPLE_FEED.read_text().replace("2026-11-0", "2026-11-1"))
    with admin.cursor() as cur:
        # Crawled weekly: a listing seen again after ten days has not gone unseen (docs/model.md).
        cur.execute("update core.freshness set stale_after = interval '14 days'")
    with build_loader({"DATABASE_URL": db_url}) as loader:
        assert loader.load(SAMPLE_FEED).rows_new == 6
        assert main(["etl", "steam"]) == 0
        # The same listings a week later: the two Stardew states are a change back to full price, the rest
        # unchanged rescrapes that only move last_seen_at.
        loaded = loader.load(rescrape)
        assert (loaded.rows_new, loaded.rows_unchanged) == (2, 4)
    assert main(["etl", "steam"]) == 0

    assert source_lines(capsys.readouterr().out) == [
        "steam: 4 rows in, 4 price changes, 2 listings changed, 0 prices confirmed",
        "steam: 2 rows in, 2 price changes, 0 listings changed, 2 prices confirmed",
    ]
    assert rows(admin, """
        select store_item_id, region, price, valid_from::text, valid_to::text, last_seen_at::text
        from reporting.price_history where store = 'steam' order by 1, 2, valid_from""") == [
        ("1145360", "GB", Decimal("19.49"), "2026-11-01 10:00:05+00", None, "2026-11-11 10:00:05+00"),
        ("1145360", "US", Decimal("24.99"), "2026-11-01 10:00:00+00", None, "2026-11-11 10:00:00+00"),
        ("413150", "US", Decimal("14.99"), "2026-11-01 10:00:10+00", "2026-11-02 10:00:10+00", "2026-11-01 10:00:10+00"),
        ("413150", "US", Decimal("11.99"), "2026-11-02 10:00:10+00", "2026-11-11 10:00:10+00", "2026-11-02 10:00:10+00"),
        ("413150", "US", Decimal("14.99"), "2026-11-11 10:00:10+00", "2026-11-12 10:00:10+00", "2026-11-11 10:00:10+00"),
        ("413150", "US", Decimal("11.99"), "2026-11-12 10:00:10+00", None, "2026-11-12 10:00:10+00"),
    ]
