-- Runs with its owner's rights: the ETL role refreshes the summaries without owning them.
create or replace function reporting.refresh_summaries()
returns void
language plpgsql
security definer
set search_path = pg_catalog
as $$
begin
    refresh materialized view concurrently reporting.deals;
    refresh materialized view concurrently reporting.store_coverage;
end;
$$;

comment on function reporting.refresh_summaries() is
    'Refreshes reporting.deals and reporting.store_coverage (pricewatch etl calls it after every run)';
