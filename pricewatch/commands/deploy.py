"""pricewatch deploy [--target NAME | --all]: build the project egg with scrapyd-deploy and upload it."""
from pricewatch import scrapyd


def register(subparsers) -> None:
    parser = subparsers.add_parser("deploy", help="deploy the spiders to Scrapyd nodes (scrapyd-deploy)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--target", action="append", metavar="NAME",
                       help="deploy to this node (repeatable; default: the first configured node)")
    which.add_argument("--all", action="store_true", help="deploy to every configured node")
    parser.add_argument("--version", help="egg version (default: UTC timestamp)")
    parser.set_defaults(func=run)


def run(args) -> int:
    nodes = scrapyd.configured_nodes()
    chosen = nodes if args.all else scrapyd.select_nodes(nodes, args.target) if args.target else nodes[:1]
    version = scrapyd.deploy(chosen, args.version)
    for node in chosen:
        spiders = node.spiders()
        print(f"deployed {scrapyd.PROJECT} {version} to {node.name} ({node.url}): {len(spiders)} spiders: "
              f"{', '.join(spiders) or '(none)'}")
    return 0
