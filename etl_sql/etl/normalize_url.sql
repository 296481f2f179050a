-- A URL reduced for matching store links.
-- needs revision 0002
-- A store link in a post and the URL our spider stored for the listing differ in scheme, "www.", locale
-- segment, query string and trailing slash: "https://www.gog.com/en/game/x?pp=1" and "https://gog.com/game/x/".
create or replace function etl.normalize_url(url text)
returns text
language sql
immutable strict parallel safe
return regexp_replace(
    regexp_replace(
        regexp_replace(lower(split_part(split_part(url, '#', 1), '?', 1)), '^[a-z][a-z0-9+.-]*://(www\.)?', ''),
        '^([^/]+)/[a-z]{2}(-[a-z]{2})?(/|$)', '\1/'),
    '/+$', '');

comment on function etl.normalize_url(text) is
    'URL reduced for matching store links: no scheme, www., query, fragment, leading locale segment or trailing slash';
