-- A title reduced for matching across stores.
-- needs revision 0002
-- Titles of one game differ between stores in marks, case, width and punctuation:
-- "The Witcher® 3: Wild Hunt", "THE WITCHER 3 - WILD HUNT", "Baldur’s Gate 3" / "Baldur's Gate 3".
create or replace function etl.normalize_title(title text)
returns text
language sql
immutable strict parallel safe
return btrim(regexp_replace(
    regexp_replace(lower(normalize(regexp_replace(title, '[™®©]', '', 'g'), nfkc)), '[''’‘`´]', '', 'g'),
    '[[:punct:][:space:]]+', ' ', 'g'));

comment on function etl.normalize_title(text) is
    'Title reduced for matching: NFKC, lower case, trademark marks and apostrophes dropped, punctuation runs as one space';
