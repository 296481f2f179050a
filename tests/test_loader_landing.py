"""`pricewatch load` on paths, the landing directory, --watch, and `pricewatch feeds prune|usage`."""
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from loader_fixtures import listing, rows, write_feed

from loader.landing import feeds_disk_usage, move, prune_archive
from pricewatch.cli import main


@pytest.fixture
def landing(pricewatch_home):
    return pricewatch_home / "landing"


@pytest.fixture
def archive(pricewatch_home):
    return pricewatch_home / "archive"


def test_load_prints_one_line_per_file_of_a_directory_in_path_order(db_url, tmp_path, capsys):
    b = write_feed(tmp_path / "feeds" / "b.jl", [listing(store_item_id="2")])
    a = write_feed(tmp_path / "feeds" / "a.jl.gz", [listing(), listing(price="x", store_item_id="3")])
    (tmp_path / "feeds" / "c.jl.tmp").write_text("{")
    (tmp_path / "feeds" / "a.stats.json").write_text("{}")
    assert main(["load", str(tmp_path / "feeds")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{a}: read 2, new 1, unchanged 0, rejected 1 (1 price: ")
    assert out[0].endswith("; see ops.load_reject feed_file_id 1)")
    assert out[1:] == [f"{b}: read 1, new 1, unchanged 0, rejected 0"]
    assert main(["load", str(a)]) == 0
    assert "already loaded on" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["load"], "nothing to load"),
    (["load", "/nonexistent/feed.jl"], "/nonexistent/feed.jl: no such file or directory"),
    (["load", "feed.jl.tmp"], "feed.jl.tmp: still being written"),
    (["load", "setup.py"], "setup.py: not a feed file"),
])
def test_clear_errors_for_what_cannot_be_loaded(db_url, argv, message, capsys):
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_an_unreadable_file_is_an_error_and_the_others_still_load(db_url, tmp_path, capsys):
    bad = tmp_path / "broken.json"
    bad.write_text('{"not": "an array"}')
    good = write_feed(tmp_path / "good.jl", [listing()])
    assert main(["load", str(bad), str(good)]) == 1
    captured = capsys.readouterr()
    assert "broken.json: not a JSON array of records (top level is dict)" in captured.err
    assert f"{good}: read 1, new 1" in captured.out


def test_no_server_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PRICEWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    assert main(["load", str(write_feed(tmp_path / "a.jl", [listing()]))]) == 1
    assert "cannot connect to the database" in capsys.readouterr().err


def test_landing_loads_complete_feeds_and_moves_them_with_their_stats_to_the_archive(db_url, landing, archive, capsys):
    day1 = write_feed(landing / "steam" / "2026-11-01" / "job1.jl.gz", [listing()])
    (landing / "steam" / "2026-11-01" / "job1.stats.json").write_text('{"item_scraped_count": 1}')
    day2 = write_feed(landing / "steam" / "2026-11-02" / "job2.jl.gz", [listing(scraped_at="2026-11-02T10:00:00Z")])
    writing = landing / "gog" / "2026-11-02" / "job3.jl.gz.tmp"
    writing.parent.mkdir(parents=True)
    writing.write_bytes(b"half a feed")
    assert main(["load", "--landing"]) == 0
    assert capsys.readouterr().out == (f"{day1.resolve()}: read 1, new 1, unchanged 0, rejected 0\n"
                                       f"{day2.resolve()}: read 1, new 0, unchanged 1, rejected 0\n")
    assert sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*") if p.is_file()) == [
        "steam/2026-11-01/job1.jl.gz", "steam/2026-11-01/job1.stats.json", "steam/2026-11-02/job2.jl.gz"]
    assert [p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()] == ["gog/2026-11-02/job3.jl.gz.tmp"]
    usage = feeds_disk_usage()
    assert (usage["landing"].files, usage["archive"].files) == (1, 3)
    assert usage["landing"].bytes == len(b"half a feed")


def test_an_already_loaded_feed_left_in_landing_is_archived_on_the_next_run(db_url, landing, archive, capsys):
    feed = write_feed(landing / "steam" / "2026-11-01" / "job1.jl", [listing()])
    assert main(["load", str(feed)]) == 0
    assert main(["load", "--landing"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert (archive / "steam" / "2026-11-01" / "job1.jl").exists() and not feed.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_archive_keeps_the_feed_in_landing(db_url, landing, archive, capsys):
    feed = write_feed(landing / "steam" / "2026-11-01" / "job1.jl", [listing()])
    archive.mkdir(parents=True)
    archive.chmod(0o500)
    try:
        assert main(["load", "--landing"]) == 1
    finally:
        archive.chmod(0o700)
    assert "could not move it" in capsys.readouterr().err and feed.exists()


def test_an_archive_that_is_a_file_keeps_the_feed_in_landing(db_url, landing, archive, capsys):
    feed = write_feed(landing / "steam" / "2026-11-01" / "job1.jl", [listing()])
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_text("not a directory")
    assert main(["load", "--landing"]) == 1
    err = capsys.readouterr().err
    assert f"{feed.resolve()}: loaded, but could not move it to {archive}/steam/2026-11-01/job1.jl" in err
    assert "it stays in landing" in err and feed.read_bytes()
    assert rows(db_url, "select rows_new from ops.feed_file") == [(1,)]


def test_a_move_across_filesystems_copies_then_renames(tmp_path):
    source = tmp_path / "feed.jl"
    source.write_bytes(b"{}\n")
    shm = "/dev/shm"
    if not os.path.isdir(shm) or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second filesystem")
    target_dir = Path(tempfile.mkdtemp(dir=shm))
    move(source, target_dir / "steam" / "feed.jl")
    assert (target_dir / "steam" / "feed.jl").read_bytes() == b"{}\n" and not source.exists()
    assert list((target_dir / "steam").iterdir()) == [target_dir / "steam" / "feed.jl"]


@pytest.mark.slow
def test_watch_loads_feeds_as_they_land_until_terminated(db_url, landing, archive, pricewatch_home):
    process = subprocess.Popen([sys.executable, "-m", "pricewatch.cli", "load", "--watch", "--interval", "0.2"],
                               env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        feed = write_feed(landing / "steam" / "2026-11-01" / "job1.jl.gz", [listing()])
        writing = feed.rename(feed.with_name("job1.jl.gz.tmp"))
        time.sleep(0.5)
        assert rows(db_url, "select count(*) from ops.feed_file") == [(0,)]
        writing.rename(feed)
        deadline = time.monotonic() + 60
        while not (archive / "steam" / "2026-11-01" / "job1.jl.gz").exists():
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
    finally:
        # What a supervisor sends; SIGINT may be ignored in a background job (the shell's rule), SIGTERM not.
        process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert out.endswith("job1.jl.gz: read 1, new 1, unchanged 0, rejected 0\n")
    assert "stopped watching" in err


def test_prune_deletes_only_archives_older_than_the_limit(archive, capsys, monkeypatch, tmp_path):
    old = write_feed(archive / "steam" / "2026-09-01" / "old.jl.gz", [listing()])
    (archive / "steam" / "2026-09-01" / "old.stats.json").write_text("{}")
    recent = write_feed(archive / "steam" / "2026-11-20" / "recent.jl.gz", [listing()])
    only_old = write_feed(archive / "gog" / "2026-08-01" / "x.jl", [listing()])
    odd = write_feed(archive / "gog" / "not-a-date" / "keep.jl", [listing()])
    old_bytes, only_old_bytes = old.stat().st_size, only_old.stat().st_size
    freed = prune_archive(30, today=date(2026, 11, 28))
    assert (freed.files, freed.bytes) == (3, old_bytes + len("{}") + only_old_bytes)
    assert recent.exists() and odd.exists() and not old.exists() and not only_old.exists()
    assert not (archive / "steam" / "2026-09-01").exists()
    monkeypatch.setenv("PRICEWATCH_ARCHIVE_DAYS", "0")
    monkeypatch.setenv("PRICEWATCH_BACKUP", str(tmp_path / "backup"))
    assert main(["feeds", "prune", "--yes"]) == 1
    assert "no backup in " in capsys.readouterr().err and recent.exists()
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / f"pricewatch-{date.today():%Y-%m-%d}T040000Z.dump").write_text("")
    assert main(["feeds", "prune", "--yes"]) == 0
    assert "deleted 1 archived files" in capsys.readouterr().out and not recent.exists() and odd.exists()


def test_feeds_usage_counts_landing_and_archive(pricewatch_home, landing, archive, capsys):
    write_feed(landing / "steam" / "2026-11-01" / "a.jl", [], [b"x" * 999])
    assert main(["feeds", "usage"]) == 0
    assert capsys.readouterr().out == "landing: 1 files, 0.0 MB\narchive: 0 files, 0.0 MB\n"
