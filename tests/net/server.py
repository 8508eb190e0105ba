"""A tiny HTTP server on 127.0.0.1 at a free port, for tests and the bench to point `[net]` at.

    with LocalServer({"/works/10.1/x": (200, {"Content-Type": "application/json"}, b"{...}")}) as server:
        settings = NetSettings(crossref=server.url, ...)

`routes` maps a path (with its query string, or without it to match any query) to
(status, headers, body), or to a callable(path, headers) -> (status, headers, body).
A route `*` answers every other path; anything else is answered 404. `server.requests` records (path, headers) of each request.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    def __init__(self, routes: dict | None = None):
        self.routes = dict(routes or {})
        self.requests: list[tuple[str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append((self.path, headers))
                route = outer.routes.get(self.path) or outer.routes.get(self.path.split("?", 1)[0]) \
                    or outer.routes.get("*")  # a catch-all: callable(path, headers)
                if route is None:
                    status, extra, body = 404, {"Content-Type": "text/plain"}, b"Resource not found."
                else:
                    status, extra, body = route(self.path, headers) if callable(route) else route
                body = body.encode("utf-8") if isinstance(body, str) else body
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
