"""pricewatch report best|lows|drops|history: the reporting views, as the read-only reader role."""
import contextlib
from dataclasses import dataclass

from psycopg2 import sql

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.commands.etl import migrated


@dataclass(frozen=True)
class Report:
    view: str
    help: str
    columns: tuple[str, ...]
    table_columns: tuple[str, ...]
    order_by: tuple[str, ...]
    game_column: str = "title"
    # Column kept to the last --days days; None: --days does not apply.
    days_column: str | None = None


REPORTS = {
    "best": Report(
        "best_prices", "cheapest current price of every game per currency, across stores",
        ("game", "store", "region", "currency", "price", "regular_price", "discount_percent", "listings_compared",
         "highest_price", "title", "url", "since", "last_seen_at"),
        ("game", "store", "region", "currency", "price", "regular_price", "discount_percent", "listings_compared",
         "highest_price", "since"),
        ("game", "currency"), game_column="game"),
    "lows": Report(
        "historical_lows", "all-time, 365-day and 90-day lows of every listing and region",
        ("store", "title", "region", "currency", "current_price", "all_time_low", "all_time_low_at", "low_365_days",
         "low_365_days_at", "low_90_days", "low_90_days_at", "at_all_time_low", "store_item_id", "url"),
        ("store", "title", "region", "currency", "current_price", "all_time_low", "all_time_low_at", "low_365_days",
         "low_90_days"),
        ("title", "store", "region")),
    "drops": Report(
        "price_drops", "price decreases, biggest first",
        ("changed_at", "store", "title", "region", "currency", "old_price", "new_price", "drop_percent",
         "discount_percent", "store_item_id", "url"),
        ("changed_at", "store", "title", "region", "currency", "old_price", "new_price", "drop_percent"),
        ("drop_percent desc", "changed_at desc", "store", "title"), days_column="changed_at"),
    "history": Report(
        "price_history", "every price period of every listing (valid to empty = current)",
        ("store", "title", "region", "currency", "price", "regular_price", "discount_percent", "subscription",
         "subscription_price", "valid_from", "valid_to", "last_seen_at", "store_item_id"),
        ("store", "title", "region", "currency", "price", "regular_price", "discount_percent", "subscription_price",
         "valid_from", "valid_to"),
        ("store", "title", "region", "valid_from"), days_column="valid_to"),
    "news": Report(
        "game_news", "posts and articles mentioning each game, newest first",
        ("game", "source", "feed", "published_at", "title", "url", "author", "score", "num_comments", "match_method",
         "match_score", "summary"),
        ("game", "source", "feed", "published_at", "title", "match_method", "match_score"),
        ("game", "published_at desc", "title"), game_column="game", days_column="published_at"),
    "deals": Report(
        "reddit_deals", "Reddit deal posts next to the store's current price in our data",
        ("posted_at", "store", "deal_title", "deal_price", "deal_currency", "deal_discount_percent", "game",
         "our_region", "our_currency", "our_price", "price_difference", "store_named", "subreddit", "score",
         "num_comments", "post_title", "post_url", "link_url"),
        ("posted_at", "store_named", "deal_title", "deal_price", "deal_currency", "deal_discount_percent", "our_price",
         "our_currency", "price_difference"),
        ("posted_at desc", "store_named", "deal_title"), game_column="deal_title", days_column="posted_at"),
}


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="show best prices, historical lows, price drops or price history")
    parser.add_argument("name", choices=REPORTS, metavar="REPORT",
                        help="; ".join(f"{name}: {report.help}" for name, report in REPORTS.items()))
    parser.add_argument("--game", metavar="TEXT", help="only titles containing TEXT (any case)")
    parser.add_argument("--store", metavar="S", help="only this store, e.g. steam")
    parser.add_argument("--region", metavar="R", help="only this region, e.g. US")
    parser.add_argument("--days", type=int, metavar="N", help="drops: changed in the last N days; history: periods current in them")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N rows")
    parser.add_argument("--format", choices=tabular.FORMATS, default="table")
    parser.set_defaults(func=run)


def query(report: Report, args) -> tuple[sql.Composable, list]:
    """The report's select with the filters asked for; identifiers composed, values as parameters."""
    conditions, params = [], []
    if args.game:
        conditions.append(sql.SQL("position(lower(%s) in lower({})) > 0").format(sql.Identifier(report.game_column)))
        params.append(args.game)
    for option, column in (("--store", "store"), ("--region", "region")):
        if getattr(args, column) and column not in report.columns:
            raise PricewatchError(f"{option} does not apply to {args.name}")
    if args.store:
        conditions.append(sql.SQL("store = lower(%s)"))
        params.append(args.store)
    if args.region:
        conditions.append(sql.SQL("region = upper(%s)"))
        params.append(args.region)
    if args.days is not None:
        if report.days_column is None:
            raise PricewatchError(f"--days applies to {', '.join(n for n, r in REPORTS.items() if r.days_column)}, "
                                  f"not to {args.name}")
        if args.days < 0:
            raise PricewatchError("--days must be 0 or more")
        # An open period (valid_to null) is current now, so it is within any window.
        conditions.append(sql.SQL("({column} is null or {column} >= now() - make_interval(days => %s))").format(
            column=sql.Identifier(report.days_column)))
        params.append(args.days)
    statement = sql.SQL("select {columns} from {view}{where} order by {order}").format(
        columns=sql.SQL(", ").join(map(sql.Identifier, report.columns)),
        view=sql.Identifier("reporting", report.view),
        where=sql.SQL(" where ") + sql.SQL(" and ").join(conditions) if conditions else sql.SQL(""),
        order=sql.SQL(", ").join(order_term(term) for term in report.order_by),
    )
    if args.limit is not None:
        statement = sql.SQL("{} limit %s").format(statement)
        params.append(args.limit)
    return statement, params


def order_term(term: str) -> sql.Composable:
    column, _, direction = term.partition(" ")
    return sql.SQL("{} {} nulls last").format(sql.Identifier(column), sql.SQL("desc" if direction == "desc" else "asc"))


def run(args) -> int:
    report = REPORTS[args.name]
    statement, params = query(report, args)
    with contextlib.closing(database.connect(role="pricewatch_reader")) as conn, migrated(), conn.cursor() as cur:
        cur.execute(statement, params)
        rows = cur.fetchall()
    tabular.write(list(report.columns), rows, args.format, title=f"{args.name}: {report.help}",
                  table_columns=list(report.table_columns))
    return 0
