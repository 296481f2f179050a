"""pricewatch report best|lows|drops|history: the reporting views, as the read-only reader role."""
import argparse

from pricewatch import tabular
from pricewatch.reports import KINDS, REPORTS, Filters, write


def count(text: str) -> int:
    """A whole number of 0 or more (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser("report", help="show best prices, historical lows, price drops or price history")
    parser.add_argument("name", choices=REPORTS, metavar="REPORT",
                        help="; ".join(f"{name}: {report.help}" for name, report in REPORTS.items()))
    parser.add_argument("--game", metavar="TEXT", help="only titles containing TEXT (any case)")
    parser.add_argument("--store", metavar="S", help="only this store, e.g. steam")
    parser.add_argument("--region", metavar="R", help="only this region, e.g. US")
    parser.add_argument("--days", type=count, metavar="N", help="drops: changed in the last N days; history: periods current in them")
    parser.add_argument("--limit", type=count, metavar="N", help="at most N rows")
    parser.add_argument("--kind", choices=(*KINDS, "all"),
                        help="best: only listings of this kind (default game: no DLC, bundles or currency packs)")
    parser.add_argument("--min-discount", type=count, metavar="PCT", help="only discounts of at least PCT percent")
    sorts = sorted({sort for report in REPORTS.values() for sort, _ in report.sorts})
    parser.add_argument("--sort", choices=sorts, help="best: order by game (default), price, discount (deepest "
                                                       "first) or sale-end (soonest first)")
    parser.add_argument("--format", choices=tabular.FORMATS, default="table")
    parser.set_defaults(func=run)


def run(args) -> int:
    write(args.name, Filters(args.game, args.store, args.region, args.days, args.limit, args.kind, args.min_discount,
                             args.sort), args.format)
    return 0
