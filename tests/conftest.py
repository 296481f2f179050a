"""Shared fixtures: a real PostgreSQL (embedded, or the server of PRICEWATCH_DATABASE_URL), one migrated
template database per session, and a fresh copy of it per test (CREATE DATABASE ... TEMPLATE is fast)."""
import contextlib
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from psycopg2 import sql

from foundation import config, database
from pricewatch import migrate

# Fixture modules shared by several test modules.
pytest_plugins = ["etl_fixtures", "crawl_fixtures", "web_fixtures"]

TEMPLATE = "pricewatch_test_template"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The recorded store responses (../shared/corpus, or $PRICEWATCH_CORPUS)."""
    path = config.corpus_dir()
    if not (path / "SOURCES.tsv").exists():
        pytest.fail(f"recorded corpus not found at {path}; set PRICEWATCH_CORPUS")
    return path


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> str:
    """URL of the `postgres` database of a server the tests may create databases on."""
    configured = os.environ.get("PRICEWATCH_DATABASE_URL")
    if configured:
        yield database.with_database(configured, "postgres")
        return
    home = tmp_path_factory.mktemp("pgserver")
    os.environ["PRICEWATCH_HOME"] = str(home)
    server = database.embedded_server(home / "pgdata", cleanup_mode="delete")
    yield database.with_database(server.get_uri(), "postgres")
    server.cleanup()


def admin_execute(server_url: str, statement) -> None:
    with contextlib.closing(psycopg2.connect(server_url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)


@pytest.fixture(scope="session")
def template_url(server_url) -> str:
    admin_execute(server_url, sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(TEMPLATE)))
    admin_execute(server_url, sql.SQL("create database {}").format(sql.Identifier(TEMPLATE)))
    url = database.with_database(server_url, TEMPLATE)
    migrate.upgrade(url)
    yield url
    admin_execute(server_url, sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(TEMPLATE)))


def drop_database(server_url: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin_execute(server_url, sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def create_database(server_url: str, template: str | None = TEMPLATE) -> str:
    name = f"pricewatch_test_{uuid.uuid4().hex[:12]}"
    statement = sql.SQL("create database {}").format(sql.Identifier(name))
    if template:
        statement = sql.SQL("{} template {}").format(statement, sql.Identifier(template))
    admin_execute(server_url, statement)
    return database.with_database(server_url, name)


@pytest.fixture
def db_url(server_url, template_url, monkeypatch) -> str:
    """A fresh, fully migrated database for one test; PRICEWATCH_DATABASE_URL points at it for CLI calls."""
    url = create_database(server_url)
    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", url)
    yield url
    drop_database(server_url, url)


@pytest.fixture
def empty_db_url(server_url, monkeypatch) -> str:
    """A fresh database with no migrations applied."""
    url = create_database(server_url, template=None)
    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", url)
    yield url
    drop_database(server_url, url)


@pytest.fixture
def admin(db_url):
    """An autocommit connection with the migrating login's rights, for assertions."""
    with contextlib.closing(psycopg2.connect(db_url)) as conn:
        conn.autocommit = True
        yield conn


@pytest.fixture
def pricewatch_home(tmp_path, monkeypatch) -> Path:
    """A throw-away project data directory (landing, archive, Scrapyd state)."""
    monkeypatch.setenv("PRICEWATCH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture(autouse=True)
def processes_only_in_slow_tests(request, monkeypatch):
    """A test that starts a process must be marked slow, so that `make test-fast` (-m "not slow") starts none.

    Session fixtures (the embedded server) are set up before this one and may start theirs."""
    if request.node.get_closest_marker("slow"):
        return

    def refuse(self, args, *rest, **options):
        raise AssertionError(f"{request.node.nodeid} starts a process ({args!r}): mark it @pytest.mark.slow")

    monkeypatch.setattr(subprocess.Popen, "_execute_child", refuse)
