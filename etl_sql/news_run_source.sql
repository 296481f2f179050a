-- One ETL run of a news source (reddit, news), in the caller's transaction, like etl.run_source for
-- stores: the source's advisory lock, the watermark in ops.etl_watermark and a row in ops.etl_run.
-- In the run log rows_changed counts items new or retitled, periods_confirmed items only rescraped, and
-- listings_changed the mentions found by store link or exact title.
create or replace function etl.run_news_source(for_source text)
returns ops.etl_run
language plpgsql
as $$
declare
    run ops.etl_run;
    watermark ops.etl_watermark;
    loaded_upto timestamptz;
    newest_loaded_at timestamptz;
    failure text;
begin
    if not exists (select from core.news_source where source = for_source) then
        raise exception 'unknown news source "%"', for_source
            using errcode = 'invalid_parameter_value',
                  hint = 'known news sources are listed in core.news_source';
    end if;
    run.source := for_source;
    run.started_at := clock_timestamp();
    perform pg_advisory_xact_lock(ops.source_lock_key(for_source));
    loaded_upto := clock_timestamp();

    begin
        insert into ops.etl_watermark (source) values (for_source) on conflict do nothing;
        select * into watermark from ops.etl_watermark where source = for_source;

        select coalesce(max(change.change_id), watermark.last_change_id), count(*)
        into run.upto_change_id, run.rows_in
        from staging.news_item as change
        where change.source = for_source and change.change_id > watermark.last_change_id;
        run.after_change_id := watermark.last_change_id;

        select coalesce(max(feed_file.loaded_at), watermark.last_loaded_at)
        into newest_loaded_at
        from ops.feed_file
        where feed_file.loaded_at > watermark.last_loaded_at and feed_file.loaded_at <= loaded_upto;

        select items_changed, items_confirmed
        into run.rows_changed, run.periods_confirmed
        from etl.upsert_news_items(for_source, run.after_change_id, run.upto_change_id,
                                   watermark.last_loaded_at, newest_loaded_at);
        run.listings_changed := etl.link_news_mentions(for_source);

        update ops.etl_watermark
        set last_change_id = run.upto_change_id,
            last_loaded_at = newest_loaded_at,
            updated_at = clock_timestamp()
        where source = for_source
          and (etl_watermark.last_change_id, etl_watermark.last_loaded_at)
              is distinct from (run.upto_change_id, newest_loaded_at);
        run.status := 'succeeded';
    exception when others then
        get stacked diagnostics failure = message_text;
        run.status := 'failed';
        run.error := failure;
        run.rows_changed := 0;
        run.listings_changed := 0;
        run.periods_confirmed := 0;
    end;

    insert into ops.etl_run (
        source, started_at, finished_at, status, error, rows_in, rows_changed, listings_changed,
        periods_confirmed, after_change_id, upto_change_id
    )
    values (
        run.source, run.started_at, clock_timestamp(), run.status, run.error, coalesce(run.rows_in, 0),
        coalesce(run.rows_changed, 0), coalesce(run.listings_changed, 0), coalesce(run.periods_confirmed, 0),
        run.after_change_id, run.upto_change_id
    )
    returning * into run;
    return run;
end;
$$;

comment on function etl.run_news_source(text) is
    'Runs the ETL of one news source (staging.news_item -> core news tables, exact mentions), logs it in ops.etl_run and returns that row';
