-- The game a listing keeps when a run describes it again.
-- needs revision 0002
-- The matcher (pricewatch.games) and people decide a listing's game; only a new title starts over, with the game
-- named after the new title. One definition for the listings' upsert and for its check of what changed.
create or replace function etl.listing_game(known_title text, known_game_id bigint, new_title text, new_game_id bigint)
returns bigint
language sql
stable parallel safe
return case when etl.normalize_title(known_title) = etl.normalize_title(new_title)
            then coalesce(known_game_id, new_game_id) else new_game_id end;

comment on function etl.listing_game(text, bigint, text, bigint) is
    'The game of a listing described again: its decided game while its normalized title stays, else the game of the new title';
