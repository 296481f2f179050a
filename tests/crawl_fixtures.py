"""End-to-end crawl helpers: a replay server fixture and `run_crawl`, a real `scrapy crawl` against it.

The replay_server fixture is registered in conftest.py (pytest_plugins); import run_crawl where it is used.
"""
import gzip
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from foundation import config
from pricewatch import replay

# Politeness delays off: the replay server is local and the tests must not wait.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_START_DELAY": "0", "PRICEWATCH_RETRY_BACKOFF_BASE": "0.1"}


@dataclass
class Crawl:
    returncode: int
    log: str
    landing: Path
    feeds: list
    reports: list

    @property
    def feed(self) -> Path:
        assert len(self.feeds) == 1, f"expected one feed, found {self.feeds}\n{self.log[-3000:]}"
        return self.feeds[0]

    @property
    def items(self) -> list[dict]:
        with gzip.open(self.feed, "rt", encoding="utf-8") as lines:
            return [json.loads(line) for line in lines]

    @property
    def report(self) -> dict:
        assert len(self.reports) == 1, f"expected one stats file, found {self.reports}\n{self.log[-3000:]}"
        return json.loads(self.reports[0].read_text(encoding="utf-8"))


def run_crawl(spider: str, replay_url: str, tmp_path: Path, settings: dict | None = None, **arguments) -> Crawl:
    """Run `scrapy crawl SPIDER` through the replay server, landing feeds under tmp_path/landing."""
    landing = tmp_path / "landing"
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for name, value in arguments.items():
        command += ["-a", f"{name}={value}"]
    merged = {**FAST, "PRICEWATCH_REPLAY_URL": replay_url, "PRICEWATCH_LANDING": str(landing), **(settings or {})}
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PRICEWATCH_HOME": str(tmp_path / "home")}
    done = subprocess.run(command, cwd=config.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    return Crawl(
        returncode=done.returncode,
        log=done.stderr,
        landing=landing,
        feeds=sorted(landing.glob(f"{spider}/*/*.jl.gz")),
        reports=sorted(landing.glob(f"{spider}/*/*.stats.json")),
    )


@pytest.fixture
def replay_server():
    """A replay server with every replay/routes/*.json, fresh per test (sequences keep state)."""
    with replay.ReplayServer(replay.load_routes()) as server:
        yield server
