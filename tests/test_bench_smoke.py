"""The benchmarks still run: each script on a few thousand rows exits 0 and ends with its verdict line.
Nothing here looks at a time or a figure (benchmarks are not tests); bench/RESULTS.md holds the figures."""
import subprocess
import sys

import pytest

from foundation import config

SMALL = [
    ("loader_new", ["--rows", "2000"]),
    ("loader_rescrape", ["--rows", "2000"]),
    ("etl_scaling", ["--history", "0,5000", "--delta", "500"]),
    ("crawl", ["--pages", "30"]),
    ("storage", ["--listings", "1000", "--rounds", "2"]),
    ("daily_cycle", ["--listing-regions", "1500", "--days", "2", "--delta", "300"]),
    ("web_latency", ["--listing-regions", "3000", "--requests", "5"]),
    ("query_latency", ["--listing-regions", "3000", "--runs", "5"]),
    ("startup", ["--runs", "1"]),
    ("partitioning", ["--periods", "25000", "--delta", "500", "--requests", "10"]),
]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("name, sizes", SMALL, ids=[name for name, _ in SMALL])
def test_benchmark_runs_and_prints_its_verdict(name, sizes, tmp_path):
    process = subprocess.run([sys.executable, "-m", f"bench.{name}", *sizes], cwd=config.PROJECT_ROOT,
                             capture_output=True, text=True, timeout=280)
    assert process.returncode == 0, process.stderr[-3000:]
    last_line = process.stdout.strip().splitlines()[-1]
    assert last_line.endswith(("-> target met", "-> target MISSED")), process.stdout[-2000:]
