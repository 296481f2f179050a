"""pricewatch db upgrade|downgrade|url|rebuild|backup|restore: manage the database schema, say where the
database is, rebuild it from the feed archive, back it up and restore it."""
from pathlib import Path

from foundation import config, database
from pricewatch.commands import confirm

# Alembic (migrate) and the loader (rebuild) are imported by the actions that use them: `db url` stays quick.


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="migrate the database, show its URL")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="create or update every schema, function, view, role and grant")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=run_upgrade)
    downgrade = actions.add_parser("downgrade", help="undo migrations (default: all of them)")
    downgrade.add_argument("revision", nargs="?", default="base")
    downgrade.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    downgrade.set_defaults(func=run_downgrade)
    actions.add_parser("url", help="print the database URL (password hidden)").set_defaults(func=run_url)
    rebuilt = actions.add_parser("rebuild", help="restore the newest backup (if any) into an empty database and "
                                                "replay the archived feeds it does not hold")
    rebuilt.add_argument("--replace", action="store_true",
                         help="drop an existing pricewatch database first (its watch rules and game decisions are kept)")
    rebuilt.add_argument("--yes", action="store_true", help="with --replace: do not ask (needed without a terminal)")
    rebuilt.add_argument("--no-backup", action="store_true", help="ignore backups: replay the archive alone")
    rebuilt.set_defaults(func=run_rebuild)
    dump = actions.add_parser("backup", help="write the whole database to a file (pg_dump custom format)")
    dump.add_argument("file", type=Path, nargs="?",
                      help="default: a new pricewatch-<time>.dump in $PRICEWATCH_BACKUP, keeping the newest two")
    dump.set_defaults(func=run_backup)
    load = actions.add_parser("restore", help="replace the database with a backup file")
    load.add_argument("file", type=Path)
    load.set_defaults(func=run_restore)


def where() -> str:
    url = database.server_url()
    origin = "PRICEWATCH_DATABASE_URL" if config.database_url() else f"embedded server in {config.home() / 'pgdata'}"
    return f"{database.describe(url)} ({origin})"


def run_upgrade(args) -> int:
    from pricewatch import migrate

    url = database.server_url()
    migrate.upgrade(url, args.revision)
    print(f"database at revision {migrate.current(url)}: {where()}")
    return 0


def run_downgrade(args) -> int:
    from pricewatch import migrate

    url = database.server_url()
    what = "every pricewatch table and all its data" if args.revision == "base" else \
        f"what the migrations after {args.revision} created, with its data"
    confirm(f"drop {what} in {where()}", args.yes)
    migrate.downgrade(url, args.revision)
    print(f"database at revision {migrate.current(url) or 'base'}: {where()}")
    return 0


def run_url(args) -> int:
    print(database.describe(database.server_url()))
    return 0


def run_rebuild(args) -> int:
    from pricewatch import archive_retention, rebuild

    if args.replace:
        confirm(f"drop the pricewatch database {where()} (if there is one; its watch rules and manual game "
                "decisions are kept) and rebuild it from the newest backup and the archived feeds", args.yes)
    start = None if args.no_backup else archive_retention.newest_backup()
    result = rebuild.rebuild(database.server_url(), replace=args.replace, echo=lambda line: print(line, flush=True),
                             start=start)
    print(f"{result.summary()}: {where()}")
    return 1 if result.failed_feeds else 0


def run_backup(args) -> int:
    from pricewatch import archive_retention, backup

    url = database.server_url()
    path = backup.backup(url, args.file) if args.file else archive_retention.back_up(url)
    print(f"backed up {where()} to {path} ({path.stat().st_size} bytes)")
    return 0


def run_restore(args) -> int:
    from pricewatch import backup

    backup.restore(database.server_url(), args.file)
    print(f"restored {args.file} into {where()}")
    return 0
