"""pricewatch report best|lows|drops|history: the reporting views, as the read-only reader role."""
from pricewatch import tabular
from pricewatch.reports import REPORTS, Filters, write


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="show best prices, historical lows, price drops or price history")
    parser.add_argument("name", choices=REPORTS, metavar="REPORT",
                        help="; ".join(f"{name}: {report.help}" for name, report in REPORTS.items()))
    parser.add_argument("--game", metavar="TEXT", help="only titles containing TEXT (any case)")
    parser.add_argument("--store", metavar="S", help="only this store, e.g. steam")
    parser.add_argument("--region", metavar="R", help="only this region, e.g. US")
    parser.add_argument("--days", type=int, metavar="N", help="drops: changed in the last N days; history: periods current in them")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N rows")
    parser.add_argument("--format", choices=tabular.FORMATS, default="table")
    parser.set_defaults(func=run)


def run(args) -> int:
    write(args.name, Filters(args.game, args.store, args.region, args.days, args.limit), args.format)
    return 0
