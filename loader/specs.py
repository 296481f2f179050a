"""The registry of feed specs: one per feed kind. Add a spec here to load a new kind of feed."""
import contracts
from loader.spec import Column, FeedSpec, MoneyRule

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
    sources=tuple(contracts.schema("store_listing")["properties"]["source"]["enum"]),
)

SPECS = {spec.name: spec for spec in (STORE_LISTING,)}


def spec_named(name: str) -> FeedSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise KeyError(f"unknown feed kind {name!r} (known: {', '.join(sorted(SPECS))})") from None


def spec_for_source(source: str) -> FeedSpec | None:
    """The spec of the feeds a source (spider name, landing directory) writes; None when no spec claims it."""
    return next((spec for spec in SPECS.values() if source in spec.sources), None)
