-- The transform step of news sources: items, deals and exact mentions.
-- needs revision 0002
-- In the run log rows_changed counts items new or retitled, periods_confirmed items only rescraped, and
-- listings_changed the mentions found by store link or exact title.
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
