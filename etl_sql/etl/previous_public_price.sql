-- The public price a price period follows: the newest public period before it in the same currency.
-- needs revision 0002
-- Across subscription-only, other-currency and not-for-sale periods (USD 20, EUR 15, USD 10 is a drop from 20
-- to 10). Only the periods that ended at or after `ended_since` (or are open) are searched: core.price_history
-- is partitioned by when a period ended, so PostgreSQL reads only those months; '-infinity' searches them all.
-- A set-returning SQL function with one select: PostgreSQL inlines it into the query that calls it (as a
-- lateral subquery), where a scalar function would run its own executor for every period.
create or replace function etl.previous_public_price(listing_id bigint, region text, currency text,
                                                     valid_from timestamptz, price_period_id bigint,
                                                     ended_since timestamptz)
returns table (price numeric)
language sql
stable
begin atomic
    select earlier.price
    from core.price_history as earlier
    where earlier.listing_id = previous_public_price.listing_id
      and earlier.region = previous_public_price.region
      and earlier.currency = previous_public_price.currency
      and earlier.subscription is null
      and earlier.price is not null
      and earlier.valid_from <= previous_public_price.valid_from
      and (earlier.valid_from < previous_public_price.valid_from
           or earlier.price_period_id < previous_public_price.price_period_id)
      and (earlier.valid_to is null or earlier.valid_to >= ended_since)
    order by earlier.valid_from desc, earlier.price_period_id desc
    limit 1;
end;

comment on function etl.previous_public_price(bigint, text, text, timestamptz, bigint, timestamptz) is
    'The price of the newest public period of a listing, region and currency before the period starting at valid_from (price_period_id breaks ties), among those that ended at or after ended_since or are open; no row when none';
