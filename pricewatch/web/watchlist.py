"""The watchlist as the web app sees it: rules and their alerts read as pricewatch_reader, rules added and removed
as pricewatch_web (which can do nothing else)."""
import psycopg2.errors
from fastapi import HTTPException

from pricewatch.alerts.delivery import configured_channels
from pricewatch.web.catalogue import Catalogue
from pricewatch.web.schemas import WatchRuleIn

ADD = """
insert into core.watch_rule (title, anchor_listing_id, region, currency, below, min_discount, new_low)
values (%(title)s, %(anchor_listing_id)s, %(region)s, %(currency)s, %(below)s, %(discount)s, %(new_low)s)
returning watch_rule_id
"""

REMOVE = "delete from core.watch_rule where watch_rule_id = %(id)s returning watch_rule_id"


def rules(catalogue: Catalogue) -> list[dict]:
    return [{"id": rule.pop("watch_rule_id"), **rule} for rule in catalogue.watch_rules()]


def watchlist(catalogue: Catalogue) -> dict:
    watched = rules(catalogue)
    return {
        "rules": watched,
        "alerts": catalogue.alerts(watched),
        "channels": [channel.name for channel in configured_channels()],
    }


def add_rule(catalogue: Catalogue, rule: WatchRuleIn) -> int:
    game = catalogue.header(rule.game_id)
    anchor = catalogue.anchor_listing(rule.game_id)
    if game is None or anchor is None:
        raise HTTPException(404, f"no game {rule.game_id}")
    values = {**rule.model_dump(), "title": game["title"], "anchor_listing_id": anchor,
              "region": rule.region.upper() if rule.region else None,
              "currency": rule.currency.upper() if rule.currency else None}
    try:
        with catalogue.db.writer.cursor() as cur:
            cur.execute(ADD, values)
            return cur.fetchone()["watch_rule_id"]
    except psycopg2.errors.ForeignKeyViolation:
        raise HTTPException(400, f"unknown currency {values['currency']!r} (ISO 4217 codes, e.g. USD, EUR)") from None


def remove_rule(catalogue: Catalogue, rule_id: int) -> None:
    with catalogue.db.writer.cursor() as cur:
        cur.execute(REMOVE, {"id": rule_id})
        if cur.fetchone() is None:
            raise HTTPException(404, f"no watch rule {rule_id}")
