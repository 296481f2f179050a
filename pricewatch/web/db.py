"""Connections of the web app: a few kept open per role, so a page view costs its queries and no login.

Pages read as pricewatch_reader (the reporting views only); watch rules are written as pricewatch_web, which
can insert and delete them and nothing else.
"""
import contextlib
import queue
import threading

import psycopg2
from psycopg2.extras import RealDictCursor

from foundation import database

# A page never waits long on the database: a query this slow is a bug to fix, not to wait for.
STATEMENT_TIMEOUT = "5s"


class RolePool:
    """Up to `size` connections of one role, reused across requests (uvicorn runs sync routes in threads)."""

    def __init__(self, role: str, url: str | None, size: int = 4):
        self.role, self.url = role, url
        self.idle = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(size)

    def open(self):
        conn = database.connect(role=self.role, url=self.url)
        with conn.cursor() as cur:
            cur.execute("set statement_timeout = %s", (STATEMENT_TIMEOUT,))
        conn.commit()
        return conn

    @contextlib.contextmanager
    def cursor(self):
        """A dict cursor in a transaction committed at the end (rolled back on error)."""
        with self.slots:
            try:
                conn = self.idle.get_nowait()
            except queue.Empty:
                conn = self.open()
            try:
                with conn.cursor(cursor_factory=RealDictCursor) as cur:
                    yield cur
                conn.commit()
            except BaseException:
                self.recycle(conn)
                raise
            self.idle.put(conn)

    def recycle(self, conn) -> None:
        """After an error: roll back and keep the connection, unless the server dropped it."""
        try:
            conn.rollback()
        except psycopg2.Error:
            conn.close()
        if not conn.closed:
            self.idle.put(conn)

    def close(self) -> None:
        while True:
            try:
                self.idle.get_nowait().close()
            except queue.Empty:
                return


class Database:
    """The app's two pools; `url` None means the configured or embedded server."""

    def __init__(self, url: str | None = None, size: int = 4):
        self.reader = RolePool("pricewatch_reader", url, size)
        self.writer = RolePool("pricewatch_web", url, 1)

    def read(self, query: str, params=None) -> list[dict]:
        with self.reader.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall()

    def close(self) -> None:
        self.reader.close()
        self.writer.close()
