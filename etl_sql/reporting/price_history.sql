-- Every price period of every listing and region.
-- needs revision 0011: core.latest_crawl, core.freshness
-- The base of every reporting view: price periods with their store and listing, the one place that keeps
-- subscription prices (PS Plus, EA Access) out of the public price columns, and the one place that applies
-- the freshness rule (docs/model.md, "When a price is current").
create or replace view reporting.price_history as
with listing as (
    select listing.*, store.display_name as store_name
    from core.listing as listing
    join core.store as store on store.store = listing.store
),
judged_period as (
    select
        period.*,
        -- Unseen for longer than the rule allows: before its next change, or before the latest crawl.
        -- The setting is read as a value, not joined: its one row would count as a default-sized table in
        -- every plan (autovacuum never analyzes a one-row table), multiplying the row estimates of every view.
        coalesce(period.valid_to, latest_crawl.crawled_at)
            > period.last_seen_at + (select freshness.stale_after from core.freshness as freshness) as unseen,
        -- The store said when the sale ends, and that passed before we saw the listing again.
        period.discount_ends_at > period.last_seen_at
            and period.discount_ends_at < coalesce(period.valid_to, latest_crawl.crawled_at) as sale_ended
    from core.price_history as period
    join core.listing as listing on listing.listing_id = period.listing_id
    -- A store and region the ETL has no crawl of (periods written by hand) judges nothing stale.
    left join core.latest_crawl as latest_crawl
        on latest_crawl.store = listing.store and latest_crawl.region = period.region
),
period as (
    select
        judged_period.*,
        case
            when judged_period.unseen then judged_period.last_seen_at
            when judged_period.sale_ended then judged_period.discount_ends_at
            else judged_period.valid_to
        end as held_until
    from judged_period
)
select
    listing.store,
    listing.store_name,
    listing.store_item_id,
    -- The title and page of the listing in the period's region; a region never shows another's.
    coalesce(listing_region.title, listing.title) as title,
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
    period.held_until,
    period.held_until is null as is_current,
    period.last_seen_at,
    case when listing_region.listing_id is null then listing.url else listing_region.url end as url,
    listing.listing_id,
    listing.game_id,
    period.price_period_id
from period
join listing on listing.listing_id = period.listing_id
left join core.listing_region as listing_region
    on listing_region.listing_id = period.listing_id and listing_region.region = period.region;

comment on view reporting.price_history is
    'Every price period of every listing and region; subscription-tied prices only in subscription_price';
comment on column reporting.price_history.valid_to is 'When the next observed state replaced this one (null: none has yet)';
comment on column reporting.price_history.held_until is
    'Until when the price is known to have held: valid_to, or the last sighting when the listing went unseen for longer than core.freshness allows, or the sale''s end when it passed unseen; null = current';
comment on column reporting.price_history.is_current is 'The price holds now: its listing is still seen by the crawls of its store and region (core.freshness)';
