"""The matcher on the labelled set of real corpus titles, and the title traps one by one."""
import csv

import pytest

from pricewatch.games.matcher import Decision, Listing, match
from pricewatch.games.titles import parse

PAIRS_FILE = "handmade_game_pairs.tsv"


def labelled_pairs(fixtures) -> list[dict]:
    with open(fixtures / PAIRS_FILE, encoding="utf-8") as stream:
        return list(csv.DictReader((line for line in stream if not line.startswith("#")), delimiter="\t"))


@pytest.fixture
def fixtures(request):
    return request.path.parent / "fixtures"


def test_labelled_pairs_precision_and_recall(fixtures):
    pairs = labelled_pairs(fixtures)
    # Every side is its own listing (as if from two stores), all matched in one run as in production.
    listings = []
    for index, pair in enumerate(pairs):
        listings.append(Listing(2 * index, "gog", f"a{index}", pair["kind_a"], pair["title_a"]))
        listings.append(Listing(2 * index + 1, "epic", f"b{index}", pair["kind_b"], pair["title_b"]))
    matching = match(listings)
    predicted = [matching.group_of[2 * index] == matching.group_of[2 * index + 1] for index in range(len(pairs))]
    labelled = [pair["same"] == "1" for pair in pairs]

    true_positive = sum(p and l for p, l in zip(predicted, labelled))
    precision = true_positive / sum(predicted)
    recall = true_positive / sum(labelled)
    wrong = [f"{'merged' if p else 'missed'}: {pair['title_a']!r} / {pair['title_b']!r}"
             for pair, p, l in zip(pairs, predicted, labelled) if p != l]
    print(f"\ngame matching on {len(pairs)} labelled pairs ({sum(labelled)} same, {len(pairs) - sum(labelled)} not): "
          f"precision {precision:.3f}, recall {recall:.3f}")
    print("\n".join(wrong))
    assert precision >= 0.98, wrong
    assert recall >= 0.90, wrong


@pytest.mark.parametrize("title, kind, name, edition", [
    ("DARK SOULS™ III - Deluxe Edition", "bundle", "dark souls 3", "deluxe edition"),
    ("Deus Ex™ GOTY Edition", "other", "deus ex", "goty edition"),
    ("Sea of Thieves: 2026 Edition", "game", "sea of thieves", "2026 edition"),
    ("DOOM: The Dark Ages", "game", "doom the dark ages", None),
    ("FINAL FANTASY XV ROYAL EDITION (日语, 英语)", "game", "final fantasy 15", "royal edition"),
    ("《NBA 2K26》灌籃版 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "game", "nba 2k26", "灌籃版"),
    ("適用於PS5®的《NBA 2K26》 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "game", "nba 2k26", None),
    ("Pokémon™ Legends: Arceus", "game", "pokemon legends arceus", None),
    ("Warhammer 40,000: Space Marine 2", "game", "warhammer 40000 space marine 2", None),
    ("The Outlast Trials", "game", "outlast trials", None),
    ("Saints Row IV: Re-Elected Pre-Order", "game", "saints row 4 re elected", "pre order"),
])
def test_title_names_and_editions(title, kind, name, edition):
    parsed = parse(title, kind)
    assert (parsed.name, parsed.edition) == (name, edition)


@pytest.mark.parametrize("title, kind, marker", [
    ("LocoRoco™ 2 Remastered", "game", "remastered"),
    ("Portal 2 Soundtrack", "other", "soundtrack"),
    ("PRAGMATA Sketchbook - DEMO (簡體中文, 韓文, 英文, 繁體中文, 日文)", "other", "demo"),
    ("Dead Age 1 + 2 Bundle", "bundle", "bundle"),
    ("《NBA 2K26》x《WWE 2K25》同捆 (簡體中文, 韓文, 英文, 繁體中文, 日文)", "bundle", "bundle"),
    ("ELDEN RING Shadow of the Erdtree", "dlc", "dlc"),
])
def test_title_markers(title, kind, marker):
    assert marker in parse(title, kind).markers


def test_dlc_links_to_its_base_game_without_merging():
    listings = [Listing(1, "steam", "1245620", "game", "ELDEN RING"),
                Listing(2, "steam", "2778580", "dlc", "ELDEN RING Shadow of the Erdtree"),
                Listing(3, "psstore", "UP1001-NBA", "game", "適用於PS5®的《NBA 2K26》"),
                Listing(4, "psstore", "UP1001-VC", "dlc", "《NBA 2K26》5,000 VC包 (中日英韓文版)")]
    matching = match(listings)
    assert matching.group_of[2] != matching.group_of[1]
    assert matching.base_group_of == {matching.group_of[2]: matching.group_of[1], matching.group_of[4]: matching.group_of[3]}


def test_steam_appid_joins_titles_that_share_nothing():
    listings = [Listing(1, "steam", "2322010", "game", "God of War Ragnarök"),
                Listing(2, "epic", "gow", "game", "戰神：諸神黃昏", steam_appid="2322010")]
    matching = match(listings)
    assert matching.group_of[2] == matching.group_of[1]
    assert matching.method_of[2] == "steam_appid"


def test_uncertain_pairs_are_queued_not_merged():
    listings = [Listing(1, "gog", "1859396546", "game", "Leisure Suit Larry - Wet Dreams Don't Dry"),
                Listing(2, "gog", "2147483119", "game", "Leisure Suit Larry - Wet Dreams Dry Twice")]
    matching = match(listings)
    assert matching.group_of[1] != matching.group_of[2]
    assert [(a, b) for a, b, _ in matching.review] == [(1, 2)]


def test_manual_decisions_beat_the_matcher():
    listings = [Listing(1, "steam", "1", "game", "Knack 2"), Listing(2, "psstore", "2", "game", "KNACK 2"),
                Listing(3, "gog", "3", "game", "Knack")]
    matching = match(listings, [Decision(2, "split"), Decision(3, "merge", 1)])
    assert matching.group_of[2] == 2
    assert matching.group_of[3] == matching.group_of[1] == 1
    assert matching.method_of == {1: "title", 2: "manual", 3: "manual"}



# (store, title, release date) of listings, and which of them are one game: indexes of each group.
RELEASES = [
    ([("steam", "DOOM (2016)", "12 May, 2016"), ("epic", "DOOM", "2016-05-13")], [[0, 1]]),
    ([("steam", "DOOM (1993)", "Aug 3, 2007"), ("psstore", "DOOM", "2016-05-13T00:00:00Z")], [[0], [1]]),
    ([("gog", "Resident Evil 2", "1998-01-21"), ("steam", "RESIDENT EVIL 2", "24 Jan, 2019")], [[0], [1]]),
    ([("steam", "The Witcher® 3: Wild Hunt", "18 May, 2015"), ("eshop", "The Witcher 3: Wild Hunt", "2019-10-15")],
     [[0, 1]]),
    ([("steam", "Hollow Knight", "Coming soon"), ("eshop", "Hollow Knight", "2018-06-12")], [[0, 1]]),
    ([("steam", "DOOM (1993)", None), ("epic", "DOOM", "2016-05-13"), ("gog", "DOOM", None)], [[0], [1], [2]]),
    ([("steam", "DOOM", "2016-05-13"), ("psstore", "DOOM", "2016年5月13日"), ("gog", "DOOM", None)], [[0, 1, 2]]),
    ([("gog", "Resident Evil 2", "1998-01-21"), ("steam", "RESIDENT EVIL 2", "24 Jan, 2019"),
      ("epic", "Resident Evils 2", "2019-01-25")], [[0], [1], [2]]),
]


@pytest.mark.parametrize("listings, groups", RELEASES, ids=[" / ".join(title for _, title, _ in listings)
                                                              for listings, _ in RELEASES])
def test_release_years_tell_a_remake_from_its_original(listings, groups):
    """Identical names released more than five years apart are two games; an unknown year joins the only
    release of its name and stays apart from several; a close name of a name with several releases is left for
    review rather than joined to all of them."""
    matching = match([Listing(index, store, str(index), "game", title, None, released)
                      for index, (store, title, released) in enumerate(listings)])
    assert sorted(sorted(members) for members in matching.groups().values()) == groups


def test_a_close_name_of_a_remade_name_goes_to_review():
    listings = RELEASES[-1][0]
    matching = match([Listing(index, store, str(index), "game", title, None, released)
                      for index, (store, title, released) in enumerate(listings)])
    assert [pair[:2] for pair in matching.review] == [(0, 2)]


def test_a_year_in_parentheses_is_no_sequel_number():
    assert parse("DOOM (2016)").name == parse("DOOM").name == "doom"
    matching = match([Listing(1, "steam", "379720", "game", "DOOM (2016)"), Listing(2, "epic", "doom", "game", "DOOM")])
    assert matching.group_of[1] == matching.group_of[2]
