"""End to end: `pricewatch run --replay` on a fresh home, and the crontab's own commands against a real Scrapyd."""
import shlex
import stat
import subprocess

import psycopg2
import pytest
from scrapyd_fixtures import (
    PASSWORD,
    USERNAME,
    free_port,
    project_spiders,
    running_node,
)

from foundation import config
from pricewatch import crawl_jobs, replay, scrapyd
from pricewatch.cli import main
from pricewatch.commands import cron


def crawl_records(db_url) -> list[tuple]:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select spider, node, state, finish_reason, feed_path from ops.crawl_job order by spider")
        return cur.fetchall()


def count(db_url, query: str) -> dict:
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(query)
        return dict(cur.fetchall())


@pytest.mark.slow
def test_run_replay_crawls_loads_transforms_and_reports(db_url, pricewatch_home, monkeypatch, capsys):
    monkeypatch.setenv("PRICEWATCH_SCRAPYD_PORT", str(free_port()))
    for name in ("PRICEWATCH_SCRAPYD_USERNAME", "PRICEWATCH_SCRAPYD_PASSWORD", "PRICEWATCH_SCRAPYD_NODES",
                 "PRICEWATCH_LANDING", "PRICEWATCH_ARCHIVE"):
        monkeypatch.delenv(name, raising=False)
    spiders = project_spiders()

    assert main(["run", "--replay"]) == 0
    output = capsys.readouterr().out

    secret = scrapyd.credentials_file()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert scrapyd.credentials().password not in output
    assert scrapyd.running_pid() is None, "the Scrapyd that run started is stopped again"
    records = crawl_records(db_url)
    assert [record[0] for record in records] == spiders
    assert all(record[1:4] == ("local", "finished", "finished") for record in records), records
    assert list(config.landing_dir().glob("*/*/*.jl.gz")) == [], "every finished feed was loaded and archived"
    assert sorted({path.parts[-3] for path in config.archive_dir().glob("*/*/*.jl.gz")}) == spiders

    # Every store whose crawl brought items has them staged, transformed and in the best prices.
    stores = set(count(db_url, "select store, true from core.store"))
    items = count(db_url, "select spider, items_scraped from ops.crawl_job")
    stocked = sorted(store for store in stores if items[store])
    assert stocked, items
    staged = count(db_url, "select source, count(*) from staging.store_listing group by source")
    best = count(db_url, "select store, count(*) from reporting.best_prices group by store")
    assert sorted(staged) == stocked and sorted(best) == stocked
    etl = count(db_url, "select source, bool_and(status = 'succeeded') from ops.etl_run group by source")
    assert etl == dict.fromkeys(spiders, True)
    assert "best: cheapest current price" in output and "pricewatch report drops" in output

    assert main(["status"]) == 0
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:-1]]
            for line in capsys.readouterr().out.splitlines() if line.startswith("│")}
    assert sorted(rows) == spiders
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select spider, finished_at, items_scraped, health from ops.crawl_job")
        crawls = cur.fetchall()
    # The replay crawls only the feeds it recorded, so news meets no 404s (stores' samples may miss coverage).
    assert {spider: health for spider, _, _, health in crawls}["news"] != "failed"
    # The run's last word: each crawl's health, and why it failed.
    summary = output[output.rindex("─ crawls ─"):]
    for spider, finished_at, scraped, health in crawls:
        verdict = "FAILED: health failed: " if health == "failed" else "ok"
        assert f"{spider}: {scraped or 0} items, {verdict}" in summary, summary
        good, count_text, failed, loaded, etl_at, backlog, landing, _ = rows[spider]
        if health == "failed":
            assert (good, count_text, failed) == ("never", "-", local(finished_at))
        else:
            assert (good, count_text, failed) == (local(finished_at), f"{scraped} (first)", "-")
        assert "never" not in (loaded, etl_at), (spider, rows[spider])
        assert (backlog, landing) == ("0 feeds", "0 B")


def local(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@pytest.mark.slow
def test_crontab_commands_run_directly(db_url, tmp_path):
    """Every line of the rendered crontab, run through /bin/sh with cron's bare environment."""
    home = tmp_path / "home"
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    with replay.ReplayServer(replay.load_routes()) as server, \
            running_node("local", home, PRICEWATCH_REPLAY_URL=server.url) as node:
        (home / "cron.env").write_text("".join(f"{name}={shlex.quote(value)}\n" for name, value in {
            "PRICEWATCH_DATABASE_URL": db_url,
            "PRICEWATCH_SCRAPYD_USERNAME": USERNAME,
            "PRICEWATCH_SCRAPYD_PASSWORD": PASSWORD,
            "PRICEWATCH_SCRAPYD_NODES": f"local={node.url}",
        }.items()))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PRICEWATCH_HOME", str(home))
            patch.setenv("PRICEWATCH_SCRAPYD_NODES", f"local={node.url}")
            patch.setenv("PRICEWATCH_SCRAPYD_USERNAME", USERNAME)
            patch.setenv("PRICEWATCH_SCRAPYD_PASSWORD", PASSWORD)
            scrapyd.deploy([node])
            commands = cron.commands(cron.render())
        # The job ids name the hourly slot: pinned, so both rounds fall in one slot whatever the clock says.
        crawls = [command + " --at 2026-12-01T06:10Z" for command in commands if " crawl-" in command]
        refreshes = [command for command in commands if " refresh-" in command]
        others = [command for command in commands if " crawl-" not in command and command not in refreshes]
        assert len(crawls) == len(refreshes) == len(project_spiders())

        for command in crawls * 2:  # the second round is a double fire in the same slot: nothing new
            assert subprocess.run(["/bin/sh", "-c", command], env=bare).returncode == 0, command
        job_ids = [job["id"] for state in ("pending", "running", "finished") for job in node.jobs()[state]]
        assert len(job_ids) == len(project_spiders())
        crawl_jobs.wait([node], job_ids, timeout=600)
        for command in refreshes + others:
            result = subprocess.run(["/bin/sh", "-c", command], env=bare, capture_output=True, text=True)
            assert result.returncode == 0, (command, result.stderr, log_tail(home))

    assert [record[2:4] for record in crawl_records(db_url)] == [("finished", "finished")] * len(project_spiders())
    etl = count(db_url, "select source, count(*) from ops.etl_run where status = 'succeeded' group by source")
    assert sorted(etl) == project_spiders()
    assert list((home / "landing").glob("*/*/*.jl.gz")) == []
    assert sorted(path.name for path in (home / "log").glob("cron-*.log")) == sorted(
        f"cron-{command.split('run-locked ')[1].split()[0]}.log" for command in commands)


def log_tail(home) -> str:
    return "\n".join(path.read_text()[-2000:] for path in sorted((home / "log").glob("cron-*.log")))
