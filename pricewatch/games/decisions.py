"""People's say in which listings are one game: merge and split decisions, the review queue, a game's listings.

Decisions live in core.game_decision, which the matcher never overrides; callers pass a connection of the
pricewatch_etl role and commit. Listings are named by id or as STORE:ITEM (e.g. steam:1245620).
"""
from foundation.errors import PricewatchError
from pricewatch.games.store import MATCHER_LOCK

RECORD_DECISION = """
insert into core.game_decision (listing_id, action, same_as_listing_id)
values (%s, %s, %s)
on conflict (listing_id) do update
set action = excluded.action, same_as_listing_id = excluded.same_as_listing_id, decided_at = now()
"""

# The decided listing is matched again on the matcher's next run, under the matcher's lock.
MARK_PENDING = "update core.listing set matched_at = null where listing_id = %s"

REVIEW = """
select review.score, review.listing_id, listing.store, listing.title,
       review.candidate_listing_id, candidate.store as candidate_store, candidate.title as candidate_title
from ops.game_match_review as review
join core.listing as listing on listing.listing_id = review.listing_id
join core.listing as candidate on candidate.listing_id = review.candidate_listing_id
order by review.score desc, review.listing_id, review.candidate_listing_id
"""

SHOW = """
select listing_id, store, store_item_id, title, kind, edition, match_method, match_score, base_game
from reporting.game_listings
where game_id = %s or base_game_id = %s
order by base_game_id nulls first, store, listing_id
"""


def listing_id(cur, reference: str) -> int:
    """A listing by id or STORE:ITEM."""
    if reference.isdigit():
        cur.execute("select listing_id from core.listing where listing_id = %s", (int(reference),))
    elif ":" in reference:
        store, item = reference.split(":", 1)
        cur.execute("select listing_id from core.listing where store = lower(%s) and store_item_id = %s", (store, item))
    else:
        raise PricewatchError(f"{reference!r} is not a listing; give its id or STORE:ITEM, e.g. steam:1245620")
    row = cur.fetchone()
    if row is None:
        raise PricewatchError(f"no listing {reference!r}")
    return row[0]


def decide(conn, listing: str, action: str, same_as: str | None = None) -> None:
    with conn.cursor() as cur:
        decided = listing_id(cur, listing)
        target = listing_id(cur, same_as) if same_as else None
        if target == decided:
            raise PricewatchError("a listing cannot be merged with itself")
        cur.execute(MATCHER_LOCK)
        cur.execute(RECORD_DECISION, (decided, action, target))
        cur.execute(MARK_PENDING, (decided,))


def table(conn, query: str, params=()) -> tuple[list[str], list[tuple]]:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return [column.name for column in cur.description], cur.fetchall()


def review(conn) -> tuple[list[str], list[tuple]]:
    """Uncertain pairs the matcher left apart, most likely first."""
    return table(conn, REVIEW)


def listings_of(conn, game_id: int) -> tuple[list[str], list[tuple]]:
    """A game's listings, with its editions and DLC."""
    return table(conn, SHOW, (game_id, game_id))
