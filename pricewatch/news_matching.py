"""Which games a news item talks about, when no store link or exact title said it: rapidfuzz over titles.

The news ETL of a source is two steps, each committed on its own: `etl.run_news_source` in SQL (items,
deals, mentions by store link and exact title, the run log), then `match_titles` here for the items the SQL
could not match. A game matches when its normalised title (etl.normalize_title, computed in SQL for both
sides) appears in the item's deal title or title as whole words, allowing small spelling differences
(rapidfuzz partial_ratio, THRESHOLD measured on the labelled set in tests/test_news_matching.py); one-word
titles must be the whole text. A match inside a longer matched title ("hades" within "hades ii") is the
longer game's. A text is compared only with games whose first word it contains (found through an index),
and an item only once, when new or retitled. Mentions are written set-based: COPY into a temporary table,
then one insert.
"""
import io
from collections import defaultdict
from dataclasses import dataclass

import psycopg2.extras
from rapidfuzz import fuzz, process

THRESHOLD = 92
# A one-word title ("Control", "Inside", "Hades") is an ordinary word in a headline: it matches only a text
# that is the title as a whole (a deal title), like a title longer than the text.
MIN_WORDS_WITHIN_TEXT = 2
MAX_MENTIONS = 3


@dataclass(frozen=True)
class Game:
    game_id: int
    normalized_title: str
    title: str

    @property
    def key(self) -> str:
        """What is searched for: headlines and deal posts drop a leading "The" ("Witcher 3 Wild Hunt")."""
        return self.normalized_title.removeprefix("the ")


@dataclass(frozen=True)
class Match:
    game: Game
    score: float
    start: int
    end: int

    def within(self, other: "Match") -> bool:
        return (other is not self and len(other.game.key) > len(self.game.key)
                and other.start <= self.start and self.end <= other.end)


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    return (start == 0 or text[start - 1] == " ") and (end == len(text) or text[end] == " ")


def title_matches(text: str, games: list[Game], threshold: float = THRESHOLD) -> list[Match]:
    """Games named in `text` (a normalised title), best first, each aligned on whole words of `text`."""
    if not text:
        return []
    choices = {index: game.key for index, game in enumerate(games)}
    found = []
    for _, _, index in process.extract(text, choices, scorer=fuzz.partial_ratio, score_cutoff=threshold, limit=None):
        game = games[index]
        alignment = fuzz.partial_ratio_alignment(game.key, text)
        if alignment is None or alignment.score < threshold:
            continue
        # partial_ratio aligns the shorter string inside the longer one; a title longer than the text, or
        # of one word, is compared with the whole text.
        if len(game.key) <= len(text) and len(game.key.split()) >= MIN_WORDS_WITHIN_TEXT:
            start, end = alignment.dest_start, alignment.dest_end
            if not on_word_boundaries(text, start, end):
                continue
        else:
            start, end = 0, len(text)
            if fuzz.ratio(game.key, text) < threshold:
                continue
        found.append(Match(game, round(alignment.score, 1), start, end))
    kept = [match for match in found if not any(match.within(other) for other in found)]
    return sorted(kept, key=lambda match: (-match.score, match.game.game_id))[:MAX_MENTIONS]


CANDIDATES = """
select item.news_item_id, etl.normalize_title(coalesce(deal.title, item.title)) as text,
       exists (
           select from core.news_mention as mention
           where mention.news_item_id = item.news_item_id and mention.match_method <> 'fuzzy_title'
       ) as matched_exactly
from core.news_item as item
join core.news_feed as feed using (news_feed_id)
left join core.news_deal as deal using (news_item_id)
where feed.source = %s
  and item.matched_at is null
"""
# Games whose first word (a leading "the" skipped, as in Game.key) is a word of some text: a title is searched
# only in texts that contain its first word, through the index core.game_first_word_idx on this expression.
CANDIDATE_GAMES = """
select game_id, normalized_title, title
from core.game
where split_part(regexp_replace(normalized_title, '^the ', ''), ' ', 1) = any(%s::text[])
"""
INSERT_MENTIONS = """
insert into core.news_mention (news_item_id, game_id, match_method, match_score, matched_text)
select news_item_id, game_id, 'fuzzy_title', match_score, matched_text
from fuzzy_mention
on conflict (news_item_id, game_id) do nothing
"""


def match_titles(conn, source: str) -> int:
    """Fuzzy mentions for the unmatched items of `source`, in the caller's transaction; returns rows added."""
    with conn.cursor() as cur:
        cur.execute(CANDIDATES, (source,))
        candidates = cur.fetchall()
        if not candidates:
            return 0
        cur.execute("update core.news_item set matched_at = now() where news_item_id = any(%s)",
                    ([news_item_id for news_item_id, _, _ in candidates],))
        # An item matched by store link or exact title is about that game; only the rest are searched.
        searched = [(news_item_id, text) for news_item_id, text, matched_exactly in candidates if not matched_exactly]
        cur.execute(CANDIDATE_GAMES, (sorted({word for _, text in searched for word in text.split()}),))
        games_by_first_word = defaultdict(list)
        for row in cur.fetchall():
            game = Game(*row)
            games_by_first_word[game.key.split(" ")[0]].append(game)
        rows = io.StringIO()
        for news_item_id, text in searched:
            games = [game for word in dict.fromkeys(text.split()) for game in games_by_first_word[word]]
            for match in title_matches(text, games):
                rows.write(f"{news_item_id}\t{match.game.game_id}\t{match.score}\t{copy_text(match.game.title)}\n")
        cur.execute("""
            create temp table fuzzy_mention (
                news_item_id bigint, game_id bigint, match_score numeric, matched_text text
            ) on commit drop""")
        rows.seek(0)
        cur.copy_expert("copy fuzzy_mention from stdin", rows)
        cur.execute(INSERT_MENTIONS)
        return cur.rowcount


def copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def run_source(conn, source: str) -> dict:
    """The SQL run of a news source, committed, then fuzzy matching, committed; the run row + fuzzy count."""
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("select * from etl.run_news_source(%s)", (source,))
        run = dict(cur.fetchone())
    conn.commit()
    run["fuzzy_mentions"] = 0
    if run["status"] == "succeeded":
        try:
            run["fuzzy_mentions"] = match_titles(conn, source)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    return run


def summary(run: dict) -> str:
    if run["status"] == "failed":
        return f"{run['source']}: failed: {run['error']}"
    return (f"{run['source']}: {run['rows_in']} rows in, {run['rows_changed']} items new or retitled, "
            f"{run['periods_confirmed']} items rescraped, {run['listings_changed']} mentions by store link or "
            f"exact title, {run['fuzzy_mentions']} by fuzzy title")
