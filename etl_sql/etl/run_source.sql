-- The ETL entry point of a store.
-- needs revision 0002
create or replace function etl.run_source(for_source text)
returns ops.etl_run
language plpgsql
as $$
begin
    if not exists (select from core.store where store = for_source) then
        raise exception 'unknown source "%"', for_source
            using errcode = 'invalid_parameter_value',
                  hint = 'known sources are listed in core.store';
    end if;
    return etl.run(for_source, 'staging.store_listing', 'etl.transform_store_changes');
end;
$$;

comment on function etl.run_source(text) is
    'Runs the ETL of one source (staging changes after its watermark -> core), logs it in ops.etl_run and returns that row';
