"""The ETL cycle that follows loading: each source's SQL ETL, then game re-matching, then alerts.

This is the one place the sequence lives: `pricewatch etl`, `pricewatch run` and `pricewatch db rebuild` call
`run` and only print what it reports. Stores go first, then news sources, whose matching uses the stores'
fresh listings; each source runs in its own transaction and holds only its own lock.
"""
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg2.extras

from foundation import database
from foundation.errors import PricewatchError
from pricewatch import news_matching
from pricewatch.alerts.delivery import send_pending
from pricewatch.games.store import MatchSummary, match_pending

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleResult:
    sources: list[dict] = field(default_factory=list)
    matching: MatchSummary | None = None
    alerts_sent: dict = field(default_factory=dict)
    matching_seconds: float = 0.0
    alerts_seconds: float = 0.0
    summaries_seconds: float = 0.0
    summaries_judged: int = 0

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
    """One line per source run, store or news, with its seconds."""
    if "fuzzy_mentions" in result:
        line = news_matching.summary(result)
    elif result["status"] == "failed":
        line = f"{result['source']}: failed: {result['error']}"
    else:
        line = (f"{result['source']}: {result['rows_in']} rows in, {result['rows_changed']} price changes, "
                f"{result['listings_changed']} listings changed, {result['periods_confirmed']} prices confirmed")
    return f"{line} ({result['seconds']:.1f} s)" if "seconds" in result else line


def run_store_source(conn, source: str) -> dict:
    with conn.cursor() as cur:
        # Its own transaction: creating a month's partition locks core.price_history, never for a whole run.
        cur.execute("select etl.create_history_partitions()")
    conn.commit()
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
            started = time.perf_counter()
            result = news_matching.run_source(conn, source) if source in news else run_store_source(conn, source)
            result["seconds"] = time.perf_counter() - started
            results.append(result)
            on_source(result)
        # New listings and titles change which listings are one game.
        started = time.perf_counter()
        matching = match_pending(conn)
        conn.commit()
        matched = time.perf_counter()
        # The web app's deals and coverage are judged once per run, not per page view.
        with conn.cursor() as cur:
            cur.execute("select etl.refresh_web_summaries()")
            (judged,) = cur.fetchone()
        conn.commit()
        summarised = time.perf_counter()
        # reporting.watchlist_alerts now reflects this run; each alert goes out once per channel.
        alerts_sent = send_pending(conn)
    result = CycleResult(results, matching, alerts_sent, matched - started, time.perf_counter() - summarised,
                         summarised - matched, judged)
    log.info("%s; alerts sent: %s", matching, alerts_sent)
    return result


def stage_summary(result: CycleResult) -> str:
    """The stages after the sources: game matching and alerts, with their seconds."""
    sent = ", ".join(f"{count} by {channel}" for channel, count in result.alerts_sent.items()) or "no channel"
    return (f"{result.matching} ({result.matching_seconds:.1f} s)\n"
            f"summaries: the web's deals and coverage refreshed, {result.summaries_judged} listings' deals judged "
            f"again ({result.summaries_seconds:.1f} s)\n"
            f"alerts: {sent} ({result.alerts_seconds:.1f} s)")
