-- Mentions of games in news items found by store link or exact title.
-- needs revision 0008: core.listing.normalized_url
-- The exact matches, in SQL: a store link to a listing we track (a Steam app id, else the same page URL),
-- then the deal title or the item title equal to a game's normalised title. Fuzzy title matching is a
-- Python step (pricewatch.news_matching) that runs after this for the items still unmatched. Items are matched
-- once (new or retitled: matched_at is null), against the games known then.
create or replace function etl.link_news_mentions(for_source text)
returns integer
language sql
as $$
with candidate as (
    select item.news_item_id, item.link_url, etl.normalize_url(item.link_url) as link,
           etl.normalize_title(coalesce(deal.title, item.title)) as normalized_title
    from core.news_item as item
    join core.news_feed as feed using (news_feed_id)
    left join core.news_deal as deal using (news_item_id)
    where feed.source = for_source
      and item.matched_at is null
),
linked_listing as (
    -- Two equality joins (each through an index), not one join on "a or b", which no index serves.
    select candidate.*, listing.listing_id, listing.game_id
    from candidate
    join core.listing
      on listing.store = 'steam'
     and listing.store_item_id = substring(candidate.link from '^store\.steampowered\.com/app/([0-9]+)')
    union
    select candidate.*, listing.listing_id, listing.game_id
    from candidate
    join core.listing on listing.normalized_url = candidate.link
),
by_store_link as (
    select news_item_id, game_id, listing_id, 'store_link' as match_method,
           100::numeric as match_score, link_url as matched_text
    from linked_listing
    where game_id is not null
),
by_exact_title as (
    select candidate.news_item_id, game.game_id, null::bigint as listing_id, 'exact_title' as match_method,
           100::numeric as match_score, game.title as matched_text
    from candidate
    join core.game on game.normalized_title = candidate.normalized_title
),
mention as (
    select distinct on (news_item_id, game_id) *
    from (select * from by_store_link union all select * from by_exact_title) as found
    order by news_item_id, game_id, match_method desc
),
inserted as (
    insert into core.news_mention (news_item_id, game_id, listing_id, match_method, match_score, matched_text)
    select news_item_id, game_id, listing_id, match_method, match_score, matched_text
    from mention
    on conflict (news_item_id, game_id) do nothing
    returning 1
)
select count(*)::integer from inserted
$$;

comment on function etl.link_news_mentions(text) is
    'Mentions of games by store link and by exact normalised title for the unmatched items of a news source; returns rows added';
