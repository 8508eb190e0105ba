"""Each fault gives its own one-line message naming the service."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from tests.net.conftest import recorded_handler
from tui.config import NetSettings
from tui.net import (BadResponse, Cancelled, NotFound, Offline, TimedOut, Unavailable, fetch, fetch_many)
from tui.net.http import Session


def _raise(exc):
    def handle(request):
        raise exc
    return handle


def _one_line(exc) -> str:
    text = str(exc.value)
    assert text and "\n" not in text
    return text


def test_no_network_or_dns_failure(client_for, settings):
    client = client_for(_raise(httpx.ConnectError("[Errno -3] Temporary failure in name resolution")))
    with pytest.raises(Offline) as caught:
        fetch("10.1103/physreva.106.022212", settings, client)
    assert _one_line(caught) == ("cannot reach Crossref (api.crossref.org): its name does not resolve "
                                 "(no network, or a DNS failure)")


def test_connection_refused_by_a_real_socket(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    local = NetSettings(arxiv=f"http://127.0.0.1:{port}/api/query", arxiv_delay=0, timeout=2)
    with pytest.raises(Offline) as caught:
        fetch("2104.12255", local)
    assert _one_line(caught) == f"cannot reach arXiv (127.0.0.1:{port}): the connection was refused"


def test_timeout_says_which_service_did_not_answer(client_for, settings):
    client = client_for(_raise(httpx.ReadTimeout("timed out")))
    with pytest.raises(TimedOut) as caught:
        fetch("978-0-262-03384-8", settings, client)
    assert _one_line(caught) == "Open Library (openlibrary.org) did not answer within 2 s"


def test_a_real_timeout_against_a_silent_local_server(local_server):
    gate = threading.Event()

    def slow(path, headers):
        gate.wait(3)
        return 200, {}, b"{}"

    server = local_server({"/api/books": slow})
    try:
        with pytest.raises(TimedOut) as caught:
            fetch("978-0-262-03384-8", NetSettings(openlibrary=server.url, timeout=0.3))
    finally:
        gate.set()
    assert "did not answer within 0.3 s" in _one_line(caught)


def test_404_no_such_doi(recorded_client, settings):
    with pytest.raises(NotFound) as caught:
        fetch("10.1371/notarealdoi", settings, recorded_client)
    assert _one_line(caught) == "no such DOI 10.1371/notarealdoi (neither Crossref nor doi.org knows it)"


def test_arxiv_has_no_such_paper(recorded_client, settings):
    with pytest.raises(NotFound) as caught:
        fetch("0808.05394", settings, recorded_client)  # the recorded empty feed
    assert _one_line(caught) == "arXiv has no paper 0808.05394"


def test_arxiv_error_entry_for_a_malformed_id(recorded, client_for, settings):
    status, body = recorded.arxiv["abc"]  # the recorded answer to id_list=abc: HTTP 400 and an error entry
    client = client_for(lambda request: httpx.Response(status, content=body))
    with pytest.raises(BadResponse) as caught:
        fetch("2104.12255", settings, client)
    assert _one_line(caught) == "arXiv refused arXiv:2104.12255: incorrect id format for abc"


def test_a_valid_isbn_open_library_does_not_know(recorded_client, settings):
    with pytest.raises(NotFound) as caught:
        fetch("0-306-40615-2", settings, recorded_client)
    assert _one_line(caught) == "Open Library has no book with ISBN 0-306-40615-2"


def _counting(responses):
    seen = []

    def handle(request):
        seen.append(request)
        return responses[min(len(seen), len(responses)) - 1]
    return handle, seen


def test_429_is_retried_once_honouring_retry_after_then_said(client_for):
    handle, seen = _counting([httpx.Response(429, headers={"Retry-After": "2"})])
    waits = []
    settings = NetSettings(retry_wait=5)
    with Session(settings, client_for(handle), sleep=waits.append) as session:
        with pytest.raises(Unavailable) as caught:
            fetch("10.1103/physreva.106.022212", settings, session=session)
    assert len(seen) == 2 and 1.9 < sum(waits) <= 2.1
    assert _one_line(caught) == "Crossref is rate-limiting ibid (HTTP 429), also after a retry; try again later"


def test_retry_after_is_capped(client_for):
    handle, seen = _counting([httpx.Response(503, headers={"Retry-After": "3600"})])
    waits = []
    settings = NetSettings(retry_wait=1.5, arxiv_delay=0)
    with Session(settings, client_for(handle), sleep=waits.append) as session:
        with pytest.raises(Unavailable) as caught:
            fetch("2104.12255", settings, session=session)
    assert len(seen) == 2 and sum(waits) <= 1.6
    assert _one_line(caught) == "arXiv is failing (HTTP 503), also after a retry; try again later"


def test_a_5xx_then_success_is_a_success(recorded, client_for, settings):
    good = recorded_handler(recorded)
    calls = []

    def flaky(request):
        calls.append(request)
        return httpx.Response(502) if len(calls) == 1 else good(request)
    assert fetch("10.1103/physreva.106.022212", settings, client_for(flaky)).work.year == 2022
    assert len(calls) == 2


@pytest.mark.parametrize("identifier, service", [("10.1103/physreva.106.022212", "Crossref"),
                                                 ("978-0-262-03384-8", "Open Library"),
                                                 ("2104.12255", "arXiv")])
def test_html_from_a_captive_portal(client_for, settings, identifier, service):
    portal = "<!DOCTYPE html><html><head><title>Hotel WiFi</title></head><body>Log in</body></html>"
    client = client_for(lambda request: httpx.Response(200, text=portal, headers={"Content-Type": "text/html"}))
    with pytest.raises(BadResponse) as caught:
        fetch(identifier, settings, client)
    assert _one_line(caught).startswith(f"{service} sent a web page instead of its")
    assert "captive portal" in str(caught.value)


def test_truncated_json(recorded, client_for, settings):
    import json

    whole = json.dumps(recorded.crossref["10.1103/physreva.106.022212"])
    client = client_for(lambda request: httpx.Response(200, text=whole[: len(whole) // 2]))
    with pytest.raises(BadResponse) as caught:
        fetch("10.1103/physreva.106.022212", settings, client)
    assert _one_line(caught) == "Crossref sent cut-off JSON for DOI 10.1103/physreva.106.022212"


def test_truncated_atom_feed(recorded, client_for, settings):
    body = recorded.arxiv["1605.08386"][1]
    client = client_for(lambda request: httpx.Response(200, content=body[: len(body) // 2]))
    with pytest.raises(BadResponse) as caught:
        fetch("1605.08386", settings, client)
    assert _one_line(caught) == "arXiv sent a cut-off or malformed feed for arXiv:1605.08386"


def test_doi_org_gives_a_landing_page_not_csl(client_for, settings):
    def handle(request):
        if request.url.host == "api.crossref.org":
            return httpx.Response(404, text="Resource not found.")
        return httpx.Response(200, text="<html><body>Zenodo</body></html>", headers={"Content-Type": "text/html"})
    with pytest.raises(BadResponse) as caught:
        fetch("10.5281/zenodo.1234", settings, client_for(handle))
    assert _one_line(caught).startswith("doi.org sent a web page, not CSL-JSON, for DOI 10.5281/zenodo.1234")


def test_cancel_stops_between_requests(recorded, client_for, settings):
    stop = threading.Event()
    seen = []
    good = recorded_handler(recorded)

    def handle(request):
        seen.append(request)
        stop.set()  # the user presses escape while the first answer is on its way
        return good(request)

    one = NetSettings(mailto="", arxiv_delay=0, retry_wait=0, concurrency=1)
    outcomes = fetch_many(["10.1103/physreva.106.022212", "10.1145/3184558.3186235", "2104.12255v1"],
                          one, client_for(handle), cancel=stop)
    assert len(seen) == 1 and outcomes[0].status == "ok"
    assert [o.status for o in outcomes[1:]] == ["cancelled", "cancelled"]
    with pytest.raises(Cancelled):
        fetch("2104.12255", settings, client_for(handle), cancel=lambda: True)


def test_arxiv_is_paced(recorded, client_for):
    import time

    times = []
    good = recorded_handler(recorded)

    def handle(request):
        times.append(time.monotonic())
        return good(request)

    paced = NetSettings(arxiv_delay=0.3)
    outcomes = fetch_many(["1605.08386", "1707.08567", "astro-ph/0601001"], paced, client_for(handle))
    assert [o.status for o in outcomes] == ["ok"] * 3
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:]))
