"""Scrapyd: config, auth, deploy with scrapyd-deploy, deterministic scheduling spread over two real nodes."""
import contextlib
import os
import stat
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg2
import pytest
import requests
from scrapyd_fixtures import (
    PASSWORD,
    USERNAME,
    free_port,
    pricewatch,
    project_spiders,
    running_node,
)

from foundation import config, database
from foundation.errors import PricewatchError
from pricewatch import crawl_jobs, replay, scrapyd
from pricewatch.cli import main

UTC = timezone.utc


@pytest.mark.parametrize("spider, when, slot_minutes, arguments, settings, expected", [
    ("steam", datetime(2026, 11, 28, 7, 43, 10, tzinfo=UTC), 60, {}, {}, "steam-20261128T0700"),
    ("steam", datetime(2026, 11, 28, 7, 59, 59, tzinfo=UTC), 60, {}, {}, "steam-20261128T0700"),
    ("steam", datetime(2026, 11, 28, 7, 43, 10, tzinfo=UTC), 15, {}, {}, "steam-20261128T0730"),
    ("gog", datetime(2026, 11, 28, 0, 10, tzinfo=timezone(timedelta(hours=2))), 60, {}, {}, "gog-20261127T2200"),
    ("epic", datetime(2026, 11, 28, 23, 59, tzinfo=UTC), 1440, {}, {}, "epic-20261128T0000"),
    ("steam", datetime(2026, 11, 28, 7, 43, 10, tzinfo=UTC), 60, {"regions": "US"}, {}, "steam-20261128T0700-1d7e48d6"),
    ("steam", datetime(2026, 11, 28, 7, 43, 10, tzinfo=UTC), 60, {},
     {"PRICEWATCH_REPLAY_URL": "http://127.0.0.1:8123"}, "steam-20261128T0700-055ad538"),
])
def test_job_id_names_spider_utc_slot_and_arguments(spider, when, slot_minutes, arguments, settings, expected):
    assert crawl_jobs.job_id(spider, when, slot_minutes, arguments, settings) == expected


@pytest.mark.parametrize("text, expected", [
    ("a=http://127.0.0.1:6800,b=http://10.0.0.2:6800/",
     {"a": "http://127.0.0.1:6800/", "b": "http://10.0.0.2:6800/"}),
    ("http://127.0.0.1:6800 http://127.0.0.1:6801", {"node1": "http://127.0.0.1:6800/", "node2": "http://127.0.0.1:6801/"}),
    ("main=https://scrapyd.example.org/crawl", {"main": "https://scrapyd.example.org/crawl/"}),
])
def test_nodes_setting_is_parsed(text, expected):
    assert scrapyd.parse_nodes(text) == expected


def test_nodes_default_to_scrapy_cfg_deploy_targets(monkeypatch, tmp_path):
    monkeypatch.delenv("PRICEWATCH_SCRAPYD_NODES", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "scrapy.cfg").write_text("[deploy:node2]\nurl = http://10.0.0.12:6800/\nproject = pricewatch\n")
    assert [(node.name, node.url) for node in scrapyd.configured_nodes()] == [
        ("default", "http://127.0.0.1:6800/"), ("node2", "http://10.0.0.12:6800/")]


def test_start_refuses_without_credentials(pricewatch_home, monkeypatch, capsys):
    monkeypatch.delenv("PRICEWATCH_SCRAPYD_USERNAME", raising=False)
    monkeypatch.delenv("PRICEWATCH_SCRAPYD_PASSWORD", raising=False)
    assert main(["scrapyd", "start", "--port", str(free_port())]) == 1
    assert "refusing to start Scrapyd without authentication" in capsys.readouterr().err
    assert scrapyd.running_pid() is None


def test_rendered_config_is_private_and_holds_escaped_credentials(pricewatch_home):
    path = scrapyd.render_config(6899, scrapyd.Credentials("ops", "100%$ure"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "http_port = 6899\n" in text and "username = ops\n" in text and "password = 100%%$ure\n" in text
    assert f"eggs_dir = {pricewatch_home}/scrapyd/eggs\n" in text
    assert "jobstorage = scrapyd.jobstorage.SqliteJobStorage\n" in text
    assert "bind_address = 127.0.0.1\n" in text and "items_dir =\n" in text


@pytest.mark.slow
def test_egg_built_by_scrapyd_deploy_holds_what_the_spiders_import(tmp_path):
    egg = tmp_path / "pricewatch.egg"
    subprocess.run([str(Path(sys.executable).parent / "scrapyd-deploy"), "--build-egg", str(egg)],
                   cwd=config.PROJECT_ROOT, check=True, capture_output=True)
    names = set(zipfile.ZipFile(egg).namelist())
    assert {"contracts/__init__.py", "contracts/store_listing.schema.json", "contracts/currencies.json",
            "scrapers/settings.py", "scrapers/items.py", "scrapers/pricing.py", "foundation/config.py"} <= names
    assert {f"scrapers/spiders/{name}.py" for name in project_spiders()} <= names
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = scrapers.settings" in entry_points


@pytest.fixture(scope="module")
def replay_server():
    with replay.ReplayServer(replay.load_routes()) as server:
        yield server


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory, server_url):
    """Two authenticated Scrapyd nodes sharing one landing area, with the egg deployed by scrapyd-deploy.

    The test process stays their operator for the whole module (credentials, nodes, landing in its env)."""
    root = tmp_path_factory.mktemp("nodes")
    landing = root / "landing"
    with contextlib.ExitStack() as stack, pytest.MonkeyPatch.context() as patch:
        patch.setenv("PRICEWATCH_HOME", str(root / "operator"))
        patch.setenv("PRICEWATCH_LANDING", str(landing))
        patch.setenv("PRICEWATCH_SCRAPYD_USERNAME", USERNAME)
        patch.setenv("PRICEWATCH_SCRAPYD_PASSWORD", PASSWORD)
        nodes = [stack.enter_context(running_node(name, root / name, PRICEWATCH_LANDING=str(landing)))
                 for name in ("alpha", "beta")]
        patch.setenv("PRICEWATCH_SCRAPYD_NODES", ",".join(f"{node.name}={node.url}" for node in nodes))
        assert main(["deploy", "--all"]) == 0
        yield nodes


@pytest.mark.slow
def test_unauthenticated_or_wrong_password_requests_are_refused(two_nodes):
    node = two_nodes[0]
    data = {"project": scrapyd.PROJECT, "spider": project_spiders()[0]}
    assert requests.post(node.url + "schedule.json", data=data, timeout=10).status_code == 401
    assert requests.post(node.url + "schedule.json", data=data, auth=(USERNAME, "wrong"), timeout=10).status_code == 401
    with pytest.raises(PricewatchError, match="refused the credentials"):
        scrapyd.Node(node.name, node.url).daemon_status()
    assert node.daemon_status()["status"] == "ok"


@pytest.mark.slow
def test_every_node_got_the_egg_with_every_spider(two_nodes):
    for node in two_nodes:
        assert node.spiders() == project_spiders()


@pytest.mark.slow
def test_spiders_spread_over_both_nodes_once_per_slot_and_are_recorded(two_nodes, db_url, replay_server, capsys):
    nodes = two_nodes
    spiders = project_spiders()
    replay_setting = f"PRICEWATCH_REPLAY_URL={replay_server.url}"
    assert main(["schedule", "all", "-s", replay_setting, "--slot-minutes", "60"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert len(first) == len(spiders) and all(": scheduled as " in line for line in first)
    on_node = {line.rsplit(" on ", 1)[1] for line in first}
    assert on_node == {"alpha", "beta"}

    # A second fire in the same slot (cron twice, two operators) schedules nothing more.
    assert main(["schedule", *spiders, "-s", replay_setting, "--slot-minutes", "60"]) == 0
    second = capsys.readouterr().out.splitlines()
    assert all(": already scheduled as " in line for line in second) and len(second) == len(spiders)

    job_ids = [line.split(" as ")[1].split(" on ")[0] for line in first]
    crawl_jobs.wait(nodes, job_ids, timeout=600)
    listed = [job["id"] for node in nodes for state in ("pending", "running", "finished") for job in node.jobs()[state]]
    assert sorted(listed) == sorted(job_ids)

    assert main(["scrapyd", "jobs"]) == 0
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("""
            select spider, node, state, finish_reason, items_scraped = (stats ->> 'items_scraped')::int,
                   feed_path like '%%/' || job_id || '.jl.gz', stats ->> 'job' = job_id, health is not null
            from ops.crawl_job order by spider
        """)
        rows = cur.fetchall()
    assert [row[0] for row in rows] == spiders
    assert {row[1] for row in rows} == {"alpha", "beta"}
    assert all(row[2:] == ("finished", "finished", True, True, True, True) for row in rows), rows


@pytest.mark.slow
def test_sync_marks_jobs_an_answering_node_forgot_as_lost_and_keeps_a_silent_nodes_jobs(two_nodes, admin):
    with admin.cursor() as cur:
        cur.execute("""
            insert into ops.crawl_job (job_id, spider, node, state)
            values ('steam-forgotten', 'steam', 'alpha', 'running'), ('steam-far', 'steam', 'gamma', 'pending')
        """)
    silent_node = scrapyd.Node("gamma", scrapyd.local_url(free_port()), scrapyd.credentials())
    with contextlib.closing(database.connect(role="pricewatch_loader")) as conn:
        assert crawl_jobs.sync(conn, [*two_nodes, silent_node]) == ["gamma"]
    with admin.cursor() as cur:
        cur.execute("select job_id, state from ops.crawl_job where job_id like 'steam-f%' order by job_id")
        assert cur.fetchall() == [("steam-far", "pending"), ("steam-forgotten", "lost")]


@pytest.mark.slow
def test_scrapyd_status_shows_every_node_and_fails_when_one_is_down(two_nodes, monkeypatch, capsys):
    down = f"http://127.0.0.1:{free_port()}/"
    monkeypatch.setenv("PRICEWATCH_SCRAPYD_NODES", os.environ["PRICEWATCH_SCRAPYD_NODES"] + f",gamma={down}")
    assert main(["scrapyd", "status"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "local Scrapyd: not running"
    assert len(lines) == 4
    assert lines[1].startswith(f"node alpha {two_nodes[0].url}: up, ")
    assert lines[2].startswith(f"node beta {two_nodes[1].url}: up, ")
    assert lines[3] == (f"node gamma {down}: DOWN (no Scrapyd answers at {down} (node gamma); "
                        "start one with `pricewatch scrapyd start`)")


@pytest.mark.slow
def test_start_finds_a_running_scrapyd_and_stop_is_idempotent(tmp_path):
    with running_node("solo", tmp_path / "home") as node:
        env = dict(os.environ, PRICEWATCH_HOME=str(tmp_path / "home"), PRICEWATCH_SCRAPYD_USERNAME=USERNAME,
                   PRICEWATCH_SCRAPYD_PASSWORD=PASSWORD)
        pid = (tmp_path / "home" / "scrapyd" / "scrapyd.pid").read_text().strip()
        again = pricewatch("scrapyd", "start", "--port", node.url.rsplit(":", 1)[1].strip("/"), env=env)
        assert again.stdout == (f"Scrapyd running at {node.url} (pid {pid}, basic authentication); "
                                f"log {tmp_path}/home/log/scrapyd.log\n")
    assert pricewatch("scrapyd", "stop", env=env).stdout == "Scrapyd was not running\n"


@pytest.mark.slow
@pytest.mark.parametrize("arguments, message", [
    (["no_such_spider"], "refused schedule.json: spider 'no_such_spider' not found"),
    (["steam", "-a", "regions"], "expected NAME=VALUE, got 'regions'"),
    (["steam", "--node", "omega"], "unknown Scrapyd node omega; known: alpha, beta"),
    (["steam", "--slot-minutes", "0"], "--slot-minutes must be between 1 and 1440"),
])
def test_schedule_errors_are_clear_and_record_nothing(two_nodes, admin, capsys, arguments, message):
    assert main(["schedule", *arguments]) == 1
    assert message in capsys.readouterr().err
    with admin.cursor() as cur:
        cur.execute("select count(*) from ops.crawl_job")
        assert cur.fetchone() == (0,)
