from setuptools import find_packages, setup

setup(
    name="pricewatch",
    version="0.1.0",
    description="Self-hosted video-game price tracker: Scrapy spiders, change-only staging, 3NF price model",
    python_requires=">=3.10",
    packages=find_packages(
        include=["foundation*", "pricewatch*", "scrapers*", "loader*", "contracts*", "migrations", "etl_sql"]),
    # Data an installed pricewatch needs wherever it runs: the item schemas, the revisions, the SQL objects,
    # the web pages' templates and static files.
    package_data={
        "contracts": ["*.json"],
        "migrations": ["script.py.mako", "versions/*.py"],
        "etl_sql": ["*.sql", "*/*.sql"],
        "pricewatch.web": ["templates/*.html", "static/*.*", "static/vendor/*/*"],
    },
    entry_points={
        "console_scripts": ["pricewatch = pricewatch.cli:main"],
        "scrapy": ["settings = scrapers.settings"],
    },
    install_requires=[
        "scrapy>=2.11",
        "price-parser>=0.3",
        "feedparser>=6.0",
        "spidermon>=1.20",
        "jsonschema>=4.0",
    ],
    extras_require={
        # Everything outside the Scrapyd egg: the database side and the operator's tools.
        "platform": [
            "scrapyd>=1.4",
            "scrapyd-client>=1.2",
            "psycopg2-binary>=2.9",
            "msgspec>=0.18",
            "isal>=1.6",
            "sqlalchemy>=2.0",
            "alembic>=1.12",
            "pgserver>=0.1.4",
            "rapidfuzz>=3.0",
            "rich>=13.0",
            "matplotlib>=3.7",
            "fastapi>=0.110",
            "jinja2>=3.1",
            "uvicorn>=0.29",
            "python-multipart>=0.0.9",
        ],
        "test": ["pytest>=7", "pytest-timeout>=2.1", "hypothesis>=6", "aiosmtpd>=1.4", "httpx>=0.27",
                 "playwright>=1.40"],
    },
)
