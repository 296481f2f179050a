-- Per source: its last crawl, failure, load and ETL run, for `pricewatch status` and monitoring.
-- needs revision 0003
create or replace view ops.source_status as
with crawl as (
    select spider as source, job_id, state, finished_at, scheduled_at, items_scraped,
           state = 'finished' and finish_reason = 'finished' and coalesce(health, 'ok') <> 'failed' as succeeded
    from ops.crawl_job
),
successful_crawl as (
    select source, job_id, finished_at, items_scraped,
           row_number() over (partition by source order by finished_at desc, job_id desc) as recency
    from crawl
    where succeeded
),
crawl_summary as (
    select source,
           max(job_id) filter (where recency = 1) as last_crawl_job_id,
           max(finished_at) filter (where recency = 1) as last_crawl_at,
           max(items_scraped) filter (where recency = 1) as last_crawl_items,
           round(avg(items_scraped) filter (where recency between 2 and 6)) as previous_crawls_avg_items,
           count(*) filter (where recency between 2 and 6) as previous_crawls
    from successful_crawl
    group by source
),
failed_crawl as (
    select crawl.source, crawl.job_id, coalesce(crawl.finished_at, crawl.scheduled_at) as failed_at,
           case
               when crawl.state = 'lost' then 'lost by its Scrapyd node'
               when job.health = 'failed' then 'health failed: '
                    || coalesce(nullif(array_to_string(job.health_reasons, '; '), ''), 'no reason recorded')
               else 'finish reason ' || coalesce(job.finish_reason, 'unknown')
           end as problem,
           row_number() over (partition by crawl.source
                              order by coalesce(crawl.finished_at, crawl.scheduled_at) desc, crawl.job_id desc) as recency
    from crawl
    join ops.crawl_job as job using (job_id)
    where crawl.state = 'lost' or (crawl.state = 'finished' and not crawl.succeeded)
),
crawl_failure as (
    select source, failed_at as last_failed_crawl_at, job_id as last_failed_crawl_job_id,
           problem as last_failed_crawl_problem
    from failed_crawl
    where recency = 1
),
feed_file as (
    -- An empty feed names no source in its records; its landing path <source>/<date>/<file> still does.
    select coalesce(source, (regexp_match(path, '([^/]+)/[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]+$'))[1]) as source,
           loaded_at
    from ops.feed_file
    where loaded_at is not null
),
load_summary as (
    select source, max(loaded_at) as last_load_at, count(*) as feeds_loaded
    from feed_file
    where source is not null
    group by source
),
etl_summary as (
    select source,
           max(finished_at) filter (where status = 'succeeded') as last_etl_at,
           (array_agg(status order by finished_at desc))[1] as last_etl_status
    from ops.etl_run
    group by source
),
source as (
    select source from crawl
    union select source from load_summary
    union select source from etl_summary
)
select source.source,
       crawl_summary.last_crawl_job_id,
       crawl_summary.last_crawl_at,
       crawl_summary.last_crawl_items,
       crawl_summary.previous_crawls_avg_items,
       coalesce(crawl_summary.previous_crawls, 0) as previous_crawls,
       crawl_failure.last_failed_crawl_at,
       load_summary.last_load_at,
       coalesce(load_summary.feeds_loaded, 0) as feeds_loaded,
       etl_summary.last_etl_at,
       etl_summary.last_etl_status,
       crawl_failure.last_failed_crawl_job_id,
       crawl_failure.last_failed_crawl_problem
from source
left join crawl_summary using (source)
left join crawl_failure using (source)
left join load_summary using (source)
left join etl_summary using (source);

comment on view ops.source_status is 'Per source: last successful crawl and its items against the 5 before it, last failure, last load, last ETL';
comment on column ops.source_status.previous_crawls_avg_items is 'Average items of up to 5 successful crawls before the last one';
comment on column ops.source_status.last_failed_crawl_at is 'When the newest crawl that failed (finish reason, health) or was lost by its node ended';
comment on column ops.source_status.last_failed_crawl_job_id is 'Job id of that newest failed crawl';
comment on column ops.source_status.last_failed_crawl_problem is 'What went wrong with it: health failed with its reasons, its finish reason, or lost by its node';

grant select on ops.source_status to pricewatch_etl;
