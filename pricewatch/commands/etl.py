"""pricewatch etl [SOURCE...]: turn newly loaded staging rows into the core price model, per source."""
from foundation.errors import PricewatchError
from pricewatch import etl_cycle


def register(subparsers) -> None:
    parser = subparsers.add_parser("etl", help="build the price model from newly loaded feeds (all sources by default)")
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="store to process, e.g. steam (default: every store)")
    parser.add_argument("--source", dest="source_options", action="append", default=[], metavar="SOURCE",
                        help="same as SOURCE, for scripts; may repeat")
    parser.set_defaults(func=run)


def print_source(result: dict) -> None:
    print(etl_cycle.summary(result), flush=True)


def run(args) -> int:
    result = etl_cycle.run(sources=args.sources + args.source_options, on_source=print_source)
    print(etl_cycle.stage_summary(result), flush=True)
    if result.failed:
        raise PricewatchError(f"ETL failed for {', '.join(result.failed)} (see ops.etl_run)")
    return 0
