"""Which store listings are the same game: strong evidence first, then fuzzy titles, then people's decisions.

Evidence, strongest first: the same Steam appid, identical identifying names (see pricewatch.games.titles) of
one release (release years at most RELEASE_YEARS apart: a remake sold under its original's name is another
game), then a rapidfuzz score on names with the same sequel numbers and the same kind of product. Scores between
REVIEW_SCORE and AUTO_SCORE are left apart and queued for review. Manual decisions (merge, split) always win.

Evidence is a property of two listings, or of all listings of one name (its releases), so the groups of a part
of the catalogue that is closed under the evidence and holds every listing of each name in it (whole games,
the listings a change touches, all listings of their names) are the groups the whole catalogue would give:
that is how pricewatch.games.store matches a day's changes only.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from pricewatch.games.titles import REMAKE_MARKERS, Title, parse, release_year

AUTO_SCORE = 93.0
REVIEW_SCORE = 80.0
# Ports reach other stores years later (The Witcher 3 on Switch: four), remakes come a decade or more after
# their original (DOOM 1993/2016, Resident Evil 2 1998/2019).
RELEASE_YEARS = 5


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


@dataclass(frozen=True)
class KnownName:
    """A name outside the listings being matched: its first listing, and the game that listing has."""
    name: str
    markers: frozenset
    listing_id: int
    game_id: int | None = None

    @property
    def key(self) -> tuple:
        return self.name, self.markers


class Catalogue:
    """Names of listings outside a matching, found through an index; the empty catalogue knows none."""

    def game_names(self, names: set[str]) -> list[KnownName]:
        """Game (not add-on or bundle) names among `names`."""
        return []

    def block_names(self, blocks: dict[str, tuple[int, int]]) -> dict[str, list[KnownName]]:
        """Game names per fuzzy block whose length is within the given bounds."""
        return {}


@dataclass
class Matching:
    group_of: dict = field(default_factory=dict)        # listing_id -> group key (smallest listing_id in it)
    method_of: dict = field(default_factory=dict)       # listing_id -> steam_appid | title | fuzzy | manual
    score_of: dict = field(default_factory=dict)        # listing_id -> fuzzy score that joined it
    edition_of: dict = field(default_factory=dict)      # listing_id -> edition words or None
    title_of: dict = field(default_factory=dict)        # listing_id -> parsed Title, None for decided listings
    base_group_of: dict = field(default_factory=dict)   # group key of a DLC/soundtrack -> group key of its game
    base_game_of: dict = field(default_factory=dict)    # group key of an add-on -> game id of a known base name
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


def releases(ids: list[int], year_of: dict) -> list[list[int]]:
    """Listings of one name by release: known years at most RELEASE_YEARS apart, in a chain, are one release.
    Listings of unknown year join the only release, and stay together apart from several (which would it be?)."""
    found = []
    for listing_id in sorted((i for i in ids if year_of[i]), key=lambda i: (year_of[i], i)):
        if found and year_of[listing_id] - year_of[found[-1][-1]] <= RELEASE_YEARS:
            found[-1].append(listing_id)
        else:
            found.append([listing_id])
    unknown = sorted(i for i in ids if not year_of[i])
    if len(found) <= 1:
        return [sorted((found[0] if found else []) + unknown)]
    return [sorted(release) for release in found] + ([unknown] if unknown else [])


def fuzzy_joins(releases_a: list[list[int]], releases_b: list[list[int]], year_of: dict) -> bool:
    """A score joins names of one release each, released at most RELEASE_YEARS apart when both years are known;
    a name of several releases would join them all, so its close names go to review."""
    if len(releases_a) > 1 or len(releases_b) > 1:
        return False
    years_a = [year_of[i] for i in releases_a[0] if year_of[i]]
    years_b = [year_of[i] for i in releases_b[0] if year_of[i]]
    return (not years_a or not years_b
            or max(min(years_b) - max(years_a), min(years_a) - max(years_b)) <= RELEASE_YEARS)


def fuzzy_block(title: Title) -> str | None:
    """Names compared by score share a block: the same first word, sequel numbers and remake-ness ("Ghostrunner 2"
    is never "Ghostrunner"). Add-ons and bundles have none: they must match by name exactly ("KAITO DLC" and
    "MEIKO DLC" score 90)."""
    if not title.name or title.is_addon or title.is_bundle:
        return None
    remake = "remake" if title.markers & REMAKE_MARKERS else ""
    return "|".join((title.name.split()[0], " ".join(title.numbers), remake))


def length_bounds(length: int) -> tuple[int, int]:
    """Lengths a name can have and still score REVIEW_SCORE against a name of `length`: both scores are at most
    2·min/(sum of lengths), token sorting keeps the length, so 80 needs the shorter ≥ 2/3 of the longer."""
    return -(-2 * length // 3), 3 * length // 2


def title_scores(name: str, others: list[str]) -> dict[int, float]:
    """Index in `others` -> score ≥ REVIEW_SCORE: the better of the plain and the token-sorted ratio."""
    scores = {}
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        for _, score, index in process.extract(name, others, scorer=scorer, score_cutoff=REVIEW_SCORE, limit=None):
            scores[index] = max(score, scores.get(index, 0.0))
    return scores


def fuzzy_pairs(keys: list[tuple], block_of_key: dict) -> list[tuple]:
    """Scored pairs of keys worth a look, compared within blocks and plausible lengths."""
    blocks = defaultdict(list)
    for key in keys:
        blocks[block_of_key[key]].append(key)
    pairs = []
    for block in blocks.values():
        block.sort(key=lambda key: (len(key[0]), key[0]))
        for index, key in enumerate(block):
            _, longest = length_bounds(len(key[0]))
            later = [other for other in block[index + 1:] if len(other[0]) <= longest]
            for other_index, score in title_scores(key[0], [other[0] for other in later]).items():
                pairs.append((key, later[other_index], score))
    return pairs


def base_game_key(addon: Title, game_keys: dict) -> tuple | None:
    """The game an add-on belongs to: its 《》 name, else the longest game name its own name starts with.

    `game_keys` maps game names to their keys (a name may carry different markers); ties take the fewest markers.
    """
    if addon.franchise and (addon.franchise, frozenset()) in game_keys.get(addon.franchise, ()):
        return addon.franchise, frozenset()
    words = addon.name.split()
    for length in range(len(words) - 1, 0, -1):
        if keys := game_keys.get(" ".join(words[:length])):
            return min(keys, key=lambda key: (len(key[1]), sorted(key[1])))
    return None


def base_name_candidates(addon: Title) -> set[str]:
    """Names that could be an add-on's base game: its 《》 name and the leading words of its name."""
    words = addon.name.split()
    return {" ".join(words[:length]) for length in range(1, len(words))} | ({addon.franchise} - {None})


def match(listings: list[Listing], decisions: list[Decision] = (), catalogue: Catalogue = Catalogue()) -> Matching:
    """Groups of `listings`; `catalogue` knows the names of listings outside them (for base games of add-ons
    and uncertain pairs), which keep their games."""
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
    releases_of = {key: releases(same_name, year_of) for key, same_name in by_key.items()}
    for same_release in (release for found in releases_of.values() for release in found):
        for other in same_release[1:]:
            union.union(same_release[0], other)

    titles_of_key = {key: titles[ids[0]] for key, ids in by_key.items()}
    block_of_key = {key: fuzzy_block(title) for key, title in titles_of_key.items()}
    fuzzy_keys = [key for key, block in block_of_key.items() if block]
    # The order of unions decides only which pair is credited; best scores first makes that the same everywhere.
    pairs = sorted(fuzzy_pairs(fuzzy_keys, block_of_key), key=lambda pair: (-pair[2], by_key[pair[0]][0], by_key[pair[1]][0]))
    uncertain = []
    for key_a, key_b, score in pairs:
        first_a, first_b = by_key[key_a][0], by_key[key_b][0]
        if score < AUTO_SCORE or not fuzzy_joins(releases_of[key_a], releases_of[key_b], year_of):
            uncertain.append((min(first_a, first_b), max(first_a, first_b), round(score, 1)))
        elif union.union(first_a, first_b):
            for listing_id in by_key[max(key_a, key_b, key=lambda key: by_key[key][0])]:
                result.method_of.setdefault(listing_id, "fuzzy")
                result.score_of[listing_id] = round(score, 1)

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
        result.title_of[listing_id] = None if listing_id in decided else titles[listing_id]
    result.review = sorted(pair for pair in uncertain if result.group_of[pair[0]] != result.group_of[pair[1]])
    result.review += outside_review(titles_of_key, block_of_key, by_key, catalogue)
    link_addons(result, titles_of_key, by_key, catalogue)
    return result


def outside_review(titles_of_key: dict, block_of_key: dict, by_key: dict, catalogue: Catalogue) -> list[tuple]:
    """Uncertain pairs of these names with names outside: those keep their games, so the pair stays apart."""
    wanted = defaultdict(lambda: (10 ** 9, 0))
    for key, block in block_of_key.items():
        if block:
            shortest, longest = length_bounds(len(key[0]))
            wanted[block] = min(wanted[block][0], shortest), max(wanted[block][1], longest)
    known = catalogue.block_names(dict(wanted))
    pairs = []
    for key, block in block_of_key.items():
        others = [name for name in known.get(block, ()) if name.key not in by_key]
        for index, score in title_scores(key[0], [other.name for other in others]).items():
            if score < AUTO_SCORE:
                first, other = by_key[key][0], others[index].listing_id
                pairs.append((min(first, other), max(first, other), round(score, 1)))
    return sorted(pairs)


def link_addons(result: Matching, titles_of_key: dict, by_key: dict, catalogue: Catalogue) -> None:
    """Each add-on group's base game, from the add-on name of its first listing."""
    addons = {key: title for key, title in titles_of_key.items() if title.is_addon}
    game_keys = defaultdict(set)
    for key, title in titles_of_key.items():
        if fuzzy_block(title):
            game_keys[key[0]].add(key)
    outside = {}
    wanted = set().union(*map(base_name_candidates, addons.values())) if addons else set()
    for name in catalogue.game_names(wanted):
        if name.key not in by_key:
            game_keys[name.name].add(name.key)
            outside.setdefault(name.key, name)
    for key, title in sorted(addons.items(), key=lambda item: by_key[item[0]][0]):
        group = result.group_of[by_key[key][0]]
        if group in result.base_group_of or group in result.base_game_of or not (base := base_game_key(title, game_keys)):
            continue
        if base in by_key:
            result.base_group_of[group] = result.group_of[by_key[base][0]]
        else:
            result.base_game_of[group] = outside[base].game_id
