-- Creates the monthly partitions of core.price_history for this month and the next, when missing.
-- needs revision 0019: core.price_history partitioned by month of valid_to, open periods in price_history_open
-- Security definer: only the table's owner may add a partition, and the ETL role owns nothing; this function
-- is all it can do with that right. Cheap when the months exist (two catalog lookups), so every store run
-- calls it first, committed on its own: creating a partition locks the whole table, which must not last a run,
-- and reads core.price_history_open once to prove none of its rows belongs to the new month.
-- A month is left to core.price_history_open, where every query still finds its closed periods, when the
-- table is busy (lock_timeout; the next run tries again) or when that partition already holds periods closed
-- in the month (creating the partition would have to move them: docs/scaling.md says how).
create or replace function etl.create_history_partitions()
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set lock_timeout = '2s'
as $$
declare
    month timestamptz;
    partition_name text;
    created integer := 0;
begin
    for month in
        select generate_series(date_trunc('month', now()), date_trunc('month', now()) + interval '1 month',
                               interval '1 month')
    loop
        partition_name := 'price_history_' || to_char(month, 'YYYY_MM');
        continue when to_regclass('core.' || partition_name) is not null
            or exists (select from core.price_history_open as held
                       where held.valid_to >= month and held.valid_to < month + interval '1 month');
        begin
            execute format(
                'create table core.%1$I partition of core.price_history for values from (%2$L) to (%3$L);'
                'comment on table core.%1$I is %4$L',
                partition_name, month, month + interval '1 month',
                'Price periods of core.price_history that closed in ' || to_char(month, 'YYYY-MM') || ' (UTC)');
            created := created + 1;
        exception when lock_not_available or duplicate_table or unique_violation then
            -- Busy, or a concurrent run created it first.
            null;
        end;
    end loop;
    return created;
end;
$$;

comment on function etl.create_history_partitions() is
    'Creates the partitions of core.price_history for this month and the next (UTC) when missing; returns how many it created';
