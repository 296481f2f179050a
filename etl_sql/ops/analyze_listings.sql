-- Planner statistics of core.listing, refreshed on the ETL's behalf when a run grew it a lot.
-- needs revision 0002
-- The ETL's role owns nothing, and PostgreSQL 16 lets only a table's owner ANALYZE it. A store's first import
-- grows core.listing from (nearly) nothing inside the run's transaction; planned with the old statistics,
-- etl.price_period_changes joins by nested loops that re-sort per row (210 s for a first day of 33k listings).
create or replace function ops.analyze_listings(listings_written integer) returns void
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
begin
    -- reltuples: what the statistics know (-1 before the first analyze); a day's few new listings do not count.
    if listings_written > greatest(1000, (select reltuples from pg_class where oid = 'core.listing'::regclass) * 0.2) then
        analyze core.listing;
    end if;
end
$$;

comment on function ops.analyze_listings(integer) is 'Refreshes the planner statistics of core.listing for the ETL after it wrote many listings';
grant execute on function ops.analyze_listings(integer) to pricewatch_etl;
