"""The matcher against the database: match the listings that are new or changed since the last run against the
games already known, and write games, editions, base games and the review queue.

Runs as pricewatch_etl in the caller's transaction, after the ETL (pricewatch etl) and after each manual
decision. Pending listings (core.listing.matched_* differ from what the listing is now) are taken in batches;
each batch loads only the games it can touch, found through indexes (see `touched_games`), matches them whole
with pricewatch.games.matcher and writes back with one set-based statement per table. Time and memory follow the
day's changes, not the catalogue; the groups are those a match of the whole catalogue gives (tests check it).
"""
import json
from dataclasses import dataclass, field
from typing import NamedTuple

from pricewatch.games.matcher import (AUTO_SCORE, Catalogue, Decision, KnownName, Listing, Matching, fuzzy_block,
                                      length_bounds, match, title_scores)
from pricewatch.games.titles import parse

BATCH_SIZE = 20_000
MATCHER_LOCK = "select pg_advisory_xact_lock(hashtextextended('pricewatch.games.matcher', 0))"
IS_PENDING = ("(matched_at is null or (title, kind, steam_appid, release_date)"
              " is distinct from (matched_title, matched_kind, matched_appid, matched_release_date))")

PENDING = f"""
select listing_id
from core.listing
where {IS_PENDING} and listing_id > %(after)s
order by listing_id
limit %(size)s
"""

MARK_ALL_PENDING = "update core.listing set matched_at = null where matched_at is not null"

# Games a batch can change: the games its listings have now and had when last matched, and the games of listings its new names, Steam
# apps and decisions tie it to (fuzzy neighbours come from `fuzzy_neighbours`).
TOUCHED_GAMES = """
with batch as (
    select * from jsonb_to_recordset(%(batch)s::jsonb) as batch (listing_id bigint, name text, appid text)
),
touched as (
    select unnest(array[listing.game_id, listing.matched_game_id]) as game_id
    from batch join core.listing as listing using (listing_id)
    union
    select listing.game_id from batch join core.listing as listing on listing.match_name = batch.name
    union
    select listing.game_id from batch join core.listing as listing on listing.steam_appid = batch.appid
    union
    select listing.game_id
    from core.game_decision as decision
    join batch on batch.listing_id in (decision.listing_id, decision.same_as_listing_id)
    join core.listing as listing on listing.listing_id in (decision.listing_id, decision.same_as_listing_id)
    union
    select unnest(%(neighbour_games)s::bigint[])
)
select game_id from touched where game_id is not null
"""

# Add-ons and bundles whose name starts with one of these game names, or whose 《》 name is one: their base game
# follows those names.
ADDON_GAMES = """
with base as (
    select unnest(%(names)s::text[]) as name
)
select listing.game_id
from base
join core.listing as listing
    on listing.match_name ~>=~ (base.name || ' ') and listing.match_name ~<~ (base.name || '!')
where listing.match_block is null
union
select listing.game_id
from base
join core.listing as listing on listing.match_franchise = base.name
"""

# Games holding listings of the names in these games: a name's releases are decided over all its listings, so a
# batch loads every listing of each name it loads.
SAME_NAME_GAMES = """
select distinct other.game_id
from core.listing as loaded
join core.listing as other on other.match_name = loaded.match_name
where loaded.game_id = any(%(games)s::bigint[]) and other.game_id is not null
"""

READ_LISTINGS = f"""
select listing_id, store, store_item_id, kind, title, steam_appid, game_id,
    match_name, match_block is not null as named_game, {IS_PENDING} as pending,
    release_date, matched_title, matched_kind
from core.listing
where listing_id = any(%(listings)s::bigint[]) or game_id = any(%(games)s::bigint[])
order by listing_id
"""

READ_DECISIONS = "select listing_id, action, same_as_listing_id from core.game_decision order by decided_at"

# Names outside the loaded games, one row per name and markers: the name's first listing and that listing's game.
GAME_NAMES = """
select distinct on (listing.match_name, listing.match_markers)
    listing.match_name, listing.match_markers, listing.listing_id, listing.game_id
from core.listing as listing
where listing.match_name = any(%(names)s::text[])
  and listing.match_block is not null
  and not exists (select from unnest(%(loaded)s::bigint[]) as loaded (game_id) where loaded.game_id = listing.game_id)
order by listing.match_name, listing.match_markers, listing.listing_id
"""

BLOCK_NAMES = """
select distinct on (listing.match_name, listing.match_markers)
    wanted.block, listing.match_name, listing.match_markers, listing.listing_id, listing.game_id
from jsonb_to_recordset(%(blocks)s::jsonb) as wanted (block text, shortest integer, longest integer)
join core.listing as listing
    on listing.match_block = wanted.block and length(listing.match_name) between wanted.shortest and wanted.longest
where not exists (select from unnest(%(loaded)s::bigint[]) as loaded (game_id) where loaded.game_id = listing.game_id)
order by listing.match_name, listing.match_markers, listing.listing_id
"""

NAME_GAMES = """
-- A game is named by its base title: that of its first listing sold as the plain game (no edition), not an
-- edition's that happened to be seen first; a game with no plain listing (add-ons, editions only) by its first
-- listing's, so no game keeps the name of a listing it no longer has.
with base_title as (
    select distinct on (listing.game_id)
        listing.game_id, btrim(regexp_replace(listing.title, '[™®©]', '', 'g')) as title
    from core.listing as listing
    where listing.game_id = any(%(games)s::bigint[]) and listing.title <> ''
    order by listing.game_id, (listing.edition is null and listing.kind = 'game') desc, listing.listing_id
)
update core.game as game
set title = base_title.title
from base_title
where game.game_id = base_title.game_id and game.title is distinct from base_title.title
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

# What the matcher saw (title, kind, steam_appid) is written back as read, so a listing retitled meanwhile stays pending.
UPDATE_LISTINGS = """
with matched as (
    select *
    from jsonb_to_recordset(%(listings)s::jsonb) as matched (
        listing_id bigint, game_id bigint, edition text, match_method text, match_score numeric,
        match_name text, match_markers text[], match_block text, match_franchise text,
        title text, kind text, steam_appid text, release_date text, pending boolean)
)
update core.listing as listing
set game_id = matched.game_id,
    edition = matched.edition,
    match_method = matched.match_method,
    match_score = matched.match_score,
    match_name = matched.match_name,
    match_markers = matched.match_markers,
    match_block = matched.match_block,
    match_franchise = matched.match_franchise,
    matched_title = matched.title,
    matched_kind = matched.kind,
    matched_appid = matched.steam_appid,
    matched_release_date = matched.release_date,
    matched_game_id = matched.game_id,
    matched_at = case when matched.pending then now() else listing.matched_at end
from matched
where listing.listing_id = matched.listing_id
  and (matched.pending
       or (listing.game_id, listing.edition, listing.match_method, listing.match_score, listing.match_name,
           listing.match_markers, listing.match_block, listing.match_franchise)
          is distinct from
          (matched.game_id, matched.edition, matched.match_method, matched.match_score, matched.match_name,
           matched.match_markers, matched.match_block, matched.match_franchise))
"""

UPDATE_BASE_GAMES = """
with linked as (
    select matched.game_id, base.base_game_id
    from unnest(%(games)s::bigint[]) as matched (game_id)
    left join jsonb_to_recordset(%(links)s::jsonb) as base (game_id bigint, base_game_id bigint) using (game_id)
)
update core.game as game
set base_game_id = linked.base_game_id
from linked
where game.game_id = linked.game_id and game.base_game_id is distinct from linked.base_game_id
"""

DELETE_EMPTY_GAMES = """
delete from core.game as game
where game.game_id = any(%(games)s::bigint[])
  and not exists (select from core.listing where listing.game_id = game.game_id)
  and not exists (select from core.game as addon where addon.base_game_id = game.game_id)
"""

CLEAR_REVIEW = """
delete from ops.game_match_review
where listing_id = any(%(listings)s::bigint[]) or candidate_listing_id = any(%(listings)s::bigint[])
"""

FILL_REVIEW = """
insert into ops.game_match_review (listing_id, candidate_listing_id, score)
select listing_id, candidate_listing_id, score
from jsonb_to_recordset(%(pairs)s::jsonb) as pair (listing_id bigint, candidate_listing_id bigint, score numeric)
on conflict do nothing
"""


@dataclass
class MatchSummary:
    listings: int = 0
    listings_changed: int = 0
    games_removed: int = 0
    review_pairs: int = 0

    def __str__(self) -> str:
        return (f"games: {self.listings} listings matched, {self.listings_changed} changed game, "
                f"{self.games_removed} games merged away, {self.review_pairs} uncertain pairs to review")

    def add(self, other: "MatchSummary") -> None:
        self.listings += other.listings
        self.listings_changed += other.listings_changed
        self.games_removed += other.games_removed
        self.review_pairs += other.review_pairs


@dataclass
class Loaded:
    """The listings of the games a batch touches, as matcher input, with their games and pending flags."""
    listings: list[Listing] = field(default_factory=list)
    current_game: dict = field(default_factory=dict)
    games: set = field(default_factory=set)
    blank: list = field(default_factory=list)        # listings without a title: they leave their game


class DatabaseCatalogue(Catalogue):
    """Names of listings outside the loaded games, through the indexes on core.listing."""

    def __init__(self, cur, loaded_games=()):
        self.cur, self.loaded = cur, sorted(loaded_games)

    def game_names(self, names: set[str]) -> list[KnownName]:
        if not names:
            return []
        self.cur.execute(GAME_NAMES, {"names": sorted(names), "loaded": self.loaded})
        return [KnownName(name, frozenset(markers), listing_id, game_id)
                for name, markers, listing_id, game_id in self.cur.fetchall()]

    def block_names(self, blocks: dict[str, tuple[int, int]]) -> dict[str, list[KnownName]]:
        if not blocks:
            return {}
        wanted = [{"block": block, "shortest": shortest, "longest": longest}
                  for block, (shortest, longest) in blocks.items()]
        self.cur.execute(BLOCK_NAMES, {"blocks": json.dumps(wanted), "loaded": self.loaded})
        found = {}
        for block, name, markers, listing_id, game_id in self.cur.fetchall():
            found.setdefault(block, []).append(KnownName(name, frozenset(markers), listing_id, game_id))
        return found


def pending_batch(cur, after: int, size: int) -> list[int]:
    cur.execute(PENDING, {"after": after, "size": size})
    return [listing_id for (listing_id,) in cur.fetchall()]


class Row(NamedTuple):
    listing_id: int
    store: str
    store_item_id: str
    kind: str
    title: str
    steam_appid: str | None
    game_id: int | None
    match_name: str | None
    named_game: bool
    pending: bool
    release_date: str | None
    matched_title: str | None
    matched_kind: str | None


def read_listings(cur, listing_ids, game_ids) -> list[Row]:
    cur.execute(READ_LISTINGS, {"listings": sorted(listing_ids), "games": sorted(game_ids)})
    return [Row(*row) for row in cur.fetchall()]


def with_same_names(cur, games: set[int]) -> set[int]:
    """`games` and the games holding other listings of their names, until no name is left out."""
    more = games
    while more:
        cur.execute(SAME_NAME_GAMES, {"games": sorted(more)})
        more = {game_id for (game_id,) in cur.fetchall()} - games
        games = games | more
    return games


def fuzzy_neighbours(cur, titles: list) -> set[int]:
    """Games of names that score AUTO_SCORE or more against these titles."""
    blocks = {}
    for title in titles:
        if block := fuzzy_block(title):
            shortest, longest = length_bounds(len(title.name))
            known = blocks.get(block, (shortest, longest))
            blocks[block] = min(known[0], shortest), max(known[1], longest)
    known = DatabaseCatalogue(cur).block_names(blocks)
    games = set()
    for title in titles:
        others = known.get(fuzzy_block(title), []) if fuzzy_block(title) else []
        scores = title_scores(title.name, [other.name for other in others])
        games.update(others[index].game_id for index, score in scores.items() if score >= AUTO_SCORE)
    return games


def touched_games(cur, batch_rows: list[Row]) -> set[int]:
    """Every game whose listings' groups a batch can change.

    Evidence between two listings that did not change cannot have changed, so a group changes only if it holds a
    batch listing now, or evidence ties a batch listing to it (name, Steam app, fuzzy score, decision), or it
    shares a name with a loaded listing (a name's releases, and whether a score joins it, depend on all its
    listings: a listing leaving a name can let its old fuzzy neighbours join it); add-on games follow the games
    their names start with.
    """
    titles = {row.listing_id: parse(row.title, row.kind) for row in batch_rows}
    before = [parse(row.matched_title, row.matched_kind) for row in batch_rows
              if row.matched_title and row.matched_title != row.title]
    batch = [{"listing_id": row.listing_id, "name": titles[row.listing_id].name or None, "appid": row.steam_appid}
             for row in batch_rows]
    neighbours = fuzzy_neighbours(cur, list(titles.values()) + before)
    cur.execute(TOUCHED_GAMES, {"batch": json.dumps(batch), "neighbour_games": sorted(neighbours - {None})})
    games = {game_id for (game_id,) in cur.fetchall()}
    loaded = read_listings(cur, titles, games)
    names = ({row.match_name for row in loaded if row.named_game}
             | {title.name for title in titles.values() if fuzzy_block(title)})
    cur.execute(ADDON_GAMES, {"names": sorted(names)})
    return with_same_names(cur, games | {game_id for (game_id,) in cur.fetchall()})


def load(cur, batch: list[int]) -> Loaded:
    """The batch and the games it touches; listings pending but not in the batch wait for theirs."""
    in_batch = set(batch)
    games = touched_games(cur, read_listings(cur, batch, ()))
    loaded = Loaded(games=games)
    for row in read_listings(cur, batch, games):
        if row.pending and row.listing_id not in in_batch:
            continue
        if not row.title:
            loaded.blank.append({"listing_id": row.listing_id, "game_id": row.game_id, "title": row.title,
                                 "kind": row.kind, "steam_appid": row.steam_appid, "release_date": row.release_date,
                                 "pending": True})
            continue
        loaded.listings.append(Listing(row.listing_id, row.store, row.store_item_id, row.kind, row.title,
                                       row.steam_appid, row.release_date))
        loaded.current_game[row.listing_id] = row.game_id
    return loaded


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


def matched_rows(loaded: Loaded, matching: Matching, game_of_group: dict, pending: set) -> list[dict]:
    rows = []
    for listing in loaded.listings:
        title = matching.title_of[listing.listing_id]
        rows.append({
            "listing_id": listing.listing_id,
            "game_id": game_of_group[matching.group_of[listing.listing_id]],
            "edition": matching.edition_of[listing.listing_id],
            "match_method": matching.method_of[listing.listing_id],
            "match_score": matching.score_of.get(listing.listing_id),
            "match_name": title.name or None if title else None,
            "match_markers": sorted(title.markers) if title and title.name else None,
            "match_block": fuzzy_block(title) if title else None,
            "match_franchise": title.franchise if title and title.is_addon else None,
            "title": listing.title, "kind": listing.kind, "steam_appid": listing.steam_appid,
            "release_date": listing.release_date,
            "pending": listing.listing_id in pending,
        })
    return rows + loaded.blank


def write(cur, loaded: Loaded, matching: Matching, pending: set) -> MatchSummary:
    game_of_group, needs_game = choose_games(matching, loaded.current_game)
    if needs_game:
        cur.execute(CREATE_SPLIT_GAMES, {"listings": json.dumps([{"listing_id": group} for group in needs_game])})
        game_of_group.update(cur.fetchall())
    rows = matched_rows(loaded, matching, game_of_group, pending)
    cur.execute(UPDATE_LISTINGS, {"listings": json.dumps(rows)})
    links = {game_of_group[addon]: game_of_group[base] for addon, base in matching.base_group_of.items()}
    links.update({game_of_group[addon]: game for addon, game in matching.base_game_of.items()})
    cur.execute(UPDATE_BASE_GAMES, {
        "games": sorted(game_of_group.values()),
        "links": json.dumps([{"game_id": addon, "base_game_id": base} for addon, base in links.items() if addon != base]),
    })
    cur.execute(NAME_GAMES, {"games": sorted(game_of_group.values())})
    cur.execute(DELETE_EMPTY_GAMES, {"games": sorted(loaded.games - set(game_of_group.values()))})
    games_removed = cur.rowcount
    cur.execute(CLEAR_REVIEW, {"listings": sorted(row["listing_id"] for row in rows)})
    pairs = [{"listing_id": a, "candidate_listing_id": b, "score": score} for a, b, score in matching.review]
    cur.execute(FILL_REVIEW, {"pairs": json.dumps(pairs)})
    changed = sum(row["game_id"] != loaded.current_game.get(row["listing_id"]) for row in rows)
    return MatchSummary(len(pending), changed, games_removed, cur.rowcount)


def match_pending(conn, batch_size: int = BATCH_SIZE) -> MatchSummary:
    """Match every pending listing; the caller commits."""
    summary = MatchSummary()
    with conn.cursor() as cur:
        cur.execute(MATCHER_LOCK)
        cur.execute(READ_DECISIONS)
        decisions = [Decision(*row) for row in cur.fetchall()]
        after = 0
        while batch := pending_batch(cur, after, batch_size):
            loaded = load(cur, batch)
            matching = match(loaded.listings, decisions, DatabaseCatalogue(cur, loaded.games))
            summary.add(write(cur, loaded, matching, set(batch)))
            after = batch[-1]
    return summary


def rematch_all(conn) -> MatchSummary:
    """Match the whole catalogue again (after the matcher's rules changed), batch by batch."""
    with conn.cursor() as cur:
        cur.execute(MATCHER_LOCK)
        cur.execute(MARK_ALL_PENDING)
    return match_pending(conn)
