-- Deletes the staging changes a run has read and a later change superseded.
-- needs revision 0016: staging.store_listing_change.supersedes_change_id
-- Staging holds what the loader compares feeds with (each listing's latest row) and the changes the ETL has
-- not read yet. Once a run has turned a change into core rows and a later change has superseded it, it is
-- history that core keeps (its price period, with opened_by_change_id as lineage) and the archived feeds can
-- rebuild: it leaves staging in that run, so staging grows with the catalogue, not with every change seen.
-- The ETL role cannot change staging: this one deletion runs with the owner's rights (security definer).
create or replace function etl.prune_superseded_changes(for_source text, after_change_id bigint, upto_change_id bigint)
returns integer
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    changes_pruned integer;
begin
    delete from staging.store_listing_change as superseded
    using staging.store_listing_change as change
    where change.source = for_source
      and change.change_id > after_change_id
      and change.change_id <= upto_change_id
      -- Each change names the one it superseded (a listing's first, none); that one's own predecessor went
      -- when a run read it, so one lookup by key per change prunes the whole history before it.
      and superseded.source = change.source
      and superseded.change_id = change.supersedes_change_id
      and superseded.change_id <= upto_change_id;

    get diagnostics changes_pruned = row_count;
    return changes_pruned;
end;
$$;

comment on function etl.prune_superseded_changes(text, bigint, bigint) is
    'Deletes the staging changes of a source that the run read or had read before and that a change of the run superseded; returns rows deleted';
