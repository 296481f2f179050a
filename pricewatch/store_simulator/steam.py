"""Steam store search (`search/results/?infinite=1`): JSON {success, results_html, total_count, start} whose rows
are shaped like steam/search_results_json_usd_5rows_discounted_trimmed.json: `a.search_result_row` with
data-ds-itemkey App_<id> / Bundle_<id>, `span.title`, `data-price-final` in hundredths of every currency (KRW
included), a discount block with `data-discount` and the struck-out regular price as text; rows not for sale
have no price block. At most 100 rows a page, as the real search."""
from html import escape

from contracts import currencies
from pricewatch.store_simulator.catalogue import REGION_CURRENCIES, offer, products
from pricewatch.store_simulator.money import formatted
from pricewatch.store_simulator.server import Answer

HOSTS = ("store.steampowered.com",)
CATEGORIES = {"998": "game", "21": "dlc", "996": "bundle"}
MAX_ROWS = 100
FIRST_APPID = 100000


def store_item_id(product) -> str:
    number = FIRST_APPID + product.number
    return f"bundle/{number}" if product.kind == "bundle" else str(number)


def hundredths(minor: int, currency: str) -> int:
    """Steam writes every currency in hundredths: ₩16,350 is 1635000, KD 1.250 is 125."""
    digits = currencies()[currency]
    return minor * 100 // 10 ** digits


class Store:
    def __init__(self, size: int):
        self.by_kind = {}
        for product in sorted(products(size), key=lambda product: product.title):
            self.by_kind.setdefault(product.kind, []).append(product)

    def answer(self, request) -> Answer:
        if not request.path.startswith("/search/results"):
            return Answer(404, b"")
        region = request.arg("cc", "us").upper()
        listed = self.by_kind.get(CATEGORIES.get(request.arg("category1")), [])
        start = int(request.arg("start", 0))
        count = min(int(request.arg("count", 50)), MAX_ROWS)
        rows = "\n".join(self.row(product, region) for product in listed[start:start + count])
        return Answer.json({"success": 1, "results_html": rows, "total_count": len(listed), "start": start})

    def row(self, product, region: str) -> str:
        terms = offer(product, region)
        number = FIRST_APPID + product.number
        key, path = ("Bundle", "bundle") if product.kind == "bundle" else ("App", "app")
        price = ""
        if terms.for_sale:
            currency = REGION_CURRENCIES[region]
            final = hundredths(terms.final, currency)
            shown = "Free" if terms.free else formatted(terms.final, currency)
            prices = (f'<div class="discount_original_price">{formatted(terms.regular, currency)}</div>'
                      if terms.discount else "") + f'<div class="discount_final_price">{shown}</div>'
            price = (f'<div class="search_price_discount_combined responsive_secondrow" data-price-final="{final}">'
                     f'<div class="discount_block search_discount_block" data-price-final="{final}" '
                     f'data-bundlediscount="0" data-discount="{terms.discount}">'
                     + (f'<div class="discount_pct">-{terms.discount}%</div>' if terms.discount else "")
                     + f'<div class="discount_prices">{prices}</div></div></div>')
        return (f'<a href="https://store.steampowered.com/{path}/{number}/?snr=1_7_7_2300_150_1" '
                f'data-ds-itemkey="{key}_{number}" class="search_result_row ds_collapse_flag ">'
                f'<div class="responsive_search_name_combined"><div class="search_name ellipsis">'
                f'<span class="title">{escape(product.title)}</span></div>'
                f'<div class="search_platforms"><span class="platform_img win"></span></div>'
                f'<div class="search_released responsive_secondrow">Jan 1, 2020</div>{price}</div></a>')
