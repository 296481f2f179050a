"""pricewatch alerts [--send]: the watchlist's alerts, and where they were sent; --send delivers the unsent.

Runs as pricewatch_etl (it records what was sent). Channels: see docs/games.md (webhook, SMTP email).
"""
import contextlib

from foundation import database
from foundation.database import migrated
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.alerts.delivery import alerts, configured_channels, send_pending


def register(subparsers) -> None:
    parser = subparsers.add_parser("alerts", help="list watchlist alerts; --send delivers the unsent ones")
    parser.add_argument("--send", action="store_true", help="send unsent alerts to the configured channels")
    parser.add_argument("--format", choices=tabular.FORMATS, default="table")
    parser.set_defaults(func=run)


def run(args) -> int:
    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn, migrated():
        if args.send:
            channels = configured_channels()
            if not channels:
                raise PricewatchError("no alert channel is configured: set PRICEWATCH_ALERT_WEBHOOK_URL "
                                      "and/or PRICEWATCH_SMTP_HOST with PRICEWATCH_ALERT_TO")
            for channel, count in send_pending(conn, channels).items():
                print(f"{channel}: {count} alert(s) sent")
            return 0
        columns, rows = alerts(conn)
        tabular.write(columns, rows, args.format, title="alerts",
                      table_columns=["rule", "reason", "title", "store", "region", "currency", "price",
                                     "discount_percent", "price_since", "sent_to"])
    return 0
