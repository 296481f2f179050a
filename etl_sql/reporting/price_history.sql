-- Every price period of every listing and region.
-- needs revision 0002
-- The base of every reporting view: price periods with their store and listing, and the one place that
-- keeps subscription prices (PS Plus, EA Access) out of the public price columns.
create or replace view reporting.price_history as
with period as (
    select *
    from core.price_history
),
listing as (
    select listing.*, store.display_name as store_name
    from core.listing as listing
    join core.store as store on store.store = listing.store
)
select
    listing.store,
    listing.store_name,
    listing.store_item_id,
    listing.title,
    listing.kind,
    period.region,
    period.currency,
    case when period.subscription is null then period.price end as price,
    period.regular_price,
    case when period.subscription is null then period.discount_percent end as discount_percent,
    period.is_free and period.subscription is null as is_free,
    period.subscription,
    case when period.subscription is not null then period.price end as subscription_price,
    period.discount_ends_at,
    period.valid_from,
    period.valid_to,
    period.last_seen_at,
    listing.url,
    listing.listing_id,
    listing.game_id,
    period.price_period_id
from period
join listing on listing.listing_id = period.listing_id;

comment on view reporting.price_history is
    'Every price period of every listing and region (valid_to null = current); subscription-tied prices only in subscription_price';
