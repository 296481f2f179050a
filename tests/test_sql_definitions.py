"""Functions and views are repeatable definitions: etl_sql/<schema>/<object>.sql, re-created after every upgrade
or downgrade from the files, whatever the revision (docs/model.md)."""
import contextlib
import uuid
from importlib import resources

import psycopg2
import pytest
from psycopg2 import sql

from foundation.errors import PricewatchError
from migrations import repeatable
from pricewatch import migrate

# Every function and view of the repeatable schemas, with what a file decides about it.
DEFINITIONS = """
select 'function', routine.pronamespace::regnamespace::text || '.' || routine.proname,
       pg_get_functiondef(routine.oid), routine.proacl::text, obj_description(routine.oid, 'pg_proc')
from pg_proc as routine
where routine.pronamespace::regnamespace::text in ('etl', 'reporting', 'ops')
union all
select 'view', view.relnamespace::regnamespace::text || '.' || view.relname,
       pg_get_viewdef(view.oid), view.relacl::text, obj_description(view.oid, 'pg_class')
from pg_class as view
where view.relnamespace::regnamespace::text in ('etl', 'reporting', 'ops') and view.relkind = 'v'
"""

# One hand-made staging change per ETL entry point, in the columns every revision since the table's own has.
ENTRY_POINTS = {
    "etl.run_source": ("steam", "staging.store_listing", {
        "source": "steam", "region": "US", "change_seq": 1, "observed_at": "2026-11-01T10:00:00Z",
        "last_seen_at": "2026-11-01T10:00:00Z", "last_seen_feed_file_id": 0, "currency": "USD", "price": 9.99,
        "regular_price": 9.99, "discount_percent": 0, "is_free": False, "title": "Hand-made Game", "kind": "game",
        "feed_file_id": 0, "line_number": 1}),
    "etl.run_news_source": ("reddit", "staging.news_item", {
        "source": "reddit", "feed": "GameDeals", "change_seq": 1, "observed_at": "2026-11-01T10:00:00Z",
        "last_seen_at": "2026-11-01T10:00:00Z", "last_seen_feed_file_id": 0, "title": "[Steam] Hand-made Game (50% off)",
        "feed_file_id": 0, "line_number": 1}),
}
KEY_COLUMN = {"staging.store_listing": "store_item_id", "staging.news_item": "external_id"}


def definitions(url) -> dict[str, tuple]:
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(DEFINITIONS)
        return {name: (kind, definition, acl, comment) for kind, name, definition, acl, comment in cur.fetchall()}


def run_every_etl(url) -> set[str]:
    """Stages a new change for each ETL entry point the database has and runs it as the ETL role; returns the
    entry points that ran."""
    ran = set()
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        for function, (source, table, row) in ENTRY_POINTS.items():
            cur.execute("select to_regproc(%s) is not null", (function,))
            if not cur.fetchone()[0]:
                continue
            # Where staging is a view over a change log (0016), the change goes into the log.
            cur.execute("select coalesce(to_regclass(%s), %s::regclass)::text", (f"{table}_change", table))
            (written,) = cur.fetchone()
            cur.execute("select array_agg(attname::text) from pg_attribute where attrelid = %s::regclass", (written,))
            columns = set(cur.fetchone()[0])
            staged = {**row, KEY_COLUMN[table]: uuid.uuid4().hex, "content_hash": str(uuid.uuid4())}
            names = [name for name in staged if name in columns]
            cur.execute(sql.SQL("insert into {} ({}) values ({})").format(
                sql.Identifier(*written.split(".")), sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names))), [staged[name] for name in names])
            cur.execute("set role pricewatch_etl")
            cur.execute(sql.SQL("select status, error, rows_in from {}(%s)").format(
                sql.Identifier(*function.split("."))), (source,))
            assert cur.fetchone() == ("succeeded", None, 1), function
            cur.execute("reset role")
            ran.add(function)
        conn.commit()
    return ran


def read_every_view(url) -> None:
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute("select relnamespace::regnamespace::text, relname from pg_class where relkind = 'v'"
                    " and relnamespace::regnamespace::text in ('etl', 'reporting', 'ops')")
        for schema, view in cur.fetchall():
            cur.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, view)))


def test_every_file_is_one_object_named_after_it():
    objects = repeatable.read_objects()
    files = [f"{schema}.{entry.name.removesuffix('.sql')}" for schema in repeatable.SCHEMAS
             for entry in resources.files("etl_sql").joinpath(schema).iterdir() if entry.name.endswith(".sql")]
    assert sorted(objects) == sorted(files)


def test_objects_are_created_after_the_objects_they_use():
    objects = repeatable.read_objects()
    order = [found.name for found in repeatable.creation_order(objects)]
    for found in objects.values():
        assert all(order.index(used) < order.index(found.name) for used in found.references & objects.keys())
    assert objects["reporting.best_prices"].references == {"reporting.best_prices_in"}
    assert objects["reporting.best_prices_in"].references == {"reporting.current_prices", "reporting.game_search", "reporting.historical_lows"}
    assert objects["etl.run_source"].references == {"etl.run", "etl.transform_store_changes", "ops.etl_run"}


@pytest.mark.parametrize("text, problem", [
    ("-- Two.\ncreate or replace view reporting.x as select 1;\ncreate or replace view reporting.y as select 2;\n"
     "comment on view reporting.x is 'x';", "defines 2 objects"),
    ("-- Misnamed.\ncreate or replace view reporting.y as select 1;\ncomment on view reporting.y is 'y';",
     "a file is named after its object"),
    ("-- Wrong folder.\ncreate or replace view etl.x as select 1;\ncomment on view etl.x is 'x';",
     "a file is named after its object"),
    ("create or replace view reporting.x as select 1;\ncomment on view reporting.x is 'x';",
     "one-line `--` description"),
    ("-- No comment.\ncreate or replace view reporting.x as select 1;", "has no `comment on view reporting.x`"),
])
def test_a_file_breaking_the_convention_is_named(text, problem):
    with pytest.raises(repeatable.DefinitionError, match="^etl_sql/reporting/x.sql: .*" + problem.replace("`", ".")):
        repeatable.parse("etl_sql/reporting/x.sql", text)


def sql_object(name, needs, *uses):
    schema, _, object_name = name.partition(".")
    text = (f"-- {name}.\n" + (f"-- needs revision {needs}\n" if needs else "") + "-- Mentions reporting.z.\n"
            f"create or replace view {name} as select * from {', '.join(uses) or 'core.game'};\n"
            f"comment on view {name} is 'uses reporting.z';")
    return repeatable.parse(f"etl_sql/{schema}/{object_name}.sql", text)


@pytest.mark.parametrize("current, held", [
    (None, []),
    ("0001", ["reporting.a"]),
    ("0002", ["reporting.a", "reporting.b"]),
    ("0003", ["reporting.a", "reporting.b", "reporting.c", "reporting.d"]),
])
def test_a_revision_holds_what_it_and_the_objects_used_need(current, held):
    # c needs 0002 itself but uses d, which needs the head; comments and `comment on` text are no use.
    objects = {found.name: found for found in (
        sql_object("reporting.a", "0001"), sql_object("reporting.b", "0002", "reporting.a"),
        sql_object("reporting.c", "0002", "reporting.b", "reporting.d"), sql_object("reporting.d", None),
        sql_object("reporting.z", "0001"))}
    del objects["reporting.z"]
    chosen = repeatable.available(objects, ["0001", "0002", "0003"], current)
    assert sorted(found.name for found in chosen) == held


def test_each_revision_up_and_down_holds_what_it_can_and_runs_its_etl(empty_db_url):
    revisions = migrate.revisions()
    ran = {}
    for revision in revisions:
        migrate.upgrade(empty_db_url, revision)
        read_every_view(empty_db_url)
        ran[revision] = run_every_etl(empty_db_url)
        expected = repeatable.available(repeatable.read_objects(), revisions, revision)
        assert sorted(definitions(empty_db_url)) == sorted(found.name for found in expected)
    assert ran[revisions[-1]] == set(ENTRY_POINTS)
    for revision in reversed(revisions[:-1]):
        migrate.downgrade(empty_db_url, revision)
        read_every_view(empty_db_url)
        assert run_every_etl(empty_db_url) == ran[revision]


def test_the_database_definitions_equal_the_files(db_url):
    migrated = definitions(db_url)
    objects = repeatable.read_objects()
    assert sorted(migrated) == sorted(objects), "every function and view has its file, every file its object"
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        repeatable.drop_all(cur)
        conn.commit()
    assert definitions(db_url) == {}
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        for found in repeatable.creation_order(objects):
            cur.execute(found.text)
        conn.commit()
    created = definitions(db_url)
    assert {name: (kind, text, comment) for name, (kind, text, _, comment) in created.items()} == \
        {name: (kind, text, comment) for name, (kind, text, _, comment) in migrated.items()}


def report(url, view) -> list:
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("select * from {} order by 1, 2, 3").format(sql.Identifier("reporting", view)))
        return cur.fetchall()


def test_upgrading_again_changes_nothing(db_url):
    run_every_etl(db_url)
    before = definitions(db_url), report(db_url, "best_prices"), migrate.current(db_url)
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)
    assert (definitions(db_url), report(db_url, "best_prices"), migrate.current(db_url)) == before


def test_an_edited_view_takes_effect_on_upgrade_even_when_columns_go(db_url, monkeypatch):
    # reporting.price_drops loses a column (create or replace cannot do that) while a function returns its rows.
    files = repeatable.read_objects()
    drops = files["reporting.price_drops"]
    files["reporting.price_drops"] = repeatable.parse(drops.path, drops.text.replace("    url,\n", ""))
    monkeypatch.setattr(repeatable, "read_objects", lambda: files)
    migrate.upgrade(db_url)
    with contextlib.closing(psycopg2.connect(db_url)) as conn, conn.cursor() as cur:
        cur.execute("select * from reporting.price_drops_since(7)")
        assert "url" not in [column.name for column in cur.description]
        assert "game_id" in [column.name for column in cur.description]


def test_an_object_without_a_file_goes_at_the_next_upgrade(db_url, admin):
    # Tied to reporting.price_drops by its row type only: dropped before the view all the same.
    with admin.cursor() as cur:
        cur.execute("create function reporting.leftover() returns setof reporting.price_drops language sql"
                    " as $$ select * from reporting.price_drops $$")
    migrate.upgrade(db_url)
    assert sorted(definitions(db_url)) == sorted(repeatable.read_objects())


def test_an_object_of_someone_else_on_ours_stops_the_upgrade_and_nothing_changes(db_url, admin):
    with admin.cursor() as cur:
        cur.execute("create view public.my_best as select game, price from reporting.best_prices")
    before = definitions(db_url)
    with pytest.raises(PricewatchError, match="migrating to head failed, the database is unchanged: "
                                              "cannot drop view reporting.best_prices"):
        migrate.upgrade(db_url)
    assert definitions(db_url) == before
