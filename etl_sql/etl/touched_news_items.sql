-- The news items one ETL run has to look at.
-- needs revision 0004: staging.news_item
-- The news items one ETL run has to look at: new or retitled (a staging change after the watermark) and
-- rescraped (their latest row confirmed by a feed file loaded since the last run, which is also how
-- score, comment counts and the other refresh fields reach core without new staging rows).
create or replace function etl.touched_news_items(
    for_source text, after_change_id bigint, upto_change_id bigint,
    after_loaded_at timestamptz, upto_loaded_at timestamptz)
returns setof staging.news_item
language sql
stable
as $$
with confirming_file as (
    select feed_file_id
    from ops.feed_file
    where loaded_at > after_loaded_at and loaded_at <= upto_loaded_at
)
select latest.*
from staging.news_item as latest
where latest.source = for_source
  and latest.is_latest
  and ((latest.change_id > after_change_id and latest.change_id <= upto_change_id)
       or latest.last_seen_feed_file_id in (select feed_file_id from confirming_file))
$$;

comment on function etl.touched_news_items(text, bigint, bigint, timestamptz, timestamptz) is
    'Latest staging rows of a news source changed after the watermark or confirmed by feeds loaded since the last run';
