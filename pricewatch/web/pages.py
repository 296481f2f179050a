"""Server-rendered pages: they work without JavaScript; the game page's chart is the one script.

Forms that write (watch, unwatch) carry the write token and a CSRF token that must match the cookie set with
the page (double submit; the cookie is SameSite=Strict and HttpOnly).
"""
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from foundation import config
from loader.landing import disk_usage, landing_feeds
from pricewatch.source_status import items, size
from pricewatch.web import watchlist
from pricewatch.web.api import CurrencyFilter, GameId, RegionFilter, StoreFilter, upper
from pricewatch.web.catalogue import DEAL_LISTS
from pricewatch.web.schemas import WatchRuleIn
from pricewatch.web.security import CSRF_COOKIE, new_csrf_token, same_secret

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["when"] = lambda value: value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") if value else ""
templates.env.filters["day"] = lambda value: value.astimezone(timezone.utc).strftime("%Y-%m-%d") if value else ""

router = APIRouter(include_in_schema=False)

DEAL_HEADINGS = {
    "discounts": "Biggest discounts",
    "all_time_lows": "New all-time lows",
    "since_raise": "New lows since the last base-price raise",
}


def render(request: Request, name: str, context: dict, status_code: int = 200):
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    response = templates.TemplateResponse(request, name, {**context, "csrf": csrf}, status_code=status_code)
    if request.cookies.get(CSRF_COOKIE) != csrf:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict")
    return response


def catalogue(request: Request):
    return request.app.state.catalogue


async def checked_form(request: Request) -> dict:
    """The posted form, once its CSRF token matches the cookie and its write token is right."""
    form = dict(await request.form())
    if not same_secret(form.pop("csrf", None), request.cookies.get(CSRF_COOKIE) or ""):
        raise HTTPException(403, "the form is stale or came from another site; reload the page and try again")
    if not same_secret(form.pop("token", None), request.app.state.token):
        raise HTTPException(401, "wrong write token (see `pricewatch serve`)")
    return {key: value for key, value in form.items() if value != ""}


def chart_data(series: list[dict], now: datetime) -> list[dict]:
    """Per currency, one line per store and region as (unix time, price) steps, carried to `now`."""
    charts = {}
    for line in series:
        if line["currency"] is None:
            continue
        # Floats: the chart only draws them; the tables and the API keep the exact decimals.
        prices = [float(period["price"]) if period["price"] is not None else None for period in line["periods"]]
        points = [[period["valid_from"].timestamp(), price] for period, price in zip(line["periods"], prices)]
        last = line["periods"][-1]
        points.append([(last["valid_to"] or now).timestamp(), prices[-1] if last["valid_to"] is None else None])
        label = f"{line['store_name']} {line['region']}" + (f" ({line['edition']})" if line["edition"] else "")
        charts.setdefault(line["currency"], []).append({"label": label, "points": points})
    return [{"currency": currency, "series": lines} for currency, lines in sorted(charts.items())]


@router.get("/")
def home(request: Request, store: StoreFilter = None, region: RegionFilter = None, currency: CurrencyFilter = None):
    filters = {"store": store, "region": upper(region), "currency": upper(currency)}
    coverage = catalogue(request).coverage()
    deals = {which: catalogue(request).deals(which, **filters) for which in DEAL_LISTS}
    return render(request, "home.html", {
        "filters": filters, "deals": deals, "headings": DEAL_HEADINGS,
        "stores": sorted({(row["store"], row["store_name"]) for row in coverage}),
        "regions": sorted({row["region"] for row in coverage}),
        "currencies": sorted({row["currency"] for row in coverage if row["currency"]}),
    })


@router.get("/search")
def search(request: Request, q: Annotated[str, Query(max_length=200)] = ""):
    return render(request, "search.html", {"q": q, "games": catalogue(request).search(q) if q.strip() else []})


@router.get("/games/{id}")
def game(request: Request, id: GameId):
    found = catalogue(request).game(id)
    if found is None:
        raise HTTPException(404, f"no game {id}")
    series = catalogue(request).history(id, listings=found["listings"])
    charts = chart_data(series, datetime.now(timezone.utc))
    return render(request, "game.html", {
        "game": found, "series": series, "charts": charts,
        "news": [item for item in found["news"] if item["source"] != "reddit"],
        "reddit": [item for item in found["news"] if item["source"] == "reddit"],
    })


@router.post("/games/{id}/watch")
async def watch(request: Request, id: GameId):
    form = await checked_form(request)
    try:
        rule = WatchRuleIn(game_id=id, **form)
    except ValidationError as exc:
        raise HTTPException(400, "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors()))
    watchlist.add_rule(catalogue(request), rule)
    return RedirectResponse("/watchlist", status_code=303)


@router.get("/watchlist")
def watchlist_page(request: Request):
    return render(request, "watchlist.html", watchlist.watchlist(catalogue(request)))


@router.post("/watchlist/{id}/delete")
async def unwatch(request: Request, id: GameId):
    await checked_form(request)
    watchlist.remove_rule(catalogue(request), id)
    return RedirectResponse("/watchlist", status_code=303)


@router.get("/status")
def status(request: Request):
    sources = catalogue(request).source_status()
    for row in sources:
        row["items"] = items(row)
        row["backlog"] = len(landing_feeds(config.landing_dir() / row["source"]))
        row["landing_size"] = size(disk_usage(config.landing_dir() / row["source"]).bytes)
    return render(request, "status.html", {"sources": sources, "coverage": catalogue(request).coverage(),
                                           "home": config.home()})
