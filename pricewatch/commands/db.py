"""pricewatch db upgrade|downgrade|url: manage the database schema and say where the database is."""
from pricewatch import config, database, migrate


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="migrate the database, show its URL")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="create or update every schema, function, view, role and grant")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=run_upgrade)
    downgrade = actions.add_parser("downgrade", help="undo migrations (default: all of them)")
    downgrade.add_argument("revision", nargs="?", default="base")
    downgrade.set_defaults(func=run_downgrade)
    actions.add_parser("url", help="print the database URL (password hidden)").set_defaults(func=run_url)


def where() -> str:
    url = database.server_url()
    origin = "PRICEWATCH_DATABASE_URL" if config.database_url() else f"embedded server in {config.home() / 'pgdata'}"
    return f"{database.describe(url)} ({origin})"


def run_upgrade(args) -> int:
    url = database.server_url()
    migrate.upgrade(url, args.revision)
    print(f"database at revision {migrate.current(url)}: {where()}")
    return 0


def run_downgrade(args) -> int:
    url = database.server_url()
    migrate.downgrade(url, args.revision)
    print(f"database at revision {migrate.current(url) or 'base'}: {where()}")
    return 0


def run_url(args) -> int:
    print(database.describe(database.server_url()))
    return 0
