-- One ETL run of one source, in the caller's transaction. The advisory lock is the one loads of the
-- source hold while they write, so no load can commit a change_id below the watermark read here, and two
-- runs of a source queue up instead of both processing the same changes.
create or replace function etl.run_source(for_source text)
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
    if not exists (select from core.store where store = for_source) then
        raise exception 'unknown source "%"', for_source
            using errcode = 'invalid_parameter_value',
                  hint = 'known sources are listed in core.store';
    end if;
    run.source := for_source;
    run.started_at := clock_timestamp();
    perform pg_advisory_xact_lock(ops.source_lock_key(for_source));
    -- Loads of this source stamp loaded_at while holding the lock: every later one will be after this.
    loaded_upto := clock_timestamp();

    -- A failing run is rolled back to here and still logged, so ops.etl_run shows every attempt.
    begin
        insert into ops.etl_watermark (source) values (for_source) on conflict do nothing;
        select * into watermark from ops.etl_watermark where source = for_source;

        select coalesce(max(change.change_id), watermark.last_change_id), count(*)
        into run.upto_change_id, run.rows_in
        from staging.store_listing as change
        where change.source = for_source and change.change_id > watermark.last_change_id;
        run.after_change_id := watermark.last_change_id;

        select coalesce(max(feed_file.loaded_at), watermark.last_loaded_at)
        into newest_loaded_at
        from ops.feed_file
        where feed_file.loaded_at > watermark.last_loaded_at and feed_file.loaded_at <= loaded_upto;

        if run.rows_in > 0 then
            run.listings_changed := etl.upsert_listings(for_source, run.after_change_id, run.upto_change_id);
            run.rows_changed := etl.append_price_periods(for_source, run.after_change_id, run.upto_change_id);
        end if;
        run.periods_confirmed := etl.move_last_seen(for_source, watermark.last_loaded_at, newest_loaded_at);

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
        -- Nothing of the failed attempt stayed: report no writes.
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

comment on function etl.run_source(text) is
    'Runs the ETL of one source (staging changes after its watermark -> core), logs it in ops.etl_run and returns that row';
