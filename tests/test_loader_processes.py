"""Real `pricewatch load` processes: killed mid-file, or racing each other on the same listings."""
import os
import signal
import subprocess
import sys
import time

import pytest
from loader_fixtures import listing, rows, write_feed

from loader import build_loader

pytestmark = pytest.mark.slow

DAY1, DAY2 = "2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z"


def feed_of(path, item_ids, **changes):
    return write_feed(path, [listing(store_item_id=str(i), **changes) for i in item_ids])


def pricewatch_load(*paths):
    return subprocess.Popen([sys.executable, "-m", "pricewatch.cli", "load", *map(str, paths)],
                            env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_load_statement(admin, process, timeout=120):
    """Until the loader's backend runs a statement of the file load (the ledger row is then written)."""
    deadline = time.monotonic() + timeout
    with admin.cursor() as cur:
        while time.monotonic() < deadline and process.poll() is None:
            cur.execute("""select count(*) from pg_stat_activity where application_name = 'pricewatch'
                           and state = 'active' and (query like 'copy feed_line%' or query like '%feed_record%')""")
            if cur.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"the load never got going: {process.communicate()}")


def test_kill_9_mid_file_leaves_nothing_and_a_rerun_loads_cleanly(admin, db_url, tmp_path):
    feed = feed_of(tmp_path / "big.jl", range(40000))
    process = pricewatch_load(feed)
    wait_for_load_statement(admin, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert rows(db_url, "select count(*) from staging.store_listing") == [(0,)]
    with build_loader({"DATABASE_URL": db_url}) as loader:
        result = loader.load(feed)
    assert (result.lines_read, result.rows_new, result.rows_unchanged, result.rows_rejected) == (40000, 40000, 0, 0)
    assert rows(db_url, "select count(*), count(distinct store_item_id) from staging.store_listing") == [(40000, 40000)]
    assert rows(db_url, "select count(*) from ops.feed_file") == [(1,)]


def test_two_loaders_on_the_same_file_load_it_once(db_url, tmp_path):
    feed = feed_of(tmp_path / "same.jl", range(20000))
    loaded, already = sorted((p.communicate()[0] for p in [pricewatch_load(feed), pricewatch_load(feed)]),
                             key=lambda output: "already loaded" in output)
    assert loaded == f"{feed}: read 20000, new 20000, unchanged 0, rejected 0\n"
    # The loser names the winner's ledger row; which id that is depends on the race (ids are drawn before
    # the unique check decides), so it is read back rather than assumed to be 1.
    [(winner_id,)] = rows(db_url, "select feed_file_id from ops.feed_file")
    assert already.startswith(f"{feed}: already loaded on ") and already.endswith(f" as feed_file {winner_id}\n")
    assert rows(db_url, "select count(*) from staging.store_listing") == [(20000,)]


def test_two_loaders_on_overlapping_files_never_duplicate_a_change(db_url, tmp_path):
    # Same day, same prices on the overlap (10000..19999): one row per listing. A day later, the overlap
    # and beyond at a new price: exactly one more row per listing that changed.
    first = feed_of(tmp_path / "first.jl", range(0, 20000), scraped_at=DAY1)
    second = feed_of(tmp_path / "second.jl", range(10000, 30000), scraped_at=DAY1)
    for process in [pricewatch_load(first), pricewatch_load(second)]:
        assert process.wait() == 0
    third = feed_of(tmp_path / "third.jl", range(10000, 30000), scraped_at=DAY2, price="9.99")
    fourth = feed_of(tmp_path / "fourth.jl", range(15000, 30000), scraped_at=DAY2, price="9.99")
    for process in [pricewatch_load(third), pricewatch_load(fourth)]:
        assert process.wait() == 0
    assert rows(db_url, """select change_seq, count(*), count(*) filter (where is_latest) from staging.store_listing
                           group by change_seq order by 1""") == [(1, 30000, 10000), (2, 20000, 20000)]
    assert rows(db_url, "select sum(rows_new), sum(rows_unchanged) from ops.feed_file") == [(50000, 25000)]
