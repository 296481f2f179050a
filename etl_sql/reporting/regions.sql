-- Storefront countries seen in feeds, for the roles that read reporting only.
-- needs revision 0002: core.region
create or replace view reporting.regions as
select region
from core.region;

comment on view reporting.regions is 'Storefront countries seen in feeds so far (ISO 3166-1 alpha-2)';
