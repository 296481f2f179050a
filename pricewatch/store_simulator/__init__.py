"""A store simulator on 127.0.0.1: catalogue-sized answers in each store's real response format.

Every store module (steam, psstore, gog, epic, eshop) answers its store's endpoints the way the recorded
responses in ../shared/corpus are shaped, for a generated catalogue (catalogue.py) of any size, in each
region's currency. The server (server.py) takes requests the way the replay middleware sends them
(/<host><path>?<query>), so a real `scrapy crawl` runs against it with PRICEWATCH_REPLAY_URL, enforces a
per-store rate limit (429, with or without Retry-After) and injects faults (timeouts, 5xx, a changed page).
Tests (tests/test_catalogue_*.py) and bench/catalogue_crawl.py crawl through it.
"""
from pricewatch.store_simulator.server import Faults, RateLimit, StoreSimulator

__all__ = ["Faults", "RateLimit", "StoreSimulator"]
