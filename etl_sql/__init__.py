"""The SQL functions and views, one object per file: etl_sql/<schema>/<object>.sql (schemas etl, reporting,
ops). A package so that the files ship with pricewatch and are found with importlib.resources wherever it is
installed; migrations/repeatable.py creates them."""
