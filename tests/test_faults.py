"""Faults against real processes: the database down while spiders crawl, the ETL killed mid-run, an unusable
landing directory, Scrapyd restarted with jobs pending. (The loader killed mid-file and racing loaders and ETL
runs are in tests/test_loader_processes.py and tests/test_etl_cli.py.)"""
import contextlib
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import psycopg2
import pytest
from conftest import admin_execute, create_database
from crawl_fixtures import run_crawl
from loader_fixtures import listing, write_feed
from psycopg2 import sql
from scrapyd_fixtures import PASSWORD, USERNAME, free_port, pricewatch

from foundation import config
from pricewatch import crawl_jobs, scrapyd
from pricewatch.cli import main

DEAD_DATABASE = "postgresql://pricewatch@127.0.0.1:9/pricewatch?connect_timeout=2"


def without_ids(url: str, relation: str) -> list[str]:
    """The rows of `relation` as JSON without generated ids (sequences move on in rolled-back runs) and without
    the time the game matcher ran."""
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("""
            select (select jsonb_object_agg(key, value) from jsonb_each(to_jsonb(r))
                    where key not like '%%\\_id' and key <> 'matched_at')::text
            from {} r order by 1""").format(sql.Identifier(*relation.split("."))))
        return [text for (text,) in cur.fetchall()]


@contextlib.contextmanager
def other_database(server_url):
    url = create_database(server_url)
    try:
        yield url
    finally:
        admin_execute(server_url, sql.SQL("drop database {} with (force)").format(
            sql.Identifier(urlsplit(url).path.lstrip("/"))))


@pytest.mark.slow
def test_database_down_while_spiders_crawl_loses_nothing(server_url, db_url, pricewatch_home, replay_server,
                                                         tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", DEAD_DATABASE)
    crawl = run_crawl("gog", replay_server.url, tmp_path, regions="US,DE")
    assert crawl.returncode == 0 and crawl.report["health"] == "ok", crawl.log[-2000:]
    feed, items = crawl.feed, crawl.report["items_scraped"]
    monkeypatch.setenv("PRICEWATCH_LANDING", str(crawl.landing))

    assert main(["load", "--landing"]) == 1
    assert "cannot connect to the database at postgresql://pricewatch@127.0.0.1:9/" in capsys.readouterr().err
    assert feed.exists() and not list(config.archive_dir().rglob("*.jl.gz")), "the feed waits in landing"

    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", db_url)
    assert main(["load", "--landing"]) == 0 and main(["etl", "gog"]) == 0
    assert not feed.exists() and len(list(config.archive_dir().rglob("*.jl.gz"))) == 1
    caught_up = {relation: without_ids(db_url, relation) for relation in ("staging.store_listing", "core.price_history")}
    assert len(caught_up["core.price_history"]) == items > 0

    # The same crawl loaded by a run that never had an outage holds exactly the same rows.
    with other_database(server_url) as clean:
        monkeypatch.setenv("PRICEWATCH_DATABASE_URL", clean)
        archived = next(config.archive_dir().rglob("*.jl.gz"))
        assert main(["load", str(archived)]) == 0 and main(["etl", "gog"]) == 0
        assert {relation: without_ids(clean, relation) for relation in caught_up} == caught_up


def wait_for_etl_statement(admin, process, timeout=120):
    deadline = time.monotonic() + timeout
    with admin.cursor() as cur:
        while time.monotonic() < deadline and process.poll() is None:
            cur.execute("""select count(*) from pg_stat_activity where application_name = 'pricewatch'
                           and datname = current_database() and state = 'active'
                           and query like '%%run_source%%'""")
            if cur.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError(f"the ETL never got going: {process.communicate()}")


@pytest.mark.slow
def test_etl_killed_mid_run_leaves_nothing_and_the_rerun_equals_a_clean_run(server_url, db_url, admin, tmp_path):
    feeds = [write_feed(tmp_path / f"day{day}.jl", [
        listing(store_item_id=str(item), price=f"{(item + day) % 50 + 1}.99", regular_price="99.99",
                scraped_at=f"2026-11-0{day}T10:00:00Z") for item in range(10000)]) for day in (1, 2)]
    assert main(["load", *map(str, feeds)]) == 0
    process = subprocess.Popen([sys.executable, "-m", "pricewatch.cli", "etl", "steam"], env=os.environ.copy(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_etl_statement(admin, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    # Its backend finishes the statement it was running, finds no client and rolls back; the rerun waits for
    # the source lock until then.
    assert main(["etl", "steam"]) == 0
    with admin.cursor() as cur:
        cur.execute("select status, rows_in from ops.etl_run")
        assert cur.fetchall() == [("succeeded", 20000)], "the killed run left no trace"
    rerun = {relation: without_ids(db_url, relation) for relation in ("core.listing", "core.price_history")}
    assert len(rerun["core.price_history"]) == 20000
    with other_database(server_url) as clean, pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRICEWATCH_DATABASE_URL", clean)
        assert main(["load", *map(str, feeds)]) == 0 and main(["etl", "steam"]) == 0
        assert {relation: without_ids(clean, relation) for relation in rerun} == rerun


@pytest.mark.slow
def test_unusable_landing_directory_fails_the_crawl_clearly(replay_server, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the landing directory should be\n")
    crawl = run_crawl("gog", replay_server.url, tmp_path, settings={"PRICEWATCH_LANDING": str(blocked / "landing")},
                      regions="US")
    assert crawl.returncode != 0 or "Error" in crawl.log
    assert "not-a-directory" in crawl.log and ("Not a directory" in crawl.log or "NotADirectoryError" in crawl.log)
    assert blocked.read_text() == "a file where the landing directory should be\n"


@contextlib.contextmanager
def queueing_scrapyd(home, landing):
    """A local Scrapyd that runs one crawl at a time (max_proc = 1 from ~/.scrapyd.conf), so jobs queue."""
    user_home = home / "user"
    user_home.mkdir(parents=True)
    (user_home / ".scrapyd.conf").write_text("[scrapyd]\nmax_proc = 1\n")
    env = dict(os.environ, HOME=str(user_home), PRICEWATCH_HOME=str(home), PRICEWATCH_LANDING=str(landing),
               PRICEWATCH_SCRAPYD_USERNAME=USERNAME, PRICEWATCH_SCRAPYD_PASSWORD=PASSWORD,
               PRICEWATCH_SCRAPYD_PORT=str(free_port()))
    env["PRICEWATCH_SCRAPYD_NODES"] = f"local={scrapyd.local_url(int(env['PRICEWATCH_SCRAPYD_PORT']))}"
    pricewatch("scrapyd", "start", env=env)
    try:
        yield env, scrapyd.Node("local", env["PRICEWATCH_SCRAPYD_NODES"].split("=", 1)[1],
                                scrapyd.Credentials(USERNAME, PASSWORD))
    finally:
        pricewatch("scrapyd", "stop", env=env)


def job_states(node) -> dict[str, str]:
    listing_ = node.jobs()
    return {job["id"]: state for state in ("pending", "running", "finished") for job in listing_[state]}


@pytest.mark.slow
def test_scrapyd_restart_keeps_pending_jobs_and_the_running_one_is_recorded_lost(admin, db_url, replay_server,
                                                                               tmp_path):
    """Scrapyd's pending queue is SQLite in dbs_dir: pending jobs survive a restart and run afterwards. Scrapyd
    forgets the job that was running; the next sync records it as lost (its crawl process, though, finishes)."""
    home, landing = tmp_path / "home", tmp_path / "landing"
    slow = {"PRICEWATCH_REPLAY_URL": replay_server.url, "DOWNLOAD_DELAY": "3", "AUTOTHROTTLE_ENABLED": "False"}
    with queueing_scrapyd(home, landing) as (env, node):
        pricewatch("deploy", "--all", env=env)
        jobs = ["gog-restart-1", "gog-restart-2", "gog-restart-3"]
        with contextlib.closing(psycopg2.connect(db_url)) as conn:
            for job in jobs:
                with conn.cursor() as cur:
                    cur.execute("insert into ops.crawl_job (job_id, spider, node) values (%s, 'gog', 'local')", (job,))
                node.schedule("gog", job, {"regions": "US,DE"}, slow)
                conn.commit()
            deadline = time.monotonic() + 120
            while job_states(node).get(jobs[0]) != "running" and time.monotonic() < deadline:
                time.sleep(0.2)
            assert job_states(node) == {jobs[0]: "running", jobs[1]: "pending", jobs[2]: "pending"}

            pricewatch("scrapyd", "stop", env=env)
            pricewatch("scrapyd", "start", env=env)
            after_restart = job_states(node)
            assert {job: after_restart.get(job) for job in jobs[1:]} == {jobs[1]: "pending", jobs[2]: "pending"} or \
                after_restart.get(jobs[1]) == "running"
            assert jobs[0] not in after_restart

            crawl_jobs.wait([node], jobs[1:], timeout=300)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("PRICEWATCH_HOME", str(home))
                patch.setenv("PRICEWATCH_LANDING", str(landing))
                crawl_jobs.sync(conn, [node])
            with conn.cursor() as cur:
                cur.execute("select job_id, state, finish_reason from ops.crawl_job order by job_id")
                assert cur.fetchall() == [(jobs[0], "lost", None), (jobs[1], "finished", "finished"),
                                          (jobs[2], "finished", "finished")]
    # Stopping Scrapyd does not stop the crawl it had started: that process finishes and lands its feed, which
    # the next `pricewatch load --landing` loads like any other, though Scrapyd no longer knows the job.
    assert sorted(path.name for path in landing.rglob("*.jl.gz")) == [f"{job}.jl.gz" for job in jobs]
