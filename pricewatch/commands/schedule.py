"""pricewatch schedule SPIDER...: start crawls on Scrapyd, once per spider and time slot, spread over nodes."""
import contextlib

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import crawl_jobs, scrapyd


def key_value(text: str) -> tuple[str, str]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise PricewatchError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def register(subparsers) -> None:
    parser = subparsers.add_parser("schedule", help="schedule spiders on Scrapyd (deterministic job ids)")
    parser.add_argument("spiders", nargs="+", metavar="SPIDER", help="spider names, or `all` for every deployed one")
    parser.add_argument("--node", action="append", metavar="NAME",
                        help="schedule only on this node (repeatable; default: spread over every configured node)")
    parser.add_argument("-a", dest="arguments", action="append", default=[], metavar="NAME=VALUE",
                        help="spider argument, e.g. -a regions=US,GB")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="Scrapy setting for the crawl, e.g. -s PRICEWATCH_REPLAY_URL=http://127.0.0.1:8123")
    parser.add_argument("--slot-minutes", type=int, default=crawl_jobs.DEFAULT_SLOT_MINUTES,
                        help="a spider is crawled at most once per slot of this many minutes (default %(default)s)")
    parser.set_defaults(func=run)


def run(args) -> int:
    if not 1 <= args.slot_minutes <= 1440:
        raise PricewatchError("--slot-minutes must be between 1 and 1440")
    nodes = scrapyd.select_nodes(scrapyd.configured_nodes(), args.node)
    spiders = nodes[0].spiders() if args.spiders == ["all"] else args.spiders
    with contextlib.closing(database.connect(role="pricewatch_loader")) as conn:
        results = crawl_jobs.schedule(conn, spiders, nodes, dict(map(key_value, args.arguments)),
                                      dict(map(key_value, args.settings)), args.slot_minutes)
    for result in results:
        if result.busy_with:
            print(f"{result.spider}: not scheduled, its job {result.busy_with} on {result.node} still crawls "
                  f"the same regions")
            continue
        verb = "scheduled" if result.new else "already scheduled"
        print(f"{result.spider}: {verb} as {result.job_id} on {result.node}")
    return 0
