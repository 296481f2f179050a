-- The news ETL (reddit, news): the transform step of news items and the per-source entry point. In the run log
-- rows_changed counts items new or retitled, periods_confirmed items only rescraped, and listings_changed the
-- mentions found by store link or exact title.
create or replace function etl.transform_news_changes(
    for_source text, after_change_id bigint, upto_change_id bigint,
    loaded_after timestamptz, loaded_upto timestamptz,
    out rows_changed integer, out listings_changed integer, out periods_confirmed integer)
language plpgsql
as $$
begin
    select items_changed, items_confirmed
    into rows_changed, periods_confirmed
    from etl.upsert_news_items(for_source, after_change_id, upto_change_id, loaded_after, loaded_upto);
    listings_changed := etl.link_news_mentions(for_source);
end;
$$;

comment on function etl.transform_news_changes(text, bigint, bigint, timestamptz, timestamptz) is
    'News changes -> feeds, items, deals and exact mentions; returns items new or retitled, mentions, items rescraped';

create or replace function etl.run_news_source(for_source text)
returns ops.etl_run
language plpgsql
as $$
begin
    if not exists (select from core.news_source where source = for_source) then
        raise exception 'unknown news source "%"', for_source
            using errcode = 'invalid_parameter_value',
                  hint = 'known news sources are listed in core.news_source';
    end if;
    return etl.run(for_source, 'staging.news_item', 'etl.transform_news_changes');
end;
$$;

comment on function etl.run_news_source(text) is
    'Runs the ETL of one news source (staging.news_item -> core news tables, exact mentions), logs it in ops.etl_run and returns that row';
