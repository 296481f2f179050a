"""Watch rules on a crafted price history: which periods each rule fires on, and each alert sent once
through a webhook and an SMTP server listening on 127.0.0.1."""
import contextlib
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from etl_fixtures import rows, run_etl

from foundation import database
from pricewatch.alerts.delivery import configured_channels, send_pending
from pricewatch.cli import main

# Hollow Knight on Steam US: (day, price, regular price, discount). The regular price goes up on 2026-05-01.
HISTORY = [
    ("2024-06-01", "4.99", "19.99", 75),
    ("2024-07-01", "19.99", "19.99", 0),
    ("2026-02-01", "9.99", "19.99", 50),
    ("2026-03-01", "19.99", "19.99", 0),
    ("2026-04-01", "12.99", "19.99", 35),
    ("2026-05-01", "24.99", "24.99", 0),
    ("2026-06-01", "14.99", "24.99", 40),
    ("2026-07-01", "7.49", "24.99", 70),
    ("2026-08-01", "3.99", "24.99", 84),
]


@pytest.fixture
def history(admin, staging):
    for day, price, regular, discount in HISTORY:
        staging.change("367520", f"{day}T12:00:00Z", price=price, regular_price=regular, discount_percent=discount)
    # The same game in Germany, cheap in euros: never an alert for a USD or US rule.
    staging.change("367520", "2026-02-01T12:00:00Z", region="DE", currency="EUR", price="1.00", regular_price="14.99",
                   discount_percent=93)
    run_etl(admin)
    return admin


def add_rule(conn, created_at="2024-01-01", **conditions) -> int:
    with conn.cursor() as cur:
        cur.execute("""
            insert into core.watch_rule (title, anchor_listing_id, region, currency, below, min_discount, new_low, created_at)
            select 'Hollow Knight', listing_id, %(region)s, %(currency)s, %(below)s, %(min_discount)s, %(new_low)s, %(created_at)s
            from core.listing where store_item_id = '367520'
            returning watch_rule_id""",
            {"region": None, "currency": None, "below": None, "min_discount": None, "new_low": None,
             "created_at": created_at, **conditions})
        return cur.fetchone()[0]


def fired(conn, rule: int) -> list[tuple]:
    return rows(conn, """
        select to_char(price_since, 'YYYY-MM-DD'), region, price::text, reason from reporting.watchlist_alerts
        where watch_rule_id = %s order by price_since, region""", (rule,))


@pytest.mark.parametrize("conditions, days, reason", [
    ({"below": 10, "currency": "USD"}, ["2024-06-01", "2026-02-01", "2026-07-01", "2026-08-01"], "below 10 USD"),
    ({"min_discount": 50, "region": "US"}, ["2024-06-01", "2026-02-01", "2026-07-01", "2026-08-01"],
     "discount 50% or more"),
    ({"new_low": "all_time", "region": "US"}, ["2026-08-01"], "new all-time low"),
    ({"new_low": "365_days", "region": "US"}, ["2026-02-01", "2026-07-01", "2026-08-01"], "new 365-day low"),
    ({"new_low": "since_raise", "region": "US"}, ["2026-06-01", "2026-07-01", "2026-08-01"],
     "lowest since the last base-price raise"),
    ({"below": 8, "currency": "USD", "min_discount": 75}, ["2024-06-01", "2026-08-01"],
     "below 8 USD, discount 75% or more"),
])
def test_each_rule_fires_once_per_qualifying_price(history, conditions, days, reason):
    rule = add_rule(history, **conditions)
    alerts = fired(history, rule)
    assert [alert[0] for alert in alerts] == days
    assert {alert[1] for alert in alerts} == {"US"}
    assert {alert[3] for alert in alerts} == {reason}


def test_a_new_rule_only_sees_the_current_price(history):
    rule = add_rule(history, created_at="2026-09-01", below=10, currency="USD")
    assert fired(history, rule) == [("2026-08-01", "US", "3.99", "below 10 USD")]


class Received:
    """A webhook receiver and an SMTP server on 127.0.0.1 that keep what they are sent."""

    def __init__(self):
        self.posts, self.mails = [], []


@pytest.fixture
def receivers(monkeypatch):
    received = Received()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    class Mailbox:
        async def handle_DATA(self, server, session, envelope):
            received.mails.append(envelope)
            return "250 OK"

    http = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    monkeypatch.setenv("PRICEWATCH_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{http.server_port}/hook")
    monkeypatch.setenv("PRICEWATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PRICEWATCH_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("PRICEWATCH_ALERT_TO", "me@example.test, you@example.test")
    yield received
    smtp.stop()
    http.shutdown()
    http.server_close()


def test_alerts_go_out_once_by_webhook_and_email(history, db_url, receivers, capsys):
    add_rule(history, created_at="2026-09-01", below=10, currency="USD")
    assert [channel.name for channel in configured_channels()] == ["webhook", "email"]

    assert main(["alerts", "--send"]) == 0
    assert capsys.readouterr().out.splitlines() == ["webhook: 1 alert(s) sent", "email: 1 alert(s) sent"]
    (post,) = receivers.posts
    assert [(a["title"], a["price"], a["currency"], a["region"], a["reason"]) for a in post["alerts"]] == [
        ("Hollow Knight", "3.99", "USD", "US", "below 10 USD")]
    (mail,) = receivers.mails
    assert mail.rcpt_tos == ["me@example.test", "you@example.test"]
    assert "Subject: pricewatch: Hollow Knight 3.99 USD" in mail.content.decode()

    # Again, and after an ETL run that found nothing new: nothing more is sent.
    with contextlib.closing(database.connect(role="pricewatch_etl", url=db_url)) as conn:
        assert send_pending(conn) == {"webhook": 0, "email": 0}
    assert main(["etl", "steam"]) == 0
    assert (len(receivers.posts), len(receivers.mails)) == (1, 1)
    capsys.readouterr()
    assert main(["alerts", "--format", "csv"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("rule,reason,title") and listed[1].endswith(',"email, webhook",')


def test_a_channel_that_is_down_is_an_error_and_sends_later(history, db_url, receivers, monkeypatch, capsys):
    add_rule(history, created_at="2026-09-01", below=10, currency="USD")
    monkeypatch.setenv("PRICEWATCH_ALERT_WEBHOOK_URL", "http://127.0.0.1:9/closed")
    monkeypatch.setenv("PRICEWATCH_ALERT_CHANNELS", "pricewatch.alerts.webhook.WebhookChannel")
    assert main(["alerts", "--send"]) == 1
    assert "refused the alerts" in capsys.readouterr().err
    assert rows(history, "select count(*) from ops.alert_sent") == [(0,)]


def test_watch_add_list_remove(history, capsys):
    assert main(["watch", "add", "hollow knight", "--below", "10", "--currency", "usd", "--new-low", "--region", "us"]) == 0
    assert capsys.readouterr().out == "watching Hollow Knight (rule 1)\n"
    assert main(["watch", "list", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("1,Hollow Knight,US,USD,10,,all-time,")
    assert main(["watch", "remove", "1"]) == 0
    assert main(["watch", "remove", "1"]) == 1
    assert "no watch rule 1" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["watch", "add", "Hollow Knight", "--below", "10"], "--below needs --currency"),
    (["watch", "add", "Hollow Knight", "--below", "ten", "--currency", "USD"], "wants an amount"),
    (["watch", "add", "Hollow Knight", "--discount", "50", "--currency", "XXY"], "unknown currency"),
    (["watch", "add", "Hollow Knight"], "say what to watch for"),
    (["watch", "add", "Silksong", "--discount", "50"], "no game titled like 'Silksong'"),
])
def test_watch_add_refuses_unclear_rules(history, capsys, argv, message):
    assert main(argv) == 1
    assert message in capsys.readouterr().err
