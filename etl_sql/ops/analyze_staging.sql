-- Planner statistics of a staging table, refreshed on the loader's behalf.
-- needs revision 0001
-- PostgreSQL 16 lets only a table's owner ANALYZE it, and the loader's role owns nothing. Without fresh
-- statistics after a load that grew a staging table a lot (the first load above all), the ETL that follows
-- plans for a near-empty table and joins by nested loops, quadratic in the load's size.
create or replace function ops.analyze_staging(relation regclass) returns void
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
begin
    if (select relnamespace <> 'staging'::regnamespace from pg_class where oid = relation) then
        raise exception '% is not a staging table', relation using errcode = 'insufficient_privilege';
    end if;
    execute format('analyze %s', relation);
end
$$;

comment on function ops.analyze_staging(regclass) is 'Refreshes the planner statistics of a staging table for the loader, which does not own it';
grant execute on function ops.analyze_staging(regclass) to pricewatch_loader;
