-- Catalogue coverage per store, region and currency, counted once per ETL (a count over every current price
-- is too slow for a page view at a million listing-regions).
drop materialized view if exists reporting.store_coverage;

create materialized view reporting.store_coverage as
select
    store,
    store_name,
    region,
    currency,
    count(*) as listings,
    count(price) as priced,
    count(*) filter (where discount_percent > 0) as discounted,
    min(last_seen_at) as oldest_seen_at,
    max(last_seen_at) as newest_seen_at
from reporting.current_prices
group by store, store_name, region, currency;

create unique index store_coverage_key on reporting.store_coverage (store, region, currency) nulls not distinct;

comment on materialized view reporting.store_coverage is
    'Per store, region and currency: current listings, how many are priced and discounted, oldest and newest last-seen time; refreshed after each ETL';
