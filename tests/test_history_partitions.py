"""core.price_history partitioned by the month its periods closed, open periods apart (revision 0019): months
created ahead by the ETL, core.price_history_open for the open periods (and the months without a partition),
a migration that converts a table with data and back, the alerts' periods checked without a foreign key, and
windows of time that read only their months."""
import contextlib
from datetime import datetime, timedelta, timezone

import psycopg2
import pytest
from etl_fixtures import rows, run_etl

from pricewatch import migrate, reports
from pricewatch.etl_cycle import run_store_source

# Where each period sits, by price_period_id.
HELD_IN = "select price_period_id, tableoid::regclass::text from core.price_history order by price_period_id"
PARTITION_OF_MONTH = "select to_regclass(%s) is not null"
CREATE_AHEAD = "select etl.create_history_partitions()"
OPEN = "core.price_history_open"


def month(months_ahead: int) -> datetime:
    first = datetime.now(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months_ahead):
        first = (first + timedelta(days=32)).replace(day=1)
    return first


def partition(of: datetime) -> str:
    return f"core.price_history_{of.astimezone(timezone.utc):%Y_%m}"


def remove_partition(conn, of: datetime) -> None:
    with conn.cursor() as cur:
        cur.execute(f"drop table {partition(of)}")


def as_etl(conn, statement):
    with conn.cursor() as cur:
        cur.execute("set role pricewatch_etl")
        try:
            cur.execute(statement)
            return cur.fetchone()
        finally:
            cur.execute("reset role")


def store_run(conn) -> dict:
    """One store run the way `pricewatch etl` does it, as the ETL role."""
    with conn.cursor() as cur:
        cur.execute("set role pricewatch_etl")
    try:
        return run_store_source(conn, "steam")
    finally:
        with conn.cursor() as cur:
            cur.execute("reset role")


def test_a_migrated_database_has_this_month_the_next_and_the_open_partition(admin):
    assert rows(admin, "select relkind from pg_class where oid = 'core.price_history'::regclass") == [("p",)]
    for name in (partition(month(0)), partition(month(1)), OPEN):
        assert rows(admin, PARTITION_OF_MONTH, (name,)) == [(True,)], name
    # Cheap when the months exist: nothing to create.
    assert as_etl(admin, CREATE_AHEAD) == (0,)


def test_the_etl_role_cannot_add_a_partition_itself(admin):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        as_etl(admin, "create table core.price_history_2001_01 partition of core.price_history"
                      " for values from ('2001-01-01') to ('2001-02-01')")


@pytest.mark.parametrize("closed, held_in", [
    # A missing month to come is created by the run before its periods are written.
    (lambda: month(1) + timedelta(minutes=30), lambda: partition(month(1))),
    # A month the ETL does not create ahead (years back) is kept by the open periods' partition.
    (lambda: datetime(2020, 1, 15, tzinfo=timezone.utc), lambda: OPEN),
])
def test_a_period_closed_in_a_month_without_partition_lands_in_its_month_or_the_open_partition(
        admin, staging, closed, held_in):
    remove_partition(admin, month(1))
    staging.change("367520", (closed() - timedelta(minutes=20)).isoformat())
    staging.change("367520", closed().isoformat(), price="9.99", discount_percent=50)

    assert store_run(admin)["status"] == "succeeded"

    assert [where for _, where in rows(admin, HELD_IN)] == [held_in(), OPEN]
    assert rows(admin, "select count(*) from reporting.price_history") == [(2,)]


def test_a_month_the_open_partition_already_holds_is_left_there(admin, staging):
    remove_partition(admin, month(1))
    staging.change("367520", (month(1) + timedelta(days=2)).isoformat())
    staging.change("367520", (month(1) + timedelta(days=3)).isoformat(), price="9.99", discount_percent=50)
    run_etl(admin)

    assert as_etl(admin, CREATE_AHEAD) == (0,)

    assert rows(admin, PARTITION_OF_MONTH, (partition(month(1)),)) == [(False,)]
    assert [where for _, where in rows(admin, HELD_IN)] == [OPEN, OPEN]


def test_closing_a_period_moves_it_to_its_month_and_keeps_its_id(admin, staging):
    staging.change("367520", (month(0) - timedelta(days=40)).isoformat())
    run_etl(admin)
    (opened,) = rows(admin, HELD_IN)
    staging.confirm("367520", (month(0) - timedelta(days=1)).isoformat())
    staging.change("367520", (month(0) + timedelta(hours=1)).isoformat(), price="9.99", discount_percent=50)

    run_etl(admin)

    assert opened[1] == OPEN
    assert rows(admin, HELD_IN) == [(opened[0], partition(month(0))), (opened[0] + 1, OPEN)]
    assert rows(admin, "select last_seen_at from core.price_history where price_period_id = %s", (opened[0],)) == [
        (month(0) - timedelta(days=1),)]


def plan_of(conn, query, params=None) -> str:
    return "\n".join(line for (line,) in rows(conn, f"explain {query}", params))


@pytest.mark.parametrize("query", [
    "select * from core.price_history where valid_to is null",
    "select * from reporting.current_prices",
])
def test_the_open_periods_are_read_from_their_partition_alone(admin, query):
    plan = plan_of(admin, query)

    assert "price_history_open" in plan
    assert "price_history_20" not in plan


def drops_report(conn) -> tuple[str, list]:
    statement, params = reports.query("drops", reports.Filters(days=7, limit=50))
    return statement.as_string(conn), params


@pytest.mark.parametrize("drops", [
    lambda conn: ("select * from reporting.price_drops_since(7) order by drop_percent desc, changed_at desc limit 50",
                  None),
    drops_report,
])
def test_the_drops_of_a_week_skip_the_months_that_ended_before_it(admin, drops):
    old_month = "core.price_history_2020_01"
    with admin.cursor() as cur:
        cur.execute(f"create table {old_month} partition of core.price_history"
                    " for values from ('2020-01-01') to ('2020-02-01')")

    plan = plan_of(admin, *drops(admin))

    assert "price_history_open" in plan
    assert "price_history_2020_01" not in plan


def test_a_second_open_period_of_a_listing_and_region_is_refused(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00")
    run_etl(admin)

    with pytest.raises(psycopg2.errors.UniqueViolation, match="price_history_open_key"), admin.cursor() as cur:
        cur.execute("""
            insert into core.price_history (listing_id, region, currency, price, regular_price, discount_percent,
                is_free, valid_from, last_seen_at, opened_by_change_id)
            select listing_id, region, currency, price, regular_price, discount_percent, is_free,
                valid_from + interval '1 day', last_seen_at, opened_by_change_id
            from core.price_history""")


SNAPSHOT = "select * from core.price_history order by price_period_id"
ALERTS = "select watch_rule_id, price_period_id, channel from ops.alert_sent order by 1, 2, 3"


def test_downgrade_and_upgrade_keep_every_period_and_alert(db_url, admin, staging):
    for at, price in (("2026-01-10T10:00:00", "19.99"), ("2026-02-10T10:00:00", "9.99"),
                      ("2026-04-02T10:00:00", "14.99")):
        staging.change("367520", at, price=price)
        staging.change("367520", at, region="GB", currency="GBP", price=price)
    run_etl(admin)
    with admin.cursor() as cur:
        cur.execute("""
            with rule as (
                insert into core.watch_rule (title, anchor_listing_id, min_discount)
                select 'Hollow Knight', listing_id, 10 from core.listing
                returning watch_rule_id
            )
            insert into ops.alert_sent (watch_rule_id, price_period_id, channel)
            select rule.watch_rule_id, period.price_period_id, 'webhook'
            from rule cross join core.price_history as period
            where period.price = 9.99""")
    periods, alerts = rows(admin, SNAPSHOT), rows(admin, ALERTS)
    revisions = migrate.revisions()

    migrate.downgrade(db_url, revisions[revisions.index("0019") - 1])
    assert rows(admin, "select relkind from pg_class where oid = 'core.price_history'::regclass") == [("r",)]
    assert (rows(admin, SNAPSHOT), rows(admin, ALERTS)) == (periods, alerts)

    migrate.upgrade(db_url)
    assert (rows(admin, SNAPSHOT), rows(admin, ALERTS)) == (periods, alerts)
    assert [where for _, where in rows(admin, HELD_IN)] == [
        partition(valid_to) if valid_to else OPEN
        for _, valid_to in rows(admin, "select price_period_id, valid_to from core.price_history order by 1")]
    # New periods continue the ids.
    staging.change("367520", "2026-04-20T10:00:00", price="4.99")
    run_etl(admin)
    assert rows(admin, "select max(price_period_id) from core.price_history") == [(periods[-1][0] + 1,)]


def alert_for(conn, period: str):
    """Records an alert on `period` (SQL giving a price_period_id) as the ETL role records sent alerts."""
    with conn.cursor() as cur:
        cur.execute("insert into core.watch_rule (title, anchor_listing_id, min_discount)"
                    " select 'Hollow Knight', listing_id, 10 from core.listing")
    return as_etl(conn, "insert into ops.alert_sent (watch_rule_id, price_period_id, channel)"
                        f" select watch_rule_id, ({period}), 'webhook' from core.watch_rule returning price_period_id")


@pytest.mark.parametrize("closed", [False, True])
def test_an_alert_on_a_period_held_in_any_partition_is_recorded(admin, staging, closed):
    staging.change("367520", "2026-03-01T00:00:00")
    if closed:
        staging.change("367520", "2026-03-05T00:00:00", price="9.99", discount_percent=50)
    run_etl(admin)

    (recorded,) = alert_for(admin, "select min(price_period_id) from core.price_history")

    assert rows(admin, "select price_period_id from ops.alert_sent") == [(recorded,)]


def test_an_alert_naming_a_missing_period_is_refused_with_the_period_named(admin, staging):
    staging.change("367520", "2026-03-01T00:00:00")
    run_etl(admin)
    (missing,) = rows(admin, "select max(price_period_id) + 1 from core.price_history")[0]

    with pytest.raises(psycopg2.errors.ForeignKeyViolation,
                       match=f"ops.alert_sent names price period {missing}, which core.price_history does not hold"):
        alert_for(admin, str(missing))


# The definition of core.price_history and of what refers to it: columns with their comments, indexes,
# constraints, storage parameters, grants, and the triggers of ops.alert_sent.
DEFINITION = """
select 'column ' || attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull || ' ' || attidentity::text
    || ' ' || coalesce(col_description(attrelid, attnum), '')
from pg_attribute where attrelid = 'core.price_history'::regclass and attnum > 0 and not attisdropped
union all select 'index ' || indexdef from pg_indexes where schemaname = 'core' and tablename = 'price_history'
union all select 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
    where conrelid = 'core.price_history'::regclass or confrelid = 'core.price_history'::regclass
union all select 'table ' || coalesce(reloptions::text, '') || ' ' || coalesce(relacl::text, '') || ' '
    || obj_description(oid, 'pg_class') from pg_class where oid = 'core.price_history'::regclass
union all select 'trigger ' || tgname from pg_trigger where tgrelid = 'ops.alert_sent'::regclass and not tgisinternal
union all select 'alert column ' || coalesce(col_description('ops.alert_sent'::regclass, 2), '')
order by 1
"""


def test_downgrade_restores_the_table_of_the_revision_before(db_url, empty_db_url, admin):
    before = migrate.revisions()[migrate.revisions().index("0019") - 1]
    migrate.upgrade(empty_db_url, before)
    with contextlib.closing(psycopg2.connect(empty_db_url)) as unpartitioned:
        expected = rows(unpartitioned, DEFINITION)

    migrate.downgrade(db_url, before)

    assert rows(admin, DEFINITION) == expected
