"""Operations records of Scrapyd crawl jobs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""
from migrations.sql_files import execute

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = r"""
create table ops.crawl_job (
    job_id text primary key,
    spider text not null,
    node text not null,
    arguments jsonb not null default '{}',
    state text not null default 'pending',
    scheduled_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    items_scraped integer,
    finish_reason text,
    health text,
    health_reasons text[] not null default '{}',
    stats jsonb,
    feed_path text,
    updated_at timestamptz not null default now(),
    constraint crawl_job_state_check check (state in ('pending', 'running', 'finished', 'lost'))
);
create index crawl_job_spider_scheduled_idx on ops.crawl_job (spider, scheduled_at desc);
comment on table ops.crawl_job is 'Every crawl scheduled on a Scrapyd node, its progress and the stats of its feed';
comment on column ops.crawl_job.job_id is 'Scrapyd job id, deterministic (<spider>-<UTC time slot>[-<args hash>]) so a double schedule is refused';
comment on column ops.crawl_job.node is 'Name of the Scrapyd node (deploy target) the job runs on';
comment on column ops.crawl_job.arguments is 'Spider arguments (-a) and Scrapy settings (setting=) the job was scheduled with';
comment on column ops.crawl_job.state is 'pending / running / finished as Scrapyd reports it; lost when the node no longer knows the job';
comment on column ops.crawl_job.items_scraped is 'item_scraped_count of the crawl stats sidecar (<jobid>.stats.json)';
comment on column ops.crawl_job.finish_reason is 'Scrapy finish_reason (finished, shutdown, closespider_*...) from the stats sidecar';
comment on column ops.crawl_job.health is 'Health verdict the stats sidecar gives the crawl (e.g. ok / degraded / failed)';
comment on column ops.crawl_job.health_reasons is 'Why the health failed: the crawl''s own monitors (stats sidecar), plus the comparison with earlier crawls made when the job is recorded';
comment on column ops.crawl_job.stats is 'The whole stats sidecar of the crawl, as written at close';
comment on column ops.crawl_job.feed_path is 'Where the job''s landing feed was last seen (landing, then archive)';

grant select, insert, update on ops.crawl_job to pricewatch_loader;
grant select on ops.crawl_job to pricewatch_etl;
"""

DOWNGRADE = r"""
drop table ops.crawl_job;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
