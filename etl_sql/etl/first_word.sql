-- Fuzzy title matching of news compares a headline only with games whose first word it contains; headlines
-- and deal posts drop a leading "The" ("Witcher 3 Wild Hunt"), so it is not a first word.
create or replace function etl.first_word(normalized_title text)
returns text
language sql
immutable strict parallel safe
return split_part(regexp_replace(normalized_title, '^the ', ''), ' ', 1);

comment on function etl.first_word(text) is
    'First word of a normalised title, a leading "the" skipped: the index key of fuzzy news title matching';
