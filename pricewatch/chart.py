"""Price history of one game as a step chart per store and region, from reporting.price_timeline.

The timeline carries the last known price to today, so a price that has not changed since March still draws
a line up to now. The all-time low is marked on every line, and a current discount is written at its end.
"""
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (the backend must be chosen first)

TIMELINE = """
select day, store, store_name, title, region, currency, price, regular_price, discount_percent, listing_id
from reporting.price_timeline
where game_id = %(game_id)s and (%(region)s::text is null or region = %(region)s)
order by store, listing_id, region, day
"""


def series(rows: list[dict]) -> dict:
    """Rows grouped into one line per listing and region; titles tell editions of one store apart."""
    lines = defaultdict(list)
    titles_per_store = defaultdict(set)
    for row in rows:
        titles_per_store[row["store"]].add(row["title"])
    for row in rows:
        label = f"{row['store_name']} {row['region']}"
        if len(titles_per_store[row["store"]]) > 1:
            label += f" ({row['title']})"
        lines[(label, row["currency"] or "")].append(row)
    return dict(lines)


def draw(title: str, rows: list[dict], path) -> int:
    """Writes the PNG; returns the number of lines drawn."""
    figure, axes = plt.subplots(figsize=(10, 5), dpi=100)
    lines = series(rows)
    for (label, currency), points in lines.items():
        days = [point["day"] for point in points]
        prices = [point["price"] for point in points]
        priced = [(day, price) for day, price in zip(days, prices) if price is not None]
        line, = axes.step(days, [float(price) if price is not None else float("nan") for price in prices],
                          where="post", label=f"{label} {currency}".strip())
        if priced:
            low_day, low = min(priced, key=lambda pair: (pair[1], pair[0]))
            axes.plot([low_day], [float(low)], marker="v", color=line.get_color())
            axes.annotate(f"low {low}", (low_day, float(low)), textcoords="offset points", xytext=(0, -14),
                          ha="center", fontsize=8, color=line.get_color())
        last = points[-1]
        if last["discount_percent"] and last["price"] is not None:
            axes.annotate(f"-{last['discount_percent']}% now", (last["day"], float(last["price"])),
                          textcoords="offset points", xytext=(4, 6), fontsize=8, color=line.get_color())
    axes.set_title(f"{title}: price history")
    axes.set_ylabel("price")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize=8)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
    return len(lines)
