"""Downloader and spider middlewares of the pricewatch spiders (switched on in scrapers/settings.py)."""
