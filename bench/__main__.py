"""`python -m bench [NAME...]` (make bench): every benchmark in turn, each in its own process, then their
last lines together. Extra sizes go to one benchmark directly: `python -m bench.etl_scaling --history 0,1000000`."""
import subprocess
import sys
import time

from foundation import config

BENCHMARKS = ("loader_new", "loader_rescrape", "etl_scaling", "crawl", "storage", "catalogue_crawl", "daily_cycle",
              "web_latency", "query_latency", "startup")


def main() -> int:
    chosen = sys.argv[1:] or BENCHMARKS
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    verdicts, failed, started = [], [], time.perf_counter()
    for name in chosen:
        print(f"== {name}", flush=True)
        begun = time.perf_counter()
        with subprocess.Popen([sys.executable, "-m", f"bench.{name}"], cwd=config.PROJECT_ROOT,
                              stdout=subprocess.PIPE, text=True) as process:
            lines = []
            for line in process.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                lines.append(line.rstrip("\n"))
        if process.returncode != 0 or not lines:
            failed.append(name)
            verdicts.append(f"{name}: FAILED (exit {process.returncode})")
        else:
            verdicts.append(f"{name} ({time.perf_counter() - begun:.0f} s): {lines[-1]}")
    print(f"== all benchmarks in {(time.perf_counter() - started) / 60:.1f} min")
    print("\n".join(verdicts))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
