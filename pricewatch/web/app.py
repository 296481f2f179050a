"""The app factory: pages, the JSON API, static files, and the guards every response passes through."""
import contextlib
import logging
from pathlib import Path

import psycopg2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from foundation.errors import PricewatchError
from pricewatch.web import api, pages
from pricewatch.web.catalogue import Catalogue
from pricewatch.web.db import Database
from pricewatch.web.security import HEADERS, MAX_QUERY_STRING, RateLimit

log = logging.getLogger(__name__)

DEFAULT_RATE_LIMIT = 300


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, message: str, headers: dict | None = None):
    """A one-line error as JSON under /api, as a page elsewhere; never a traceback."""
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status, headers={**(headers or {}), **HEADERS})
    response = pages.render(request, "error.html", {"status": status, "message": message}, status_code=status)
    response.headers.update(headers or {})
    # Also for failures, which bypass the middleware.
    response.headers.update(HEADERS)
    return response


def validation_message(exc: RequestValidationError) -> str:
    """`q: String should have at most 200 characters`: where and what, for each problem."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"][1:]) or "request"
        problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def create_app(database_url: str | None = None, token: str = "", rate_limit: int = DEFAULT_RATE_LIMIT,
               pool_size: int = 4) -> FastAPI:
    """`token` is what writes must present; `rate_limit` is API requests per client per minute (0: no limit)."""
    db = Database(database_url, pool_size)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        db.close()

    app = FastAPI(title="pricewatch", version="1", description="Video-game prices across stores, from pricewatch",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.catalogue = Catalogue(db)
    app.state.token = token
    limiter = RateLimit(rate_limit)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        if len(request.scope.get("query_string", b"")) > MAX_QUERY_STRING:
            response = error_response(request, 414, f"query string longer than {MAX_QUERY_STRING} bytes")
        elif wants_json(request) and not limiter.allows(request.client.host if request.client else ""):
            response = error_response(request, 429, "too many requests; slow down",
                                      {"Retry-After": str(limiter.retry_after())})
        else:
            response = await call_next(request)
        response.headers.update(HEADERS)
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error_response(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        return error_response(request, 400, validation_message(exc))

    @app.exception_handler(PricewatchError)
    @app.exception_handler(psycopg2.OperationalError)
    async def database_away(request: Request, exc: Exception):
        log.warning("database error on %s: %s", request.url.path, exc)
        return error_response(request, 503, "the database is not answering; try again shortly")

    @app.exception_handler(Exception)
    async def failure(request: Request, exc: Exception):
        log.exception("failed on %s", request.url.path)
        return error_response(request, 500, "something went wrong on our side (logged)")
    return app
