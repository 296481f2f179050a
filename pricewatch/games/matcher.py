"""Which store listings are the same game: strong evidence first, then fuzzy titles, then people's decisions.

Evidence, strongest first: the same Steam appid, identical identifying names (see pricewatch.games.titles)
released in the same or the next year when both years are known (the year in "DOOM (2016)", or the store's
release date: a remake keeps its original's name), then a rapidfuzz score on names with the same sequel
numbers and the same kind of product. Scores between
REVIEW_SCORE and AUTO_SCORE are left apart and queued for review. Manual decisions (merge, split) always win.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pricewatch.games.titles import REMAKE_MARKERS, Title, parse, release_year

AUTO_SCORE = 93.0
REVIEW_SCORE = 80.0


@dataclass(frozen=True)
class Listing:
    listing_id: int
    store: str
    store_item_id: str
    kind: str
    title: str
    steam_appid: str | None = None
    release_date: str | None = None

    @property
    def appid(self) -> str | None:
        """The Steam appid the listing is, or refers to (another store's page or a post linking to Steam)."""
        return self.store_item_id if self.store == "steam" else self.steam_appid


@dataclass(frozen=True)
class Decision:
    """A person's word on a listing: "split" (its own game) or "merge" (same game as same_as_listing_id)."""
    listing_id: int
    action: str
    same_as_listing_id: int | None = None


@dataclass
class Matching:
    group_of: dict = field(default_factory=dict)        # listing_id -> group key (smallest listing_id in it)
    method_of: dict = field(default_factory=dict)       # listing_id -> steam_appid | title | fuzzy | manual
    score_of: dict = field(default_factory=dict)        # listing_id -> fuzzy score that joined it
    edition_of: dict = field(default_factory=dict)      # listing_id -> edition words or None
    base_group_of: dict = field(default_factory=dict)   # group key of a DLC/soundtrack -> group key of its game
    review: list = field(default_factory=list)          # (listing_id, candidate listing_id, score)

    def groups(self) -> dict:
        members = defaultdict(list)
        for listing_id, group in self.group_of.items():
            members[group].append(listing_id)
        return dict(members)


class UnionFind:
    def __init__(self, items):
        self.parent = {item: item for item in items}

    def find(self, item):
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a, b) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        self.parent[max(root_a, root_b)] = min(root_a, root_b)
        return True


def identity_key(title: Title) -> tuple:
    """Listings with equal keys are one product: same name, and add-on/bundle/remake markers alike."""
    return title.name, title.markers


def by_release(ids: list[int], year_of: dict) -> list[list[int]]:
    """Listings of one name split by release year: years a year apart at most are one release. Listings
    without a year join the release when there is only one, and stay apart from several (which one is it?)."""
    releases: list[list[int]] = []
    for listing_id in sorted((i for i in ids if year_of[i]), key=lambda i: year_of[i]):
        if releases and year_of[listing_id] - year_of[releases[-1][-1]] <= 1:
            releases[-1].append(listing_id)
        else:
            releases.append([listing_id])
    yearless = [listing_id for listing_id in ids if not year_of[listing_id]]
    if len(releases) <= 1:
        return [sorted((releases[0] if releases else []) + yearless)]
    return [sorted(release) for release in releases] + ([yearless] if yearless else [])


def fuzzy_candidate(title: Title) -> bool:
    """Add-ons and bundles must match by name exactly: "KAITO DLC" and "MEIKO DLC" score 90."""
    return bool(title.name) and not title.is_addon and not title.is_bundle


def comparable(a: Title, b: Title) -> bool:
    return a.numbers == b.numbers and bool(a.markers & REMAKE_MARKERS) == bool(b.markers & REMAKE_MARKERS)


def title_score(a: str, b: str) -> float:
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


def fuzzy_pairs(keys: list[tuple], titles_of_key: dict) -> list[tuple]:
    """Scored pairs of keys worth a look, compared within blocks of the same first word."""
    blocks = defaultdict(list)
    for key in keys:
        blocks[key[0].split()[0]].append(key)
    pairs = []
    for block in blocks.values():
        for index, key_a in enumerate(block):
            for key_b in block[index + 1:]:
                if not comparable(titles_of_key[key_a], titles_of_key[key_b]):
                    continue
                score = title_score(key_a[0], key_b[0])
                if score >= REVIEW_SCORE:
                    pairs.append((key_a, key_b, score))
    return pairs


def base_game_key(addon: Title, game_keys: list[tuple]) -> tuple | None:
    """The game an add-on belongs to: its 《》 name, else the longest game name its own name starts with."""
    if addon.franchise and (addon.franchise, frozenset()) in game_keys:
        return addon.franchise, frozenset()
    starts = [key for key in game_keys if addon.name.startswith(key[0] + " ")]
    return max(starts, key=lambda key: len(key[0]), default=None)


def match(listings: list[Listing], decisions: list[Decision] = ()) -> Matching:
    decided = {decision.listing_id: decision for decision in decisions}
    titles = {listing.listing_id: parse(listing.title, listing.kind) for listing in listings}
    by_id = {listing.listing_id: listing for listing in listings}
    automatic = [listing for listing in listings if listing.listing_id not in decided]
    union = UnionFind(by_id)
    result = Matching()

    by_appid = defaultdict(list)
    for listing in automatic:
        if listing.appid and not titles[listing.listing_id].is_addon:
            by_appid[listing.appid].append(listing.listing_id)
    for same_app in by_appid.values():
        for other in same_app[1:]:
            union.union(same_app[0], other)
            result.method_of[other] = "steam_appid"

    by_key = defaultdict(list)
    for listing in automatic:
        if titles[listing.listing_id].name:
            by_key[identity_key(titles[listing.listing_id])].append(listing.listing_id)
    year_of = {listing.listing_id: titles[listing.listing_id].year or release_year(listing.release_date)
               for listing in listings}
    for same_name in by_key.values():
        for release in by_release(same_name, year_of):
            for other in release[1:]:
                union.union(release[0], other)

    titles_of_key = {key: titles[ids[0]] for key, ids in by_key.items()}
    fuzzy_keys = [key for key, title in titles_of_key.items() if fuzzy_candidate(title)]
    for key_a, key_b, score in fuzzy_pairs(fuzzy_keys, titles_of_key):
        first_a, first_b = by_key[key_a][0], by_key[key_b][0]
        if score >= AUTO_SCORE:
            if union.union(first_a, first_b):
                for listing_id in by_key[max(key_a, key_b, key=lambda key: by_key[key][0])]:
                    result.method_of.setdefault(listing_id, "fuzzy")
                    result.score_of[listing_id] = round(score, 1)
        elif union.find(first_a) != union.find(first_b):
            result.review.append((min(first_a, first_b), max(first_a, first_b), round(score, 1)))

    for decision in decisions:
        if decision.listing_id not in by_id:
            continue
        result.method_of[decision.listing_id] = "manual"
        if decision.action == "merge" and decision.same_as_listing_id in by_id:
            union.union(decision.same_as_listing_id, decision.listing_id)

    for listing_id in by_id:
        result.group_of[listing_id] = union.find(listing_id)
        result.method_of.setdefault(listing_id, "title")
        result.edition_of[listing_id] = titles[listing_id].edition

    game_keys = [key for key, title in titles_of_key.items() if not title.is_addon and not title.is_bundle]
    for key, ids in by_key.items():
        if titles_of_key[key].is_addon and (base := base_game_key(titles_of_key[key], game_keys)):
            result.base_group_of[result.group_of[ids[0]]] = result.group_of[by_key[base][0]]
    return result
