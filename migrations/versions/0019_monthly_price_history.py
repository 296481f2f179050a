"""core.price_history partitioned by the month its periods closed, the open periods kept apart (docs/scaling.md,
"Monthly partitions").

- The table is rebuilt partitioned by range of valid_to: a partition per month in which periods closed (from
  the oldest closed period's month to next month), and the default partition core.price_history_open, where
  every open period (valid_to is null) lives. The daily path reads and closes open periods: `valid_to is null`
  prunes to that one partition at plan time. Closing a period moves its row into its month's partition; the
  ETL creates the months ahead (etl.create_history_partitions), and a period closed in a month without a
  partition stays in core.price_history_open.
- "One open period per listing and region" stays a unique index, on core.price_history_open.
- There is no primary key any more: PostgreSQL wants the partition key in every unique key of a partitioned
  table, and valid_to is null while a period is open and changes when it closes. price_period_id still comes
  from one identity sequence (generated always) and keeps its value when its row moves; an index per
  partition finds it (price_history_period_idx).
- ops.alert_sent loses its foreign key to the period for the same reason (no unique key to reference). The
  constraint trigger alert_sent_price_period_exists checks what the key checked at insert: an alert naming a
  period core.price_history does not hold is refused (foreign_key_violation). Deleting a period an alert names
  is no longer refused: the ETL never deletes periods, and detaching a month to archive it is deliberate.
- The indexes of revisions 0002-0018 are carried under their names and definitions (0015's valid_from index,
  0018's partial index of drops); the columns of 0018 come with `like`. core.price_history_open keeps half of
  each page free (its rows are confirmed after every crawl: HOT updates); the monthly partitions are full
  (closed periods do not change). This replaces 0014's fillfactor 80 for the whole table, a compromise between
  the two kinds of rows.

The columns, defaults, identity, checks and comments come from the table being replaced (`like`), so a column
added by a later revision is carried along; keys, indexes and foreign keys are declared again after the copy.
The rows are copied in one statement that routes each to its partition, inside the migration's transaction:
the table is locked while it runs (bench/RESULTS.md §11 times it at 10M periods). The downgrade copies them
back into one table as 0018 left it (fillfactor 80, primary key, the foreign key of ops.alert_sent).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

REBUILT = r"""
{unchecked}
create table core.price_history_rebuilt (
    like core.price_history including defaults including identity including constraints including comments
) {layout};
{partitions}
insert into core.price_history_rebuilt overriding system value select * from core.price_history;
select setval(pg_get_serial_sequence('core.price_history_rebuilt', 'price_period_id'),
              coalesce(max(price_period_id), 0) + 1, false)
from core.price_history_rebuilt;
drop table core.price_history;
alter table core.price_history_rebuilt rename to price_history;
alter sequence core.price_history_rebuilt_price_period_id_seq rename to price_history_price_period_id_seq;
alter table core.price_history
    add constraint price_history_listing_id_fkey foreign key (listing_id) references core.listing,
    add constraint price_history_region_fkey foreign key (region) references core.region,
    add constraint price_history_currency_fkey foreign key (currency) references core.currency;
{keys}
create index price_history_listing_region_idx on core.price_history (listing_id, region, valid_from);
create index price_history_valid_from_idx on core.price_history (valid_from);
-- In the order "the biggest drops, newest first" asks for (revision 0018).
create index price_history_drop_idx on core.price_history (drop_percent desc, valid_from desc)
    where drop_percent is not null;
comment on table core.price_history is
    'Price periods of a listing in a region: one row per price state, valid_from until valid_to{table_note}';
grant select, insert, update on core.price_history to pricewatch_etl;
"""

# A partition per month (UTC) in which periods closed, from the oldest closed period's month to next month:
# the same names and bounds as etl.create_history_partitions, which adds the months to come.
MONTHLY_PARTITIONS = r"""
create table core.price_history_open partition of core.price_history_rebuilt default with (fillfactor = 50);
comment on table core.price_history_open is
    'The open price periods of core.price_history (valid_to is null), and periods closed in a month without a partition of its own';
do $$
declare
    month timestamptz;
begin
    for month in
        select generate_series(
            date_trunc('month', coalesce(min(valid_to), now()), 'UTC'),
            greatest(date_trunc('month', max(valid_to), 'UTC'), date_trunc('month', now(), 'UTC')) + interval '1 month',
            interval '1 month')
        from core.price_history
    loop
        execute format(
            'create table core.%1$I partition of core.price_history_rebuilt for values from (%2$L) to (%3$L);'
            'comment on table core.%1$I is %4$L',
            'price_history_' || to_char(month at time zone 'UTC', 'YYYY_MM'), month,
            (month at time zone 'UTC' + interval '1 month') at time zone 'UTC',
            'Price periods of core.price_history that closed in ' || to_char(month at time zone 'UTC', 'YYYY-MM') || ' (UTC)');
    end loop;
end;
$$;
"""

PARTITIONED_KEYS = r"""
create index price_history_period_idx on core.price_history (price_period_id);
create unique index price_history_open_key on core.price_history_open (listing_id, region) where valid_to is null;
-- Finds the closed periods a month without a partition left here (etl.create_history_partitions).
create index price_history_open_closed_idx on core.price_history_open (valid_to) where valid_to is not null;
"""

ONE_TABLE_KEYS = r"""
alter table core.price_history add constraint price_history_pkey primary key (price_period_id);
create unique index price_history_open_key on core.price_history (listing_id, region) where valid_to is null;
alter table ops.alert_sent add constraint alert_sent_price_period_id_fkey
    foreign key (price_period_id) references core.price_history;
"""

# What the foreign key of ops.alert_sent checked at insert, checked by a lookup of the period's id (one probe of
# price_history_period_idx per partition). The function lives here, not in etl_sql/: the trigger needs it, and
# the functions of etl_sql/ are dropped and created again around every upgrade. Security definer, as a foreign
# key's check: whoever records an alert need not read the history.
PERIOD_CHECK = r"""
create function core.check_alerted_period() returns trigger
    language plpgsql
    security definer
    set search_path = pg_catalog, pg_temp
as $$
begin
    if not exists (select from core.price_history as period where period.price_period_id = new.price_period_id) then
        raise foreign_key_violation using
            message = format('ops.alert_sent names price period %s, which core.price_history does not hold',
                             new.price_period_id),
            table = 'alert_sent', schema = 'ops', constraint = 'alert_sent_price_period_exists';
    end if;
    return null;
end;
$$;
comment on function core.check_alerted_period() is
    'Refuses an ops.alert_sent row whose price_period_id core.price_history does not hold (its foreign key before the history was partitioned)';
create constraint trigger alert_sent_price_period_exists
    after insert or update of price_period_id on ops.alert_sent
    for each row execute function core.check_alerted_period();
comment on trigger alert_sent_price_period_exists on ops.alert_sent is
    'The period an alert names exists in core.price_history (no foreign key: the partitioned history has no unique key on price_period_id)';
"""

UPGRADE = REBUILT.format(
    unchecked="alter table ops.alert_sent drop constraint alert_sent_price_period_id_fkey;",
    layout="partition by range (valid_to)",
    partitions=MONTHLY_PARTITIONS,
    keys=PARTITIONED_KEYS,
    table_note=' (partitioned by the month it closed; open periods in price_history_open)',
) + r"""
comment on column ops.alert_sent.price_period_id is
    'The price period alerted on (core.price_history; checked by the trigger alert_sent_price_period_exists)';
""" + PERIOD_CHECK

DOWNGRADE = REBUILT.format(
    unchecked="""drop trigger alert_sent_price_period_exists on ops.alert_sent;
drop function core.check_alerted_period();""",
    layout="with (fillfactor = 80)",
    partitions="",
    keys=ONE_TABLE_KEYS,
    table_note="",
) + r"""
comment on column ops.alert_sent.price_period_id is null;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
