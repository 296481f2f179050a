"""The ETL cycle that follows loading: each source's SQL ETL, then game re-matching, then alerts.

This is the one place the sequence lives: `pricewatch etl`, `pricewatch run` and `pricewatch db rebuild` call
`run` and only print what it reports. Stores go first, then news sources, whose matching uses the stores'
fresh listings; each source runs in its own transaction and holds only its own lock.
"""
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg2.extras

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import news_matching
from pricewatch.alerts.delivery import send_pending
from pricewatch.games.store import MatchSummary, rematch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleResult:
    sources: list[dict] = field(default_factory=list)
    matching: MatchSummary | None = None
    alerts_sent: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [result["source"] for result in self.sources if result["status"] == "failed"]


def store_sources(conn) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("select store from core.store order by store")
        return [store for (store,) in cur.fetchall()]


def news_sources(conn) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("select source from core.news_source order by source")
        return [source for (source,) in cur.fetchall()]


def chosen_sources(named: list[str] | None, stores: list[str], news: list[str]) -> list[str]:
    known = stores + news
    unknown = sorted(set(named or ()) - set(known))
    if unknown:
        raise PricewatchError(f"unknown source {', '.join(unknown)}; known sources: {', '.join(known)}")
    return list(dict.fromkeys(named)) if named else known


def summary(result: dict) -> str:
    """One line per source run, store or news."""
    if "fuzzy_mentions" in result:
        return news_matching.summary(result)
    if result["status"] == "failed":
        return f"{result['source']}: failed: {result['error']}"
    return (f"{result['source']}: {result['rows_in']} rows in, {result['rows_changed']} price changes, "
            f"{result['listings_changed']} listings changed, {result['periods_confirmed']} prices confirmed")


def run_store_source(conn, source: str) -> dict:
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("select * from etl.run_source(%s)", (source,))
        result = dict(cur.fetchone())
    conn.commit()
    return result


def run(url: str | None = None, sources: list[str] | None = None,
        on_source: Callable[[dict], None] = lambda result: None) -> CycleResult:
    """Run the ETL of `sources` (default: every store, then every news source) on the database of `url`
    (default: the configured or embedded one), re-match games and send alerts. `on_source` hears each
    source's result as it finishes."""
    results = []
    with contextlib.closing(database.connect(role="pricewatch_etl", url=url)) as conn, database.migrated():
        stores, news = store_sources(conn), news_sources(conn)
        for source in chosen_sources(sources, stores, news):
            result = news_matching.run_source(conn, source) if source in news else run_store_source(conn, source)
            results.append(result)
            on_source(result)
        # New listings and titles change which listings are one game.
        matching = rematch(conn)
        conn.commit()
        # The web app's deals and coverage are judged once per run, not per page view.
        with conn.cursor() as cur:
            cur.execute("select etl.refresh_web_summaries()")
        conn.commit()
        # reporting.watchlist_alerts now reflects this run; each alert goes out once per channel.
        alerts_sent = send_pending(conn)
    log.info("%s; alerts sent: %s", matching, alerts_sent)
    return CycleResult(results, matching, alerts_sent)
