"""How a source's health reads, for `pricewatch status` and the web status page alike."""


def items(row: dict) -> str:
    """Items of the last good crawl against the crawls before it, from a reporting/ops source_status row."""
    if row["last_crawl_items"] is None:
        return "-"
    if not row["previous_crawls"]:
        return f"{row['last_crawl_items']} (first)"
    return f"{row['last_crawl_items']} (avg {row['previous_crawls_avg_items']} over {row['previous_crawls']})"


def size(count: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)
