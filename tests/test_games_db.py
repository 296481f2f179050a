"""The matcher on a real database: games across stores, editions, DLC, merge/split and the review queue."""
import contextlib

import psycopg2
import pytest
from etl_fixtures import rows, run_etl

from pricewatch import migrate
from pricewatch.cli import main

LISTINGS = [
    ("steam", "374320", "DARK SOULS™ III", "game"),
    ("psstore", "UP0700-CUSA03365_00-DS3DELUXE", "DARK SOULS™ III - Deluxe Edition", "bundle"),
    ("gog", "1207664403", "Dark Souls 3", "game"),
    ("steam", "1245620", "ELDEN RING", "game"),
    ("steam", "2778580", "ELDEN RING Shadow of the Erdtree", "dlc"),
    ("gog", "1859396546", "Leisure Suit Larry - Wet Dreams Don't Dry", "game"),
    ("gog", "2147483119", "Leisure Suit Larry - Wet Dreams Dry Twice", "game"),
]


@pytest.fixture
def loaded(admin, staging):
    for source, item, title, kind in LISTINGS:
        staging.change(item, "2026-11-01T10:00:00Z", source=source, title=title, kind=kind)
    for source in ("steam", "psstore", "gog"):
        assert run_etl(admin, source)["status"] == "succeeded"
    return admin


def games(conn) -> dict:
    """store:item -> (game title, edition, method), with the base game of DLC."""
    found = rows(conn, """
        select store || ':' || store_item_id, game, edition, match_method, base_game
        from reporting.game_listings""")
    return {key: values for key, *values in found}


def test_matching_joins_stores_notes_editions_and_links_dlc(loaded, capsys):
    assert main(["games", "match"]) == 0
    assert "7 listings matched" in capsys.readouterr().out
    matched = games(loaded)
    assert matched["steam:374320"] == ["DARK SOULS III", None, "title", None]
    assert matched["psstore:UP0700-CUSA03365_00-DS3DELUXE"] == ["DARK SOULS III", "deluxe edition", "title", None]
    assert matched["gog:1207664403"] == ["DARK SOULS III", None, "title", None]
    assert matched["steam:2778580"] == ["ELDEN RING Shadow of the Erdtree", None, "title", "ELDEN RING"]
    assert matched["gog:1859396546"][0] != matched["gog:2147483119"][0]
    assert rows(loaded, "select count(*) from core.game") == [(5,)]


def test_review_lists_uncertain_pairs_and_decisions_settle_them(loaded, capsys):
    main(["games", "match"])
    capsys.readouterr()
    assert main(["games", "review", "--format", "csv"]) == 0
    review = capsys.readouterr().out.splitlines()
    assert len(review) == 2 and "Wet Dreams Don't Dry" in review[1] and "Wet Dreams Dry Twice" in review[1]

    assert main(["games", "merge", "gog:1859396546", "gog:2147483119"]) == 0
    matched = games(loaded)
    assert matched["gog:2147483119"][0] == matched["gog:1859396546"][0]
    assert matched["gog:2147483119"][2] == "manual"
    assert rows(loaded, "select count(*) from ops.game_match_review") == [(0,)]

    assert main(["games", "split", "gog:1207664403"]) == 0
    matched = games(loaded)
    assert matched["gog:1207664403"][2] == "manual"
    assert matched["gog:1207664403"][0] == "Dark Souls 3"
    assert matched["steam:374320"][0] == "DARK SOULS III"


def test_decisions_outlive_later_etl_and_matcher_runs(loaded, staging):
    main(["games", "split", "gog:1207664403"])
    staging.change("1207664403", "2026-11-02T10:00:00Z", source="gog", title="Dark Souls 3", kind="game", price="9.99")
    staging.change("374320", "2026-11-02T10:00:00Z", source="steam", title="DARK SOULS™ III", kind="game", price="9.99")
    run_etl(loaded, "gog")
    run_etl(loaded, "steam")
    main(["games", "match"])
    matched = games(loaded)
    assert matched["gog:1207664403"][0] == "Dark Souls 3"
    assert matched["psstore:UP0700-CUSA03365_00-DS3DELUXE"][0] == matched["steam:374320"][0] == "DARK SOULS III"


@pytest.mark.parametrize("argv, message", [
    (["games", "split", "steam:999"], "no listing 'steam:999'"),
    (["games", "split", "nonsense"], "is not a listing"),
    (["games", "merge", "steam:374320", "steam:374320"], "cannot be merged with itself"),
])
def test_bad_listing_references_are_clear_errors(loaded, capsys, argv, message):
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_a_game_is_named_by_its_base_title_not_an_editions(admin, staging, capsys):
    staging.change("1", "2026-11-01T10:00:00Z", source="gog", title="Hollow Knight: Voidheart Edition")
    staging.change("367520", "2026-11-02T10:00:00Z", title="Hollow Knight™", release_date="24 Feb, 2017")
    for source in ("gog", "steam"):
        assert run_etl(admin, source)["status"] == "succeeded"
    assert main(["games", "match"]) == 0
    assert rows(admin, "select distinct game, edition from reporting.game_listings order by edition") == [
        ("Hollow Knight", "voidheart edition"), ("Hollow Knight", None)]


# Days of feeds (store, item, title), and the name of gog:1's game after each day's ETL and matching.
NAMING = [
    # An edition seen first names its game until the plain game comes.
    ([[("gog", "1", "Hollow Knight: Voidheart Edition")], [("steam", "367520", "Hollow Knight™")]],
     ["Hollow Knight: Voidheart Edition", "Hollow Knight"]),
    # The plain listing leaves for another game: the game no longer carries its title.
    ([[("gog", "1", "Hollow Knight: Voidheart Edition"), ("steam", "367520", "Hollow Knight")],
      [("steam", "367520", "Hollow Knight: Silksong")]],
     ["Hollow Knight", "Hollow Knight: Voidheart Edition"]),
]


@pytest.mark.parametrize("days, names", NAMING, ids=["plain game comes", "plain game leaves"])
def test_every_game_a_run_touches_is_named_by_its_base_title(admin, staging, days, names):
    seen = []
    for day, feeds in enumerate(days, start=1):
        for source, item, title in feeds:
            staging.change(item, f"2026-11-0{day}T10:00:00Z", source=source, title=title)
        for source in sorted({source for source, *_ in feeds}):
            assert run_etl(admin, source)["status"] == "succeeded"
        assert main(["games", "match"]) == 0
        seen += rows(admin, "select game from reporting.game_listings where store = 'gog' and store_item_id = '1'")
    assert seen == [(name,) for name in names]


# A catalogue matched before 0012: one game named after the edition the ETL saw first, and two DOOMs released
# 23 years apart in one game.
BEFORE_0012 = """
insert into core.game (normalized_title, title) values
    ('hollow knight voidheart edition', 'Hollow Knight: Voidheart Edition'), ('doom', 'DOOM');
insert into core.listing (store, store_item_id, kind, title, release_date, game_id, first_seen_at, described_at)
select listing.store, listing.item, 'game', listing.title, listing.released, game.game_id, now(), now()
from (values ('gog', '1', 'Hollow Knight: Voidheart Edition', '2017-02-24', 'hollow knight voidheart edition'),
             ('steam', '367520', 'Hollow Knight', '24 Feb, 2017', 'hollow knight voidheart edition'),
             ('steam', '2280', 'DOOM (1993)', 'Aug 3, 2007', 'doom'),
             ('steam', '379720', 'DOOM', '12 May, 2016', 'doom')) as listing (store, item, title, released, normalized)
join core.game as game on game.normalized_title = listing.normalized;
update core.listing
set matched_title = title, matched_kind = kind, matched_appid = steam_appid, matched_at = now(),
    matched_game_id = game_id, match_name = lower(split_part(title, ':', 1)), match_method = 'title';
"""


def test_the_upgrade_rematches_a_catalogue_matched_before_the_release_and_naming_rules(empty_db_url):
    order = migrate.revisions()
    migrate.upgrade(empty_db_url, order[order.index("0012") - 1])
    with contextlib.closing(psycopg2.connect(empty_db_url)) as conn, conn, conn.cursor() as cur:
        cur.execute(BEFORE_0012)
    migrate.upgrade(empty_db_url)
    assert main(["games", "match"]) == 0
    with contextlib.closing(psycopg2.connect(empty_db_url)) as conn:
        assert rows(conn, "select store_item_id, game from reporting.game_listings order by store_item_id") == [
            ("1", "Hollow Knight"), ("2280", "DOOM (1993)"), ("367520", "Hollow Knight"), ("379720", "DOOM")]
