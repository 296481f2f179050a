"""Item pipelines of the pricewatch spiders (switched on in scrapers/settings.py)."""
