-- Every listing with the game it was matched to.
-- needs revision 0005: core.listing.edition, match_method
create or replace view reporting.game_listings as
select
    game.game_id,
    game.title as game,
    base_game.title as base_game,
    listing.store,
    listing.store_item_id,
    listing.title,
    listing.kind,
    listing.edition,
    listing.match_method,
    listing.match_score,
    listing.url,
    listing.listing_id,
    game.base_game_id
from core.listing as listing
join core.game as game on game.game_id = listing.game_id
left join core.game as base_game on base_game.game_id = game.base_game_id;

comment on view reporting.game_listings is
    'Every listing with the game it was matched to (edition noted), the base game of DLC, and how it was matched';
-- The ETL role reads it too: games matching, watchlist and alerts run as that role.
grant select on reporting.game_listings to pricewatch_etl;
