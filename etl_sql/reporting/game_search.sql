-- Canonical games with their title as words, for the web's search box.
-- needs revision 0018: core.title_trigrams
-- `to_tsquery('simple', 'hollow:* & kni:*')` finds games by words or word beginnings, through the GIN index
-- on the same expression; `title_trigrams @> reporting.title_search_trigrams(text)` by any part of the title
-- (`report best --game`), through another.
create or replace view reporting.game_search as
select
    game.game_id,
    game.title,
    game.base_game_id,
    to_tsvector('simple', game.title) as title_words,
    core.title_trigrams(game.title) as title_trigrams
from core.game as game;

comment on view reporting.game_search is
    'Canonical games with their title as words (simple configuration) and as three-character pieces, for searching by words, word beginnings or any part';
