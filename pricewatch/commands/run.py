"""pricewatch run [--replay]: the whole job on one machine, from an empty checkout to the best prices.

Database up and migrated -> local Scrapyd up (throw-away credentials when none are configured) -> egg
deployed -> every spider scheduled -> wait -> landing feeds loaded -> ETL -> best prices and biggest drops.
"""
import contextlib

from foundation import database
from foundation.errors import PricewatchError

# Crawling, loading and migrating pull in Scrapy, requests and Alembic: each function imports what it uses,
# so registering this command costs `pricewatch --help` nothing.

# A fresh `pricewatch run` is its own crawl: one-minute slots keep a double start from crawling twice.
RUN_SLOT_MINUTES = 1
STATE_STYLES = {"pending": "yellow", "running": "cyan", "finished": "green"}


def register(subparsers) -> None:
    parser = subparsers.add_parser("run", help="crawl every store, load, transform, show the best prices")
    parser.add_argument("--replay", action="store_true",
                        help="crawl the recorded responses through a replay server on 127.0.0.1, not the stores")
    parser.add_argument("--regions", nargs="+", metavar="CC",
                        help="storefront regions to crawl (ISO alpha-2, e.g. US GB; default: the spiders' own)")
    parser.add_argument("--keep-scrapyd", action="store_true", help="leave a Scrapyd this command started running")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the crawls (default %(default)s)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console

    from pricewatch import crawl_jobs, migrate, replay, reports, scrapyd

    console = Console()
    url = database.server_url()
    migrate.upgrade(url)
    console.print(f"database ready: {database.describe(url)}")
    with contextlib.ExitStack() as cleanup:
        settings = {}
        if args.replay:
            server = cleanup.enter_context(replay.ReplayServer(replay.load_routes()))
            settings["PRICEWATCH_REPLAY_URL"] = server.url
            console.print(f"replaying recorded responses at {server.url}")
        node = local_scrapyd(cleanup, keep=args.keep_scrapyd)
        console.print(f"Scrapyd at {node.url}")
        version = scrapyd.deploy([node])
        spiders = node.spiders()
        if not spiders:
            raise PricewatchError("the deployed project has no spiders")
        console.print(f"deployed version {version}: {', '.join(spiders)}")
        arguments = spider_arguments(args, spiders)
        with contextlib.closing(database.connect(role="pricewatch_loader")) as conn:
            jobs = [job for spider in spiders for job in crawl_jobs.schedule(
                conn, [spider], [node], arguments.get(spider, {}), settings, RUN_SLOT_MINUTES)]
            wait_with_progress(console, node, jobs, args.timeout)
            crawl_jobs.sync(conn, [node])
            load_landing(console, url)
            transform(console, url)
            crawl_jobs.sync(conn, [node])  # the stats sidecars are in the archive now
    for name in ("best", "drops"):
        console.rule(f"pricewatch report {name}")
        reports.write(name, url=url)
    print_crawl_summary(console, url, [job.job_id for job in jobs])
    return 0


def print_crawl_summary(console, url: str, job_ids: list[str]) -> None:
    """The last word: which crawls were good and which failed their health checks, and why."""
    from rich.markup import escape

    from pricewatch import crawl_jobs

    console.rule("crawls")
    with contextlib.closing(database.connect(role="pricewatch_etl", url=url)) as conn:
        outcomes = crawl_jobs.outcomes(conn, job_ids)
    for outcome in outcomes:
        verdict = f"[red]FAILED[/]: {escape(outcome['problem'])}" if outcome["problem"] else "[green]ok[/]"
        console.print(f"{outcome['spider']}: {outcome['items_scraped'] or 0} items, {verdict}", highlight=False)
    failed = sum(outcome["problem"] is not None for outcome in outcomes)
    if failed:
        console.print(f"{failed} of {len(outcomes)} crawls failed their health checks; their items are loaded "
                      "all the same (`pricewatch status` keeps the reasons)", highlight=False)


def load_landing(console, url: str) -> None:
    from loader import build_loader
    from loader.landing import landing_feeds
    from pricewatch.feed_loading import load_each

    console.rule("pricewatch load --landing")
    with build_loader({"DATABASE_URL": url}) as loader:
        failed = []
        for outcome in load_each(loader, landing_feeds(), archive=True):
            console.print(outcome.summary(), highlight=False)
            if outcome.error:
                failed.append(outcome.path)
    if failed:
        raise PricewatchError(f"{len(failed)} feeds failed to load (see above)")


def transform(console, url: str) -> None:
    from pricewatch import etl_cycle

    console.rule("pricewatch etl")
    cycle = etl_cycle.run(url=url, on_source=lambda result: console.print(etl_cycle.summary(result), highlight=False))
    if cycle.failed:
        raise PricewatchError(f"ETL failed for {', '.join(cycle.failed)} (see ops.etl_run)")


def spider_arguments(args, spiders: list[str]) -> dict[str, dict[str, str]]:
    """Spider -> arguments: the regions asked for, else in a replay the regions or feeds each spider's
    recordings cover."""
    from pricewatch import replay

    if args.regions:
        return dict.fromkeys(spiders, {"regions": ",".join(args.regions).upper()})
    return replay.recorded_arguments() if args.replay else {}


def local_scrapyd(cleanup: contextlib.ExitStack, keep: bool):
    """The running local Scrapyd node, or one started now (and stopped at the end unless `keep`)."""
    from pricewatch import scrapyd

    if scrapyd.running_pid():
        return scrapyd.start()
    node = scrapyd.start(auth=scrapyd.throwaway_credentials())
    if not keep:
        cleanup.callback(scrapyd.stop)
    return node


def wait_with_progress(console, node, jobs: list, timeout: float) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from pricewatch import crawl_jobs

    columns = (SpinnerColumn(), TextColumn("{task.description:<12}"), TextColumn("{task.fields[state]}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        tasks = {job.job_id: progress.add_task(job.spider, total=1, state="pending") for job in jobs}

        def show(states: dict) -> None:
            for identity, task in tasks.items():
                state = states.get(identity, "pending")
                progress.update(task, state=f"[{STATE_STYLES[state]}]{state}[/]", completed=state == "finished")

        crawl_jobs.wait([node], list(tasks), on_progress=show, timeout=timeout)
