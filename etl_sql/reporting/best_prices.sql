-- Cheapest current public price per game and currency.
-- needs revision 0010: core.freshness
create or replace view reporting.best_prices as
select *
from reporting.best_prices_in(null, null);

comment on view reporting.best_prices is
    'Per game and currency, the cheapest current public price across stores and regions, with where to buy it; for one store or region use reporting.best_prices_in(store, region)';
