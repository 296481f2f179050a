-- Reddit deal posts next to our current price in the same store.
-- needs revision 0004: core.news_deal
-- A deal post next to what our own data says the same store charges now: the listing the post links to
-- (or the game's listings in the store the title names), in a region priced in the post's currency when
-- the post has one; the cheapest such current public price.
create or replace view reporting.reddit_deals as
with deal_post as (
    select item.news_item_id, feed.feed as subreddit, coalesce(item.published_at, item.first_seen_at) as posted_at,
           item.title as post_title, item.url as post_url, item.link_url, item.score, item.num_comments,
           deal.store_named, deal.store, deal.title as deal_title, deal.price as deal_price,
           deal.currency as deal_currency, deal.discount_percent as deal_discount_percent
    from core.news_deal as deal
    join core.news_item as item using (news_item_id)
    join core.news_feed as feed using (news_feed_id)
    where feed.source = 'reddit'
),
matched_price as (
    select deal_post.news_item_id, mention.game_id, current.store_item_id, current.region, current.currency,
           current.price, current.regular_price, current.discount_percent, current.since,
           row_number() over (
               partition by deal_post.news_item_id
               order by mention.listing_id = current.listing_id desc nulls last,
                        current.currency = deal_post.deal_currency desc nulls last,
                        current.price
           ) as preference
    from deal_post
    join core.news_mention as mention using (news_item_id)
    join reporting.current_prices as current
      on current.game_id = mention.game_id
     and current.store = deal_post.store
     and current.price is not null
     and current.subscription is null
)
select
    deal_post.posted_at,
    deal_post.subreddit,
    deal_post.store_named,
    deal_post.store,
    deal_post.deal_title,
    deal_post.deal_price,
    deal_post.deal_currency,
    deal_post.deal_discount_percent,
    game.title as game,
    matched_price.region as our_region,
    matched_price.currency as our_currency,
    matched_price.price as our_price,
    matched_price.regular_price as our_regular_price,
    matched_price.discount_percent as our_discount_percent,
    matched_price.since as our_price_since,
    case when matched_price.currency = deal_post.deal_currency then deal_post.deal_price - matched_price.price end
        as price_difference,
    deal_post.score,
    deal_post.num_comments,
    deal_post.post_title,
    deal_post.post_url,
    deal_post.link_url,
    deal_post.news_item_id
from deal_post
left join matched_price on matched_price.news_item_id = deal_post.news_item_id and matched_price.preference = 1
left join core.game on game.game_id = matched_price.game_id;

comment on view reporting.reddit_deals is
    'Reddit deal posts (store, title, price, discount parsed from the title) next to the store''s current price in our data';
comment on column reporting.reddit_deals.store is 'Our store code for the store the title names; null for stores we do not track (Humble, Fanatical, ...)';
comment on column reporting.reddit_deals.our_price is 'Cheapest current public price of the matched game in that store, preferring the linked listing and the deal''s currency';
comment on column reporting.reddit_deals.price_difference is 'deal_price minus our_price when both are in the same currency';
