-- Writes a run's price periods into core.price_history.
-- needs revision 0002
-- Close (or extend) the open periods first, then open the new ones: the unique index on open periods is checked
-- row by row, so both cannot happen in one statement. The periods changed are the open ones (`valid_to is
-- null`: the update reads only core.price_history_open); closing one moves it into its month's partition.
create or replace function etl.append_price_periods(for_source text, after_change_id bigint, upto_change_id bigint)
returns integer
language plpgsql
as $$
declare
    periods_opened integer;
begin
    update core.price_history as period
    set valid_to = changed.valid_to,
        last_seen_at = greatest(period.last_seen_at, changed.last_seen_at),
        discount_ends_at = changed.discount_ends_at
    from etl.price_period_changes(for_source, after_change_id, upto_change_id) as changed
    where changed.price_period_id = period.price_period_id
      and period.valid_to is null
      and (period.valid_to, period.last_seen_at, period.discount_ends_at)
          is distinct from (changed.valid_to, greatest(period.last_seen_at, changed.last_seen_at), changed.discount_ends_at);

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
    from etl.price_period_changes(for_source, after_change_id, upto_change_id) as opened
    where opened.price_period_id is null;

    get diagnostics periods_opened = row_count;
    return periods_opened;
end;
$$;

comment on function etl.append_price_periods(text, bigint, bigint) is
    'Applies etl.price_period_changes: closes or extends the open periods, inserts new ones; returns periods opened';
