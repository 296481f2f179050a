"""pricewatch serve: the web pages and the JSON API (/api/v1), read from the reporting views."""
import contextlib
import ipaddress

import uvicorn

from foundation import database
from foundation.errors import PricewatchError
from pricewatch.web.app import DEFAULT_RATE_LIMIT, create_app
from pricewatch.web.security import TOKEN_VARIABLE, token_path, write_token


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="web pages and a JSON API of prices, lows, deals and the watchlist")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--rate-limit", type=int, default=DEFAULT_RATE_LIMIT, metavar="N",
                        help=f"API requests per client and minute (default {DEFAULT_RATE_LIMIT}; 0: no limit)")
    parser.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args) -> int:
    if not 0 < args.port < 65536:
        raise PricewatchError(f"--port wants 1-65535, not {args.port}")
    url = database.server_url()
    # A database without the model gets the fix at start, not an error page on every request.
    with contextlib.closing(database.connect(role="pricewatch_reader", url=url)) as conn, database.migrated(), \
            conn.cursor() as cur:
        cur.execute("select from reporting.game_search limit 1")
    token, generated = write_token()
    if generated:
        print(f"write token (for watching games; kept in {token_path()}, shown only now): {token}", flush=True)
    elif not token:
        raise PricewatchError(f"the write token is empty; set {TOKEN_VARIABLE} or delete {token_path()}")
    if not is_loopback(args.host):
        print(f"listening on {args.host}: other machines can reach it", flush=True)
    uvicorn.run(create_app(url, token, args.rate_limit), host=args.host, port=args.port, log_level="warning")
    return 0
