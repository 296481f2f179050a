"""Matching only the listings a day changed gives what matching the whole catalogue gives: the same groups,
methods, editions, base games and review queue, on a generated catalogue (with remakes sold under their
originals' titles) over several days of new, retitled, relinked, redated and decided listings
(pricewatch.games.store against pricewatch.games.matcher.match)."""
import contextlib
import dataclasses
import json
import random
from collections import defaultdict

import psycopg2
import pytest

from bench.catalogue import catalogue, retitled
from pricewatch.games import decisions, store
from pricewatch.games.matcher import Decision, Listing, match

# Games as the ETL creates them: one per normalised title, which the matcher then regroups.
ADD_GAMES = """
insert into core.game (normalized_title, title)
select distinct etl.normalize_title(title), title
from jsonb_to_recordset(%(listings)s::jsonb) as added (title text)
where etl.normalize_title(title) <> ''
on conflict (normalized_title) do nothing
"""

UPSERT_LISTINGS = """
insert into core.listing as listing (
    store, store_item_id, kind, title, url, release_date, game_id, first_seen_at, described_at)
select added.store, added.store_item_id, added.kind, added.title, added.url, added.release_date, game.game_id,
    now(), now()
from jsonb_to_recordset(%(listings)s::jsonb) as added (
    store text, store_item_id text, kind text, title text, url text, release_date text)
left join core.game as game on game.normalized_title = etl.normalize_title(added.title)
on conflict (store, store_item_id) do update
set title = excluded.title, url = excluded.url, release_date = excluded.release_date,
    game_id = case when etl.normalize_title(listing.title) = etl.normalize_title(excluded.title)
                   then listing.game_id else excluded.game_id end
"""

READ = """
select listing.listing_id, listing.store, listing.store_item_id, listing.kind, listing.title, listing.steam_appid,
       listing.release_date, listing.game_id, listing.edition, listing.match_method, listing.match_score,
       game.base_game_id
from core.listing as listing
left join core.game as game using (game_id)
where listing.title <> ''
order by listing.listing_id
"""


def upsert(conn, listings: list[dict]) -> None:
    with conn.cursor() as cur:
        cur.execute(ADD_GAMES, {"listings": json.dumps(listings)})
        cur.execute(UPSERT_LISTINGS, {"listings": json.dumps(listings)})
    conn.commit()


def as_rows(generated, steam_links=True) -> list[dict]:
    """Every fifth product's Epic page links to its Steam page (the Steam item id is the product number)."""
    return [{"store": listing.store, "store_item_id": listing.store_item_id, "kind": listing.kind,
             "title": listing.title, "release_date": listing.release_date,
             "url": f"https://store.steampowered.com/app/{listing.store_item_id}/"
             if steam_links and listing.store == "epic" and int(listing.store_item_id) % 5 == 0 else None}
            for listing in generated]


def outcome(conn) -> tuple:
    """What the database holds, in terms that do not depend on game ids."""
    with conn.cursor() as cur:
        cur.execute(READ)
        rows = cur.fetchall()
        cur.execute("select listing_id, candidate_listing_id, score from ops.game_match_review")
        review = sorted((a, b, float(score)) for a, b, score in cur.fetchall())
    members = defaultdict(set)
    for row in rows:
        members[row[7]].add(row[0])
    groups = {frozenset(listing_ids) for listing_ids in members.values()}
    each = {row[0]: (row[8], row[9], None if row[10] is None else float(row[10]),
                     frozenset(members[row[11]]) if row[11] else None) for row in rows}
    return groups, each, review


def reference(conn) -> tuple:
    """The same, from one match of the whole catalogue."""
    with conn.cursor() as cur:
        cur.execute(READ)
        rows = cur.fetchall()
        cur.execute("select listing_id, action, same_as_listing_id from core.game_decision order by decided_at")
        decided = [Decision(*row) for row in cur.fetchall()]
    matching = match([Listing(*row[:7]) for row in rows], decided)
    members = {group: frozenset(listing_ids) for group, listing_ids in matching.groups().items()}
    each = {}
    for listing_id, group in matching.group_of.items():
        base = matching.base_group_of.get(group)
        each[listing_id] = (matching.edition_of[listing_id], matching.method_of[listing_id],
                            matching.score_of.get(listing_id), members[base] if base else None)
    return set(members.values()), each, sorted(matching.review)


@pytest.fixture
def conn(db_url):
    with contextlib.closing(psycopg2.connect(db_url)) as connection:
        yield connection


def assert_same_as_whole(conn) -> None:
    groups, each, review = outcome(conn)
    expected_groups, expected_each, expected_review = reference(conn)
    assert len(groups) == len(expected_groups)
    assert groups == expected_groups
    assert {key: (value, expected_each[key]) for key, value in each.items() if value != expected_each[key]} == {}
    assert review == expected_review


def test_incremental_matching_equals_matching_everything(conn):
    generated = catalogue(range(2000))
    upsert(conn, as_rows(generated))
    # Small batches: listings pending in a later batch sit in games an earlier batch loads.
    summary = store.match_pending(conn, batch_size=700)
    conn.commit()
    assert summary.listings == len(generated)
    assert_same_as_whole(conn)
    with conn.cursor() as cur:
        cur.execute("select match_name from core.listing group by match_name having count(distinct game_id) > 1")
        assert cur.rowcount >= 10, "remakes sold under their originals' titles are games of their own"

    draw = random.Random(13)
    for day in (1, 2, 3):
        picked = draw.sample(generated, len(generated) // 30 + len(generated) // 60)
        changed = [retitled(listing, day) for listing in picked[:len(generated) // 30]]
        # A store correcting a release date, or dropping it: the listing may change release, and its game.
        redated = [dataclasses.replace(listing, release_date=draw.choice((None, "Coming soon", f"{1985 + day * 12}-06-01")))
                   for listing in picked[len(generated) // 30:]]
        added = catalogue(range(2000 + 150 * day, 2150 + 150 * day))
        upsert(conn, as_rows(changed + redated + added, steam_links=day != 2))
        generated += added
        if day == 2:
            with conn.cursor() as cur:
                cur.execute("select listing_id from core.listing where match_method = 'fuzzy' order by listing_id limit 2")
                assert cur.rowcount == 2
                fuzzy = [str(listing_id) for (listing_id,) in cur.fetchall()]
            decisions.decide(conn, fuzzy[0], "split")
            decisions.decide(conn, fuzzy[1], "merge", "1")
        store.match_pending(conn, batch_size=400)
        conn.commit()
        assert_same_as_whole(conn)

    assert store.match_pending(conn).listings == 0
    store.rematch_all(conn)
    conn.commit()
    assert_same_as_whole(conn)

