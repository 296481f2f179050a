-- The staging changes one run reads.
-- needs revision 0002
-- The one definition of "what this run reads": the staging changes of a source in a change_id range.
create or replace function etl.new_changes(for_source text, after_change_id bigint, upto_change_id bigint)
returns setof staging.store_listing
language sql
stable
begin atomic
    select *
    from staging.store_listing
    where source = for_source
      and change_id > after_change_id
      and change_id <= upto_change_id;
end;

comment on function etl.new_changes(text, bigint, bigint) is
    'Staging changes of a source with after_change_id < change_id <= upto_change_id (a run''s input)';
