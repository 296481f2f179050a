"""The JSON API's shapes: they make the OpenAPI schema at /api/v1/openapi.json, and money leaves as decimal
strings ("19.99"), as in the feeds, because pydantic writes Decimal that way."""
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, model_validator

REGION = r"^[A-Za-z]{2}$"
CURRENCY = r"^[A-Za-z]{3}$"
STORE = r"^[a-z][a-z0-9_]{1,19}$"
NewLow = Literal["all_time", "365_days", "since_raise"]


class Error(BaseModel):
    error: str


class BestPrice(BaseModel):
    currency: str
    price: Decimal
    regular_price: Decimal | None
    discount_percent: int | None
    store: str
    store_name: str
    region: str
    url: str | None


class GameSummary(BaseModel):
    id: int
    title: str
    best_prices: list[BestPrice] = Field(description="Cheapest current public price per currency")


class Price(BaseModel):
    store: str
    store_name: str
    store_item_id: str
    title: str
    kind: str
    region: str
    currency: str | None
    price: Decimal | None = Field(description="Null: not for sale, or only with a subscription")
    regular_price: Decimal | None
    discount_percent: int | None
    is_free: bool
    subscription: str | None
    subscription_price: Decimal | None
    discount_ends_at: datetime | None
    since: datetime = Field(description="When this price began")
    last_seen_at: datetime = Field(description="When a crawl last saw this price")
    freshness: Literal["fresh", "stale", "old", "unknown"] = Field(
        description="fresh: seen in the last 36 hours; stale: in the last 7 days; old: before")
    url: str | None


class Low(BaseModel):
    price: Decimal
    at: datetime = Field(description="Start of the most recent period at this price")
    store: str
    region: str


class Lows(BaseModel):
    all_time: Low | None = None
    one_year: Low | None = None
    three_months: Low | None = None


class GameRef(BaseModel):
    id: int
    title: str


class Listing(BaseModel):
    listing_id: int
    store: str
    store_item_id: str
    title: str
    kind: str
    edition: str | None
    url: str | None


class NewsItem(BaseModel):
    source: str
    feed: str
    published_at: datetime
    title: str
    url: str | None
    score: int | None
    num_comments: int | None


class Game(BaseModel):
    id: int
    title: str
    base_game: GameRef | None = Field(description="For DLC: the game it belongs to")
    prices: list[Price] = Field(description="One row per store listing and region")
    lows: dict[str, Lows] = Field(description="Per currency, the lowest price over all stores in each window")
    listings: list[Listing] = Field(description="Store pages of this game, editions included")
    dlc: list[GameRef]
    news: list[NewsItem] = Field(description="News articles and r/GameDeals posts mentioning the game")


class Period(BaseModel):
    valid_from: datetime
    valid_to: datetime | None = Field(description="Null: the current price")
    price: Decimal | None
    regular_price: Decimal | None
    discount_percent: int | None


class Series(BaseModel):
    store: str
    store_name: str
    region: str
    currency: str | None
    title: str
    edition: str | None = Field(description="The listing's title when the store sells several editions")
    periods: list[Period]


class History(BaseModel):
    id: int
    title: str
    series: list[Series]


class StorePrice(BaseModel):
    """A current public price of a listing in a region (deals and alerts both are)."""
    game_id: int | None
    store: str
    store_name: str
    title: str
    region: str
    currency: str
    price: Decimal
    regular_price: Decimal | None
    discount_percent: int | None
    url: str | None


class Deal(StorePrice):
    game: str | None
    since: datetime
    last_seen_at: datetime
    previous_low: Decimal | None = Field(description="Lowest price before the current one")
    new_all_time_low: bool
    new_low_since_raise: bool


class WatchRuleIn(BaseModel):
    """All conditions given must hold; at least one is needed."""
    game_id: int = Field(ge=1, le=2**63 - 1)
    below: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=4, description="Needs currency")
    currency: str | None = Field(None, pattern=CURRENCY)
    discount: int | None = Field(None, ge=1, le=100, description="Discount of at least this many percent")
    new_low: NewLow | None = None
    region: str | None = Field(None, pattern=REGION)

    @model_validator(mode="after")
    def asks_something(self):
        if self.below is None and self.discount is None and self.new_low is None:
            raise ValueError("say what to watch for: below (with currency), discount and/or new_low")
        if self.below is not None and not self.currency:
            raise ValueError("below needs a currency (prices are compared in one currency)")
        return self


class WatchRule(BaseModel):
    id: int
    game_id: int | None
    game: str
    region: str | None
    currency: str | None
    below: Decimal | None
    min_discount: int | None
    new_low: str | None
    created_at: datetime
    alerts_sent: int
    last_sent_at: datetime | None


class Alert(StorePrice):
    watch_rule_id: int
    reason: str
    price_since: datetime
    price_until: datetime | None


class Watchlist(BaseModel):
    rules: list[WatchRule]
    alerts: list[Alert] = Field(description="Prices that meet a rule (newest first), whether or not a channel sent them")
    channels: list[str] = Field(description="Delivery channels configured (webhook, email)")
