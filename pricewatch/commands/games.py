"""pricewatch games match|merge|split|review|show: one game across stores, and people's say in it.

Runs as pricewatch_etl: the matcher writes core and ops, and manual decisions are written in core.game_decision,
which the matcher never overrides. Listings are named by id or as STORE:ITEM (e.g. steam:1245620).
"""
import contextlib

from foundation import database
from foundation.database import migrated
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.games.lookup import find_game
from pricewatch.games.store import rematch

RECORD_DECISION = """
insert into core.game_decision (listing_id, action, same_as_listing_id)
values (%s, %s, %s)
on conflict (listing_id) do update
set action = excluded.action, same_as_listing_id = excluded.same_as_listing_id, decided_at = now()
"""

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


def register(subparsers) -> None:
    parser = subparsers.add_parser("games", help="match listings of all stores to games; merge, split, review")
    commands = parser.add_subparsers(dest="games_command", required=True, metavar="ACTION")
    commands.add_parser("match", help="run the matcher now (pricewatch etl runs it after every ETL)")
    merge = commands.add_parser("merge", help="LISTING_B is the same game as LISTING_A")
    merge.add_argument("listing_a", metavar="LISTING_A")
    merge.add_argument("listing_b", metavar="LISTING_B")
    split = commands.add_parser("split", help="LISTING is a game of its own")
    split.add_argument("listing", metavar="LISTING")
    review = commands.add_parser("review", help="uncertain matches the matcher left apart")
    review.add_argument("--format", choices=tabular.FORMATS, default="table")
    show = commands.add_parser("show", help="the listings of a game, with editions and DLC")
    show.add_argument("title", metavar="TITLE")
    show.add_argument("--format", choices=tabular.FORMATS, default="table")
    parser.set_defaults(func=run)


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
        cur.execute(RECORD_DECISION, (decided, action, target))


def run(args) -> int:
    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn, migrated():
        action = args.games_command
        if action == "merge":
            decide(conn, args.listing_b, "merge", args.listing_a)
        elif action == "split":
            decide(conn, args.listing, "split")
        if action in ("match", "merge", "split"):
            print(rematch(conn))
            conn.commit()
            return 0
        with conn.cursor() as cur:
            if action == "review":
                cur.execute(REVIEW)
                title = "uncertain matches: `pricewatch games merge A B` if they are one game, else `split B`"
            else:
                game = find_game(cur, args.title)
                cur.execute(SHOW, (game.game_id, game.game_id))
                title = f"{game.title} (game {game.game_id})"
            tabular.write([column.name for column in cur.description], cur.fetchall(), args.format, title=title)
    return 0
