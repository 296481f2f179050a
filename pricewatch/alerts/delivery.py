"""Send the alerts reporting.watchlist_alerts holds and no channel has sent yet; remember what went out.

Runs as pricewatch_etl after each ETL (and with `pricewatch alerts --send`). An alert is recorded per channel
only after that channel accepted it, so a channel that was down sends it next time, and none sends it twice.
"""
import json
import os
import pkgutil

import psycopg2.extras

from pricewatch.alerts import NotConfigured

CHANNELS = ("pricewatch.alerts.webhook.WebhookChannel", "pricewatch.alerts.mail.EmailChannel")

UNSENT = """
select alert.*
from reporting.watchlist_alerts as alert
where not exists (
    select from ops.alert_sent as sent
    where sent.watch_rule_id = alert.watch_rule_id
      and sent.price_period_id = alert.price_period_id
      and sent.channel = %(channel)s
)
order by alert.price_since, alert.watch_rule_id, alert.listing_id
"""

RECORD_SENT = """
insert into ops.alert_sent (watch_rule_id, price_period_id, channel)
select sent.watch_rule_id, sent.price_period_id, %(channel)s
from jsonb_to_recordset(%(alerts)s::jsonb) as sent (watch_rule_id bigint, price_period_id bigint)
on conflict do nothing
"""


SENT_AND_UNSENT = """
select alert.watch_rule_id as rule, alert.reason, alert.title, alert.store, alert.region, alert.currency,
       alert.price, alert.regular_price, alert.discount_percent, alert.price_since,
       (select string_agg(sent.channel, ', ' order by sent.channel) from ops.alert_sent as sent
        where sent.watch_rule_id = alert.watch_rule_id and sent.price_period_id = alert.price_period_id) as sent_to,
       alert.url
from reporting.watchlist_alerts as alert
order by alert.price_since desc, alert.watch_rule_id
"""


def configured_channels(environ=os.environ) -> list:
    """Channels named in $PRICEWATCH_ALERT_CHANNELS (dotted paths, comma-separated) or CHANNELS, if set up."""
    paths = [path.strip() for path in environ.get("PRICEWATCH_ALERT_CHANNELS", ",".join(CHANNELS)).split(",")]
    channels = []
    for path in filter(None, paths):
        try:
            channels.append(pkgutil.resolve_name(path).from_env(environ))
        except NotConfigured:
            continue
    return channels


def send_pending(conn, channels=None) -> dict:
    """Per channel name, how many alerts it sent; commits after each channel's record."""
    sent = {}
    for channel in configured_channels() if channels is None else channels:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(UNSENT, {"channel": channel.name})
            alerts = [dict(row) for row in cur.fetchall()]
            if alerts:
                channel.send(alerts)
                keys = [{"watch_rule_id": a["watch_rule_id"], "price_period_id": a["price_period_id"]} for a in alerts]
                cur.execute(RECORD_SENT, {"channel": channel.name, "alerts": json.dumps(keys)})
        conn.commit()
        sent[channel.name] = len(alerts)
    return sent


def alerts(conn) -> tuple[list[str], list[tuple]]:
    """Every alert the watchlist raised, newest first, with the channels it went to."""
    with conn.cursor() as cur:
        cur.execute(SENT_AND_UNSENT)
        return [column.name for column in cur.description], cur.fetchall()
