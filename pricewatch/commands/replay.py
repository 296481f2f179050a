"""pricewatch replay serve|check: serve recorded store responses on 127.0.0.1, check the route files."""
import time
from collections import Counter


def register(subparsers) -> None:
    parser = subparsers.add_parser("replay", help="serve recorded store responses for offline crawls")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    serve = actions.add_parser("serve", help="serve replay/routes/*.json on 127.0.0.1 until interrupted")
    serve.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    serve.add_argument("--routes", nargs="+", metavar="FILE", help="route files (default: replay/routes/*.json)")
    serve.set_defaults(func=run_serve)
    check = actions.add_parser("check", help="load every route and its recording, report problems")
    check.add_argument("--routes", nargs="+", metavar="FILE", help="route files (default: replay/routes/*.json)")
    check.set_defaults(func=run_check)


def run_serve(args) -> int:
    from pricewatch import replay

    routes = replay.load_routes(args.routes)
    with replay.ReplayServer(routes, port=args.port) as server:
        print(f"replaying {len(routes)} routes at {server.url}", flush=True)
        print(f"crawl through it with: scrapy crawl SPIDER -s PRICEWATCH_REPLAY_URL={server.url}", flush=True)
        while True:
            time.sleep(3600)


def run_check(args) -> int:
    from pricewatch import replay

    routes = replay.load_routes(args.routes)
    for origin, count in sorted(Counter(route.origin.split(" route ")[0] for route in routes).items()):
        print(f"{origin}: {count} routes")
    print(f"{len(routes)} routes, every recording found")
    return 0
