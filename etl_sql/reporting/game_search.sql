-- Titles as words for the search box: `to_tsquery('simple', 'hollow:* & kni:*')` finds games by any words
-- or word beginnings, through the GIN index on the same expression (core.game_title_words_idx).
create or replace view reporting.game_search as
select
    game.game_id,
    game.title,
    game.base_game_id,
    to_tsvector('simple', game.title) as title_words
from core.game as game;

comment on view reporting.game_search is
    'Canonical games with their title as words (simple configuration), for searching by words or word beginnings';
