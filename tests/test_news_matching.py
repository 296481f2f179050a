"""Fuzzy title matching (pricewatch.news_matching) on a labelled set written for it: real-style headlines and
deal titles with the games they are about, against a catalogue with the usual traps (sequels, a title inside
a longer one, short common-word titles, misspellings). Titles are normalised the way etl.normalize_title does
(lower case, punctuation as spaces); the database side is covered by tests/test_news_etl.py.

Measured on this set (precision / recall of mentions): threshold 80-90: 0.95 / 0.91 ("monster hunter world"
scores 90 against Monster Hunter Wilds), 91-92: 1.00 / 0.91, 93-95: 1.00 / 0.86 (a misspelling drops out).
THRESHOLD = 92 keeps precision first: a wrong mention puts an article on the wrong game's page, a missed one
only leaves it off. The two misses at 92 are by design (one-word titles inside a headline)."""
import pytest

from pricewatch.news_matching import THRESHOLD, Game, title_matches

CATALOGUE = [Game(game_id, title.lower(), title) for game_id, title in enumerate((
    "Stardew Valley", "Hades", "Hades II", "Hollow Knight", "Hollow Knight Silksong", "The Witcher 3 Wild Hunt",
    "Control", "Inside", "Cyberpunk 2077", "Elden Ring", "Baldurs Gate 3", "Portal 2", "Portal", "Celeste",
    "Monster Hunter Wilds", "Dragon Quest II", "Mario Kart Tour", "Disco Elysium", "Dead Cells", "Slay the Spire",
), start=1)]
BY_TITLE = {game.title: game for game in CATALOGUE}

# (normalised text, titles of the games it is about)
LABELLED = [
    ("stardew valley 1 7 patch notes", {"Stardew Valley"}),
    ("review stardew valley is still the coziest farm on switch review", {"Stardew Valley"}),
    ("stardew valey gets co op on mobile", {"Stardew Valley"}),
    ("hades hades ii whats on sale", {"Hades", "Hades II"}),
    ("hades ii leaves early access", {"Hades II"}),
    ("hollow knight silksong gets a surprise patch on switch 2", {"Hollow Knight Silksong"}),
    ("hollow knight", {"Hollow Knight"}),
    ("the witcher 3 wild hunt game of the year edition", {"The Witcher 3 Wild Hunt"}),
    ("witcher 3 wild hunt complete edition", {"The Witcher 3 Wild Hunt"}),
    ("cyberpunk 2077 ultimate edition", {"Cyberpunk 2077"}),
    ("cyberpunk 2078 announced", set()),
    ("elden ring nightreign review", {"Elden Ring"}),
    ("baldurs gate 3 patch 8 adds photo mode", {"Baldurs Gate 3"}),
    ("portal 2 community edition release date", {"Portal 2"}),
    ("monster hunter wilds expansion ascendance trailer long sword boosted action breakdown", {"Monster Hunter Wilds"}),
    ("feature box art brawl duel dragon quest ii nes", {"Dragon Quest II"}),
    ("opinion i played mario kart tour every day for seven years and what am i left with", {"Mario Kart Tour"}),
    ("slay the spire 2 delayed", {"Slay the Spire"}),
    ("disco elysium the final cut on sale", {"Disco Elysium"}),
    ("disko elysium review", {"Disco Elysium"}),
    ("baldur gate 3 mods arrive on consoles", {"Baldurs Gate 3"}),
    # One-word titles are only matched as a whole text: these are missed on purpose.
    ("celeste 64 fragments of the mountain", {"Celeste"}),
    # No game: ordinary words that look like short titles, a controller, unrelated games.
    ("review voidjoy ga 10 elite extender for switch pro controller the pros dont outweigh the mod cons", set()),
    ("sony takes control of bungie", set()),
    ("inside the making of astro bot", set()),
    ("trinity trigger dx now available for switch 2", set()),
    ("psychic force 2012 coming to ps5 switch and pc in 2027", set()),
    ("the triple i initiative set for october 8", set()),
    ("weekly deals discussion thread q a", set()),
    ("dead space remake 60 off", set()),
    ("celestial empire 4x launches", set()),
    ("humble choice november", set()),
    # Near misses: sequels and spin-offs we do not track.
    ("portal 3 rumours", set()),
    ("monster hunter world iceborne sale", set()),
    ("mario kart world direct", set()),
    ("slay the princess pristine cut", set()),
    ("dragon quest iii hd 2d remake", set()),
]


def found(text, threshold=THRESHOLD) -> set[str]:
    return {match.game.title for match in title_matches(text, CATALOGUE, threshold)}


def precision_recall(threshold) -> tuple[float, float]:
    true_positive = false_positive = false_negative = 0
    for text, expected in LABELLED:
        got = found(text, threshold)
        true_positive += len(got & expected)
        false_positive += len(got - expected)
        false_negative += len(expected - got)
    return true_positive / (true_positive + false_positive), true_positive / (true_positive + false_negative)


def test_precision_and_recall_at_the_threshold():
    precision, recall = precision_recall(THRESHOLD)
    assert (precision, round(recall, 2)) == (1.0, 0.91)


@pytest.mark.parametrize(("threshold", "expected"), [(80, (0.95, 0.91)), (90, (0.95, 0.91)), (92, (1.0, 0.91)),
                                                     (95, (1.0, 0.86))])
def test_measured_precision_and_recall(threshold, expected):
    assert tuple(round(value, 2) for value in precision_recall(threshold)) == expected


# One-word titles are only matched as a whole text, so these headlines miss them.
MISSED_BY_DESIGN = {"hades hades ii whats on sale": {"Hades II"}, "celeste 64 fragments of the mountain": set()}


@pytest.mark.parametrize(("text", "expected"), LABELLED, ids=[text[:40] for text, _ in LABELLED])
def test_labelled_examples(text, expected):
    assert found(text) == MISSED_BY_DESIGN.get(text, expected)


def test_a_title_inside_a_longer_matched_title_is_the_longer_game():
    [match] = title_matches("hades ii leaves early access", CATALOGUE)
    assert (match.game.title, match.score, match.start, match.end) == ("Hades II", 100.0, 0, 8)


def test_misspelled_title_scores_below_100():
    [match] = title_matches("stardew valey gets co op on mobile", CATALOGUE)
    assert (match.game, match.score >= THRESHOLD, match.score < 100) == (BY_TITLE["Stardew Valley"], True, True)


@pytest.mark.parametrize(("text", "title"), [("hades", "Hades"), ("control", "Control"), ("celest", "Celeste")])
def test_one_word_titles_match_a_whole_deal_title(text, title):
    assert found(text) == {title}
