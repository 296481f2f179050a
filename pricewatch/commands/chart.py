"""pricewatch chart TITLE [--region US] [-o file.png] [--format csv]: a game's price history per store.

Runs as pricewatch_reader: it reads reporting.price_timeline and reporting.game_listings only.
"""
import contextlib
from pathlib import Path

from foundation import database
from foundation.database import migrated
from foundation.errors import PricewatchError
from pricewatch import tabular
from pricewatch.games.lookup import find_game
from pricewatch.price_timeline import timeline

COLUMNS = ("day", "store", "title", "region", "currency", "price", "regular_price", "discount_percent")


def register(subparsers) -> None:
    parser = subparsers.add_parser("chart", help="draw a game's price history per store (PNG), or give it as CSV")
    parser.add_argument("title", metavar="TITLE")
    parser.add_argument("--region", metavar="CC", help="only this storefront country, e.g. US")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="PNG to write (default: <game>.png)")
    parser.add_argument("--format", choices=("png", "csv"), default="png", help="csv: the same data on stdout")
    parser.set_defaults(func=run)


def run(args) -> int:
    with contextlib.closing(database.connect(role="pricewatch_reader")) as conn, migrated():
        with conn.cursor() as cur:
            game = find_game(cur, args.title)
        # CSV gives every day; the picture needs only the days its lines step.
        rows = timeline(conn, game.game_id, args.region.upper() if args.region else None,
                        every_day=args.format == "csv")
    if not rows:
        where = f" in {args.region.upper()}" if args.region else ""
        raise PricewatchError(f"no prices of {game.title}{where} yet")
    if args.format == "csv":
        tabular.write(list(COLUMNS), [tuple(row[column] for column in COLUMNS) for row in rows], "csv")
        return 0
    output = args.output or Path("".join(c if c.isalnum() else "-" for c in game.title).strip("-").lower() + ".png")
    if not output.parent.is_dir():
        raise PricewatchError(f"cannot write {output}: no directory {output.parent}")
    from pricewatch import chart  # matplotlib takes a second to import: only once there is something to draw

    lines = chart.draw(game.title, rows, output)
    days = [row["day"] for row in rows]
    print(f"wrote {output} ({lines} line(s), {min(days)} to {max(days)})")
    return 0
