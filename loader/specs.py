"""The registry of feed specs: one per feed kind. Add a spec here to load a new kind of feed."""
import contracts
from loader.spec import Column, FeedSpec, MoneyRule, PriceRule

STORE_LISTING = FeedSpec(
    name="store_listing",
    contract="store_listing",
    table=("staging", "store_listing"),
    key=(Column("source"), Column("store_item_id"), Column("region")),
    observed_at=Column("scraped_at", "timestamptz", "observed_at"),
    content=(
        Column("currency"),
        Column("price", "numeric"),
        Column("regular_price", "numeric"),
        Column("discount_percent", "smallint"),
        Column("is_free", "boolean"),
        Column("subscription"),
        Column("title"),
        Column("kind"),
        Column("url"),
        Column("platforms", "text[]"),
        Column("release_date"),
        Column("discount_ends_at", "timestamptz"),
    ),
    money=MoneyRule(fields=("price", "regular_price"), currency_field="currency"),
    price_rule=PriceRule(price="price", regular_price="regular_price", discount_percent="discount_percent",
                         is_free="is_free"),
    sources=contracts.sources("store_listing"),
    fingerprint_lines=True,
    confirmation_queue=("staging", "store_listing_confirmation"),
)

NEWS_ITEM = FeedSpec(
    name="news_item",
    contract="news_item",
    table=("staging", "news_item"),
    key=(Column("source"), Column("feed"), Column("external_id")),
    observed_at=Column("scraped_at", "timestamptz", "observed_at"),
    # A new staging row only when the title or the link changes; votes and comments move all the time.
    content=(Column("title"), Column("url")),
    refresh=(
        Column("published_at", "timestamptz"),
        Column("author"),
        Column("summary"),
        Column("link_url"),
        Column("score", "integer"),
        Column("num_comments", "integer"),
        Column("flair"),
        Column("deal_store"),
        Column("deal_title"),
        Column("deal_price", "numeric"),
        Column("deal_currency"),
        Column("deal_discount_percent", "smallint"),
    ),
    # A deal title may give a price in a currency the parser cannot name; the post is still worth keeping.
    money=MoneyRule(fields=("deal_price",), currency_field="deal_currency", currency_required=False),
    sources=contracts.sources("news_item"),
)

SPECS = {spec.name: spec for spec in (STORE_LISTING, NEWS_ITEM)}


def spec_named(name: str) -> FeedSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"unknown feed kind {name!r} (known: {', '.join(sorted(SPECS))})") from None


def spec_for_source(source: str) -> FeedSpec | None:
    """The spec of the feeds a source (spider name, landing directory) writes; None when no spec claims it."""
    return next((spec for spec in SPECS.values() if source in spec.sources), None)
