"""A generated store catalogue with titles shaped like real ones, for the game matcher and the daily cycle.

Product p is deterministic in p: a Zipf-distributed first word ("The …" 7%, "Super …", franchise names), sequels
with subtitles ("X 2: Y", "X III"), remasters, editions, DLC ("X - Soundtrack", "X: Season Pass") and bundles
(67% games, 28% DLC, 5% bundles). About 30% of products are sold in 2–4 stores under slightly different titles
(case, ™, roman numerals, a dropped "The", another separator, an edition, two words run together), with each
store's release date format and a port a year late. 3% of games are remakes sold under an earlier product's exact
title, 12–25 years after it. A listing is (store, item, kind, title, release date).
"""
import dataclasses
import functools
import random
from dataclasses import dataclass

STORES = ("steam", "psstore", "gog", "epic", "eshop")
STORE_WEIGHTS = (58, 14, 10, 10, 8)
FIRST_WORDS = ("Super Dark Final Dragon Star Shadow Legend Tales Age Call Battle World Total Project Space Dead Rise "
               "Kingdom Age Night Hollow Iron Blood Lost Last Crystal Mega Neon Ghost Wild Little Sky Deep Fallen Red "
               "Black White Silent Eternal Cyber Metal Pixel Ancient Royal Mystic Brave Grand Sword Galactic Tiny Lucky "
               "Happy Crazy Ultra Hyper Magic Chrono Void Solar Lunar Arcane Steel Frozen Burning Hidden Secret "
               "Endless Broken Savage Rogue Stellar Quantum Atomic Velvet Scarlet Golden Emerald Obsidian Ivory "
               "Cosmic Primal Rusty Paper Wooden Stone Glass Thunder Storm Ocean Desert Jungle Arctic Urban").split()
WORDS = ("Knight Quest Hunter Souls Chronicles Odyssey Saga Legacy Empire Warriors Heroes Frontier Horizon Realm "
         "Dungeon Tactics Racing Simulator Tycoon Survival Arena Escape Mystery Adventure Defense Station Colony "
         "Island Valley City Planet Galaxy Fortress Temple Tower Garden Factory Farm Academy Hotel Prison Circus "
         "Rebellion Protocol Paradox Horizon Echo Requiem Ascension Awakening Reckoning Origins Revelations Dawn "
         "Twilight Inferno Abyss Eclipse Genesis Nexus Vortex Labyrinth Sanctuary Outpost Harbor Wasteland").split()
SUBTITLES = ("Rebirth", "The Lost Crown", "Dark Ages", "Awakening", "Origins", "Reckoning", "New Dawn",
             "Wild Hunt", "Phantom Liberty", "Shadow of the Tower", "Resurrection", "The Final Chapter")
EDITIONS = ("Deluxe Edition", "Game of the Year Edition", "GOTY Edition", "Definitive Edition", "Complete Edition",
            "Ultimate Edition", "Gold Edition")
DLC = ("Soundtrack", "Season Pass", "Expansion Pack", "Artbook", "Costume Pack", "Supporter Pack",
       "Original Soundtrack", "Bonus Content", "Character Pack", "Upgrade Kit")
ROMAN = {2: "II", 3: "III", 4: "IV", 5: "V"}
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
REMAKE_SHARE = 0.03


@dataclass(frozen=True)
class CatalogueListing:
    store: str
    store_item_id: str
    kind: str
    title: str
    release_date: str | None = None


SYLLABLES = "ka ri to ve la mon dar ex sol quin bra zel tor vin ash mer cal dro fen gul hax".split()
ZIPF_WEIGHTS = [1 / rank for rank in range(1, len(FIRST_WORDS) + 1)]


def zipf_word(draw: random.Random) -> str:
    """"The" 7%, a word of a Zipf-ranked list 20% ("Super" ~4%), else one of ~9,000 invented words."""
    roll = draw.random()
    if roll < 0.07:
        return "The"
    if roll < 0.27:
        return draw.choices(FIRST_WORDS, ZIPF_WEIGHTS)[0]
    return "".join(draw.choice(SYLLABLES) for _ in range(3)).capitalize()


@functools.lru_cache(maxsize=65536)
def base_name(franchise: int) -> str:
    draw = random.Random(f"franchise {franchise}")
    words = [zipf_word(draw)] + [draw.choice(WORDS) for _ in range(draw.choice((1, 1, 2, 2, 3)))]
    if words[0] == "The":
        words.insert(1, draw.choice(FIRST_WORDS))
    return " ".join(words)


def game_title(product: int, draw: random.Random) -> str:
    """Franchises of a few products: the first is the game, others sequels, remasters or spin-offs."""
    franchise = product // 3 if draw.random() < 0.45 else product + 10 ** 7
    name = base_name(franchise)
    episode = product % 3 if franchise < 10 ** 7 else 0
    if episode == 1:
        number = draw.choice((2, 2, 3, 4))
        name = f"{name} {number}" + (f": {draw.choice(SUBTITLES)}" if draw.random() < 0.5 else "")
    elif episode == 2:
        name = f"{name}: {draw.choice(SUBTITLES)}" if draw.random() < 0.7 else f"{name} Remastered"
    return name


def remade(product: int) -> int | None:
    """The earlier product a remake is sold as, under its exact title."""
    return product - 7 if product >= 7 and random.Random(f"remake {product}").random() < REMAKE_SHARE else None


def product_title(product: int) -> tuple[str, str]:
    """(kind, title) of a product."""
    draw = random.Random(product)
    roll = draw.random()
    if roll < 0.28:
        return "dlc", f"{game_title(product // 4 * 4, random.Random(product // 4 * 4))} - {draw.choice(DLC)}"
    if roll < 0.33:
        first = game_title(product - 1, random.Random(product - 1))
        return "bundle", f"{first} + {game_title(product + 1, random.Random(product + 1))} Bundle"
    if (original := remade(product)) is not None:
        return "game", game_title(original, random.Random(original))
    return "game", game_title(product, draw)


def release_year(product: int) -> int:
    draw = random.Random(f"released {product}")
    if (original := remade(product)) is not None:
        return release_year(original) + draw.randint(12, 25)
    return draw.randint(1985, 2026)


def release_date(store: str, year: int, draw: random.Random) -> str | None:
    """A release date as each store writes it; Steam says "Coming soon" and eShop gives none at times."""
    month, day = draw.randint(1, 12), draw.randint(1, 28)
    if store == "steam":
        return "Coming soon" if draw.random() < 0.03 else f"{day} {MONTHS[month - 1]}, {year}"
    if store == "eshop" and draw.random() < 0.1:
        return None
    if store == "psstore":
        return f"{year}-{month:02}-{day:02}T00:00:00Z"
    return f"{year}-{month:02}-{day:02}"


def variant(title: str, draw: random.Random) -> str:
    """The same product as another store writes it."""
    change = draw.randrange(8)
    if change == 0:
        return title.upper()
    if change == 1:
        return title.replace(":", "™:", 1) if ":" in title else f"{title}™"
    if change == 2:
        for number, roman in ROMAN.items():
            title = title.replace(f" {number}", f" {roman}")
        return title
    if change == 3:
        return title[4:] if title.startswith("The ") else title.replace(": ", " - ")
    if change == 4:
        return title.replace(": ", " - ")
    if change == 5:
        return f"{title} - {draw.choice(EDITIONS)}"
    if change == 6 and title.count(" ") > 1:
        # Two words run together ("Odyssey Colony" / "OdysseyColony"): one for the fuzzy score.
        head, last = title.rsplit(" ", 1)
        return f"{head}{last}"
    return title


def store_listings(product: int) -> list[CatalogueListing]:
    """The listings of one product: one store, or 2–4 stores for ~30% of products."""
    kind, title = product_title(product)
    draw = random.Random(f"stores {product}")
    count = draw.choice((2, 2, 3, 4)) if draw.random() < 0.3 else 1
    stores = []
    while len(stores) < count:
        store = draw.choices(STORES, STORE_WEIGHTS)[0]
        if store not in stores:
            stores.append(store)
    year, dates = release_year(product), random.Random(f"release dates {product}")
    return [CatalogueListing(store, f"{product}", kind, title if index == 0 else variant(title, draw),
                             release_date(store, year + (index > 0 and dates.random() < 0.3), dates))
            for index, store in enumerate(stores)]


def catalogue(products: range) -> list[CatalogueListing]:
    return [listing for product in products for listing in store_listings(product)]


def retitled(listing: CatalogueListing, day: int) -> CatalogueListing:
    """A store renaming a listing: an edition added, the case changed, or another product's name."""
    draw = random.Random(f"{listing.store} {listing.store_item_id} {day}")
    roll = draw.random()
    if roll < 0.4:
        title = f"{listing.title} - {draw.choice(EDITIONS)}"
    elif roll < 0.7:
        title = variant(listing.title, draw)
    else:
        title = product_title(draw.randrange(10 ** 6))[1]
    return dataclasses.replace(listing, title=title)
