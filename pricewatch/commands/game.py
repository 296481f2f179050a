"""pricewatch game TITLE [--region CC] [--format]: one game at every store and region, side by side.

Runs as pricewatch_reader; the query is pricewatch.game_prices (the terminal twin of a web game page).
"""
import contextlib

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.game_prices import COLUMNS, game_prices
from pricewatch.games.lookup import find_game

TABLE_COLUMNS = ["store", "region", "currency", "price", "regular_price", "discount_percent", "discount_ends_at",
                 "all_time_low", "all_time_low_at", "at_all_time_low", "last_seen_at"]


def register(subparsers) -> None:
    parser = subparsers.add_parser("game", help="one game at every store and region: price, sale end, lowest ever")
    parser.add_argument("title", metavar="TITLE")
    parser.add_argument("--region", metavar="CC", help="only this storefront country, e.g. US")
    parser.add_argument("--format", choices=tabular.FORMATS, default="table")
    parser.set_defaults(func=run)


def run(args) -> int:
    with contextlib.closing(database.connect(role="pricewatch_reader")) as conn, database.migrated():
        with conn.cursor() as cur:
            game = find_game(cur, args.title)
        rows = game_prices(conn, game.game_id, args.region)
    if not rows:
        raise PricewatchError(f"no prices of {game.title}{' in ' + args.region.upper() if args.region else ''} yet")
    tabular.write(list(COLUMNS), [tuple(row[column] for column in COLUMNS) for row in rows], args.format,
                  title=f"{game.title}: every store and region (price since, last seen: UTC)",
                  table_columns=TABLE_COLUMNS)
    return 0
