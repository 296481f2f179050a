-- One ETL run of one source: lock, watermark, the source kind's transform step, run log.
-- needs revision 0002
-- The skeleton every ETL run shares, whatever the kind of source: one run of one source in the caller's
-- transaction. The advisory lock is the one loads of the source hold while they write, so no load can commit a
-- change_id below the watermark read here, and two runs of a source queue up instead of both processing the
-- same changes. `transform` is the kind's step (etl.transform_store_changes, etl.transform_news_changes): it
-- gets the new change ids and load window, and returns what it wrote.
create or replace function etl.run(for_source text, changes regclass, transform regproc)
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
    run.source := for_source;
    run.started_at := clock_timestamp();
    perform pg_advisory_xact_lock(ops.source_lock_key(for_source));
    -- Loads of this source stamp loaded_at while holding the lock: every later one will be after this.
    loaded_upto := clock_timestamp();

    -- A failing run is rolled back to here and still logged, so ops.etl_run shows every attempt.
    begin
        insert into ops.etl_watermark (source) values (for_source) on conflict do nothing;
        select * into watermark from ops.etl_watermark where source = for_source;

        execute format(
            'select coalesce(max(change_id), $1), count(*) from %s where source = $2 and change_id > $1', changes)
        into run.upto_change_id, run.rows_in
        using watermark.last_change_id, for_source;
        run.after_change_id := watermark.last_change_id;

        select coalesce(max(feed_file.loaded_at), watermark.last_loaded_at)
        into newest_loaded_at
        from ops.feed_file
        where feed_file.loaded_at > watermark.last_loaded_at and feed_file.loaded_at <= loaded_upto;

        execute format('select * from %s($1, $2, $3, $4, $5)', transform)
        into run.rows_changed, run.listings_changed, run.periods_confirmed
        using for_source, run.after_change_id, run.upto_change_id, watermark.last_loaded_at, newest_loaded_at;

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

comment on function etl.run(text, regclass, regproc) is
    'One ETL run of a source: lock, watermark, the kind''s transform step on the new changes, run log; returns the ops.etl_run row';
