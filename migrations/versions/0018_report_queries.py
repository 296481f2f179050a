"""Report queries at catalogue scale (issue 13 point 3): stored drops, titles found by trigrams.

The drop of each price period is stored when the period opens.

reporting.price_drops looked up every period's previous public price at query time: "the 50 biggest drops of
the last 7 days" cost 8-11 s at 10M periods (bench/RESULTS.md section 10), most of it one index probe per
period that began in those days. Each period now carries its previous public price in the same currency
(across subscription-only, other-currency and not-for-sale periods, as the view computed it) and its drop in
percent of that price; etl.append_price_periods sets both for the periods it opens. The index walks the
biggest drops first, so the 50 biggest of a few days stop after the first few thousand drops of any age.

The upgrade fills every existing period in one statement (a window over the public periods of each listing,
region and currency). At 10M periods on a busy 2-core machine: 87-150 s with only the primary key, 841 s with
the indexes of a live database (bench/RESULTS.md section 10b); the table holds a dead version of every
period until vacuum.

`report --game TEXT` (any case, any part of the title) scanned every title: a substring is served by no index,
and the embedded server has no pg_trgm. core.title_trigrams(title) gives the title's three-character pieces
(lower case) and a GIN index per title table (games, listings, listings' regional titles) finds the titles that
hold every piece of the searched text, a superset of those containing it, which the exact test then narrows.
The function is here, not in etl_sql/: the indexes need it, and the functions of etl_sql/ are dropped and
created again around every upgrade.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# Also run by bench.core_catalogue, which writes its periods past the ETL.
FILL_PREVIOUS_PRICES = r"""
with public_period as (
    select
        price_period_id,
        lag(price) over (partition by listing_id, region, currency order by valid_from, price_period_id)
            as previous_price
    from core.price_history
    where subscription is null and price is not null
)
update core.price_history as period
set previous_price = public_period.previous_price,
    drop_percent = case when period.price < public_period.previous_price
        then round((public_period.previous_price - period.price) * 100 / public_period.previous_price, 1) end
from public_period
where public_period.price_period_id = period.price_period_id
  and public_period.previous_price is not null;
"""

UPGRADE = r"""
alter table core.price_history add column previous_price numeric;
alter table core.price_history add column drop_percent numeric;
comment on column core.price_history.previous_price is
    'The public price before this one in the same currency (across subscription-only, other-currency and not-for-sale periods); null for a first price and for periods without a public price';
comment on column core.price_history.drop_percent is
    'How far the price fell from previous_price, in percent of it, rounded to 0.1; null unless it fell';
""" + FILL_PREVIOUS_PRICES + r"""
-- Every three-character piece of the lower-cased title, from each of its first three characters on: the
-- title split every three characters from offsets 0, 1 and 2 (the pieces shorter than three at the ends too).
create function core.title_trigrams(title text) returns text[]
    language sql
    immutable
    parallel safe
    return regexp_split_to_array(lower(title), '(?<=^(?:...)+)')
        || regexp_split_to_array(substr(lower(title), 2), '(?<=^(?:...)+)')
        || regexp_split_to_array(substr(lower(title), 3), '(?<=^(?:...)+)');
comment on function core.title_trigrams(text) is
    'The three-character pieces of a title in lower case (and the shorter ones at its ends), for finding titles by any part through GIN indexes';
create index game_title_trigrams_idx on core.game using gin (core.title_trigrams(title));
create index listing_title_trigrams_idx on core.listing using gin (core.title_trigrams(title));
create index listing_region_title_trigrams_idx on core.listing_region using gin (core.title_trigrams(title));

-- In the order "the biggest drops, newest first" asks for (`order by drop_percent desc, changed_at desc`).
create index price_history_drop_idx on core.price_history (drop_percent desc, valid_from desc)
    where drop_percent is not null;
"""

DOWNGRADE = r"""
drop index core.listing_region_title_trigrams_idx;
drop index core.listing_title_trigrams_idx;
drop index core.game_title_trigrams_idx;
drop function core.title_trigrams(text);
drop index core.price_history_drop_idx;
alter table core.price_history drop column drop_percent;
alter table core.price_history drop column previous_price;
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
