"""No two crawls of one store and region at once: what counts as overlapping pending/running jobs."""
import pytest

from pricewatch.crawl_jobs import ActiveJob, overlapping, region_set

ACTIVE = [ActiveJob("steam", "steam-1", "alpha", region_set("US,GB")),
          ActiveJob("gog", "gog-1", "beta", None)]


@pytest.mark.parametrize(("spider", "regions", "busy_with"), [
    ("steam", "us", "steam-1"),           # same region, case does not matter
    ("steam", "DE,GB", "steam-1"),        # one shared region is enough
    ("steam", "DE,JP", None),             # other regions of the same store may run beside it
    ("steam", None, "steam-1"),           # default regions may be any
    ("gog", "PL", "gog-1"),               # a running job of default regions blocks every region
    ("epic", "US", None),                 # other stores are independent
])
def test_a_crawl_waits_for_a_pending_or_running_crawl_of_the_same_store_and_region(spider, regions, busy_with):
    busy = overlapping(ACTIVE, spider, regions)
    assert (busy.job_id if busy else None) == busy_with
