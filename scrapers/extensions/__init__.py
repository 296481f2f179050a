"""Scrapy extensions of the pricewatch spiders: landing feed, crawl report, health monitors."""
