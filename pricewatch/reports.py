"""The reports people read: each a reporting view with its columns, order and the filters that apply.

`fetch` runs one as the read-only reader role; `write` prints it for `pricewatch report` and `pricewatch run`.
"""
import contextlib
from dataclasses import dataclass

from psycopg2 import sql

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.storefronts import check_known


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
    # A column never earlier than days_column, kept to the same window: core.price_history is partitioned by
    # when a period ended, so PostgreSQL then skips the months that ended before the window.
    days_pruned_by: str | None = None
    # --sort NAME -> order; the first is the default (order_by).
    sorts: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Listing kind shown when --kind is not given (None: every kind).
    default_kind: str | None = None

    def order(self, name: str, sort: str | None) -> tuple[str, ...]:
        if sort is None:
            return self.order_by
        orders = dict(self.sorts)
        if sort not in orders:
            raise PricewatchError(f"--sort {sort} does not apply to {name}"
                                  + (f"; one of {', '.join(orders)}" if orders else ""))
        return orders[sort]
    # A view that ranks rows: the function(store, region) that filters before ranking, for --store/--region.
    ranked_in: str | None = None
    # --game first finds the keys whose titles contain the text: (key column, reporting view of key, title and
    # title_trigrams), through the titles' GIN indexes; a superset of what game_column matches, so only those
    # rows' periods are read.
    titled_by: tuple[str, str] | None = None


REPORTS = {
    "best": Report(
        "best_prices", "cheapest current price of every game per currency, across stores",
        ("game", "store", "region", "currency", "price", "regular_price", "discount_percent", "discount_ends_at",
         "all_time_low", "all_time_low_at", "at_all_time_low", "listings_compared", "highest_price", "kind", "title",
         "url", "since", "last_seen_at"),
        ("game", "store", "region", "currency", "price", "regular_price", "discount_percent", "discount_ends_at",
         "all_time_low", "at_all_time_low", "listings_compared", "since"),
        ("game", "currency"), game_column="game",
        sorts=(("game", ("game", "currency")),
               ("price", ("price", "game", "currency")),
               ("discount", ("discount_percent desc", "game", "currency")),
               ("sale-end", ("discount_ends_at", "game", "currency"))),
        default_kind="game", ranked_in="best_prices_in", titled_by=("game_id", "game_search")),
    "lows": Report(
        "historical_lows", "all-time, 365-day and 90-day lows of every listing and region",
        ("store", "title", "region", "currency", "current_price", "all_time_low", "all_time_low_at", "low_365_days",
         "low_365_days_at", "low_90_days", "low_90_days_at", "at_all_time_low", "store_item_id", "url"),
        ("store", "title", "region", "currency", "current_price", "all_time_low", "all_time_low_at", "low_365_days",
         "low_90_days"),
        ("title", "store", "region"), titled_by=("listing_id", "listing_titles")),
    "drops": Report(
        "price_drops", "price decreases, biggest first",
        ("changed_at", "store", "title", "region", "currency", "old_price", "new_price", "drop_percent",
         "discount_percent", "store_item_id", "url"),
        ("changed_at", "store", "title", "region", "currency", "old_price", "new_price", "drop_percent"),
        # Never null, so nulls first changes nothing but matches the index of drops (biggest, newest first).
        ("drop_percent desc nulls first", "changed_at desc nulls first", "store", "title"), days_column="changed_at",
        days_pruned_by="new_price_until", titled_by=("listing_id", "listing_titles")),
    "history": Report(
        "price_history", "every price period of every listing (valid to empty = current)",
        ("store", "title", "region", "currency", "price", "regular_price", "discount_percent", "subscription",
         "subscription_price", "valid_from", "valid_to", "last_seen_at", "store_item_id"),
        ("store", "title", "region", "currency", "price", "regular_price", "discount_percent", "subscription_price",
         "valid_from", "valid_to"),
        ("store", "title", "region", "valid_from"), days_column="valid_to",
        titled_by=("listing_id", "listing_titles")),
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


KINDS = ("game", "dlc", "bundle", "other")


@dataclass(frozen=True)
class Filters:
    game: str | None = None
    store: str | None = None
    region: str | None = None
    days: int | None = None
    limit: int | None = None
    # A listing kind, "all", or None for the report's default.
    kind: str | None = None
    min_discount: int | None = None
    sort: str | None = None


def query(name: str, filters: Filters) -> tuple[sql.Composable, list]:
    """The report's select with the filters asked for; identifiers composed, values as parameters."""
    report = REPORTS[name]
    conditions, params = [], []
    if filters.game:
        conditions.append(contains(sql.Identifier(report.game_column)))
        params.append(filters.game)
        if report.titled_by:
            key, titles = report.titled_by
            conditions.append(sql.SQL(
                "{key} = any(array(select {key} from {titles}"
                " where title_trigrams @> reporting.title_search_trigrams(%s) and {matches}))").format(
                key=sql.Identifier(key), titles=sql.Identifier("reporting", titles),
                matches=contains(sql.Identifier("title"))))
            params += [filters.game, filters.game]
    for option, column in (("--store", "store"), ("--region", "region")):
        if getattr(filters, column) and column not in report.columns:
            raise PricewatchError(f"{option} does not apply to {name}")
    source = sql.Identifier("reporting", report.view)
    if report.ranked_in and (filters.store or filters.region):
        # Filtered before the ranking: the cheapest offer in that store or region, not the overall one if there.
        source = sql.SQL("{}(%s, %s)").format(sql.Identifier("reporting", report.ranked_in))
        params[:0] = [filters.store, filters.region]
    else:
        if filters.store:
            conditions.append(sql.SQL("store = lower(%s)"))
            params.append(filters.store)
        if filters.region:
            conditions.append(sql.SQL("region = upper(%s)"))
            params.append(filters.region)
    kind = filters.kind or report.default_kind
    if filters.kind and "kind" not in report.columns:
        raise PricewatchError(f"--kind does not apply to {name}")
    if kind and kind != "all":
        conditions.append(sql.SQL("kind = %s"))
        params.append(kind)
    if filters.min_discount is not None:
        if "discount_percent" not in report.columns:
            raise PricewatchError(f"--min-discount does not apply to {name}")
        conditions.append(sql.SQL("discount_percent >= %s"))
        params.append(filters.min_discount)
    if filters.days is not None:
        if report.days_column is None:
            raise PricewatchError(f"--days applies to {', '.join(n for n, r in REPORTS.items() if r.days_column)}, "
                                  f"not to {name}")
        if filters.days < 0:
            raise PricewatchError("--days must be 0 or more")
        # An open period (valid_to null) is current now, so it is within any window.
        for column in filter(None, (report.days_column, report.days_pruned_by)):
            conditions.append(sql.SQL("({column} is null or {column} >= now() - make_interval(days => %s))").format(
                column=sql.Identifier(column)))
            params.append(filters.days)
    statement = sql.SQL("select {columns} from {source}{where} order by {order}").format(
        columns=sql.SQL(", ").join(map(sql.Identifier, report.columns)),
        source=source,
        where=sql.SQL(" where ") + sql.SQL(" and ").join(conditions) if conditions else sql.SQL(""),
        order=sql.SQL(", ").join(order_term(term) for term in report.order(name, filters.sort)),
    )
    if filters.limit is not None:
        statement = sql.SQL("{} limit %s").format(statement)
        params.append(filters.limit)
    return statement, params


def contains(column: sql.Composable) -> sql.Composable:
    """`--game TEXT`: the column contains the text, in any case (the text as the next parameter)."""
    return sql.SQL("position(lower(%s) in lower({})) > 0").format(column)


def order_term(term: str) -> sql.Composable:
    """"column [desc] [nulls first]": ascending and nulls last unless the term says otherwise."""
    column, *modifiers = term.split(" ")
    return sql.SQL("{} {} nulls {}").format(sql.Identifier(column), sql.SQL("desc" if "desc" in modifiers else "asc"),
                                           sql.SQL("first" if "first" in modifiers else "last"))


def fetch(name: str, filters: Filters = Filters(), url: str | None = None) -> list[tuple]:
    """The rows of report `name` with `filters` applied, from the database of `url` (default: the configured one)."""
    statement, params = query(name, filters)
    with contextlib.closing(database.connect(role="pricewatch_reader", url=url)) as conn, database.migrated(), \
            conn.cursor() as cur:
        check_known(conn, filters.store, filters.region)
        cur.execute(statement, params)
        return cur.fetchall()


def write(name: str, filters: Filters = Filters(), fmt: str = "table", url: str | None = None) -> None:
    """Report `name` on stdout as a table, CSV or JSON."""
    report = REPORTS[name]
    tabular.write(list(report.columns), fetch(name, filters, url), fmt, title=f"{name}: {report.help}",
                  table_columns=list(report.table_columns))
