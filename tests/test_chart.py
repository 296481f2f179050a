"""The price timeline view and the chart: one row per listing, region and day, carried to today; PNG and CSV."""
import csv
import io
from datetime import datetime, timezone

import pytest
from etl_fixtures import rows, run_etl

from pricewatch.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def game_in_two_stores(admin, staging):
    staging.change("367520", "2026-01-01T12:00:00Z", price="14.99", regular_price="14.99", discount_percent=0)
    staging.change("367520", "2026-01-03T08:00:00Z", price="7.49", regular_price="14.99", discount_percent=50)
    staging.change("1308320340", "2026-01-02T12:00:00Z", source="gog", price="13.99", regular_price="13.99",
                   discount_percent=0)
    run_etl(admin, "steam")
    run_etl(admin, "gog")
    assert main(["games", "match"]) == 0
    return admin


def test_timeline_has_a_row_per_day_up_to_today(game_in_two_stores):
    today = datetime.now(timezone.utc).date()
    timeline = rows(game_in_two_stores, """
        select store, min(day), max(day), count(*) from reporting.price_timeline group by store order by store""")
    assert [(store, str(first), last) for store, first, last, _ in timeline] == [
        ("gog", "2026-01-02", today), ("steam", "2026-01-01", today)]
    assert [count for *_, count in timeline] == [(today - datetime(2026, 1, 2).date()).days + 1,
                                                 (today - datetime(2026, 1, 1).date()).days + 1]
    steam = rows(game_in_two_stores, """
        select day::text, price::text, discount_percent from reporting.price_timeline
        where store = 'steam' order by day limit 4""")
    assert steam == [("2026-01-01", "14.99", 0), ("2026-01-02", "14.99", 0), ("2026-01-03", "7.49", 50),
                     ("2026-01-04", "7.49", 50)]


@pytest.mark.parametrize("changes, first_days", [
    # Two prices the same day: the day closes on the later one, the earlier shows on no day.
    ([("2026-01-01T08:00:00Z", "9.99"), ("2026-01-01T20:00:00Z", "4.99"), ("2026-01-02T00:00:00Z", "3.99")],
     [("2026-01-01", "4.99"), ("2026-01-02", "3.99"), ("2026-01-03", "3.99")]),
    # A minute before midnight (UTC) is still that day's closing price.
    ([("2026-01-01T12:00:00Z", "9.99"), ("2026-01-02T23:59:00Z", "4.99")],
     [("2026-01-01", "9.99"), ("2026-01-02", "4.99"), ("2026-01-03", "4.99")]),
], ids=["same-day", "before-midnight"])
def test_timeline_shows_each_days_closing_price(admin, staging, changes, first_days):
    for at, price in changes:
        staging.change("367520", at, price=price, regular_price="9.99")
    run_etl(admin, "steam")
    assert rows(admin, "select day::text, price::text from reporting.price_timeline order by day limit 3") == first_days


def test_timeline_starts_at_most_ten_years_back(admin, staging):
    staging.change("367520", "1900-01-01T00:00:00Z", price="9.99", regular_price="9.99")
    run_etl(admin, "steam")
    assert rows(admin, "select count(*), min(day) = current_date - 3652 from reporting.price_timeline") == [(3653, True)]


@pytest.mark.slow
def test_chart_png_has_a_line_per_store(game_in_two_stores, tmp_path, capsys):
    output = tmp_path / "hk.png"
    assert main(["chart", "Hollow Knight", "-o", str(output)]) == 0
    assert output.read_bytes().startswith(PNG_SIGNATURE)
    assert f"wrote {output} (2 line(s), 2026-01-01" in capsys.readouterr().out


@pytest.mark.slow
def test_chart_csv_is_the_same_data(game_in_two_stores, capsys):
    assert main(["chart", "Hollow Knight", "--region", "us", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {row["store"] for row in table} == {"steam", "gog"}
    assert table[0] == {"day": "2026-01-02", "store": "gog", "title": "Hollow Knight", "region": "US",
                        "currency": "USD", "price": "13.99", "regular_price": "13.99", "discount_percent": "0"}


@pytest.mark.slow
def test_chart_of_an_unknown_game_is_a_clear_error(game_in_two_stores, capsys):
    assert main(["chart", "Silksong"]) == 1
    assert "no game titled like 'Silksong'" in capsys.readouterr().err


@pytest.mark.slow
def test_chart_of_a_cjk_title_draws_its_glyphs_and_writes_nothing_on_stderr(admin, staging, tmp_path, capfd):
    """A CJK font when the system has one (Debian: fonts-noto-cjk); with or without it, no warnings."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from pricewatch import chart

    title = "ファイナルファンタジーVII リメイク"
    staging.change("1462040", "2026-01-01T12:00:00Z", region="JP", currency="JPY", price="9878",
                   regular_price="9878", discount_percent=0, title=title)
    run_etl(admin, "steam")
    capfd.readouterr()
    output = tmp_path / "ff7.png"
    assert main(["chart", title, "-o", str(output)]) == 0
    assert output.read_bytes().startswith(PNG_SIGNATURE)
    assert capfd.readouterr().err == ""
    family = chart.cjk_family()
    if family is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk): the glyphs draw as boxes")
    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    assert all(font.get_char_index(ord(character)) for character in title if not character.isascii())
