"""Security beyond tests/test_roles.py: what the loader and ETL roles can never do, the whole pipeline run by
a login that is no superuser, and no configured password in any output or log."""
import contextlib
import os
import secrets
import uuid
from urllib.parse import quote

import psycopg2
import pytest
from loader_fixtures import listing, write_feed
from psycopg2 import sql
from scrapyd_fixtures import PASSWORD, pricewatch, running_node
from test_roles import fails, privileged_tables

from foundation import database
from pricewatch import crawl_jobs


@pytest.mark.parametrize("privilege", ["insert", "update", "delete", "truncate"])
def test_loader_writes_nothing_in_core(db_url, privilege):
    assert privileged_tables(db_url, "pricewatch_loader", privilege, "core", "reporting") == []


@pytest.mark.parametrize("statement", [
    "insert into core.store values ('itch', 'itch.io', 'https://itch.io/')",
    "update core.listing set title = ''",
    "delete from core.price_history",
    "create table core.scratch (id int)",
    "create table staging.scratch (id int)",
])
def test_loader_cannot_touch_core_or_change_the_schema(db_url, statement):
    assert fails(db_url, "pricewatch_loader", statement)


@pytest.mark.parametrize("statement", [
    "alter table core.listing add column note text",
    "drop table core.price_history",
    "drop view reporting.best_prices",
    "create or replace function etl.run_source(source text) returns void language sql as 'select'",
    "create schema scratch",
    "create index on core.price_history (listing_id)",
    "truncate core.price_history",
    "alter role pricewatch_etl superuser",
])
def test_etl_role_cannot_change_the_schema(db_url, statement):
    assert fails(db_url, "pricewatch_etl", statement)


@pytest.fixture
def application_login(server_url, db_url):
    """A LOGIN role that is no superuser and only a member of the three pricewatch roles, with a password."""
    name = f"pricewatch_app_{uuid.uuid4().hex[:8]}"
    password = f"db-{secrets.token_hex(12)}"
    with contextlib.closing(psycopg2.connect(server_url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("create role {} login nosuperuser nocreatedb nocreaterole password {}").format(
                sql.Identifier(name), sql.Literal(password)))
            cur.execute(sql.SQL("grant pricewatch_loader, pricewatch_etl, pricewatch_reader to {}").format(
                sql.Identifier(name)))
    parts = db_url.split("://", 1)[1].split("@", 1)[1]
    yield name, password, f"postgresql://{name}:{quote(password)}@{parts}"
    with contextlib.closing(psycopg2.connect(db_url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
            cur.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


@pytest.mark.slow
def test_load_etl_and_report_run_as_a_login_that_is_no_superuser(application_login, pricewatch_home, tmp_path):
    name, password, url = application_login
    with contextlib.closing(database.connect(url=url)) as conn, conn.cursor() as cur:
        cur.execute("select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user")
        assert cur.fetchone() == (False, False, False)
    feed = write_feed(tmp_path / "steam.jl", [listing(), listing(store_item_id="367520", title="Hollow Knight")])
    env = dict(os.environ, PRICEWATCH_DATABASE_URL=url, PRICEWATCH_HOME=str(pricewatch_home))
    outputs = [pricewatch("-v", "load", str(feed), env=env), pricewatch("-v", "etl", "steam", env=env),
               pricewatch("-v", "report", "best", "--format", "csv", env=env), pricewatch("-v", "status", env=env)]
    assert outputs[0].stdout == f"{feed}: read 2, new 2, unchanged 0, rejected 0\n"
    assert outputs[1].stdout.startswith("steam: 2 rows in, 2 price changes, 2 listings changed")
    assert "Stardew Valley" in outputs[2].stdout and "Hollow Knight" in outputs[2].stdout
    # The login's password shows up nowhere, not even in errors that name the database.
    refused = pricewatch("etl", env=dict(env, PRICEWATCH_DATABASE_URL=url.replace("/pricewatch_test", "/nothing_")),
                         check=False)
    assert refused.returncode == 1 and "***" in refused.stderr
    for output in [*outputs, refused]:
        assert password not in output.stdout + output.stderr


@pytest.mark.slow
def test_no_scrapyd_or_database_password_in_any_log_of_a_crawl(pricewatch_home, replay_server, db_url):
    """The Scrapyd password lives only in the rendered scrapyd.conf (0600); logs, crawl logs, feeds and stats
    files never hold it, nor the database URL's password."""
    database_password = f"db-{secrets.token_hex(8)}"
    home = pricewatch_home / "node"
    with running_node("local", home, PRICEWATCH_DATABASE_URL=f"postgresql://pw:{database_password}@127.0.0.1:1/x",
                      PRICEWATCH_LANDING=str(home / "landing")) as node, \
            pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRICEWATCH_HOME", str(home))
        environment = dict(os.environ, PRICEWATCH_HOME=str(home), PRICEWATCH_SCRAPYD_USERNAME="pricewatch-test",
                           PRICEWATCH_SCRAPYD_PASSWORD=PASSWORD, PRICEWATCH_SCRAPYD_NODES=f"local={node.url}")
        pricewatch("deploy", "--all", env=environment)
        node.schedule("gog", "gog-secrets", {"regions": "US"}, {"PRICEWATCH_REPLAY_URL": replay_server.url,
                                                                 "DOWNLOAD_DELAY": "0"})
        crawl_jobs.wait([node], ["gog-secrets"], timeout=300)
    written = [path for path in home.rglob("*") if path.is_file()]
    assert any(path.name == "gog-secrets.log" for path in written), written
    assert any(path.name == "gog-secrets.stats.json" for path in written), written
    holding = sorted(str(path.relative_to(home)) for path in written
                     if PASSWORD.encode() in path.read_bytes() or database_password.encode() in path.read_bytes())
    assert set(holding) <= {"scrapyd/scrapyd.conf"}, holding
