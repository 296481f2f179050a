"""Store titles reduced to what identifies a game, knowing the traps stores set.

"DARK SOULS™ III - Deluxe Edition", "Dark Souls 3" and "《DARK SOULS III》豪華版 (中英韓文版)" are one game
(the first and last as editions); "LocoRoco 2 Remastered", "Cyberpunk 2077: Phantom Liberty" (DLC) and
"Portal 2 Soundtrack" are not the games their names start with.
"""
import re
import unicodedata
from dataclasses import dataclass, field

ROMAN = {"ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10",
         "xi": "11", "xii": "12", "xiii": "13", "xiv": "14", "xv": "15", "xvi": "16"}

# Words before "edition" that name an edition of the same game; a colon or dash before "... Edition" does too.
EDITION_WORDS = ("game of the year", "goty", "deluxe", "super deluxe", "definitive", "complete", "ultimate",
                 "gold", "standard", "special", "premium", "collectors", "digital", "royal", "legendary",
                 "digital deluxe", "enhanced", "directors cut")
EDITION_SUFFIX = re.compile(
    r"(?:\s(?:the\s)?(?:" + "|".join(sorted(EDITION_WORDS, key=len, reverse=True)) + r")(?:\sedition)?"
    r"|\sedition|\spre order|\sdirectors cut)$")
# After a separator, "X: <up to two words> Edition" is an edition whatever the words ("2026 Edition");
# longer tails are part of the name ("DOOM: The Dark Ages Premium Edition").
SEPARATED_EDITION = re.compile(r"\s*[:\-–—|]\s*((?:the\s+)?(?:[^\s:\-–—|]+\s+){0,2}edition)\s*$", re.IGNORECASE)
# PlayStation Store Asia writes the game's name in 《》 and the edition after it: 《NBA 2K26》灌籃版.
CJK_EDITION = re.compile(r"^[^\s《》]{1,8}版$")
CJK_TITLE = re.compile(r"《([^《》]+)》")
# "(中英韓文版)", "(簡體中文, 韓文, 英文)", "(English)": the languages of a PS Store product, not its name.
LANGUAGE_NOTE = re.compile(r"\s*[(（][^()（）]*(?:文|语|語|english|英)[^()（）]*[)）]\s*$", re.IGNORECASE)
PLATFORM_NOTE = re.compile(r"^適用於\s*ps\d\S*?的", re.IGNORECASE)
# "DOOM (2016)": a year in parentheses says which release, it is no sequel number ("DOOM (2016)" is "DOOM").
YEAR_NOTE = re.compile(r"\s*[(（]((?:19[7-9]|20\d)\d)[)）]\s*$")
# The year in a store's free-text release date, whatever its format: "13 May, 2016" and "May 13, 2016"
# (Steam), "2016-05-13" (GOG, Epic, eShop), "2016-05-13T00:00:00Z" (PS Store), "Q2 2026", "2016年5月13日".
YEAR = re.compile(r"(?<!\d)((?:19[7-9]|20\d)\d)(?!\d)")

# Tokens that make a different product of a name: a remaster is another game, a soundtrack never the game.
REMAKE_MARKERS = frozenset({"remastered", "remaster", "remake", "hd", "resynced", "reforged", "redux", "reloaded"})
ADDON_MARKERS = frozenset({"soundtrack", "ost", "dlc", "season pass", "expansion", "demo", "trial", "upgrade",
                           "pack", "currency", "coins", "artbook", "costume", "skin", "supporter", "vc", "pass",
                           "chapter", "episode", "character", "kit", "bonus"})
BUNDLE_MARKERS = frozenset({"bundle", "collection", "double pack", "trilogy", "anthology", "同捆", "組合包",
                            "组合包", "合輯", "捆绑包"})


@dataclass(frozen=True)
class Title:
    """A title taken apart: `name` identifies the product, `edition` is what the store added to it."""
    raw: str
    name: str
    edition: str | None = None
    markers: frozenset = field(default_factory=frozenset)
    franchise: str | None = None
    year: int | None = None

    @property
    def numbers(self) -> tuple:
        """Sequel numbers and years: "Ghostrunner 2" is never "Ghostrunner", whatever the fuzzy score."""
        return tuple(token for token in self.name.split() if token.isdigit())

    @property
    def is_addon(self) -> bool:
        return bool(self.markers & ADDON_MARKERS)

    @property
    def is_bundle(self) -> bool:
        return bool(self.markers & BUNDLE_MARKERS)


def fold(text: str) -> str:
    """Lower case, no accents, marks or apostrophes, "&" as "and", roman numerals as digits, punctuation as spaces."""
    # Marks go before NFKC, which would spell ™ as "TM".
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", re.sub(r"[™®©]", "", text)))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = unicodedata.normalize("NFC", text).lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"['’‘`´]", "", text).replace("&", " and ")
    text = re.sub(r"[\W_]+", " ", text).strip()
    tokens = [ROMAN.get(token, token) for token in text.split()]
    # A leading article is dropped by some stores ("The Outlast Trials" / "Outlast Trials").
    return " ".join(tokens[1:] if len(tokens) > 1 and tokens[0] == "the" else tokens)


def markers_in(folded: str) -> frozenset:
    padded = f" {folded} "
    return frozenset(marker for marker in REMAKE_MARKERS | ADDON_MARKERS | BUNDLE_MARKERS
                     if f" {marker} " in padded or (not marker.isascii() and marker in folded))


def split_edition(folded: str) -> tuple[str, str | None]:
    """"dark souls 3 deluxe edition" -> ("dark souls 3", "deluxe edition"); repeated for "... goty edition pre order"."""
    edition = []
    while (match := EDITION_SUFFIX.search(folded)) and match.start() > 0:
        edition.insert(0, match.group(0).strip())
        folded = folded[:match.start()].strip()
    return folded, " ".join(edition) or None


def parse(title: str, kind: str = "game") -> Title:
    """The identifying name of a store title; `kind` is the store's own (game, dlc, bundle, other)."""
    text = unicodedata.normalize("NFKC", re.sub(r"[™®©]", "", title or "")).strip()
    text = LANGUAGE_NOTE.sub("", text)
    text = PLATFORM_NOTE.sub("", text)
    year = None
    if match := YEAR_NOTE.search(text):
        year, text = int(match.group(1)), text[:match.start()]
    whole = fold(text)
    separated_edition = None
    if match := SEPARATED_EDITION.search(text):
        separated_edition = fold(match.group(1))
        text = text[:match.start()]
    bracketed = CJK_TITLE.findall(text)
    franchise = fold(bracketed[0]) if bracketed else None
    outside = fold(CJK_TITLE.sub(" ", text)) if bracketed else ""
    if len(bracketed) == 1 and (not outside or CJK_EDITION.match(outside.replace(" ", ""))):
        name, edition = franchise, outside or None
    else:
        name, edition = split_edition(fold(text))
    markers = markers_in(whole)
    if len(bracketed) > 1 or (kind == "bundle" and re.search(r"\s(?:and|x|\+)\s", f" {whole} ")):
        markers |= {"bundle"}
    if kind == "dlc":
        # A DLC's edition words name a different DLC ("Upgrade Kit (Standard Edition)"), so they stay in the name.
        name, edition, separated_edition = whole, None, None
        markers |= {"dlc"}
    return Title(raw=title, name=name, edition=" ".join(filter(None, (edition, separated_edition))) or None,
                 markers=frozenset(markers), franchise=franchise, year=year)


def release_year(release_date: str | None) -> int | None:
    """The year of a store's free-text release date; None for "Coming soon", "TBA" or none."""
    match = YEAR.search(release_date or "")
    return int(match.group(1)) if match else None
