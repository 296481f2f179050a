-- A comment on every column of every reporting view, for analysts in pgAdmin, Tableau and `\d+`.
-- One glossary: a column name means the same in every view unless an entry names the view; a comment a view's
-- own file sets wins over a generic entry. migrations/repeatable.py runs it after creating the views.
do $$
declare
    described record;
begin
    for described in
        with glossary (view_name, column_name, description) as (
            values
            (null, 'store', 'Store code, the spider name (steam, psstore, gog, epic, eshop); list in reporting.stores'),
            (null, 'store_name', 'Store name as people write it, e.g. PlayStation Store'),
            (null, 'homepage', 'The store''s home page'),
            (null, 'store_item_id', 'The store''s own id of the listing (Steam app id, GOG product id, ...)'),
            (null, 'title', 'Title as the store shows it'),
            (null, 'kind', 'What the listing is: game, dlc, bundle or other (currency packs, soundtracks, ...)'),
            (null, 'region', 'Storefront country, ISO 3166-1 alpha-2 (US, GB, DE, ...)'),
            (null, 'currency', 'ISO 4217 currency of the prices in the row; null when not for sale'),
            (null, 'price', 'Public price paid now, in major units of currency; null when not for sale or only with a subscription'),
            (null, 'regular_price', 'Price without the discount, in major units of currency'),
            (null, 'discount_percent', 'Discount off the regular price in percent (0-100) as the store states it'),
            (null, 'is_free', 'True when the listing is free to everyone (price 0)'),
            (null, 'subscription', 'Subscription the price is tied to (PS Plus, EA Access, ...); null for public prices'),
            (null, 'subscription_price', 'Price for subscribers only; never counted as the public price'),
            (null, 'discount_ends_at', 'When the store says the discount ends; null when it does not say (or no discount)'),
            (null, 'since', 'When this price began (start of the current price period)'),
            (null, 'valid_from', 'When this price began'),
            (null, 'valid_to', 'When the next price replaced it; null = the current price'),
            (null, 'last_seen_at', 'Last crawl that saw this price (freshness)'),
            (null, 'url', 'Store page of the listing'),
            (null, 'listing_id', 'pricewatch id of the listing (core.listing); one per store and store item'),
            (null, 'game_id', 'pricewatch id of the game the listing was matched to (core.game); one game across stores'),
            (null, 'price_period_id', 'pricewatch id of the price period (core.price_history)'),
            (null, 'title_trigrams', 'The title''s three-character pieces in lower case (core.title_trigrams), GIN-indexed: find titles containing a text with title_trigrams @> reporting.title_search_trigrams(text)'),
            (null, 'game', 'Canonical title of the game (one game across stores, see pricewatch games)'),
            (null, 'all_time_low', 'Lowest public price ever recorded for this listing, region and currency'),
            (null, 'all_time_low_at', 'When the most recent period at the all-time low began'),
            (null, 'at_all_time_low', 'True when the current price equals the all-time low'),
            (null, 'news_item_id', 'pricewatch id of the post or article (core.news_item)'),
            (null, 'score', 'Votes or score the post had when last crawled (Reddit); null for feeds without one'),
            (null, 'num_comments', 'Comments the post had when last crawled; null for feeds without a count'),
            (null, 'match_method', 'How the game was recognised'),
            (null, 'match_score', 'rapidfuzz score 0-100 of a fuzzy match'),
            ('best_prices', 'price', 'The cheapest current public price of the game in this currency, across stores and regions'),
            ('best_prices', 'title', 'Title of the cheapest listing as its store shows it'),
            ('best_prices', 'listings_compared', 'Listings (store and region) with a current price in this currency that were compared'),
            ('best_prices', 'highest_price', 'The dearest of the compared current prices: what buying in the wrong place costs'),
            ('best_prices', 'all_time_low', 'Lowest public price ever recorded for the cheapest listing in this region and currency'),
            ('historical_lows', 'current_price', 'Current public price; null when not for sale now'),
            ('historical_lows', 'low_365_days', 'Lowest public price current at some moment in the last 365 days'),
            ('historical_lows', 'low_365_days_at', 'When the most recent period at the 365-day low began'),
            ('historical_lows', 'low_90_days', 'Lowest public price current at some moment in the last 90 days'),
            ('historical_lows', 'low_90_days_at', 'When the most recent period at the 90-day low began'),
            ('historical_lows', 'periods', 'Number of priced periods the lows were taken from'),
            ('price_drops', 'old_price', 'Public price before the drop'),
            ('price_drops', 'new_price', 'Public price after the drop'),
            ('price_drops', 'drop_percent', 'Drop in percent of the old price'),
            ('price_drops', 'changed_at', 'When the new price began'),
            ('price_drops', 'new_price_until', 'When the next price state replaced the new price (null: none has yet)'),
            ('price_timeline', 'day', 'Calendar day (UTC); the price is the last one known on that day'),
            ('price_timeline', 'price_since', 'When the price shown for the day began'),
            ('game_listings', 'base_game', 'For DLC and add-ons: the title of the game they belong to'),
            ('game_listings', 'base_game_id', 'For DLC and add-ons: the game they belong to'),
            ('game_listings', 'edition', 'Edition words the store added to the game''s name (Deluxe Edition, GOTY); null for the plain game'),
            ('game_listings', 'match_method', 'Evidence that tied the listing to its game: steam_appid, title (identical name), fuzzy, manual'),
            ('game_listings', 'match_score', 'rapidfuzz score (0-100) when match_method is fuzzy'),
            ('game_news', 'source', 'News source: reddit or news (RSS/Atom feeds)'),
            ('game_news', 'feed', 'Feed the item came from: a subreddit or a feed URL'),
            ('game_news', 'title', 'Title of the post or article'),
            ('game_news', 'url', 'Link to the post or article'),
            ('game_news', 'author', 'Author as the feed names them'),
            ('game_news', 'summary', 'Summary or first words of the item, as the feed gives it'),
            ('game_news', 'match_method', 'How the game was found in the item: store_link, exact_title or fuzzy_title'),
            ('reddit_deals', 'posted_at', 'When the deal was posted (when first seen, if the feed gives no date)'),
            ('reddit_deals', 'subreddit', 'Subreddit of the post'),
            ('reddit_deals', 'store_named', 'Store as the post title names it ([Steam], [Epic Games], ...)'),
            ('reddit_deals', 'deal_title', 'Game title read from the post title'),
            ('reddit_deals', 'deal_price', 'Price read from the post title; null when it names none'),
            ('reddit_deals', 'deal_currency', 'ISO 4217 currency of deal_price'),
            ('reddit_deals', 'deal_discount_percent', 'Discount in percent read from the post title'),
            ('reddit_deals', 'game', 'Canonical title of the game the post was matched to; null when none matched'),
            ('reddit_deals', 'our_region', 'Region of our_price'),
            ('reddit_deals', 'our_currency', 'Currency of our_price'),
            ('reddit_deals', 'our_regular_price', 'Regular price of the listing behind our_price'),
            ('reddit_deals', 'our_discount_percent', 'Discount of the listing behind our_price, in percent'),
            ('reddit_deals', 'our_price_since', 'When our_price began'),
            ('reddit_deals', 'score', 'Votes the post had when last crawled'),
            ('reddit_deals', 'num_comments', 'Comments the post had when last crawled'),
            ('reddit_deals', 'post_title', 'Title of the Reddit post'),
            ('reddit_deals', 'post_url', 'The Reddit post'),
            ('reddit_deals', 'link_url', 'Where the post links (usually the store page)'),
            ('watchlist_alerts', 'watch_rule_id', 'The watch rule met (core.watch_rule, pricewatch watch list)'),
            ('watchlist_alerts', 'reason', 'The rule''s conditions in words'),
            ('watchlist_alerts', 'price_since', 'When the price that meets the rule began'),
            ('watchlist_alerts', 'price_until', 'When that price ended; null = still current'),
            ('watch_rules', 'watch_rule_id', 'The watch rule (core.watch_rule; pricewatch watch list, the web watchlist)'),
            ('watch_rules', 'typed', 'The title as the person typed it when adding the rule'),
            ('watch_rules', 'below', 'Condition: a price below this amount, in currency; null = no such condition'),
            ('watch_rules', 'min_discount', 'Condition: a discount of at least this percent; null = no such condition'),
            ('watch_rules', 'new_low', 'Condition: a new low of this kind (all_time, 365_days, since_raise); null = none'),
            ('watch_rules', 'created_at', 'When the rule was added'),
            ('watch_rules', 'alerts_sent', 'Alerts delivered for the rule, counted per channel'),
            ('watch_rules', 'last_sent_at', 'When the newest of them went out; null = none yet'),
            ('game_search', 'base_game_id', 'The game this one adds to (DLC, soundtrack); null for a base game'),
            ('game_search', 'title_words', 'The title as words (to_tsvector simple), GIN-indexed for searching'),
            ('source_status', 'source', 'Spider name: a store or a news source (reddit, news)'),
            ('source_status', 'last_crawl_job_id', 'Job id of the newest crawl that finished with health ok'),
            ('source_status', 'last_crawl_at', 'When that crawl ended'),
            ('source_status', 'last_crawl_items', 'Items it yielded'),
            ('source_status', 'previous_crawls_avg_items', 'Average items of up to 5 successful crawls before it'),
            ('source_status', 'previous_crawls', 'How many successful crawls that average covers'),
            ('source_status', 'last_failed_crawl_at', 'When the newest crawl that failed or was lost ended'),
            ('source_status', 'last_failed_crawl_job_id', 'Job id of that failed crawl'),
            ('source_status', 'last_failed_crawl_problem', 'What went wrong with it: failed health and why, its finish reason, or lost'),
            ('source_status', 'last_load_at', 'When the newest feed of the source was loaded'),
            ('source_status', 'feeds_loaded', 'Feed files of the source loaded so far'),
            ('source_status', 'last_etl_at', 'When the newest successful ETL run of the source ended'),
            ('source_status', 'last_etl_status', 'Whether the newest ETL run of the source, successful or not, succeeded or failed (ops.etl_run)')
        ),
        view_column as (
            select columns.table_name as view_name, columns.column_name,
                   col_description(format('%I.%I', columns.table_schema, columns.table_name)::regclass,
                                   columns.ordinal_position) as existing
            from information_schema.columns as columns
            join information_schema.views as views using (table_schema, table_name)
            where columns.table_schema = 'reporting'
        )
        select view_column.view_name, view_column.column_name,
               coalesce(specific.description, view_column.existing, generic.description) as description
        from view_column
        left join glossary as specific
            on specific.view_name = view_column.view_name and specific.column_name = view_column.column_name
        left join glossary as generic
            on generic.view_name is null and generic.column_name = view_column.column_name
    loop
        if described.description is not null then
            execute format('comment on column reporting.%I.%I is %L',
                           described.view_name, described.column_name, described.description);
        end if;
    end loop;
end
$$;
