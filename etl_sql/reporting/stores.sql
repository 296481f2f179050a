-- The stores pricewatch tracks, for the roles that read reporting only.
-- needs revision 0002: core.store
create or replace view reporting.stores as
select
    store,
    display_name as store_name,
    homepage
from core.store;

comment on view reporting.stores is 'The stores pricewatch tracks (store is the code used everywhere else, e.g. steam)';
