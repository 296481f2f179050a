"""pricewatch watch add|list|remove: the watchlist of games and the price conditions that raise alerts.

Runs as pricewatch_etl: the watchlist is the operator's own data in core, next to the games it names.
"""
import contextlib
from decimal import Decimal, InvalidOperation

from foundation import database
from foundation.database import migrated
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.games.lookup import find_game

NEW_LOWS = {"all-time": "all_time", "365-days": "365_days", "since-raise": "since_raise"}

ADD = """
insert into core.watch_rule (title, anchor_listing_id, region, currency, below, min_discount, new_low)
values (%s, %s, %s, %s, %s, %s, %s)
returning watch_rule_id
"""

LIST = """
select rule.watch_rule_id as id, coalesce(game.title, rule.title) as game, rule.region, rule.currency,
       rule.below, rule.min_discount, replace(rule.new_low, '_', '-') as new_low, rule.created_at, rule.title as typed
from core.watch_rule as rule
join core.listing as anchor on anchor.listing_id = rule.anchor_listing_id
left join core.game as game on game.game_id = anchor.game_id
order by rule.watch_rule_id
"""


def amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise PricewatchError(f"--below wants an amount like 9.99, not {text!r}") from None
    if not value.is_finite() or value <= 0:
        raise PricewatchError(f"--below wants a positive amount, not {text!r}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser("watch", help="watch games for prices below an amount, discounts or new lows")
    commands = parser.add_subparsers(dest="watch_command", required=True, metavar="ACTION")
    add = commands.add_parser("add", help="watch a game (all conditions given must hold)")
    add.add_argument("title", metavar="TITLE")
    add.add_argument("--below", metavar="AMOUNT", help="price below AMOUNT (needs --currency)")
    add.add_argument("--currency", metavar="CODE", help="ISO 4217 currency of --below, e.g. USD")
    add.add_argument("--discount", type=int, metavar="N", help="discount of at least N percent")
    add.add_argument("--new-low", nargs="?", const="all-time", choices=NEW_LOWS,
                     help="a new low: all-time (default), 365-days, or since-raise (since the regular price last went up)")
    add.add_argument("--region", metavar="CC", help="only this storefront country, e.g. US")
    listing = commands.add_parser("list", help="the watchlist")
    listing.add_argument("--format", choices=tabular.FORMATS, default="table")
    remove = commands.add_parser("remove", help="stop watching (rule ids from `watch list`)")
    remove.add_argument("ids", nargs="+", type=int, metavar="ID")
    parser.set_defaults(func=run)


def rule_values(cur, args) -> tuple:
    below = amount(args.below) if args.below is not None else None
    currency = args.currency.upper() if args.currency else None
    if below is not None and currency is None:
        raise PricewatchError("--below needs --currency (prices are compared in one currency)")
    if currency:
        cur.execute("select 1 from core.currency where currency = %s", (currency,))
        if cur.fetchone() is None:
            raise PricewatchError(f"unknown currency {args.currency!r} (ISO 4217 codes, e.g. USD, EUR)")
    if args.discount is not None and not 1 <= args.discount <= 100:
        raise PricewatchError("--discount is a percentage from 1 to 100")
    if below is None and args.discount is None and args.new_low is None:
        raise PricewatchError("say what to watch for: --below AMOUNT --currency CODE, --discount N and/or --new-low")
    region = args.region.upper() if args.region else None
    if region and not (len(region) == 2 and region.isalpha()):
        raise PricewatchError(f"--region wants a two-letter country code, not {args.region!r}")
    game = find_game(cur, args.title)
    return game, (args.title, game.anchor_listing_id, region, currency, below, args.discount,
                  NEW_LOWS.get(args.new_low))


def run(args) -> int:
    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn, migrated(), conn.cursor() as cur:
        if args.watch_command == "add":
            game, values = rule_values(cur, args)
            cur.execute(ADD, values)
            print(f"watching {game.title} (rule {cur.fetchone()[0]})")
        elif args.watch_command == "remove":
            cur.execute("delete from core.watch_rule where watch_rule_id = any(%s) returning watch_rule_id", (args.ids,))
            removed = {row[0] for row in cur.fetchall()}
            if missing := sorted(set(args.ids) - removed):
                raise PricewatchError(f"no watch rule {', '.join(map(str, missing))}; see `pricewatch watch list`")
            print(f"removed {len(removed)} rule(s)")
        else:
            cur.execute(LIST)
            tabular.write([column.name for column in cur.description], cur.fetchall(), args.format, title="watchlist")
        conn.commit()
    return 0
