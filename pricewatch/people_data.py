"""What people put into the database by hand and no feed holds: the watchlist and manual game decisions.

A rebuild replays the archive into a new database, so it exports these first (to a JSON file, so a crash
between the drop and the re-import loses nothing) and imports them after. Listings are named by their store
and store item id, which survive a rebuild; listing and rule ids do not.
"""
import json
from dataclasses import dataclass
from pathlib import Path

EXPORT = """
select json_build_object(
    'game_decisions', (
        select coalesce(json_agg(json_build_object(
            'store', listing.store, 'store_item_id', listing.store_item_id, 'action', decision.action,
            'same_as_store', same_as.store, 'same_as_store_item_id', same_as.store_item_id,
            'decided_at', decision.decided_at) order by decision.decided_at), '[]')
        from core.game_decision as decision
        join core.listing as listing using (listing_id)
        left join core.listing as same_as on same_as.listing_id = decision.same_as_listing_id),
    'watch_rules', (
        select coalesce(json_agg(json_build_object(
            'title', rule.title, 'store', anchor.store, 'store_item_id', anchor.store_item_id, 'region', rule.region,
            'currency', rule.currency, 'below', rule.below, 'min_discount', rule.min_discount,
            'new_low', rule.new_low, 'created_at', rule.created_at) order by rule.watch_rule_id), '[]')
        from core.watch_rule as rule
        join core.listing as anchor on anchor.listing_id = rule.anchor_listing_id)
)
"""

IMPORT_DECISIONS = """
insert into core.game_decision (listing_id, action, same_as_listing_id, decided_at)
select listing.listing_id, kept.action, same_as.listing_id, kept.decided_at
from json_to_recordset(%(rows)s::json) as kept (store text, store_item_id text, action text, same_as_store text,
                                                same_as_store_item_id text, decided_at timestamptz)
join core.listing as listing on listing.store = kept.store and listing.store_item_id = kept.store_item_id
left join core.listing as same_as
    on same_as.store = kept.same_as_store and same_as.store_item_id = kept.same_as_store_item_id
where kept.same_as_store is null or same_as.listing_id is not null
on conflict (listing_id) do nothing
"""

IMPORT_WATCH_RULES = """
insert into core.watch_rule (title, anchor_listing_id, region, currency, below, min_discount, new_low, created_at)
select kept.title, anchor.listing_id, kept.region, kept.currency, kept.below, kept.min_discount, kept.new_low,
       kept.created_at
from json_to_recordset(%(rows)s::json) as kept (title text, store text, store_item_id text, region text,
                                                currency text, below numeric, min_discount smallint, new_low text,
                                                created_at timestamptz)
join core.listing as anchor on anchor.store = kept.store and anchor.store_item_id = kept.store_item_id
-- A rebuild that starts from a backup already holds the rules the backup had: each rule comes back once.
where not exists (
    select from core.watch_rule as held
    where held.anchor_listing_id = anchor.listing_id and held.title = kept.title
      and held.region is not distinct from kept.region and held.currency is not distinct from kept.currency
      and held.below is not distinct from kept.below and held.min_discount is not distinct from kept.min_discount
      and held.new_low is not distinct from kept.new_low
)
"""


@dataclass(frozen=True)
class Restored:
    game_decisions: tuple[int, int]
    watch_rules: tuple[int, int]

    def summary(self) -> str:
        """How many came back of how many were kept: fewer when a listing is not in the archive any more."""
        return (f"kept {self.watch_rules[0]} of {self.watch_rules[1]} watch rules and {self.game_decisions[0]} of "
                f"{self.game_decisions[1]} manual game decisions")


def export(conn, path: Path) -> dict:
    """Write the watchlist and game decisions of the database to `path` (JSON) and return them."""
    with conn.cursor() as cur:
        cur.execute("select to_regclass('core.watch_rule') is not null")
        kept = {"game_decisions": [], "watch_rules": []}
        if cur.fetchone()[0]:
            cur.execute(EXPORT)
            kept = cur.fetchone()[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kept, ensure_ascii=False, indent=1), encoding="utf-8")
    return kept


def restore(conn, kept: dict) -> Restored:
    """Import what `export` wrote into the caller's transaction (run as pricewatch_etl)."""
    counts = {}
    for name, statement in (("game_decisions", IMPORT_DECISIONS), ("watch_rules", IMPORT_WATCH_RULES)):
        with conn.cursor() as cur:
            cur.execute(statement, {"rows": json.dumps(kept[name])})
            counts[name] = (cur.rowcount, len(kept[name]))
    return Restored(**counts)
