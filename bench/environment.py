"""What every benchmark shares: a throw-away embedded PostgreSQL (the product's own), the machine's
description, timing and the closing verdict line."""
import argparse
import contextlib
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import psycopg2

from foundation import database
from pricewatch import migrate


def machine() -> str:
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    return (f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
            f"{memory_kb / 1024 / 1024:.1f} GiB memory, Python {platform.python_version()}")


def arguments(description: str, **defaults) -> argparse.Namespace:
    """Command-line sizes of a benchmark: each default becomes --name (underscores as dashes)."""
    parser = argparse.ArgumentParser(description=description)
    for name, default in defaults.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type(default), default=default)
    return parser.parse_args()


@contextlib.contextmanager
def workspace(name: str):
    """A temporary directory for one benchmark (feeds, database files), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"pricewatch-bench-{name}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def throwaway_database(home: Path):
    """A fresh embedded server under `home`, database pricewatch migrated to head; yields its URL."""
    os.environ["PRICEWATCH_HOME"] = str(home)
    os.environ.pop("PRICEWATCH_DATABASE_URL", None)
    server = database.embedded_server(home / "pgdata", cleanup_mode="stop")
    try:
        url = database.with_database(server.get_uri(), database.DATABASE_NAME)
        database.ensure_database(url)
        migrate.upgrade(url)
        os.environ["PRICEWATCH_DATABASE_URL"] = url
        print(f"machine: {machine()}")
        print(f"database: {server_version(url)}")
        yield url
    finally:
        os.environ.pop("PRICEWATCH_DATABASE_URL", None)
        server.cleanup()


def server_version(url: str) -> str:
    with contextlib.closing(psycopg2.connect(url)) as conn, conn.cursor() as cur:
        cur.execute("select version()")
        return cur.fetchone()[0].split(" on ")[0] + " (embedded, pgserver)"


@contextlib.contextmanager
def admin(url: str):
    """An autocommit connection as the migrating login (for setup and measurements, not the product's roles)."""
    with contextlib.closing(psycopg2.connect(url)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            yield cur


class Stopwatch:
    """`with Stopwatch() as watch:` ... `watch.seconds`."""

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.perf_counter() - self.started


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(share * (len(sorted_ms) - 1)))]


def verdict(figure: str, met: bool) -> None:
    """The last line of every benchmark: its key figure and whether the target holds."""
    print(f"{figure} -> target {'met' if met else 'MISSED'}", flush=True)
