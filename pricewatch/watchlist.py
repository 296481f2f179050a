"""The watchlist: rules naming a game and the price conditions that raise alerts (reporting.watchlist_alerts).

Rules are the operator's own data in core, next to the games they name; callers pass a connection of a role
that may write them and commit.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from foundation.errors import PricewatchError
from pricewatch.games.lookup import Game, find_game

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


@dataclass(frozen=True)
class Rule:
    """What a person asks to watch, as typed: a title and at least one condition."""
    title: str
    below: str | None = None
    currency: str | None = None
    discount: int | None = None
    new_low: str | None = None
    region: str | None = None


def rule_values(cur, rule: Rule) -> tuple[Game, tuple]:
    below = amount(rule.below) if rule.below is not None else None
    currency = rule.currency.upper() if rule.currency else None
    if below is not None and currency is None:
        raise PricewatchError("--below needs --currency (prices are compared in one currency)")
    if currency:
        cur.execute("select 1 from core.currency where currency = %s", (currency,))
        if cur.fetchone() is None:
            raise PricewatchError(f"unknown currency {rule.currency!r} (ISO 4217 codes, e.g. USD, EUR)")
    if rule.discount is not None and not 1 <= rule.discount <= 100:
        raise PricewatchError("--discount is a percentage from 1 to 100")
    if below is None and rule.discount is None and rule.new_low is None:
        raise PricewatchError("say what to watch for: --below AMOUNT --currency CODE, --discount N and/or --new-low")
    region = rule.region.upper() if rule.region else None
    if region and not (len(region) == 2 and region.isalpha()):
        raise PricewatchError(f"--region wants a two-letter country code, not {rule.region!r}")
    game = find_game(cur, rule.title)
    return game, (rule.title, game.anchor_listing_id, region, currency, below, rule.discount,
                  NEW_LOWS.get(rule.new_low))


def add(conn, rule: Rule) -> tuple[Game, int]:
    """Checks and stores `rule`; the game it names and the new rule's id."""
    with conn.cursor() as cur:
        game, values = rule_values(cur, rule)
        cur.execute(ADD, values)
        return game, cur.fetchone()[0]


def remove(conn, ids: list[int]) -> int:
    """Deletes the rules `ids`; all of them must exist."""
    with conn.cursor() as cur:
        cur.execute("delete from core.watch_rule where watch_rule_id = any(%s) returning watch_rule_id", (ids,))
        removed = {row[0] for row in cur.fetchall()}
    if missing := sorted(set(ids) - removed):
        raise PricewatchError(f"no watch rule {', '.join(map(str, missing))}; see `pricewatch watch list`")
    return len(removed)


def rules(conn) -> tuple[list[str], list[tuple]]:
    """Every rule with the game it names: column names and rows."""
    with conn.cursor() as cur:
        cur.execute(LIST)
        return [column.name for column in cur.description], cur.fetchall()
