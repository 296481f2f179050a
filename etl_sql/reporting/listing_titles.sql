-- Every title a listing goes by: its own and each region's, with its three-character pieces.
-- needs revision 0018: core.title_trigrams
-- `report --game TEXT` matches the title of the period's region, falling back to the listing's. The reports
-- find the listings that have any title containing the text here first, through the titles' GIN indexes
-- (`title_trigrams @> reporting.title_search_trigrams(text)`), and read only those listings' periods.
create or replace view reporting.listing_titles as
select listing.listing_id, listing.title, core.title_trigrams(listing.title) as title_trigrams
from core.listing as listing
union all
select listing_region.listing_id, listing_region.title, core.title_trigrams(listing_region.title)
from core.listing_region as listing_region
where listing_region.title is not null;

comment on view reporting.listing_titles is
    'Every title of every listing, its own and each region''s, with core.title_trigrams for finding it by any part';
