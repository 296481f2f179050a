"""`pricewatch db rebuild`, `backup` and `restore`: a database built by normal runs comes back identical."""
import contextlib
import time
from datetime import date

import psycopg2
import pytest
from crawl_fixtures import run_crawl
from loader_fixtures import listing, write_feed

from foundation import config
from pricewatch import migrate
from pricewatch.cli import main
from pricewatch.rebuild import archived_feeds

HEAD = migrate.revisions()[-1]

# Three crawl dates of two stores: a discount, its end, a new listing, a delisting (not for sale).
HISTORY = {
    "2026-11-01": {
        "steam": [listing(store_item_id="413150", scraped_at="2026-11-01T07:00:00Z"),
                  listing(store_item_id="367520", title="Hollow Knight", price="14.99", regular_price="14.99",
                          scraped_at="2026-11-01T07:00:00Z")],
        "gog": [listing(source="gog", store_item_id="1207658924", title="The Witcher 3", price="29.99",
                        regular_price="29.99", url="https://www.gog.com/game/the_witcher_3",
                        scraped_at="2026-11-01T07:05:00Z")],
    },
    "2026-11-02": {
        "steam": [listing(store_item_id="413150", price="8.99", discount_percent=40, scraped_at="2026-11-02T07:00:00Z"),
                  listing(store_item_id="367520", title="Hollow Knight", price="14.99", regular_price="14.99",
                          scraped_at="2026-11-02T07:00:00Z")],
        "gog": [listing(source="gog", store_item_id="1207658924", title="The Witcher 3", price="7.49",
                        regular_price="29.99", discount_percent=75, url="https://www.gog.com/game/the_witcher_3",
                        scraped_at="2026-11-02T07:05:00Z")],
    },
    "2026-11-03": {
        "steam": [listing(store_item_id="413150", scraped_at="2026-11-03T07:00:00Z"),
                  listing(store_item_id="367520", title="Hollow Knight", currency=None, price=None,
                          regular_price=None, scraped_at="2026-11-03T07:00:00Z"),
                  listing(store_item_id="1145360", title="Hades", price="24.99", regular_price="24.99",
                          scraped_at="2026-11-03T07:00:00Z")],
    },
}

HEAD = migrate.revisions()[-1]


def reporting_snapshot(url: str) -> dict[str, list[str]]:
    """Every row of every reporting view, as JSON text, sorted."""
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        # source_status tells when crawls, loads and ETL runs happened: operations' history, which a rebuild
        # does not replay (it is the rebuild's own history).
        cur.execute("select viewname from pg_views where schemaname = 'reporting' and viewname <> 'source_status' "
                    "order by 1")
        views = [name for (name,) in cur.fetchall()]
        snapshot = {}
        for view in views:
            cur.execute(f"select to_jsonb(v)::text from reporting.{view} v order by 1")  # names from pg_views
            snapshot[view] = [text for (text,) in cur.fetchall()]
    return snapshot


def land(day: str, source: str, records) -> None:
    write_feed(config.landing_dir() / source / day / f"{day.replace('-', '')}T070000-handmade.jl.gz", records)


@pytest.mark.slow
def test_rebuild_from_the_archive_gives_identical_reporting_views(db_url, pricewatch_home, replay_server, tmp_path,
                                                                   capsys):
    for day, sources in HISTORY.items():
        for source, records in sources.items():
            land(day, source, records)
        assert main(["load", "--landing"]) == 0
        assert main(["etl"]) == 0
    # Today: a real replay crawl of Steam lands its feed the way Scrapyd's crawls do.
    crawl = run_crawl("steam", replay_server.url, tmp_path, settings={"PRICEWATCH_LANDING": str(config.landing_dir())},
                      regions="US,KR")
    assert crawl.returncode == 0, crawl.log[-2000:]
    assert main(["load", "--landing"]) == 0
    assert main(["etl"]) == 0
    before = reporting_snapshot(db_url)
    assert len(before["best_prices"]) >= 5 and before["price_history"], before
    assert len(archived_feeds()) == 6
    capsys.readouterr()

    started = time.monotonic()
    assert main(["db", "rebuild"]) == 1
    refused = capsys.readouterr()
    assert "already holds a pricewatch database" in refused.err
    assert main(["db", "rebuild", "--replace", "--yes"]) == 0
    output = capsys.readouterr().out
    with capsys.disabled():
        print(f"\nrebuild of 6 archived feeds over 4 crawl dates: {time.monotonic() - started:.1f}s")

    assert f"rebuilt at revision {HEAD} from 6 archived feeds over 4 crawl dates in " in output
    assert reporting_snapshot(db_url) == before


def test_rebuild_refuses_a_database_that_holds_pricewatch(db_url, pricewatch_home, capsys):
    assert main(["db", "rebuild"]) == 1
    assert "already holds a pricewatch database; rebuild only fills an empty one (--replace drops it first)" in \
        capsys.readouterr().err


def test_rebuild_of_an_empty_database_with_no_archive_is_just_the_migrations(empty_db_url, pricewatch_home, capsys):
    assert main(["db", "rebuild"]) == 0
    assert f"rebuilt at revision {HEAD} from 0 archived feeds over 0 crawl dates in " in capsys.readouterr().out
    assert reporting_snapshot(empty_db_url)["best_prices"] == []


@pytest.mark.slow
def test_backup_then_restore_brings_back_every_row(db_url, admin, pricewatch_home, tmp_path, capsys):
    land("2026-11-01", "steam", HISTORY["2026-11-01"]["steam"])
    assert main(["load", "--landing"]) == 0 and main(["etl"]) == 0
    before = reporting_snapshot(db_url)
    backup = tmp_path / "pricewatch.dump"
    assert main(["db", "backup", str(backup)]) == 0
    assert f"to {backup} (" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.part"))

    with admin.cursor() as cur:
        cur.execute("delete from core.price_history")
        cur.execute("truncate staging.store_listing_change, staging.store_listing_latest")
    assert reporting_snapshot(db_url) != before
    assert main(["db", "restore", str(backup)]) == 0
    assert reporting_snapshot(db_url) == before
    with admin.cursor() as cur:
        cur.execute("select count(*) from staging.store_listing")
        assert cur.fetchone() == (2,)


@pytest.mark.slow
def test_a_truncated_backup_is_refused_and_changes_nothing(db_url, pricewatch_home, tmp_path, capsys):
    land("2026-11-01", "steam", HISTORY["2026-11-01"]["steam"])
    assert main(["load", "--landing"]) == 0 and main(["etl"]) == 0
    before = reporting_snapshot(db_url)
    backup, truncated = tmp_path / "pricewatch.dump", tmp_path / "truncated.dump"
    assert main(["db", "backup", str(backup)]) == 0
    truncated.write_bytes(backup.read_bytes()[:backup.stat().st_size * 9 // 10])

    assert main(["db", "restore", str(truncated)]) == 1

    assert f"pg_restore cannot read {truncated}" in capsys.readouterr().err
    assert reporting_snapshot(db_url) == before


def test_restore_of_a_missing_file_and_backup_into_a_directory_are_clear_errors(db_url, tmp_path, capsys):
    assert main(["db", "restore", str(tmp_path / "nothing.dump")]) == 1
    assert f"no backup file at {tmp_path / 'nothing.dump'}" in capsys.readouterr().err
    assert main(["db", "backup", str(tmp_path)]) == 1
    assert "is a directory; give the backup file's name" in capsys.readouterr().err


def test_backup_keeps_the_password_off_the_command_line():
    from pricewatch.backup import connection_arguments

    dbname, environment = connection_arguments("postgresql://pw:s%40cret@127.0.0.1:5432/pricewatch")
    assert (dbname, environment["PGPASSWORD"]) == ("postgresql://pw@127.0.0.1:5432/pricewatch", "s@cret")


def test_rebuild_replace_keeps_the_watchlist_and_manual_game_decisions(db_url, pricewatch_home, capsys):
    land("2026-11-01", "steam", HISTORY["2026-11-01"]["steam"])
    land("2026-11-01", "gog", HISTORY["2026-11-01"]["gog"])
    assert main(["load", "--landing"]) == 0 and main(["etl"]) == 0
    assert main(["watch", "add", "Hollow Knight", "--below", "10", "--currency", "USD", "--region", "US"]) == 0
    assert main(["games", "merge", "steam:367520", "gog:1207658924"]) == 0
    kept_rules = rows_of(db_url, "select title, region, currency, below, created_at from core.watch_rule")
    capsys.readouterr()

    assert main(["db", "rebuild", "--replace", "--yes"]) == 0
    output = capsys.readouterr().out
    assert "kept 1 of 1 watch rules and 1 of 1 manual game decisions" in output
    assert f"watch rules and manual game decisions saved to {pricewatch_home / 'rebuild'}/kept-" in output
    assert rows_of(db_url, "select title, region, currency, below, created_at from core.watch_rule") == kept_rules
    assert rows_of(db_url, """
        select listing.store, same_as.store, decision.action from core.game_decision as decision
        join core.listing as listing using (listing_id)
        join core.listing as same_as on same_as.listing_id = decision.same_as_listing_id""") == [
        ("gog", "steam", "merge")]
    assert rows_of(db_url, "select count(distinct game_id) from core.listing where store_item_id in "
                          "('367520', '1207658924')") == [(1,)], "the merge decision is applied again"


def rows_of(url: str, query: str) -> list[tuple]:
    """A connection per query: the rebuild drops the database under any connection held across it."""
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(query)
        return cur.fetchall()


@pytest.mark.slow
def test_a_rebuild_after_the_archive_was_pruned_gives_identical_reporting_views(db_url, pricewatch_home, capsys):
    for day, sources in HISTORY.items():
        for source, records in sources.items():
            land(day, source, records)
        assert main(["load", "--landing"]) == 0 and main(["etl"]) == 0
    assert main(["db", "backup"]) == 0
    # After the backup: today's crawl, which only the archive holds.
    today = date.today().isoformat()
    land(today, "steam", [listing(store_item_id="413150", price="4.99", discount_percent=67,
                                  scraped_at=f"{today}T00:00:00Z")])
    assert main(["load", "--landing"]) == 0 and main(["etl"]) == 0
    before = reporting_snapshot(db_url)
    assert main(["feeds", "prune", "--yes"]) == 0
    assert len(archived_feeds()) == 1
    capsys.readouterr()
    assert main(["db", "rebuild", "--replace", "--yes"]) == 0
    assert "restored " in capsys.readouterr().out
    assert reporting_snapshot(db_url) == before
