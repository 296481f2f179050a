-- The three-character pieces every title containing a text has.
-- needs revision 0018: core.title_trigrams
create or replace function reporting.title_search_trigrams(part text)
returns text[]
language sql
immutable
-- A title that contains the text (in any case) holds each of its whole three-character pieces among its
-- core.title_trigrams: `title_trigrams @> title_search_trigrams(text)` reaches the titles' GIN indexes. A text
-- shorter than three characters has none, and every title qualifies.
begin atomic
    select array(
        select trigram
        from unnest(core.title_trigrams(part)) as trigram
        where length(trigram) = 3
    );
end;

comment on function reporting.title_search_trigrams(text) is
    'The lower-case three-character pieces of a text: every title containing it has them all in its title_trigrams';
