"""Crawl jobs: deterministic job ids, spreading spiders over Scrapyd nodes, and their record in ops.crawl_job.

A job id names the spider and the UTC time slot it was scheduled in (`steam-20261128T0700`), plus a hash
of its arguments when it has any. A second schedule of the same spider in the same slot (a cron firing
twice, two operators) finds the id already known to a node or to ops.crawl_job and schedules nothing.
A whole-catalogue crawl can outlast its slot, so a spider is also not scheduled while one of its pending or
running jobs on any node covers one of the same regions (two crawls of one store and region would spend the
store's request budget twice and share one resumable job directory).
"""
import contextlib
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from psycopg2.extras import Json

from foundation import config
from foundation.errors import PricewatchError
from pricewatch.scrapyd import Node

log = logging.getLogger(__name__)

DEFAULT_SLOT_MINUTES = 60
JOB_STATES = ("pending", "running", "finished")
# A crawl with fewer items than this share of the average of its spider's last healthy crawls fails.
PREVIOUS_RUNS = 5
MIN_SHARE_OF_PREVIOUS = 0.5


def job_id(spider: str, when: datetime, slot_minutes: int = DEFAULT_SLOT_MINUTES,
           arguments: dict | None = None, settings: dict | None = None) -> str:
    """`<spider>-<UTC start of the slot, yyyymmddTHHMM>`, then `-<8 hex of the arguments>` when there are any."""
    when = when.astimezone(timezone.utc)
    minute_of_day = when.hour * 60 + when.minute
    slot_start = minute_of_day - minute_of_day % slot_minutes
    stamp = f"{when:%Y%m%d}T{slot_start // 60:02d}{slot_start % 60:02d}"
    identity = f"{spider}-{stamp}"
    if arguments or settings:
        described = json.dumps({"arguments": arguments or {}, "settings": settings or {}}, sort_keys=True)
        identity += "-" + hashlib.sha256(described.encode()).hexdigest()[:8]
    return identity


@dataclass
class Scheduled:
    spider: str
    job_id: str
    node: str
    new: bool
    # The pending or running job of the same store and regions that kept this one from being scheduled.
    busy_with: str | None = None


@dataclass
class ActiveJob:
    spider: str
    job_id: str
    node: str
    regions: frozenset | None  # None: the spider's default regions, which may be any


def known_jobs(nodes: list[Node]) -> tuple[dict[str, str], dict[str, int], list[ActiveJob]]:
    """{job id: node name} of every job the nodes know, {node name: pending + running jobs}, and the pending
    and running jobs (regions from a pending job's arguments; a running job's are looked up later)."""
    where, load, active = {}, {}, []
    for node in nodes:
        listing = node.jobs()
        load[node.name] = len(listing["pending"]) + len(listing["running"])
        for state in JOB_STATES:
            for job in listing[state]:
                where[job["id"]] = node.name
        for job in listing["pending"] + listing["running"]:
            regions = (job.get("args") or {}).get("regions")
            active.append(ActiveJob(job["spider"], job["id"], node.name, region_set(regions)))
    return where, load, active


def region_set(regions: str | None) -> frozenset | None:
    return frozenset(part.strip().upper() for part in regions.split(",") if part.strip()) if regions else None


def with_recorded_regions(conn, active: list[ActiveJob]) -> list[ActiveJob]:
    """Running jobs are listed without arguments: their regions come from ops.crawl_job when recorded."""
    unknown = [job.job_id for job in active if job.regions is None]
    if not unknown:
        return active
    with conn.cursor() as cur:
        cur.execute("""
            select job_id, arguments -> 'arguments' ->> 'regions'
            from ops.crawl_job
            where job_id = any(%s)
        """, (unknown,))
        recorded = dict(cur.fetchall())
    return [ActiveJob(job.spider, job.job_id, job.node, region_set(recorded.get(job.job_id)))
            if job.regions is None else job for job in active]


def overlapping(active: list[ActiveJob], spider: str, regions: str | None) -> ActiveJob | None:
    """A pending or running job of `spider` sharing a region; default regions overlap with anything."""
    wanted = region_set(regions)
    for job in active:
        if job.spider == spider and (wanted is None or job.regions is None or wanted & job.regions):
            return job
    return None


def schedule(conn, spiders: list[str], nodes: list[Node], arguments: dict | None = None,
             settings: dict | None = None, slot_minutes: int = DEFAULT_SLOT_MINUTES,
             when: datetime | None = None) -> list[Scheduled]:
    """Schedule each spider once per slot, on the node with the fewest pending and running jobs, unless a
    pending or running job of the same spider covers one of its regions.

    The ops.crawl_job row is inserted first and committed only once Scrapyd accepted the job, so two
    concurrent schedules of one id serialise on its primary key and the second one does nothing.
    """
    arguments, settings = arguments or {}, settings or {}
    when = when or datetime.now(timezone.utc)
    where, load, active = known_jobs(nodes)
    active = with_recorded_regions(conn, active)
    results = []
    for spider in spiders:
        identity = job_id(spider, when, slot_minutes, arguments, settings)
        if identity in where:
            results.append(Scheduled(spider, identity, where[identity], new=False))
            continue
        busy = overlapping(active, spider, arguments.get("regions"))
        if busy is not None:
            log.warning("%s not scheduled: its job %s on %s crawls the same regions", spider, busy.job_id, busy.node)
            results.append(Scheduled(spider, identity, busy.node, new=False, busy_with=busy.job_id))
            continue
        node = min(nodes, key=lambda candidate: (load[candidate.name], nodes.index(candidate)))
        with conn.cursor() as cur:
            cur.execute("""
                insert into ops.crawl_job (job_id, spider, node, arguments)
                values (%s, %s, %s, %s)
                on conflict (job_id) do nothing
                returning job_id
            """, (identity, spider, node.name, Json({"arguments": arguments, "settings": settings})))
            if cur.fetchone() is None:
                cur.execute("select node from ops.crawl_job where job_id = %s", (identity,))
                results.append(Scheduled(spider, identity, cur.fetchone()[0], new=False))
                conn.commit()
                continue
        try:
            node.schedule(spider, identity, arguments, settings)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        load[node.name] += 1
        where[identity] = node.name
        active.append(ActiveJob(spider, identity, node.name, region_set(arguments.get("regions"))))
        results.append(Scheduled(spider, identity, node.name, new=True))
    return results


def stats_file(identity: str) -> Path | None:
    """The job's `<jobid>.stats.json`, in landing (not loaded yet) or in the archive (loaded)."""
    for root in (config.landing_dir(), config.archive_dir()):
        for path in root.glob(f"*/*/{identity}.stats.json"):
            return path
    return None


def sidecar_fields(path: Path) -> dict:
    """ops.crawl_job columns from a crawl report (scrapers.extensions.crawl_report) written at close."""
    report = json.loads(path.read_text(encoding="utf-8"))
    return {
        "stats": report,
        "items_scraped": report.get("items_scraped"),
        "finish_reason": report.get("finish_reason"),
        "health": report.get("health"),
        "health_reasons": report.get("health_reasons") or [],
        "feed_path": str(path.with_name(report.get("feed") or path.name.replace(".stats.json", ".jl.gz"))),
    }


def scrapyd_time(value: str | None) -> datetime | None:
    """Scrapyd reports naive local times ("2026-11-28 07:50:12.123456"); this host's zone is assumed."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone()


def sync(conn, nodes: list[Node]) -> list[str]:
    """Bring ops.crawl_job up to date with what the nodes and the stats sidecars say.

    Returns the nodes that did not answer; their jobs keep the state last seen."""
    records = []
    answered, silent = [], []
    for node in nodes:
        try:
            listing = node.jobs()
        except PricewatchError as exc:
            log.warning("%s", exc)
            silent.append(node.name)
            continue
        answered.append(node.name)
        for state in JOB_STATES:
            for job in listing[state]:
                records.append(job_record(node.name, state, job))
    record_jobs(conn, records, answered)
    return silent


def record_jobs(conn, records: list[dict], answered: list[str]) -> None:
    """Upsert `records` (job_record) into ops.crawl_job; jobs of the `answered` nodes they omit are lost.

    A finished crawl its own monitors found healthy is also compared with the earlier crawls of its spider:
    fewer items than MIN_SHARE_OF_PREVIOUS of the average of the last PREVIOUS_RUNS healthy ones fails it.
    This happens here, where ops data lives, so a crawl never needs the database to finish."""
    with conn.cursor() as cur:
        cur.execute("""
            with seen as (
                select *
                from jsonb_to_recordset(%(records)s) as seen (
                    job_id text, spider text, node text, state text, started_at timestamptz,
                    finished_at timestamptz, items_scraped integer, finish_reason text, health text,
                    health_reasons text[], stats jsonb, feed_path text)
            ),
            earlier as (
                select seen.job_id, avg(previous.items_scraped) as average_items, count(*) as crawls
                from seen
                cross join lateral (
                    select job.items_scraped
                    from ops.crawl_job as job
                    where job.spider = seen.spider
                      and job.job_id <> seen.job_id
                      and job.state = 'finished' and job.finish_reason = 'finished' and job.health = 'ok'
                      and job.finished_at < seen.finished_at
                    order by job.finished_at desc
                    limit %(previous_runs)s
                ) as previous
                where seen.health = 'ok'
                group by seen.job_id
            ),
            short as (
                select seen.job_id,
                       format('Previous runs: %%s items, under %%s of the average %%s of the last %%s healthy crawls',
                              seen.items_scraped, %(share_label)s, round(earlier.average_items),
                              earlier.crawls) as reason
                from seen
                join earlier using (job_id)
                where seen.items_scraped < %(min_share)s * earlier.average_items
            ),
            judged as (
                select seen.job_id, seen.spider, seen.node, seen.state, seen.started_at, seen.finished_at,
                       seen.items_scraped, seen.finish_reason, seen.stats, seen.feed_path,
                       case when short.job_id is null then seen.health else 'failed' end as health,
                       case when short.job_id is null then seen.health_reasons
                            else coalesce(seen.health_reasons, '{}') || short.reason end as health_reasons
                from seen
                left join short using (job_id)
            ),
            upserted as (
                insert into ops.crawl_job as job (job_id, spider, node, state, scheduled_at, started_at,
                                                  finished_at, items_scraped, finish_reason, health,
                                                  health_reasons, stats, feed_path)
                select job_id, spider, node, state, coalesce(started_at, now()), started_at, finished_at,
                       items_scraped, finish_reason, health, coalesce(health_reasons, '{}'), stats, feed_path
                from judged
                on conflict (job_id) do update
                set state = excluded.state,
                    node = excluded.node,
                    started_at = coalesce(excluded.started_at, job.started_at),
                    finished_at = coalesce(excluded.finished_at, job.finished_at),
                    items_scraped = coalesce(excluded.items_scraped, job.items_scraped),
                    finish_reason = coalesce(excluded.finish_reason, job.finish_reason),
                    health = coalesce(excluded.health, job.health),
                    health_reasons = case when excluded.health is null then job.health_reasons
                                          else excluded.health_reasons end,
                    stats = coalesce(excluded.stats, job.stats),
                    feed_path = coalesce(excluded.feed_path, job.feed_path),
                    updated_at = now()
                where (job.state, job.node, job.started_at, job.finished_at, job.feed_path, job.stats, job.health)
                      is distinct from
                      (excluded.state, excluded.node, coalesce(excluded.started_at, job.started_at),
                       coalesce(excluded.finished_at, job.finished_at),
                       coalesce(excluded.feed_path, job.feed_path), coalesce(excluded.stats, job.stats),
                       coalesce(excluded.health, job.health))
            )
            update ops.crawl_job as job
            set state = 'lost', updated_at = now()
            where job.state in ('pending', 'running')
              and job.node = any(%(answered)s)
              and not exists (select from seen where seen.job_id = job.job_id)
        """, {"records": Json(records), "answered": answered, "previous_runs": PREVIOUS_RUNS,
              "min_share": MIN_SHARE_OF_PREVIOUS, "share_label": f"{MIN_SHARE_OF_PREVIOUS:.0%}"})
    conn.commit()


def job_record(node: str, state: str, job: dict) -> dict:
    """One listjobs.json entry, with what its stats sidecar says once the crawl has closed."""
    record = {
        "job_id": job["id"], "spider": job["spider"], "node": node, "state": state,
        "started_at": none_or_iso(scrapyd_time(job.get("start_time"))),
        "finished_at": none_or_iso(scrapyd_time(job.get("end_time"))),
    }
    path = stats_file(job["id"])
    if path:
        with contextlib.suppress(ValueError, OSError):  # a sidecar being written is read on the next sync
            record.update(sidecar_fields(path))
    return record


def none_or_iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def wait(nodes: list[Node], job_ids: list[str], on_progress=None, poll_seconds: float = 1.0,
         timeout: float | None = None) -> dict[str, str]:
    """Poll the nodes until every job has finished; `on_progress({job id: state})` after each poll."""
    deadline = time.monotonic() + timeout if timeout else None
    while True:
        states = {}
        for node in nodes:
            listing = node.jobs()
            for state in JOB_STATES:
                for job in listing[state]:
                    if job["id"] in job_ids:
                        states[job["id"]] = state
        if on_progress:
            on_progress(states)
        if all(states.get(identity) == "finished" for identity in job_ids):
            return states
        if deadline and time.monotonic() > deadline:
            unfinished = sorted(identity for identity in job_ids if states.get(identity) != "finished")
            raise PricewatchError(f"crawl jobs not finished after {timeout:.0f}s: {', '.join(unfinished)}")
        time.sleep(poll_seconds)
