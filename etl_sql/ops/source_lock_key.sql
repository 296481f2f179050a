-- Advisory-lock key that loads and ETL runs of one source share.
-- needs revision 0001
-- Loads and ETL runs of one source serialise on this key, so an ETL watermark never skips a change id
-- that a still-open load transaction has taken.
create or replace function ops.source_lock_key(source text) returns bigint
language sql immutable parallel safe
as $$ select hashtextextended('pricewatch.source:' || source, 0) $$;

comment on function ops.source_lock_key(text) is 'Advisory-lock key that loads and ETL runs of one source share';
grant execute on function ops.source_lock_key(text) to pricewatch_loader, pricewatch_etl;
