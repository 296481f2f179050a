"""The JSON API under /api/v1, for scripts, bots and browser extensions. Reads need nothing; watchlist writes
need the token in `Authorization: Bearer TOKEN`."""
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from pydantic import BeforeValidator, StringConstraints

from pricewatch.web import schemas, watchlist
from pricewatch.web.catalogue import SEARCH_LIMIT, SEARCH_PAGE
from pricewatch.web.security import same_secret

GameId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Game id, as in search results")]


def optional_code(pattern: str, description: str):
    """A query filter: a code matching `pattern`, or nothing; empty (`?region=`, a form's "any") is nothing."""
    return Annotated[Annotated[str, StringConstraints(pattern=pattern)] | None,
                     BeforeValidator(lambda value: value or None), Query(description=description)]


RegionFilter = optional_code(schemas.REGION, "Storefront country, e.g. US")
CurrencyFilter = optional_code(schemas.CURRENCY, "ISO 4217 code, e.g. USD")
StoreFilter = optional_code(schemas.STORE, "steam, psstore, gog, epic, eshop")

ERRORS = {status: {"model": schemas.Error} for status in (400, 404, 429)}
router = APIRouter(prefix="/api/v1", responses=ERRORS)


def upper(code: str | None) -> str | None:
    return code.upper() if code else None


def catalogue(request: Request):
    return request.app.state.catalogue


def require_token(request: Request, authorization: str | None) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not same_secret(token.strip(), request.app.state.token):
        raise HTTPException(401, "this needs the write token: Authorization: Bearer TOKEN (see `pricewatch serve`)")


@router.get("/games", response_model=list[schemas.GameSummary], summary="Search games by title words")
def search_games(request: Request,
                 q: Annotated[str, Query(min_length=1, max_length=200, description="Words or word beginnings")],
                 limit: Annotated[int, Query(ge=1, le=SEARCH_LIMIT)] = SEARCH_PAGE):
    return catalogue(request).search(q, limit)


@router.get("/games/{id}", response_model=schemas.Game, summary="A game's prices in every store and region, lows")
def game(request: Request, id: GameId):
    found = catalogue(request).game(id)
    if found is None:
        raise HTTPException(404, f"no game {id}")
    return found


@router.get("/games/{id}/history", response_model=schemas.History, summary="A game's price periods per store")
def history(request: Request, id: GameId, region: RegionFilter = None, currency: CurrencyFilter = None):
    header = catalogue(request).header(id)
    if header is None:
        raise HTTPException(404, f"no game {id}")
    return {"id": id, "title": header["title"],
            "series": catalogue(request).history(id, upper(region), upper(currency))}


@router.get("/deals", response_model=list[schemas.Deal], summary="Current discounts and new lows")
def deals(request: Request,
          show: Annotated[Literal["discounts", "all_time_lows", "since_raise"], Query(
              description="discounts: biggest first; all_time_lows / since_raise (since the last base-price "
                          "raise): newest first")] = "discounts",
          store: StoreFilter = None, region: RegionFilter = None, currency: CurrencyFilter = None,
          limit: Annotated[int, Query(ge=1, le=100)] = 20):
    return catalogue(request).deals(show, store, upper(region), upper(currency), limit)


@router.get("/watchlist", response_model=schemas.Watchlist, summary="Watch rules and the prices that meet them")
def get_watchlist(request: Request):
    return watchlist.watchlist(catalogue(request))


@router.post("/watchlist", status_code=201, response_model=schemas.WatchRule, responses={401: {"model": schemas.Error}},
             summary="Watch a game (needs the token)")
def add_watch(request: Request, rule: schemas.WatchRuleIn, authorization: Annotated[str | None, Header()] = None):
    require_token(request, authorization)
    rule_id = watchlist.add_rule(catalogue(request), rule)
    return next(found for found in watchlist.rules(catalogue(request)) if found["id"] == rule_id)


@router.delete("/watchlist/{id}", status_code=204, responses={401: {"model": schemas.Error}},
               summary="Stop watching (needs the token)")
def remove_watch(request: Request, id: Annotated[int, Path(ge=1, le=2**63 - 1)],
                 authorization: Annotated[str | None, Header()] = None):
    require_token(request, authorization)
    watchlist.remove_rule(catalogue(request), id)
    return Response(status_code=204)
