"""The bottom layer every other part stands on: where things live (config), errors meant for the user
(errors) and connections to the database (database). It imports nothing else of pricewatch's."""
