"""What the pages and the API show, read from the reporting views; one function per question.

Every query names the game's listings (`listing_id = any(...)`) or the game itself, so PostgreSQL reads only
that game's periods: the views' window functions and groupings are partitioned by listing, which lets such a
condition reach the tables' indexes (bench/web_latency.py measures it at catalogue scale).
"""
import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from pricewatch.web.db import Database

SEARCH_WORDS = 8
SEARCH_LIMIT = 50
SEARCH_PAGE = 20
DEAL_LISTS = ("discounts", "all_time_lows", "since_raise")

GAME = """
select game_id, title, base_game_id
from reporting.game_search
where game_id = %(game_id)s
"""

SEARCH = """
select game_id, title
from reporting.game_search
where title_words @@ to_tsquery('simple', %(words)s)
order by length(title), title, game_id
limit %(limit)s
"""

BEST_PRICES = """
select game_id, currency, price, regular_price, discount_percent, store, store_name, region, url
from reporting.best_prices
where game_id = any(%(game_ids)s)
order by game_id, currency
"""

LISTINGS = """
select listing_id, store, store_item_id, title, kind, edition, url
from reporting.game_listings
where game_id = %(game_id)s
order by store, kind, title, listing_id
"""

DLC = """
select game_id, title
from reporting.game_search
where base_game_id = %(game_id)s
order by title, game_id
"""

CURRENT_PRICES = """
select store, store_name, store_item_id, title, kind, region, currency, price, regular_price, discount_percent,
       is_free, subscription, subscription_price, discount_ends_at, since, last_seen_at, url, listing_id
from reporting.current_prices
where listing_id = any(%(listing_ids)s)
order by currency nulls last, price nulls last, store, region, listing_id
"""

LOWS = """
select store, region, currency, all_time_low, all_time_low_at, low_365_days, low_365_days_at,
       low_90_days, low_90_days_at, listing_id
from reporting.historical_lows
where listing_id = any(%(listing_ids)s)
"""

HISTORY = """
select store, store_name, title, region, currency, price, regular_price, discount_percent, valid_from, valid_to,
       listing_id
from reporting.price_history
where listing_id = any(%(listing_ids)s)
  and (%(region)s::text is null or region = %(region)s)
  and (%(currency)s::text is null or currency = %(currency)s)
order by store, region, listing_id, valid_from, price_period_id
"""

NEWS = """
select source, feed, published_at, title, url, score, num_comments
from reporting.game_news
where game_id = %(game_id)s
order by published_at desc, news_item_id desc
limit 20
"""

DEALS = """
select game_id, game, store, store_name, title, region, currency, price, regular_price, discount_percent, since,
       last_seen_at, url, previous_low, new_all_time_low, new_low_since_raise
from reporting.deals
where {which}
  and (%(store)s::text is null or store = %(store)s)
  and (%(region)s::text is null or region = %(region)s)
  and (%(currency)s::text is null or currency = %(currency)s)
order by {order}
limit %(limit)s
"""

DEAL_QUERIES = {
    "discounts": DEALS.format(which="discount_percent > 0", order="discount_percent desc, since desc"),
    "all_time_lows": DEALS.format(which="new_all_time_low", order="since desc"),
    "since_raise": DEALS.format(which="new_low_since_raise and not new_all_time_low", order="since desc"),
}

COVERAGE = """
select store, store_name, region, currency, listings, priced, discounted, oldest_seen_at, newest_seen_at
from reporting.store_coverage
order by store, region, currency
"""

SOURCE_STATUS = "select * from reporting.source_status order by source"

WATCH_RULES = """
select watch_rule_id, game_id, game, typed, region, currency, below, min_discount, new_low, created_at,
       alerts_sent, last_sent_at
from reporting.watch_rules
order by watch_rule_id
"""

ALERTS = """
select watch_rule_id, reason, store, store_name, title, region, currency, price, regular_price,
       discount_percent, price_since, price_until, url, game_id
from reporting.watchlist_alerts
where listing_id = any(%(listing_ids)s)
order by price_since desc, watch_rule_id
limit 100
"""

WATCHED_LISTINGS = """
select listing_id
from reporting.game_listings
where game_id = any(%(game_ids)s)
"""


def search_words(text: str) -> str | None:
    """`hollow kni` -> `hollow:* & kni:*` (every word, or its beginning); None when nothing searchable."""
    words = re.findall(r"\w+", text.lower())[:SEARCH_WORDS]
    return " & ".join(f"{word}:*" for word in words) or None


def freshness(last_seen_at: datetime | None, now: datetime) -> str:
    """How recent a price is: a daily crawl keeps every listing fresh."""
    if last_seen_at is None:
        return "unknown"
    age = now - last_seen_at
    if age <= timedelta(hours=36):
        return "fresh"
    return "stale" if age <= timedelta(days=7) else "old"


class Catalogue:
    def __init__(self, db: Database):
        self.db = db

    def search(self, text: str, limit: int = SEARCH_PAGE) -> list[dict]:
        words = search_words(text)
        if words is None:
            return []
        games = self.db.read(SEARCH, {"words": words, "limit": limit})
        best = defaultdict(list)
        for row in self.db.read(BEST_PRICES, {"game_ids": [game["game_id"] for game in games]}):
            best[row.pop("game_id")].append(row)
        return [{"id": game["game_id"], "title": game["title"], "best_prices": best[game["game_id"]]}
                for game in games]

    def header(self, game_id: int) -> dict | None:
        """game_id, title and base_game_id of a game; None for an unknown id."""
        found = self.db.read(GAME, {"game_id": game_id})
        return found[0] if found else None

    def game(self, game_id: int) -> dict | None:
        game = self.header(game_id)
        if game is None:
            return None
        listings = self.db.read(LISTINGS, {"game_id": game_id})
        listing_ids = [listing["listing_id"] for listing in listings]
        now = datetime.now(timezone.utc)
        prices = self.db.read(CURRENT_PRICES, {"listing_ids": listing_ids})
        for price in prices:
            price["freshness"] = freshness(price["last_seen_at"], now)
        base = self.header(game["base_game_id"]) if game["base_game_id"] else None
        return {
            "id": game["game_id"],
            "title": game["title"],
            "base_game": {"id": base["game_id"], "title": base["title"]} if base else None,
            "prices": prices,
            "lows": game_lows(self.db.read(LOWS, {"listing_ids": listing_ids})),
            "listings": listings,
            "dlc": [{"id": row["game_id"], "title": row["title"]} for row in self.db.read(DLC, {"game_id": game_id})],
            "news": self.db.read(NEWS, {"game_id": game_id}),
        }

    def history(self, game_id: int, region: str | None = None, currency: str | None = None,
                listings: list[dict] | None = None) -> list[dict]:
        """Price periods per store, region and currency (and edition, when a store sells several); `listings`
        are the game's, when the caller has them already."""
        listings = self.db.read(LISTINGS, {"game_id": game_id}) if listings is None else listings
        listing_ids = [listing["listing_id"] for listing in listings]
        rows = self.db.read(HISTORY, {"listing_ids": listing_ids, "region": region, "currency": currency})
        return history_series(rows)

    def deals(self, which: str, store=None, region=None, currency=None, limit: int = 20) -> list[dict]:
        return self.db.read(DEAL_QUERIES[which], {"store": store, "region": region, "currency": currency,
                                                  "limit": limit})

    def coverage(self) -> list[dict]:
        return self.db.read(COVERAGE)

    def source_status(self) -> list[dict]:
        return self.db.read(SOURCE_STATUS)

    def watch_rules(self) -> list[dict]:
        return self.db.read(WATCH_RULES)

    def alerts(self, rules: list[dict]) -> list[dict]:
        game_ids = sorted({rule["game_id"] for rule in rules if rule["game_id"] is not None})
        if not game_ids:
            return []
        listing_ids = [row["listing_id"] for row in self.db.read(WATCHED_LISTINGS, {"game_ids": game_ids})]
        return self.db.read(ALERTS, {"listing_ids": listing_ids})

    def anchor_listing(self, game_id: int) -> int | None:
        listings = self.db.read(LISTINGS, {"game_id": game_id})
        return min(listing["listing_id"] for listing in listings) if listings else None


def game_lows(rows: list[dict]) -> dict:
    """Per currency, the lowest all-time, 365-day and 90-day price over the game's stores, and where and when."""
    windows = (("all_time", "all_time_low"), ("one_year", "low_365_days"), ("three_months", "low_90_days"))
    lows = {}
    for row in rows:
        per_currency = lows.setdefault(row["currency"], {})
        for name, column in windows:
            price, at = row[column], row[f"{column}_at"]
            known = per_currency.get(name)
            # Ties go to the most recent period at that price, as in reporting.historical_lows.
            if price is not None and (known is None or (price, at) < (known["price"], known["at"])
                                      or price == known["price"] and at > known["at"]):
                per_currency[name] = {"price": price, "at": at, "store": row["store"], "region": row["region"]}
    return lows


def history_series(rows: list[dict]) -> list[dict]:
    """Periods grouped into one line per store, region and currency; titles tell editions of one store apart.
    A not-for-sale period (no currency) stays on its listing's line as a gap."""
    titles_per_store = defaultdict(set)
    currency_of = {}
    for row in rows:
        titles_per_store[row["store"]].add(row["title"])
        if row["currency"]:
            currency_of.setdefault((row["listing_id"], row["region"]), row["currency"])
    series = {}
    for row in rows:
        edition = row["title"] if len(titles_per_store[row["store"]]) > 1 else None
        currency = row["currency"] or currency_of.get((row["listing_id"], row["region"]))
        key = (row["store"], row["region"], currency, edition)
        line = series.setdefault(key, {"store": row["store"], "store_name": row["store_name"], "region": row["region"],
                                       "currency": currency, "title": row["title"], "edition": edition,
                                       "periods": []})
        line["periods"].append({key: row[key] for key in ("valid_from", "valid_to", "price", "regular_price",
                                                            "discount_percent")})
    return list(series.values())
