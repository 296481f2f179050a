"""pricewatch games match|merge|split|review|show: one game across stores, and people's say in it.

Runs as pricewatch_etl; decisions and the matcher are in pricewatch.games. Listings are named by id or as
STORE:ITEM (e.g. steam:1245620).
"""
import contextlib

from foundation import database
from foundation.database import migrated
from pricewatch import tabular
from pricewatch.games import decisions
from pricewatch.games.lookup import find_game
from pricewatch.games.store import match_pending, rematch_all


def register(subparsers) -> None:
    parser = subparsers.add_parser("games", help="match listings of all stores to games; merge, split, review")
    commands = parser.add_subparsers(dest="games_command", required=True, metavar="ACTION")
    match = commands.add_parser("match", help="match new and retitled listings now (pricewatch etl does it after every ETL)")
    match.add_argument("--all", action="store_true", help="match the whole catalogue again (after the matcher's rules changed)")
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


def run(args) -> int:
    with contextlib.closing(database.connect(role="pricewatch_etl")) as conn, migrated():
        action = args.games_command
        if action == "merge":
            decisions.decide(conn, args.listing_b, "merge", args.listing_a)
        elif action == "split":
            decisions.decide(conn, args.listing, "split")
        if action in ("match", "merge", "split"):
            print(rematch_all(conn) if getattr(args, "all", False) else match_pending(conn))
            conn.commit()
            return 0
        if action == "review":
            columns, rows = decisions.review(conn)
            title = "uncertain matches: `pricewatch games merge A B` if they are one game, else `split B`"
        else:
            with conn.cursor() as cur:
                game = find_game(cur, args.title)
            columns, rows = decisions.listings_of(conn, game.game_id)
            title = f"{game.title} (game {game.game_id})"
        tabular.write(columns, rows, args.format, title=title)
    return 0
