"""pricewatch watch add|list|remove: the watchlist of games and the price conditions that raise alerts.

Runs as pricewatch_etl: the watchlist is the operator's own data in core, next to the games it names.
"""
import contextlib

from foundation import database
from foundation.database import migrated
from pricewatch import tabular, watchlist


def register(subparsers) -> None:
    parser = subparsers.add_parser("watch", help="watch games for prices below an amount, discounts or new lows")
    commands = parser.add_subparsers(dest="watch_command", required=True, metavar="ACTION")
    add = commands.add_parser("add", help="watch a game (all conditions given must hold)")
    add.add_argument("title", metavar="TITLE")
    add.add_argument("--below", metavar="AMOUNT", help="price below AMOUNT (needs --currency)")
    add.add_argument("--currency", metavar="CODE", help="ISO 4217 currency of --below, e.g. USD")
    add.add_argument("--discount", type=int, metavar="N", help="discount of at least N percent")
    add.add_argument("--new-low", nargs="?", const="all-time", choices=watchlist.NEW_LOWS,
                     help="a new low: all-time (default), 365-days, or since-raise (since the regular price last went up)")
    add.add_argument("--region", metavar="CC", help="only this storefront country, e.g. US")
    listing = commands.add_parser("list", help="the watchlist")
    listing.add_argument("--format", choices=tabular.FORMATS, default="table")
    remove = commands.add_parser("remove", help="stop watching (rule ids from `watch list`)")
    remove.add_argument("ids", nargs="+", type=int, metavar="ID")
    parser.set_defaults(func=run)


def run(args) -> int:
    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn, migrated():
        if args.watch_command == "add":
            game, rule_id = watchlist.add(conn, watchlist.Rule(args.title, args.below, args.currency, args.discount,
                                                               args.new_low, args.region))
            print(f"watching {game.title} (rule {rule_id})")
        elif args.watch_command == "remove":
            print(f"removed {watchlist.remove(conn, args.ids)} rule(s)")
        else:
            columns, rows = watchlist.rules(conn)
            tabular.write(columns, rows, args.format, title="watchlist")
        conn.commit()
    return 0
