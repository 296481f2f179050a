-- Until which crawl time a current price stays current, by the freshness rule.
-- needs revision 0010: core.freshness
-- reporting.price_history ends a current price in two ways: its store and region's latest crawl is more than
-- stale_after past its last sighting, or past the sale end the store announced after its last sighting. Both
-- are a crawl time fixed by the period alone, so the web summaries find the prices a moving crawl made stale
-- through an index on this time (reporting.current_offer.check_at) instead of judging every price again.
create or replace function etl.current_until(last_seen_at timestamptz, discount_ends_at timestamptz,
                                             stale_after interval)
returns timestamptz
language sql
stable parallel safe
return least(last_seen_at + stale_after,
             case when discount_ends_at > last_seen_at then discount_ends_at end);

comment on function etl.current_until(timestamptz, timestamptz, interval) is
    'The latest crawl time at which a price last seen at last_seen_at, with that announced sale end, is still current (core.freshness.stale_after passed as stale_after)';
