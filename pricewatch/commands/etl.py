"""pricewatch etl [SOURCE...]: turn newly loaded staging rows into the core price model, per source."""
import contextlib

import psycopg2
import psycopg2.extras

from pricewatch import database
from pricewatch.errors import PricewatchError


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
    with conn.cursor() as cur:
        cur.execute("select store from core.store order by store")
        return [store for (store,) in cur.fetchall()]


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
        for source in chosen_sources(conn, args.sources + args.source_options):
            with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                cur.execute("select * from etl.run_source(%s)", (source,))
                result = cur.fetchone()
            conn.commit()
            print(summary(result), flush=True)
            if result["status"] == "failed":
                failed.append(source)
    if failed:
        raise PricewatchError(f"ETL failed for {', '.join(failed)} (see ops.etl_run)")
    return 0
