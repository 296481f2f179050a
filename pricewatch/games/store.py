"""The matcher against the database: read listings and decisions, write games, editions and the review queue.

Runs as pricewatch_etl in the caller's transaction, after the ETL (pricewatch etl) and after each manual
decision. Each write is one set-based statement over the whole matching, passed as a JSON parameter.
"""
import json
import re
from dataclasses import dataclass

from pricewatch.games.matcher import Decision, Listing, Matching, match

STEAM_APP_URL = re.compile(r"store\.steampowered\.com/app/(\d+)")
MATCHER_LOCK = "select pg_advisory_xact_lock(hashtextextended('pricewatch.games.matcher', 0))"

READ_LISTINGS = """
select listing_id, store, store_item_id, kind, title, url, release_date, game_id
from core.listing
where title <> ''
order by listing_id
"""

CREATE_SPLIT_GAMES = """
-- A listing split from a game whose normalised title it shares needs a game of its own; its key names the listing.
with split as (
    select listing.listing_id, listing.title,
        format('%%s (%%s %%s)', etl.normalize_title(listing.title), listing.store, listing.store_item_id) as normalized_title
    from jsonb_to_recordset(%(listings)s::jsonb) as wanted (listing_id bigint)
    join core.listing as listing using (listing_id)
),
created as (
    insert into core.game (normalized_title, title)
    select normalized_title, title from split
    on conflict (normalized_title) do nothing
    returning game_id, normalized_title
)
select split.listing_id, coalesce(created.game_id, game.game_id)
from split
left join created using (normalized_title)
left join core.game as game using (normalized_title)
"""

UPDATE_LISTINGS = """
with matched as (
    select *
    from jsonb_to_recordset(%(listings)s::jsonb)
        as matched (listing_id bigint, game_id bigint, edition text, match_method text, match_score numeric)
)
update core.listing as listing
set game_id = matched.game_id,
    edition = matched.edition,
    match_method = matched.match_method,
    match_score = matched.match_score
from matched
where listing.listing_id = matched.listing_id
  and (listing.game_id, listing.edition, listing.match_method, listing.match_score)
      is distinct from (matched.game_id, matched.edition, matched.match_method, matched.match_score)
"""

UPDATE_BASE_GAMES = """
with linked as (
    select game.game_id, base.base_game_id
    from core.game as game
    left join jsonb_to_recordset(%(links)s::jsonb) as base (game_id bigint, base_game_id bigint) using (game_id)
)
update core.game as game
set base_game_id = linked.base_game_id
from linked
where game.game_id = linked.game_id and game.base_game_id is distinct from linked.base_game_id
"""

NAME_GAMES = """
-- A game is named by its base title: that of its first listing sold as the plain game (no edition), not an
-- edition's that happened to be seen first.
with base_title as (
    select distinct on (listing.game_id)
        listing.game_id, btrim(regexp_replace(listing.title, '[™®©]', '', 'g')) as title
    from core.listing as listing
    where listing.game_id is not null and listing.edition is null and listing.kind = 'game' and listing.title <> ''
    order by listing.game_id, listing.listing_id
)
update core.game as game
set title = base_title.title
from base_title
where game.game_id = base_title.game_id and game.title is distinct from base_title.title
"""

DELETE_EMPTY_GAMES = """
delete from core.game as game
where not exists (select from core.listing where listing.game_id = game.game_id)
  and not exists (select from core.game as addon where addon.base_game_id = game.game_id)
"""

CLEAR_REVIEW = "delete from ops.game_match_review"

FILL_REVIEW = """
insert into ops.game_match_review (listing_id, candidate_listing_id, score)
select listing_id, candidate_listing_id, score
from jsonb_to_recordset(%(pairs)s::jsonb) as pair (listing_id bigint, candidate_listing_id bigint, score numeric)
"""


@dataclass
class MatchSummary:
    listings: int
    listings_changed: int
    games_removed: int
    review_pairs: int

    def __str__(self) -> str:
        return (f"games: {self.listings} listings matched, {self.listings_changed} changed, "
                f"{self.games_removed} games merged away, {self.review_pairs} uncertain pairs to review")


def read(cur) -> tuple[list[Listing], dict, list[Decision]]:
    cur.execute(READ_LISTINGS)
    listings, current_game = [], {}
    for listing_id, store, store_item_id, kind, title, url, release_date, game_id in cur.fetchall():
        appid = STEAM_APP_URL.search(url or "")
        listings.append(Listing(listing_id, store, store_item_id, kind, title, appid.group(1) if appid else None,
                                release_date))
        current_game[listing_id] = game_id
    cur.execute("select listing_id, action, same_as_listing_id from core.game_decision order by decided_at")
    decisions = [Decision(*row) for row in cur.fetchall()]
    return listings, current_game, decisions


def choose_games(matching: Matching, current_game: dict) -> tuple[dict, list[int]]:
    """A game id per group: the oldest game its listings already have that no earlier group took.

    Keeping existing ids keeps links (bookmarks, BI extracts) stable; groups with none left get a new game.
    """
    game_of_group, taken, needs_game = {}, set(), []
    for group, members in sorted(matching.groups().items()):
        owned = sorted({current_game[listing_id] for listing_id in members if current_game.get(listing_id)} - taken)
        if owned:
            game_of_group[group] = owned[0]
            taken.add(owned[0])
        else:
            needs_game.append(group)
    return game_of_group, needs_game


def rematch(conn) -> MatchSummary:
    with conn.cursor() as cur:
        cur.execute(MATCHER_LOCK)
        listings, current_game, decisions = read(cur)
        matching = match(listings, decisions)
        game_of_group, needs_game = choose_games(matching, current_game)
        if needs_game:
            cur.execute(CREATE_SPLIT_GAMES, {"listings": json.dumps([{"listing_id": group} for group in needs_game])})
            game_of_group.update(cur.fetchall())
        assigned = [{"listing_id": listing.listing_id,
                     "game_id": game_of_group[matching.group_of[listing.listing_id]],
                     "edition": matching.edition_of[listing.listing_id],
                     "match_method": matching.method_of[listing.listing_id],
                     "match_score": matching.score_of.get(listing.listing_id)} for listing in listings]
        cur.execute(UPDATE_LISTINGS, {"listings": json.dumps(assigned)})
        listings_changed = cur.rowcount
        links = [{"game_id": game_of_group[addon], "base_game_id": game_of_group[base]}
                 for addon, base in matching.base_group_of.items() if game_of_group[addon] != game_of_group[base]]
        cur.execute(UPDATE_BASE_GAMES, {"links": json.dumps(links)})
        cur.execute(NAME_GAMES)
        cur.execute(DELETE_EMPTY_GAMES)
        games_removed = cur.rowcount
        pairs = [{"listing_id": a, "candidate_listing_id": b, "score": score} for a, b, score in matching.review]
        cur.execute(CLEAR_REVIEW)
        cur.execute(FILL_REVIEW, {"pairs": json.dumps(pairs)})
    return MatchSummary(len(listings), listings_changed, games_removed, len(pairs))
