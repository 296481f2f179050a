"""Price history of one game as a step chart per store and region, from reporting.price_timeline.

The timeline carries the last known price to today, so a price that has not changed since March still draws
a line up to now. The all-time low is marked on every line, and a current discount is written at its end.
"""
import logging
import warnings
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# Font-cache notes and missing-glyph warnings are matplotlib's chatter, not the user's business (issue 18).
logging.getLogger("matplotlib").setLevel(logging.ERROR)
import matplotlib.pyplot as plt  # noqa: E402 (the backend must be chosen first)
from matplotlib import font_manager  # noqa: E402

# Fonts with Chinese, Japanese and Korean glyphs, best first (Debian: fonts-noto-cjk); Latin text stays in
# DejaVu Sans and only the glyphs it lacks fall back to these.
CJK_FAMILIES = ("Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK KR", "Noto Sans CJK TC", "Source Han Sans",
                "WenQuanYi Zen Hei", "Droid Sans Fallback")
CJK_FILE_MARKERS = ("NotoSansCJK", "SourceHanSans", "wqy-zenhei", "DroidSansFallback")


def cjk_family() -> str | None:
    """An installed CJK font family, or None. Fonts installed after matplotlib built its font cache are not in
    it, so the system font directories are looked through once before giving up."""
    def known() -> str | None:
        names = {font.name for font in font_manager.fontManager.ttflist}
        return next((family for family in CJK_FAMILIES if family in names), None)

    if known() is None:
        for path in font_manager.findSystemFonts():
            if any(marker in Path(path).name for marker in CJK_FILE_MARKERS):
                font_manager.fontManager.addfont(path)
    return known()


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
    """Writes the PNG, one panel per currency (prices in different currencies share no axis); returns the
    number of lines drawn."""
    family = cjk_family()
    with plt.rc_context({"font.family": ["DejaVu Sans", family] if family else ["DejaVu Sans"]}), \
            warnings.catch_warnings():
        # Without a CJK font such titles draw as boxes; matplotlib would warn once per glyph.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        return draw_panels(title, rows, path)


def draw_panels(title: str, rows: list[dict], path) -> int:
    lines = series(rows)
    currencies = sorted({currency for _, currency in lines}) or [""]
    figure, panels = plt.subplots(len(currencies), 1, figsize=(10, 2.5 + 2.5 * len(currencies)), dpi=100,
                                  sharex=True, squeeze=False)
    axes_of = {currency: panel for currency, panel in zip(currencies, panels[:, 0])}
    for (label, currency), points in lines.items():
        axes = axes_of[currency]
        days = [point["day"] for point in points]
        prices = [point["price"] for point in points]
        priced = [(day, price) for day, price in zip(days, prices) if price is not None]
        line, = axes.step(days, [float(price) if price is not None else float("nan") for price in prices],
                          where="post", marker="." if len(days) == 1 else None, label=label)
        if priced:
            low_day, low = min(priced, key=lambda pair: (pair[1], pair[0]))
            axes.plot([low_day], [float(low)], marker="v", color=line.get_color())
            axes.annotate(f"low {low}", (low_day, float(low)), textcoords="offset points", xytext=(0, -14),
                          ha="center", fontsize=8, color=line.get_color())
        last = points[-1]
        if last["discount_percent"] and last["price"] is not None:
            axes.annotate(f"-{last['discount_percent']}% now", (last["day"], float(last["price"])),
                          textcoords="offset points", xytext=(4, 6), fontsize=8, color=line.get_color())
    for currency, axes in axes_of.items():
        axes.set_ylabel(f"price ({currency})" if currency else "price")
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
        axes.legend(loc="best", fontsize=8)
    days = sorted({row["day"] for row in rows})
    if days:
        # A history of a few days still gets a readable axis: at least two weeks, ending today.
        panels[-1, 0].set_xlim(min(days[0], days[-1] - timedelta(days=14)), days[-1] + timedelta(days=1))
    panels[0, 0].set_title(f"{title}: price history")
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
    return len(lines)
