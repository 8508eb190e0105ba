"""Links: `o` opens only http, https and doi: targets, through the user's browser, never a shell.

The rule (tui.safe.web_link) on hostile DOIs and URLs; then `o` in the browser on a work for
each, with webbrowser.open recorded; then once end to end through Python's webbrowser with a
registered "browser" that is a script writing its argv, proving the address arrives as one
argument, never through a shell. (Attached files are another engineer's `ibid attach`.)
"""

from __future__ import annotations

import sys
import time
import webbrowser
from pathlib import Path

import pytest

from tui.app import IbidApp
from tui.models import Work
from tui.safe import web_link
from tui.store import Store

from ..ui.conftest import settle

REAL_OPEN = webbrowser.open  # before the autouse fixture records it

# (doi, url) -> what `o` may open (None: nothing, with a message)
CASES = [
    (("10.1000/xyz123", ""), "https://doi.org/10.1000/xyz123"),
    (("doi:10.1000/xyz123", ""), "https://doi.org/10.1000/xyz123"),
    (("DOI:10.1000/xyz123", ""), "https://doi.org/10.1000/xyz123"),
    (("https://doi.org/10.1000/xyz123", ""), "https://doi.org/10.1000/xyz123"),
    (("http://dx.doi.org/10.1000/xyz123", ""), "https://doi.org/10.1000/xyz123"),
    (("  10.1000/xyz123  ", ""), "https://doi.org/10.1000/xyz123"),
    (("10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0", ""),
     "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0"),
    (("10.1000/a#frag?q=1", ""), "https://doi.org/10.1000/a%23frag%3Fq=1"),
    (("10.1000/\"quoted\"&x", ""), "https://doi.org/10.1000/%22quoted%22%26x"),
    (("10.1000/ünï", ""), "https://doi.org/10.1000/%C3%BCn%C3%AF"),
    (("10.1000/a b", ""), None),
    (("10.1000/a\x1b[31m", ""), None),
    (("10.1000/a\nb", ""), None),
    (("not a doi", ""), None),
    (("javascript:alert(1)", ""), None),
    (("10.1000/x; rm -rf ~", ""), None),
    (("", "https://example.org/paper.pdf"), "https://example.org/paper.pdf"),
    (("", "http://example.org/a?b=1&c=2#d"), "http://example.org/a?b=1&c=2#d"),
    (("", "HTTPS://EXAMPLE.ORG/X"), "HTTPS://EXAMPLE.ORG/X"),
    (("", "doi:10.1000/xyz123"), "https://doi.org/10.1000/xyz123"),
    (("", "https://dx.doi.org/10.1000/xyz123"), "https://doi.org/10.1000/xyz123"),
    (("", "https://example.org/$(reboot)`id`;|&"), "https://example.org/$(reboot)`id`;|&"),  # text to a browser
    (("", "javascript:alert(document.cookie)"), None),
    (("", "JavaScript:alert(1)"), None),
    (("", "data:text/html,<script>alert(1)</script>"), None),
    (("", "file:///etc/passwd"), None),
    (("", "file://localhost/home/user/.ssh/id_rsa"), None),
    (("", "/etc/passwd"), None),
    (("", "~/.bashrc"), None),
    (("", "../../../etc/shadow"), None),
    (("", "C:\\Windows\\System32\\calc.exe"), None),
    (("", "ftp://example.org/x"), None),
    (("", "mailto:a@example.org"), None),
    (("", "ssh://example.org"), None),
    (("", "vbscript:msgbox"), None),
    (("", "x-man-page://ls"), None),
    (("", "--new-window=evil"), None),
    (("", "-e rm -rf /"), None),
    (("", "$(touch /tmp/pwned)"), None),
    (("", "`touch /tmp/pwned`"), None),
    (("", "http://"), None),
    (("", "https:///path-only"), None),
    (("", "http://[::1"), None),
    (("", "https://example.org/a b"), None),
    (("", "https://example.org/\x1b]52;c;eA==\x07"), None),
    (("", "https://example.org/\x00"), None),
    (("", "https://example.org/\u202egpj.exe"), None),
    (("", "https://example.org/\nX-Injected: 1"), None),
    (("", " https://example.org/ "), "https://example.org/"),
    (("", ""), None),
    (("garbage", "https://fallback.example.org/"), "https://fallback.example.org/"),
    (("10.1000/good", "javascript:alert(1)"), "https://doi.org/10.1000/good"),
]


@pytest.mark.parametrize("given, expected", CASES, ids=[f"link{i}" for i in range(len(CASES))])
def test_web_link(given, expected):
    assert web_link(*given) == expected


@pytest.fixture
def links_db(tmp_path: Path) -> Path:
    db = tmp_path / "catalog.db"
    store = Store(db)
    for i, ((doi, url), _) in enumerate(CASES):
        store.add_work(Work(key=f"link{i:03d}", title=f"Link case {i:03d}", doi=doi, url=url, year=2000))
    store.close()
    return db


async def test_o_opens_only_safe_targets(links_db: Path, no_browser: list[str], cases):
    app = IbidApp(Store(links_db))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        said: list[str] = []
        notify = main.notify
        main.notify = lambda message, *a, **k: (said.append(str(message)), notify(message, *a, **k))[1]
        for i, (_, expected) in enumerate(CASES):
            cases()
            assert main.page.work.key == f"link{i:03d}"
            no_browser.clear()
            said.clear()
            await pilot.press("o")
            await settle(pilot)
            assert no_browser == ([expected] if expected else []), (i, no_browser)
            if expected:
                assert any(s.startswith("Opening https://") or s.startswith("Opening http")
                           or s.startswith("Opening HTTP") for s in said), said
            else:
                assert any("This work has no" in s for s in said), said
            await pilot.press("j")
            await settle(pilot)
        assert app.is_running


def test_through_the_real_webbrowser_module_an_address_is_one_argument(tmp_path: Path, monkeypatch, cases):
    """The user's browser gets the address as argv[1], exactly: no shell ever parses it."""
    record = tmp_path / "argv.txt"
    fake = tmp_path / "fake-browser.py"
    fake.write_text("import sys, pathlib\npathlib.Path(sys.argv[1]).write_text(repr(sys.argv[2:]))\n")
    monkeypatch.setattr("webbrowser.open", REAL_OPEN)
    webbrowser.register("ibid-test-browser", None,
                        webbrowser.GenericBrowser([sys.executable, str(fake), str(record), "%s"]), preferred=True)
    for url in ["https://example.org/$(touch /tmp/ibid-pwned)`id`;|&x", web_link("10.1000/a;b&c|d", "")]:
        cases()
        record.unlink(missing_ok=True)
        from textual.driver import Driver

        Driver.open_url(None, url)  # what App.open_url calls in a terminal
        deadline = time.monotonic() + 60
        while not record.exists() and time.monotonic() < deadline:
            time.sleep(0.02)  # the browser is its own process: wait for what it wrote
        assert record.read_text() == repr([url])
    assert not Path("/tmp/ibid-pwned").exists()
