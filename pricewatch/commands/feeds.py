"""pricewatch feeds prune|usage: manage feed files on disk (landing and archive)."""
from foundation import config
from foundation.errors import PricewatchError
from loader.landing import archive_days, feeds_disk_usage
from pricewatch import archive_retention
from pricewatch.commands import confirm


def register(subparsers) -> None:
    parser = subparsers.add_parser("feeds", help="prune archived feeds, show disk used by feeds")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    prune = actions.add_parser("prune", help="delete archived feeds older than some days that the newest backup holds")
    prune.add_argument("--older-than", type=int, metavar="DAYS",
                       help="age in days (default $PRICEWATCH_ARCHIVE_DAYS, else 30)")
    prune.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal, e.g. in cron)")
    prune.set_defaults(func=run_prune)
    actions.add_parser("usage", help="files and bytes in landing and archive").set_defaults(func=run_usage)


def megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB"


def run_prune(args) -> int:
    days = archive_days() if args.older_than is None else args.older_than
    if days < 0:
        raise PricewatchError(f"--older-than must not be negative, got {days}")
    confirm(f"delete the archived feeds older than {days} days in {config.archive_dir()} that the newest backup "
            "holds", args.yes)
    freed = archive_retention.prune(days)
    print(f"deleted {freed.files} archived files ({megabytes(freed.bytes)}) older than {days} days and held by "
          f"{archive_retention.newest_backup()} from {config.archive_dir()}")
    return 0


def run_usage(args) -> int:
    for name, usage in feeds_disk_usage().items():
        print(f"{name}: {usage.files} files, {megabytes(usage.bytes)}")
    return 0
