-- Canonical games with their title as words, for the web's search box.
-- needs revision 0005: core.game.base_game_id
-- `to_tsquery('simple', 'hollow:* & kni:*')` finds games by words or word beginnings, through the GIN index
-- on the same expression.
create or replace view reporting.game_search as
select
    game.game_id,
    game.title,
    game.base_game_id,
    to_tsvector('simple', game.title) as title_words
from core.game as game;

comment on view reporting.game_search is
    'Canonical games with their title as words (simple configuration), for searching by words or word beginnings';
