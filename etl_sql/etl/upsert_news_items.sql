-- Writes the feeds, items and deals of a news source's touched items.
-- needs revision 0004: core.news_item
-- Feeds, items and the deals their titles announce, from the latest staging row of every touched item.
-- An item whose title or link changed loses its mentions and is matched again (matched_at null).
create or replace function etl.upsert_news_items(
    for_source text, after_change_id bigint, upto_change_id bigint,
    after_loaded_at timestamptz, upto_loaded_at timestamptz,
    out items_changed integer, out items_confirmed integer)
language plpgsql
as $$
begin
    create temp table touched_news_item on commit drop as
    select touched.*, touched.change_id > after_change_id as is_change
    from etl.touched_news_items(for_source, after_change_id, upto_change_id, after_loaded_at, upto_loaded_at) as touched;

    insert into core.news_feed (source, feed, first_seen_at)
    select source, feed, min(observed_at)
    from touched_news_item
    group by source, feed
    on conflict (source, feed) do nothing;

    with first_state as (
        select first.source, first.feed, first.external_id, first.observed_at as first_seen_at
        from staging.news_item as first
        join touched_news_item as touched using (source, feed, external_id)
        where first.change_seq = 1
    )
    insert into core.news_item as item (
        news_feed_id, external_id, title, url, published_at, author, summary, link_url, score, num_comments,
        flair, first_seen_at, described_at, last_seen_at
    )
    select feed.news_feed_id, touched.external_id, touched.title, touched.url, touched.published_at, touched.author,
           touched.summary, touched.link_url, touched.score, touched.num_comments, touched.flair,
           first_state.first_seen_at, touched.observed_at, touched.last_seen_at
    from touched_news_item as touched
    join core.news_feed as feed using (source, feed)
    join first_state using (source, feed, external_id)
    on conflict (news_feed_id, external_id) do update
    set title = excluded.title,
        url = excluded.url,
        published_at = excluded.published_at,
        author = excluded.author,
        summary = excluded.summary,
        link_url = excluded.link_url,
        score = excluded.score,
        num_comments = excluded.num_comments,
        flair = excluded.flair,
        described_at = excluded.described_at,
        last_seen_at = greatest(item.last_seen_at, excluded.last_seen_at),
        matched_at = case
            when (item.title, item.link_url) is distinct from (excluded.title, excluded.link_url) then null
            else item.matched_at
        end;

    delete from core.news_mention
    where news_item_id in (select news_item_id from core.news_item where matched_at is null);

    with touched_item as (
        select item.news_item_id, touched.*
        from touched_news_item as touched
        join core.news_feed as feed using (source, feed)
        join core.news_item as item on item.news_feed_id = feed.news_feed_id and item.external_id = touched.external_id
    ),
    dropped as (
        delete from core.news_deal
        where news_item_id in (select news_item_id from touched_item where deal_store is null)
    )
    insert into core.news_deal as deal (news_item_id, store_named, store, title, price, currency, discount_percent)
    select touched_item.news_item_id, touched_item.deal_store, alias.store, touched_item.deal_title,
           touched_item.deal_price, touched_item.deal_currency, touched_item.deal_discount_percent
    from touched_item
    left join core.store_alias as alias on alias.alias = lower(btrim(touched_item.deal_store))
    where touched_item.deal_store is not null
    on conflict (news_item_id) do update
    set store_named = excluded.store_named,
        store = excluded.store,
        title = excluded.title,
        price = excluded.price,
        currency = excluded.currency,
        discount_percent = excluded.discount_percent;

    select count(*) filter (where is_change), count(*) filter (where not is_change)
    into items_changed, items_confirmed
    from touched_news_item;
    drop table touched_news_item;
end;
$$;

comment on function etl.upsert_news_items(text, bigint, bigint, timestamptz, timestamptz) is
    'News feeds, items and deals of one source from its touched staging rows; returns items new/retitled and items only rescraped';
