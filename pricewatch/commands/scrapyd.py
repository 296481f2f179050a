"""pricewatch scrapyd start|stop|status|jobs: run the local Scrapyd and see the jobs of every node."""
import contextlib

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import crawl_jobs, scrapyd


def register(subparsers) -> None:
    parser = subparsers.add_parser("scrapyd", help="start, stop and inspect Scrapyd")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    start = actions.add_parser("start", help="start the local Scrapyd in the background (127.0.0.1)")
    start.add_argument("--port", type=int, help=f"port to listen on (default $PRICEWATCH_SCRAPYD_PORT or {scrapyd.DEFAULT_PORT})")
    start.add_argument("--no-auth", action="store_true", help="run without basic authentication (loopback only)")
    start.set_defaults(func=run_start)
    actions.add_parser("stop", help="stop the local Scrapyd").set_defaults(func=run_stop)
    actions.add_parser("status", help="is the local Scrapyd up, and what does each node run").set_defaults(func=run_status)
    jobs = actions.add_parser("jobs", help="list the jobs of every node and record them in ops.crawl_job")
    jobs.add_argument("--node", action="append", help="only this node (repeatable)")
    jobs.set_defaults(func=run_jobs)


def run_start(args) -> int:
    node = scrapyd.start(port=args.port, no_auth=args.no_auth)
    pid = scrapyd.running_pid()
    auth = "no authentication" if node.auth is None else "basic authentication"
    print(f"Scrapyd running at {node.url} (pid {pid}, {auth}); log {scrapyd.log_file()}")
    return 0


def run_stop(args) -> int:
    pid = scrapyd.stop()
    print(f"Scrapyd (pid {pid}) stopped" if pid else "Scrapyd was not running")
    return 0


def run_status(args) -> int:
    pid = scrapyd.running_pid()
    print(f"local Scrapyd: running, pid {pid}" if pid else "local Scrapyd: not running")
    failures = 0
    for node in scrapyd.configured_nodes():
        try:
            status = node.daemon_status()
        except PricewatchError as exc:
            failures += 1
            print(f"node {node.name} {node.url}: DOWN ({exc})")
            continue
        print(f"node {node.name} {node.url}: up, {status['pending']} pending, {status['running']} running, "
              f"{status['finished']} finished")
    return 1 if failures else 0


def run_jobs(args) -> int:
    nodes = scrapyd.select_nodes(scrapyd.configured_nodes(), args.node)
    with contextlib.closing(database.connect(role="pricewatch_loader")) as conn:
        for name in crawl_jobs.sync(conn, nodes):
            print(f"node {name} did not answer; its jobs keep the state last seen")
        with conn.cursor() as cur:
            cur.execute("""
                select job_id, node, state, coalesce(items_scraped::text, '-'), coalesce(health, '-'),
                       coalesce(to_char(finished_at at time zone 'utc', 'YYYY-MM-DD HH24:MI'), '-')
                from ops.crawl_job
                where node = any(%s)
                order by scheduled_at desc, job_id
                limit 50
            """, ([node.name for node in nodes],))
            rows = cur.fetchall()
    print(f"{'job':<40} {'node':<10} {'state':<9} {'items':>6} {'health':<8} finished (UTC)")
    for row in rows:
        print(f"{row[0]:<40} {row[1]:<10} {row[2]:<9} {row[3]:>6} {row[4]:<8} {row[5]}")
    return 0
