"""Game identity by release: the matcher tells a remake from its original by release year, and names every game
it matches by its base title.

- `matched_release_date`: the release date the game matcher last matched; another date makes the listing
  pending (its release, and so its game, may change). The pending index reads it.
- Existing listings are all pending after the upgrade: the next `pricewatch etl` (or `pricewatch games match`)
  matches the whole catalogue once under the new rules, which also names every game by its base title (names
  chosen before only for the games a run touched stay otherwise).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
from migrations.sql_files import execute

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UPGRADE = r"""
alter table core.listing add column matched_release_date text;
comment on column core.listing.matched_release_date is 'The release_date the game matcher last matched';
drop index core.listing_match_pending_idx;
create index listing_match_pending_idx on core.listing (listing_id)
    where matched_at is null
       or (title, kind, steam_appid, release_date)
          is distinct from (matched_title, matched_kind, matched_appid, matched_release_date);
update core.listing set matched_at = null where matched_at is not null;
"""

DOWNGRADE = r"""
drop index core.listing_match_pending_idx;
alter table core.listing drop column matched_release_date;
create index listing_match_pending_idx on core.listing (listing_id)
    where matched_at is null or (title, kind, steam_appid) is distinct from (matched_title, matched_kind, matched_appid);
"""


def upgrade() -> None:
    execute(UPGRADE)


def downgrade() -> None:
    execute(DOWNGRADE)
