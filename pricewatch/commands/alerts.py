"""pricewatch alerts [--send]: the watchlist's alerts, and where they were sent; --send delivers the unsent.

Runs as pricewatch_etl (it records what was sent). Channels: see docs/games.md (webhook, SMTP email).
"""
import contextlib

from foundation import database
from foundation.database import migrated
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.alerts.delivery import configured_channels, send_pending

LIST = """
select alert.watch_rule_id as rule, alert.reason, alert.title, alert.store, alert.region, alert.currency,
       alert.price, alert.regular_price, alert.discount_percent, alert.price_since,
       (select string_agg(sent.channel, ', ' order by sent.channel) from ops.alert_sent as sent
        where sent.watch_rule_id = alert.watch_rule_id and sent.price_period_id = alert.price_period_id) as sent_to,
       alert.url
from reporting.watchlist_alerts as alert
order by alert.price_since desc, alert.watch_rule_id
"""


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
        with conn.cursor() as cur:
            cur.execute(LIST)
            tabular.write([column.name for column in cur.description], cur.fetchall(), args.format, title="alerts",
                          table_columns=["rule", "reason", "title", "store", "region", "currency", "price",
                                         "discount_percent", "price_since", "sent_to"])
    return 0
