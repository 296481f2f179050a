-- News items mentioning each game.
-- needs revision 0004: core.news_mention
create or replace view reporting.game_news as
select
    game.game_id,
    game.title as game,
    feed.source,
    feed.feed,
    coalesce(item.published_at, item.first_seen_at) as published_at,
    item.title,
    item.url,
    item.author,
    item.summary,
    item.score,
    item.num_comments,
    mention.match_method,
    mention.match_score,
    item.news_item_id
from core.news_mention as mention
join core.game using (game_id)
join core.news_item as item using (news_item_id)
join core.news_feed as feed using (news_feed_id);

comment on view reporting.game_news is
    'Posts and articles mentioning each game, with how the mention was found (store_link, exact_title, fuzzy_title and its score)';
comment on column reporting.game_news.published_at is 'When the item was published; when the feed gives no date, when we first saw it';
comment on column reporting.game_news.match_score is 'rapidfuzz score 0-100 of a fuzzy_title match; 100 for exact matches';
