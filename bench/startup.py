"""Benchmark 6, start-up: how long `pricewatch --help` and the argument parsing of light commands take, next to
a bare interpreter, and which imports cost the most (`python -X importtime`). Target: under 0.3 s each.

Every command module is imported to register its arguments, so this is also the floor of every command;
heavy libraries (Scrapy, Alembic, requests, matplotlib, rapidfuzz) are imported only by the commands that
use them, when they run."""
import resource
import statistics
import subprocess
import sys
import time

from bench.environment import arguments, verdict
from foundation import config

TARGET_SECONDS = 0.3
COMMANDS = (["--help"], ["report", "--help"], ["game", "--help"], ["db", "url", "--help"])


def start_seconds(argv: list[str], runs: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `runs` starts of the interpreter with argv. CPU time (user + system) is the
    figure to compare on a busy machine: wall time there includes waiting for a core."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, *argv], cwd=config.PROJECT_ROOT, stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def heaviest_imports(count: int = 8) -> list[tuple[int, str]]:
    """(cumulative microseconds, module) of the top-level imports `pricewatch --help` spends most on."""
    process = subprocess.run([sys.executable, "-X", "importtime", "-m", "pricewatch.cli", "--help"],
                             cwd=config.PROJECT_ROOT, capture_output=True, text=True, check=True)
    top = []
    for line in process.stderr.splitlines():
        fields = line.split("|")
        if line.startswith("import time:") and len(fields) == 3 and fields[1].strip().isdigit():
            name = fields[2]
            if not name.startswith("  "):  # a top-level import (nested ones are indented twice or more)
                top.append((int(fields[1]), name.strip()))
    return sorted(top, reverse=True)[:count]


def main() -> None:
    options = arguments(__doc__.splitlines()[0], runs=11)
    wall, cpu = start_seconds(["-c", "pass"], options.runs)
    print(f"bare interpreter: {wall:.3f} s wall, {cpu:.3f} s CPU (medians of {options.runs} starts)")
    slowest = 0.0
    for command in COMMANDS:
        wall, cpu = start_seconds(["-m", "pricewatch.cli", *command], options.runs)
        slowest = max(slowest, cpu)
        print(f"pricewatch {' '.join(command)}: {wall:.3f} s wall, {cpu:.3f} s CPU")
    print("heaviest top-level imports of --help: " + ", ".join(f"{name} {micros / 1000:.0f} ms"
                                                               for micros, name in heaviest_imports()))
    verdict(f"slowest start {slowest:.3f} s CPU (target < {TARGET_SECONDS} s)", slowest < TARGET_SECONDS)


if __name__ == "__main__":
    main()
