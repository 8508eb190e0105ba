"""The installed `ibid` in a real terminal: tmux runs it, we type keys and read the screen.

Each test has its own tmux server (`tmux -L <unique name>`, never the default one), a
160x45 window, its own catalogue under `tmp_path` and `tmp_path` as working directory.
Nothing waits a fixed time: `wait_for` polls `capture-pane` until the screen shows what
the test expects, and fails with the last screen when it does not.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import SHARED_DATA, require_shared_data, seeded_catalogue

from .conftest import (FOOTER_END, HOSTILE_BIB, SEPARATOR, Pane, decode_line, footer, import_into,
                       letter_keys_in_footer, record_first_line, record_focused, record_loaded, record_pane,
                       screen_lines, search, section, style_of, wait_for)

pytestmark = pytest.mark.e2e

TURING = SHARED_DATA / "graph" / "turing1950" / "works.jsonl"

SEED_TITLE = "China and Russia in the SCO: Consensus & divergence"
SEED_VENUE = "Human Affairs 30 (2):189-198 (2020)"
SEED_SIMILAR = (
    "A New Alliance against the US",
    "The Factors of Sixty-Year",
    "Culture Coherence",
    "Reflection on the Enacting",
)
TURING_TITLE = "Computing Machinery and Intelligence"
TURING_VENUE = "Mind LIX:433-460 (1950)"


# -- the Turing graph, opened


def open_turing(start_ibid, ibid, tmp_path) -> Pane:
    """The Turing graph imported, ibid started, `/` "Computing Machinery Intelligence" `enter`."""
    db = tmp_path / "turing.db"
    import_into(ibid, db, require_shared_data(TURING), cwd=tmp_path)
    pane = start_ibid(db)
    wait_for(pane, [FOOTER_END, "Citations of this work ("])
    search(pane, "Computing Machinery Intelligence")
    screen = wait_for(pane, record_loaded(TURING_TITLE))
    page = record_pane(screen)
    assert "A. Turing" in page, screen
    assert TURING_VENUE in page, screen
    assert any(line.startswith("I propose to consider the question") for line in page), screen
    assert "Citations of this work (1,000)" in page, screen
    citations = section(page, "Citations of this work (1,000)")
    assert citations and citations[0] != "No citations found.", screen
    return pane


def open_last_link(pane: Pane) -> tuple[str, str]:
    """`tab` to the record page, `end`, `enter`: returns the link's title and the screen it opened."""
    pane.keys("Tab")
    wait_for(pane, record_focused, what="focus on the record page (⏎ Open in the footer)")
    pane.keys("End")
    screen = wait_for(pane, lambda s: record_first_line(s) != TURING_TITLE
                      and any(line.startswith("References found in this work (") for line in record_pane(s)),
                      what="the record page scrolled to its last link")
    links = [line for line in record_pane(screen) if line]
    last = links[-1]  # `end` puts the cursor on the last link, at the bottom of the page
    opened = last.split(" — ")[0].rstrip("…").strip()
    assert opened, f"no link at the bottom of the record page:\n{screen}"

    pane.keys("Enter")
    screen = wait_for(pane, lambda s: record_first_line(s) not in (TURING_TITLE, "")
                      and "Citations of this work (" in s and TURING_VENUE not in s,
                      what="another work on the record page")
    assert record_first_line(screen).startswith(opened[:40]), (
        f"enter on {last!r} opened {record_first_line(screen)!r}\n{screen}")
    return opened, screen


# -- the tests


def test_fresh_catalogue_opens_on_the_seed_record_and_q_quits(start_ibid, tmp_path):
    """`ibid` in an empty folder, no catalogue named: the README's first command. The default
    ./catalog.db is made from seeds/ and opens on their record page."""
    db = tmp_path / "catalog.db"
    assert list(tmp_path.iterdir()) == []
    pane = start_ibid(None)
    wanted = [SEED_TITLE, SEED_VENUE, "Li Wang, Jilin University", "No citations found.",
              "No references found.", *SEED_SIMILAR, FOOTER_END]

    def whole_page(screen: str) -> bool:
        # all there, and both sections parse: a capture can catch a frame half drawn
        if not all(w in screen for w in wanted):
            return False
        try:
            page = record_pane(screen)
            section(page, "Citations of this work (0)")
            section(page, "References found in this work (0)")
        except AssertionError:
            return False
        return True

    screen = wait_for(pane, whole_page, what="the whole seed record page")
    page = record_pane(screen)
    assert page[0] == SEED_TITLE
    assert "Li Wang, Jilin University" in page
    assert SEED_VENUE in page
    similar = section(page, "Similar books and articles")
    for start in SEED_SIMILAR:
        assert any(line.startswith(start) for line in similar), f"{start!r} not among the similar works:\n{similar}"
    assert section(page, "Citations of this work (0)") == ["No citations found."]
    assert section(page, "References found in this work (0)") == ["No references found."]

    pane.keys("q")
    screen = wait_for(pane, "EXIT=")
    assert "EXIT=0" in screen, screen
    assert db.exists()


def test_turing_search_open_a_link_and_back(start_ibid, ibid, tmp_path):
    pane = open_turing(start_ibid, ibid, tmp_path)
    opened, other = open_last_link(pane)

    pane.keys("BSpace")
    wait_for(pane, lambda s: record_first_line(s) != record_first_line(other),
             what="the record page to leave the work opened")
    pane.keys("Home")  # back restores the cursor on the link; Home shows the top of the page
    screen = wait_for(pane, record_loaded(TURING_TITLE))
    page = record_pane(screen)
    assert TURING_VENUE in page

    # Now a citation: `j` walks the page's links (authors, similar works, then citations).
    authors = page.index(TURING_VENUE) - 1
    similar = len(section(page, "Similar books and articles"))
    first_citation = section(page, "Citations of this work (1,000)")[0].split(" — ")[0].rstrip("…").strip()
    pane.keys(*["j"] * (authors + similar + 1))
    pane.keys("Enter")
    citing = wait_for(pane, lambda s: record_first_line(s).startswith(first_citation[:40])
                      and "Citations of this work (" in s, what=f"the citing work {first_citation!r}")
    assert any(line.startswith(TURING_TITLE) for line in section(
        record_pane(citing), "References found in this work (")), citing
    pane.keys("BSpace")
    wait_for(pane, lambda s: TURING_TITLE in record_pane(s) and not record_first_line(s).startswith(first_citation[:40]),
             what="Turing's page again after the second back")


def test_author_screen_and_back(start_ibid, tmp_path):
    pane = start_ibid(seeded_catalogue(tmp_path / "new.db"))
    wait_for(pane, record_loaded(SEED_TITLE))

    for leave in ("BSpace", "Escape"):
        pane.keys("a")
        screen = wait_for(pane, "Works in the catalogue (1)")
        lines = [line.strip() for line in screen_lines(screen)]
        assert "Li Wang" in lines, screen
        assert "Jilin University" in lines, screen
        works = section(lines[1:], "Works in the catalogue (1)")
        assert len(works) == 1 and works[0].startswith(SEED_TITLE), screen

        pane.keys(leave)
        screen = wait_for(pane, lambda s: record_loaded(SEED_TITLE)(s) and "Works in the catalogue" not in s,
                          what=f"the seed record page again after {leave}")
        assert SEED_VENUE in record_pane(screen)

    pane.keys("]")  # forward: the author again
    wait_for(pane, ["Works in the catalogue (1)", "Jilin University"])


def test_hostile_titles_are_shown_as_text(start_ibid, ibid, tmp_path):
    bib = tmp_path / "hostile.bib"
    bib.write_text(HOSTILE_BIB, encoding="utf-8")
    db = tmp_path / "hostile.db"
    import_into(ibid, db, bib, cwd=tmp_path)
    pane = start_ibid(db)
    wait_for(pane, [FOOTER_END, "Citations of this work ("])
    search(pane, "Hostile")
    wait_for(pane, lambda s: record_first_line(s).startswith("Hostile") and "Citations of this work (" in s,
             what="the hostile work on the record page")

    escaped = wait_for(pane, "Zap", escapes=True)
    plain = "\n".join(decode_line(row)[0] for row in screen_lines(escaped))
    page = record_pane(plain)
    title = page[0]
    assert "[bold]x[/bold]" in title, plain
    assert "[link=http://e.vil]y[/link]" in title, plain
    assert "[on red]z[/on red]" in plain, plain
    # The escape byte never reaches the terminal, and is drawn as a visible character.
    assert "\x1b[31mRED" not in escaped, "the title's ESC [31m reached the terminal"
    assert re.search(r"\x1b\[[0-9;:]*m(RED)", escaped) is None, "an SGR sequence directly precedes RED"
    assert "␛[31mRED" in title, plain
    assert "\x1b]8;" not in escaped, "a hyperlink reached the terminal"
    for needle in ("RED", "x[/bold]", "REDDER"):
        cell, row = style_of(escaped, needle, after=SEPARATOR)
        start, _ = style_of(escaped, row.split(SEPARATOR, 1)[1].strip()[:3], after=SEPARATOR)
        assert cell.fg == start.fg and cell.bg == start.bg, (
            f"{needle!r} is drawn in {cell}, the rest of its line in {start}: {row!r}")
        assert cell.fg not in ("c1", "c9"), f"{needle!r} is red: {row!r}"
    assert "PWNED" not in pane.title(), "an OSC sequence from the catalogue set the terminal title"
    assert FOOTER_END in footer(plain) and letter_keys_in_footer(plain), plain  # still running

    pane.keys("q")
    assert "EXIT=0" in wait_for(pane, "EXIT=")


# -- bugs these runs found in tui/, fixed; kept so they stay fixed


def test_back_shows_the_link_you_came_from(start_ibid, ibid, tmp_path):
    pane = open_turing(start_ibid, ibid, tmp_path)
    opened, _ = open_last_link(pane)
    pane.keys("BSpace")
    # Back on Turing's page, the cursor is on the reference just opened: it should be in view.
    wait_for(pane, lambda s: not record_first_line(s).startswith(opened[:40])
             and any(line.startswith(opened[:40]) for line in record_pane(s)),
             timeout=15, what=f"{opened!r} in view on Turing's page after back")


def test_record_page_and_list_cursor_are_styled(start_ibid, tmp_path):
    pane = start_ibid(seeded_catalogue(tmp_path / "new.db"))
    wait_for(pane, record_loaded(SEED_TITLE))
    escaped = pane.capture(escapes=True)
    problems = []
    title, _ = style_of(escaped, SEED_TITLE, after=SEPARATOR)
    if 1 not in title.attrs:
        problems.append(f"the title is not bold: {title}")
    venue, _ = style_of(escaped, SEED_VENUE, after=SEPARATOR)
    if 3 not in venue.attrs:
        problems.append(f"the venue line is not italic: {venue}")
    heading, _ = style_of(escaped, "Similar books and articles", after=SEPARATOR)
    if 7 not in heading.attrs:
        problems.append(f"the heading is not in reverse video: {heading}")
    cursor_row, _ = style_of(escaped, " China and Russia in the SCO")
    other_row, _ = style_of(escaped, " A New Alliance against the US")
    if (cursor_row.bg, cursor_row.attrs) == (other_row.bg, other_row.attrs) or cursor_row.bg is None:
        problems.append(f"the list's cursor row looks like the others: {cursor_row} vs {other_row}")
    assert not problems, "\n".join(problems)


def test_typing_straight_after_slash_reaches_the_search_box(start_ibid, tmp_path):
    pane = start_ibid(seeded_catalogue(tmp_path / "new.db"))
    wait_for(pane, record_loaded(SEED_TITLE))
    pane.type("/Turing")  # one write, as a paste or a fast typist on a busy machine sends it
    wait_for(pane, lambda s: "Turing" in screen_lines(s)[2], timeout=5, what="'Turing' in the search box")


def test_b_copies_the_bibtex_into_the_tmux_buffer(start_ibid, tmp_path):
    """`b` sends the BibTeX by OSC 52; with set-clipboard on, tmux keeps it as a paste buffer."""
    import bibtexparser

    pane = start_ibid(seeded_catalogue(tmp_path / "new.db"))
    pane.tmux("set-option", "-g", "set-clipboard", "on")
    wait_for(pane, record_loaded(SEED_TITLE))
    pane.keys("b")
    wait_for(pane, "Copied BibTeX of Wang2020China", what="the copy notification")
    text = pane.tmux("show-buffer").stdout
    assert text.startswith("@article{Wang2020China,"), text
    entry = bibtexparser.parse_string(text).entries[0]
    assert entry["title"] == r"China and Russia in the SCO: Consensus \& divergence"
    assert entry["journal"] == "Human Affairs" and entry["pages"] == "189--198"
    wait_for(pane, "1 copy", what="the usage line to count the copy")
    pane.keys("Y")  # APA, through citeproc-py, when the config names no other style
    wait_for(pane, lambda s: pane.tmux("show-buffer").stdout.startswith("Wang, L. (2020)."),
             what="the formatted reference in the tmux buffer")
    assert pane.tmux("show-buffer").stdout == (
        "Wang, L. (2020). China and Russia in the SCO: Consensus & divergence. Human Affairs, 30(2), 189–198.")


def test_mark_export_and_archive_in_a_real_terminal(start_ibid, tmp_path):
    """`space` marks two works, `x` writes them to a .ris file named at the prompt; `f` archives
    a file, and the header and the record page count it."""
    from tui.attach import files_dir
    from tui.formats import ris

    db = seeded_catalogue(tmp_path / "new.db")
    pane = start_ibid(db)
    wait_for(pane, record_loaded(SEED_TITLE))
    pane.keys("Space", "Space")
    wait_for(pane, "2 marked", what="the status line to count the marks")
    assert "x Export" in footer(wait_for(pane, lambda s: "x Export" in footer(s), what="x in the footer"))
    pane.keys("x")
    wait_for(pane, ["Export 2 marked works to", "ibid-marked.bib"], what="the export prompt and its suggestion")
    target = tmp_path / "marked.ris"
    pane.keys("C-u")  # clear the suggested name
    wait_for(pane, lambda s: "ibid-marked.bib" not in s, what="the suggestion cleared")
    pane.type(str(target))
    pane.keys("Enter")
    wait_for(pane, "Exported 2 works", what="the export notification")
    works = ris.parse_string(target.read_text(encoding="utf-8")).works
    assert len(works) == 2 and works[0].key == "Wang2020China"
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    pane.keys("Home")
    wait_for(pane, record_loaded(SEED_TITLE))
    pane.keys("f")
    wait_for(pane, ["Archive a copy of a file with Wang2020China", "the original is left"], what="the archive prompt")
    pane.keys("C-u")
    wait_for(pane, lambda s: str(tmp_path) not in s, what="the suggested folder cleared")
    pane.type(str(pdf))
    pane.keys("Enter")
    wait_for(pane, ["Papers currently archived: 1", "paper.pdf"], what="the archived copy on the page and header")
    assert (files_dir(db) / "Wang2020China--paper.pdf").read_bytes() == b"%PDF-1.4\n"
