"""`pricewatch serve`: prices for people as web pages and a JSON API, read from the reporting views."""
