"""`pricewatch status` shows the coverage of each source's last finished crawl, per region."""
import json
from datetime import datetime, timezone

from pricewatch.cli import main

T = [datetime(2026, 11, 27, hour, 30, tzinfo=timezone.utc) for hour in range(3)]


def test_status_shows_the_coverage_of_each_sources_last_finished_crawl(admin, pricewatch_home, capsys):
    older = {"coverage": {"US": {"expected": 10, "yielded": 1, "ratio": 0.1}}, "regions_skipped": []}
    last = {"coverage": {"US": {"expected": 99893, "yielded": 99870, "ratio": 0.9998},
                         "KR": {"expected": None, "yielded": 25, "ratio": None}}, "regions_skipped": []}
    eshop = {"coverage": {"GB": {"expected": 3202, "yielded": 3000, "ratio": 0.9369}},
             "regions_skipped": ["US: no search index for it"]}
    with admin.cursor() as cur:
        cur.execute("""
            insert into ops.crawl_job (job_id, spider, node, state, scheduled_at, finished_at, items_scraped,
                                       finish_reason, health, stats)
            values ('steam-1', 'steam', 'alpha', 'finished', %(t0)s, %(t0)s, 1, 'finished', 'failed', %(older)s),
                   ('steam-2', 'steam', 'alpha', 'finished', %(t1)s, %(t1)s, 99895, 'finished', 'ok', %(last)s),
                   ('steam-3', 'steam', 'alpha', 'running', %(t2)s, null, null, null, null, null),
                   ('eshop-1', 'eshop', 'alpha', 'finished', %(t1)s, %(t1)s, 3000, 'finished', 'failed', %(eshop)s)
        """, {"t0": T[0], "t1": T[1], "t2": T[2], "older": json.dumps(older), "last": json.dumps(last),
              "eshop": json.dumps(eshop)})
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "  steam: KR 25 (no store total), US 99,870/99,893 (100%) (steam-2)" in out
    assert "  eshop: GB 3,000/3,202 (94%), skipped US: no search index for it (eshop-1)" in out
