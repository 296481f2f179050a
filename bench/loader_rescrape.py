"""Benchmark 2, loader on a rescrape: the same N listings a day later with 1% of prices changed, loaded on
top of the first crawl, against raw COPY (with the unique key) of the same number of rows. A rescrape writes
only the changes, so it should beat raw COPY. Target: loader/raw >= 1."""
from bench.environment import Stopwatch, admin, arguments, throwaway_database, workspace
from bench.loader_new import (feed, floor_rows_per_second, json_floor_rows_per_second, load_rows_per_second,
                              ratio_verdict, raw_copy_rows_per_second, typed_rows)

CHANGED_SHARE = 0.01


def confirmation_floor_rows_per_second(url: str, count: int, raw: float) -> float:
    """The one write a confirmation needs, alone: last_seen_at moved on every latest state, heap-only."""
    with admin(url) as cur:
        cur.execute("vacuum staging.store_listing_latest")
        with Stopwatch() as watch:
            # One transaction, so that its own statistics tell how many updates were heap-only.
            cur.execute("update staging.store_listing_latest set last_seen_at = last_seen_at + interval '1 day';"
                        " select n_tup_hot_upd from pg_stat_xact_user_tables"
                        " where relid = 'staging.store_listing_latest'::regclass")
            (hot,) = cur.fetchone()
    return floor_rows_per_second(f"confirmations (last_seen_at moved on every latest row, {hot} of them heap-only,"
                                 " nothing else)", count, watch.seconds, raw)


def main() -> None:
    args = arguments(__doc__, rows=1_000_000)
    with workspace("loader-rescrape") as directory, throwaway_database(directory) as url:
        first = feed(directory, args.rows)
        load_rows_per_second(url, first, args.rows, "first crawl (not the figure)")
        first.unlink()
        again = feed(directory, args.rows, round_number=1, changed_share=CHANGED_SHARE)
        loaded = load_rows_per_second(url, again, args.rows, "rescrape")
        raw = raw_copy_rows_per_second(url, typed_rows(args.rows, round_number=1, changed_share=CHANGED_SHARE),
                                       args.rows)
        json_floor_rows_per_second(url, again, args.rows, raw)
        confirmation_floor_rows_per_second(url, args.rows, raw)
    ratio_verdict("rescrape", loaded, raw, 1)


if __name__ == "__main__":
    main()
