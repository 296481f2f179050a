"""The crontab: rendered with this checkout's paths, merged into a user's crontab, run under flock with logs."""
import fcntl
import re
import subprocess

import pytest

from foundation import config
from pricewatch.cli import main
from pricewatch.commands import cron

SOURCES = ("steam", "psstore", "gog", "epic", "eshop", "reddit", "news")
SCHEDULE_FIELD = re.compile(r"^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?$")
RUN_LOCKED = config.PROJECT_ROOT / "cron" / "run-locked"


def test_crontab_schedules_and_refreshes_every_source_from_this_checkout(pricewatch_home):
    rendered = cron.render()
    lines = [line for line in rendered.splitlines() if line and not line.startswith("#")]
    for line in lines:
        assert all(SCHEDULE_FIELD.match(field) for field in line.split()[:5]), line
    commands = cron.commands(rendered)
    prefix = f"PRICEWATCH_HOME={pricewatch_home} {config.PROJECT_ROOT}/cron/run-locked "
    assert all(command.startswith(prefix) for command in commands)
    for source in SOURCES:
        assert f"{prefix}crawl-{source} pricewatch schedule {source}" in commands
        assert f"{prefix}refresh-{source} {config.PROJECT_ROOT}/cron/refresh {source}" in commands
    assert rendered.startswith(f"# >>> pricewatch {config.PROJECT_ROOT} >>>\n")
    assert rendered.endswith(f"# <<< pricewatch {config.PROJECT_ROOT} <<<\n")


BEGIN, END = cron.markers()


@pytest.mark.parametrize("current, expected", [
    ("", "{block}"),
    ("MAILTO=me\n0 1 * * * backup\n", "MAILTO=me\n0 1 * * * backup\n{block}"),
    ("0 1 * * * backup", "0 1 * * * backup\n{block}"),
    (f"0 1 * * * backup\n{BEGIN}\n5 * * * * old line\n{END}\n30 2 * * * other\n",
     "0 1 * * * backup\n{block}30 2 * * * other\n"),
])
def test_install_replaces_only_this_checkouts_block(current, expected, pricewatch_home):
    block = cron.render()
    assert cron.merged(current, block) == expected.format(block=block)
    assert cron.merged(cron.merged(current, block), block) == expected.format(block=block)


def test_install_without_crontab_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["cron", "install", "--yes"]) == 1
    assert "crontab is not installed" in capsys.readouterr().err


def run_locked(home, *command):
    return subprocess.run([str(RUN_LOCKED), *command], env={"PRICEWATCH_HOME": str(home), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)


@pytest.mark.slow
def test_run_locked_logs_and_passes_the_exit_status_on(tmp_path):
    ok = run_locked(tmp_path, "hello", "sh", "-c", "echo hello from cron")
    failed = run_locked(tmp_path, "broken", "sh", "-c", "echo oops >&2; exit 3")
    assert (ok.returncode, ok.stderr) == (0, "")
    assert failed.returncode == 3
    assert failed.stderr == f"pricewatch cron job broken failed (exit 3); see {tmp_path}/log/cron-broken.log\n"
    log = (tmp_path / "log" / "cron-hello.log").read_text().splitlines()
    assert [re.sub(r"^[0-9-]+T[0-9:]+Z ", "", line) for line in log] == ["hello: start: sh -c echo hello from cron",
                                                              "hello from cron", "hello: exit 0"]
    assert "oops" in (tmp_path / "log" / "cron-broken.log").read_text()


@pytest.mark.slow
def test_run_locked_skips_a_run_while_the_previous_one_holds_the_lock(tmp_path):
    (tmp_path / "run").mkdir()
    with open(tmp_path / "run" / "cron-crawl-steam.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        skipped = run_locked(tmp_path, "crawl-steam", "sh", "-c", "touch ran")
    assert skipped.returncode == 0
    assert not (tmp_path / "ran").exists()
    assert "the previous run is still going; skipped" in (tmp_path / "log" / "cron-crawl-steam.log").read_text()
    assert run_locked(tmp_path, "crawl-steam", "sh", "-c", f"touch {tmp_path}/ran").returncode == 0
    assert (tmp_path / "ran").exists()


@pytest.mark.slow
def test_run_locked_reads_cron_env_from_home(tmp_path):
    (tmp_path / "cron.env").write_text("PRICEWATCH_DATABASE_URL=postgresql://example/db\n")
    run_locked(tmp_path, "env", "sh", "-c", 'echo "url=$PRICEWATCH_DATABASE_URL path=$PATH"')
    log = (tmp_path / "log" / "cron-env.log").read_text()
    assert f"url=postgresql://example/db path={config.PROJECT_ROOT}/.venv/bin:/usr/bin:/bin" in log
