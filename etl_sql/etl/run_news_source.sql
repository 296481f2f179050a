-- The ETL entry point of a news source (reddit, news).
-- needs revision 0004: core.news_source
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
