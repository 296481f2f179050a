"""Find the game a person means by a title they type, through the reporting view every role may read."""
from dataclasses import dataclass

from foundation.errors import PricewatchError
from pricewatch.games.titles import parse

CANDIDATES = """
select game_id, game, title, kind, listing_id
from reporting.game_listings
where position(lower(%(text)s) in lower(title)) > 0 or position(lower(%(text)s) in lower(game)) > 0
order by game_id, listing_id
"""


@dataclass(frozen=True)
class Game:
    game_id: int
    title: str
    anchor_listing_id: int


def find_game(cur, text: str) -> Game:
    """The one game `text` names. Closest first: the game's own title, a listing's title as the store writes it
    ("DOOM (1993)" when "DOOM" names the remake too), a listing of the same identifying name, a title containing
    it; the closest kind any game has decides."""
    with cur.connection.cursor() as plain:
        plain.execute(CANDIDATES, {"text": text.strip()})
        rows = plain.fetchall()
    typed, wanted = text.strip(), parse(text).name
    games = {}
    for game_id, game, title, kind, listing_id in rows:
        closeness = max(3 * (game == typed), 2 * (title == typed), parse(title, kind).name == wanted)
        known = games.setdefault(game_id, [game, listing_id, 0])
        known[2] = max(known[2], closeness)
    closest = max((found[2] for found in games.values()), default=0)
    chosen = {game_id: found for game_id, found in games.items() if found[2] == closest}
    if len(chosen) == 1:
        ((game_id, (game, listing_id, _)),) = chosen.items()
        return Game(game_id, game, listing_id)
    if not chosen:
        raise PricewatchError(f"no game titled like {text!r} is known; see `pricewatch report best --game ...`")
    names = "; ".join(f"{found[0]!r}" for found in list(chosen.values())[:10])
    raise PricewatchError(f"{text!r} names {len(chosen)} games: {names}; type a fuller title")
