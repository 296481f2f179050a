"""pricewatch's Scrapy project: spiders for stores and news sites that write JSON-lines feeds."""
