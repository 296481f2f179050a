"""pricewatch etl [SOURCE...]: turn newly loaded staging rows into the core price model, per source."""
import contextlib
import logging

import psycopg2
import psycopg2.extras

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import news_matching
from pricewatch.alerts.delivery import send_pending
from pricewatch.games.store import rematch

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser("etl", help="build the price model from newly loaded feeds (all sources by default)")
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="store to process, e.g. steam (default: every store)")
    parser.add_argument("--source", dest="source_options", action="append", default=[], metavar="SOURCE",
                        help="same as SOURCE, for scripts; may repeat")
    parser.set_defaults(func=run)


@contextlib.contextmanager
def migrated():
    """Turns "relation/function does not exist" into the fix the user needs."""
    try:
        yield
    except (psycopg2.errors.UndefinedTable, psycopg2.errors.UndefinedFunction, psycopg2.errors.InvalidSchemaName) as exc:
        raise PricewatchError(f"the database has no price model yet ({str(exc).splitlines()[0]}); "
                              "run `pricewatch db upgrade`") from exc


def known_sources(conn) -> list[str]:
    """Stores first, then news sources (reddit, news), whose matching uses the stores' fresh listings."""
    with conn.cursor() as cur:
        cur.execute("select store from core.store order by store")
        stores = [store for (store,) in cur.fetchall()]
    return stores + news_sources(conn)


def news_sources(conn) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("select source from core.news_source order by source")
        return [source for (source,) in cur.fetchall()]


def chosen_sources(conn, named: list[str] | None) -> list[str]:
    known = known_sources(conn)
    unknown = sorted(set(named or ()) - set(known))
    if unknown:
        raise PricewatchError(f"unknown source {', '.join(unknown)}; known sources: {', '.join(known)}")
    return list(dict.fromkeys(named)) if named else known


def summary(run: dict) -> str:
    if run["status"] == "failed":
        return f"{run['source']}: failed: {run['error']}"
    return (f"{run['source']}: {run['rows_in']} rows in, {run['rows_changed']} price changes, "
            f"{run['listings_changed']} listings changed, {run['periods_confirmed']} prices confirmed")


def run(args) -> int:
    failed = []
    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn, migrated():
        # One transaction per source: a source's run holds only its own lock, and commits on its own.
        news = news_sources(conn)
        for source in chosen_sources(conn, args.sources + args.source_options):
            if source in news:
                result = news_matching.run_source(conn, source)
                print(news_matching.summary(result), flush=True)
                if result["status"] == "failed":
                    failed.append(source)
                continue
            with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute("select * from etl.run_source(%s)", (source,))
                result = cur.fetchone()
            conn.commit()
            print(summary(result), flush=True)
            if result["status"] == "failed":
                failed.append(source)
        # New listings and titles change which listings are one game (summary with -v).
        log.info("%s", rematch(conn))
        conn.commit()
        # The web app's deals and coverage are judged once per run, not per page view.
        with conn.cursor() as cur:
            cur.execute("select reporting.refresh_summaries()")
        conn.commit()
        # reporting.watchlist_alerts now reflects this run; each alert goes out once per channel.
        log.info("alerts sent: %s", send_pending(conn))
    if failed:
        raise PricewatchError(f"ETL failed for {', '.join(failed)} (see ops.etl_run)")
    return 0
