-- Writes a run's price periods into core.price_history.
-- needs revision 0018: core.price_history.previous_price, drop_percent
-- Close (or extend) the open periods first, then open the new ones: the unique index on open periods is checked
-- row by row, so both cannot happen in one statement. The periods changed are the open ones (`valid_to is
-- null`: the update reads only core.price_history_open); closing one moves it into its month's partition. Both
-- read one computation of the run's periods, kept in a temporary table (closing changes no price state the
-- opened periods follow). The new periods' drops are set last, once they are all in: a run may open several
-- periods of one listing, each the previous of the next.
create or replace function etl.append_price_periods(for_source text, after_change_id bigint, upto_change_id bigint)
returns integer
language plpgsql
as $$
declare
    closing_ids bigint[];
    opened_ids bigint[];
    first_opened timestamptz;
begin
    create temp table run_period on commit drop as
    select * from etl.price_period_changes(for_source, after_change_id, upto_change_id);
    -- The periods to close named as an array, so they are found through their ids' index: joined to the run's
    -- periods alone, the update hashed every period of the history (1.3 s of steam's 10k-change day at 1M).
    select coalesce(array_agg(price_period_id), '{}') into closing_ids
    from run_period
    where price_period_id is not null;

    update core.price_history as period
    set valid_to = changed.valid_to,
        last_seen_at = greatest(period.last_seen_at, changed.last_seen_at),
        discount_ends_at = changed.discount_ends_at
    from run_period as changed
    where period.price_period_id = any(closing_ids)
      and changed.price_period_id = period.price_period_id
      and period.valid_to is null
      and (period.valid_to, period.last_seen_at, period.discount_ends_at)
          is distinct from (changed.valid_to, greatest(period.last_seen_at, changed.last_seen_at), changed.discount_ends_at);

    with opened_period as (
        insert into core.price_history (
            listing_id, region, currency, price, regular_price, discount_percent, is_free, subscription,
            discount_ends_at, valid_from, valid_to, last_seen_at, opened_by_change_id
        )
        select
            opened.listing_id,
            opened.region,
            opened.currency,
            opened.price,
            opened.regular_price,
            opened.discount_percent,
            opened.is_free,
            opened.subscription,
            opened.discount_ends_at,
            opened.valid_from,
            opened.valid_to,
            opened.last_seen_at,
            opened.opened_by_change_id
        from run_period as opened
        where opened.price_period_id is null
        returning price_period_id, valid_from
    )
    select coalesce(array_agg(price_period_id), '{}'), min(valid_from) into opened_ids, first_opened
    from opened_period;

    -- The previous public price in the same currency, stored so reporting.price_drops reads a drop instead of
    -- searching for it. The opened periods, and nearly always the period each follows (it ended where the
    -- opened one began), are among the periods that ended since the run's first opened period began
    -- (`valid_to >= first_opened`: that month, the next and the open periods), and a listing's periods never
    -- overlap: the newest public one found there is the newest of all. Only when none is there (the period
    -- before was not public, or in another currency) are the other months searched.
    with opened as materialized (
        -- Materialized: each lookup runs once, not again for the filter and for the values set.
        select opened.price_period_id, opened.price,
            coalesce(
                (select previous.price
                 from etl.previous_public_price(opened.listing_id, opened.region, opened.currency, opened.valid_from,
                                                opened.price_period_id, first_opened) as previous),
                (select previous.price
                 from etl.previous_public_price(opened.listing_id, opened.region, opened.currency, opened.valid_from,
                                                opened.price_period_id, '-infinity') as previous)
            ) as previous_price
        from core.price_history as opened
        where opened.price_period_id = any(opened_ids)
          and (opened.valid_to is null or opened.valid_to >= first_opened)
          and opened.subscription is null
          and opened.price is not null
    )
    update core.price_history as period
    set previous_price = opened.previous_price,
        drop_percent = case when opened.price < opened.previous_price
            then round((opened.previous_price - opened.price) * 100 / opened.previous_price, 1) end
    from opened
    where opened.previous_price is not null
      and period.price_period_id = opened.price_period_id
      and (period.valid_to is null or period.valid_to >= first_opened);

    -- One transaction may run several sources.
    drop table run_period;
    return cardinality(opened_ids);
end;
$$;

comment on function etl.append_price_periods(text, bigint, bigint) is
    'Applies etl.price_period_changes: closes or extends the open periods, inserts new ones; returns periods opened';
