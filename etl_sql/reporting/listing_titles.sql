-- Every title a listing goes by: its own and each region's.
-- needs revision 0010: core.listing_region
-- `report --game TEXT` matches the title of the period's region, falling back to the listing's. No index serves
-- a substring (the embedded server has no pg_trgm), so the reports find the listings whose titles contain the
-- text here first, a scan of titles rather than of price periods, and read only those listings' periods.
create or replace view reporting.listing_titles as
select listing.listing_id, listing.title
from core.listing as listing
union all
select listing_region.listing_id, listing_region.title
from core.listing_region as listing_region
where listing_region.title is not null;

comment on view reporting.listing_titles is
    'Every title of every listing, its own and each region''s (a listing appears once per distinct source of a title)';
