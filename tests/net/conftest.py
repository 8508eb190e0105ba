"""The recorded answers of Crossref, doi.org and arXiv (../shared/data, never copied here),
served through httpx.MockTransport as the real services would answer."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from tests.conftest import REPO, require_shared_data
from tui.config import NetSettings

OPEN_LIBRARY_FIXTURES = REPO / "tests" / "fixtures" / "net" / "openlibrary"


@dataclass
class Recorded:
    crossref: dict[str, dict] = field(default_factory=dict)  # DOI lowercased -> the whole answer
    csl: dict[str, bytes] = field(default_factory=dict)  # DOI lowercased -> a CSL-JSON item
    arxiv: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # id_list -> (status, feed)
    openlibrary: dict[str, bytes] = field(default_factory=dict)  # ISBN-13 -> answer


def _body(response: dict) -> bytes:
    body = response["body"].get("string", b"")
    if isinstance(body, str):
        return body.encode("utf-8")
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def feed_bytes(body: str) -> bytes:
    """A recorded arXiv feed as arXiv sent it: the recorder decoded its UTF-8 bytes as Latin-1
    (`Dirk WÃ¼bben`), so a body that encodes as Latin-1 is those bytes again."""
    try:
        return body.encode("latin-1")
    except UnicodeEncodeError:
        return body.encode("utf-8")


def load_recorded() -> Recorded:
    import yaml

    rec = Recorded()
    for path in sorted(require_shared_data("net/crossref-works").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rec.crossref[data["message"]["DOI"].lower()] = data
    for path in sorted(require_shared_data("formats/habanero-crossref-cassettes").glob("*/*.yaml")):
        for turn in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            request, response = turn["request"], turn["response"]
            if response["status"]["code"] != 200 or "/works/10." not in request["uri"]:
                continue
            body = _body(response)
            if not body.lstrip().startswith(b"{"):
                continue
            data = json.loads(body)
            if "/transform/application/vnd.citationstyles.csl+json" in request["uri"]:
                rec.csl[data["DOI"].lower()] = body
            elif data.get("message-type") == "work":
                rec.crossref.setdefault(data["message"]["DOI"].lower(), data)
    for path in sorted(require_shared_data("net/arxiv-api").glob("id_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        id_list = unquote(httpx.URL(data["url"]).params["id_list"])
        rec.arxiv[id_list] = (data["status_code"], feed_bytes(data["body"]))
    for path in OPEN_LIBRARY_FIXTURES.glob("*.json"):
        rec.openlibrary[path.stem] = path.read_bytes()
    return rec


_RECORDED: Recorded | None = None


@pytest.fixture
def recorded() -> Recorded:
    """Every recorded answer (skips when ../shared/data is absent)."""
    global _RECORDED
    if _RECORDED is None:
        _RECORDED = load_recorded()
    return _RECORDED


def recorded_handler(rec: Recorded, seen: list | None = None):
    """A MockTransport handler answering as Crossref, doi.org, arXiv and Open Library did."""
    def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        host, path = request.url.host, unquote(request.url.path)
        if host == "api.crossref.org" and path.startswith("/works/"):
            answer = rec.crossref.get(path.removeprefix("/works/").lower())
            if answer is None:
                return httpx.Response(404, text="Resource not found.", headers={"Content-Type": "text/plain"})
            return httpx.Response(200, json=answer)
        if host == "doi.org":
            body = rec.csl.get(path.lstrip("/").lower())
            if body is None:
                return httpx.Response(404, text="<html><body>DOI Not Found</body></html>",
                                      headers={"Content-Type": "text/html;charset=utf-8"})
            return httpx.Response(200, content=body,
                                  headers={"Content-Type": "application/vnd.citationstyles.csl+json"})
        if host == "export.arxiv.org":
            status, body = rec.arxiv.get(request.url.params.get("id_list", ""), (200, rec.arxiv["0000.0000"][1]))
            return httpx.Response(status, content=body, headers={"Content-Type": "application/atom+xml"})
        if host == "openlibrary.org" and path == "/api/books":
            isbn = request.url.params.get("bibkeys", "").removeprefix("ISBN:")
            return httpx.Response(200, content=rec.openlibrary.get(isbn, b"{}"),
                                  headers={"Content-Type": "application/json"})
        return httpx.Response(599, text=f"no route for {request.url} in the test transport")
    return handle


@pytest.fixture
def settings() -> NetSettings:
    """Default addresses (the mock answers for them), no pacing or retry waits."""
    return NetSettings(mailto="tests@example.org", arxiv_delay=0, retry_wait=0, timeout=2)


@pytest.fixture
def recorded_client(recorded):
    """An httpx client whose network is the recorded answers."""
    with httpx.Client(transport=httpx.MockTransport(recorded_handler(recorded)), follow_redirects=True) as client:
        yield client


@pytest.fixture
def client_for():
    """`client_for(handler)`: a client whose every request `handler(request) -> httpx.Response` answers."""
    made = []

    def make(handler) -> httpx.Client:
        made.append(httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def local_server():
    """A LocalServer factory: `local_server(routes)` starts one, stopped after the test."""
    from tests.net.server import LocalServer

    started = []

    def start(routes: dict | None = None) -> LocalServer:
        server = LocalServer(routes).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__(None, None, None)


def recorded_routes(rec: Recorded, seen: list | None = None) -> dict:
    """LocalServer routes answering as the recorded services, each under its own folder:
    /crossref, /doi, /arxiv, /openlibrary (point `[net]` at `server.url + folder`)."""
    handle = recorded_handler(rec, seen)
    hosts = {"/crossref": "https://api.crossref.org", "/doi": "https://doi.org",
             "/arxiv": "https://export.arxiv.org/api/query", "/openlibrary": "https://openlibrary.org"}

    def route(path: str, headers: dict):
        for folder, real in hosts.items():
            if path.startswith(folder):
                rest = path[len(folder):]
                if folder == "/arxiv":
                    rest = rest.lstrip("/")
                response = handle(httpx.Request("GET", real + rest, headers=headers))
                return response.status_code, {"Content-Type": response.headers.get("content-type", "")}, response.content
        return 404, {"Content-Type": "text/plain"}, b"Resource not found."

    return {"*": route}


def net_config(tmp_path: Path, url: str, **extra) -> Path:
    """A config.toml whose [net] points every source at a local server (see recorded_routes)."""
    lines = ["[net]", f'crossref = "{url}/crossref"', f'doi = "{url}/doi"', f'arxiv = "{url}/arxiv"',
             f'openlibrary = "{url}/openlibrary"', "arxiv_delay = 0", "retry_wait = 0", "timeout = 3",
             *(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in extra.items())]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines).replace("'", '"') + "\n")
    return path
