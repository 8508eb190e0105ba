"""The main screen's help (`?`): its keys, in the user's words."""

HELP = """\
# ibid

The list on the left is the catalogue (or your search); the record page on the right
follows the highlighted work.

- `/` search as you type: words, `author:`, `title:`, `venue:`, `year:2019`, `year:2010..2020`,
  `"a phrase"`. `enter` goes to the first hit, `escape` leaves the search.
- `tab` moves between the list and the record page; on the page, `up`/`down` walk its
  authors, similar works, citations and references, and `enter` opens one (on "… and N more",
  lists more of them).
- `backspace` goes back, `]` forward, through what you opened.
- `b` copies the work's BibTeX, `y` its citation key, `Y` a formatted reference; with works marked
  (`space`), all of theirs: `y` as `\\cite{a,b}`, `[@a; @b]` or plain (`[keys] cite_format`).
- `c` adds a citation (a work that cites this one), `r` a reference (a work this one cites):
  search, then `enter`; `ctrl+n` there adds a work from pasted BibTeX.
- `delete` on a highlighted citation or reference removes the link; `u` undoes the last change
  (links, edits, new works), even after a restart.
- `i` adds works by DOI, arXiv id or ISBN (typed or pasted, several at once), fetched from
  Crossref, doi.org, arXiv or Open Library; the new work's page opens (`u` undoes). Its
  references that are not in the catalogue are listed dimmed: `enter` on one fetches it, and
  every reference is linked as soon as the work it names arrives.
- `M` merges the work shown into another (the same work entered twice): pick the work to keep
  (a likely duplicate is offered first), then on each field that differs `left` keeps the kept
  work's value and `right` takes this one's (`space` switches); `enter` merges, `n` says the
  two are not duplicates, `escape` cancels. The old key stays an alias of the kept work; `u`
  undoes the whole merge.
- `e` edits the work's BibTeX (`ctrl+s` saves, `escape` cancels); `n` adds a new work.
- `s` changes the order: the catalogue by added, title, year (newest first) or most cited; a
  search (which starts with the best hits first) by relevance, year, title or most cited.
- `a` the author's profile; `o` opens the DOI or URL (or, on an
  archived copy, the file); `L` opens the work through your library (OpenURL; set
  `[library] resolver` in the config file).
- `f` archives a copy of a file (a PDF) with the work, in the catalogue's own folder (`u` takes it back).
- `t` sets the reading state: none → to read (○) → reading (◐) → read (✓) → none, shown in the
  list's second column; with works marked, all of them take the next state of the first (`u` undoes).
  Search them with `state:toread`, `state:reading`, `state:read`, `state:none`.
- `N` writes the work's note in Markdown (`ctrl+s` saves, `escape` asks first if you changed it);
  the record page shows it rendered. `note:word` finds works whose note holds the word; plain words
  find notes too (their works first).
- `space` in the list marks a work; `x` exports the marked works to a file you name
  (`.bib`, `.ris`, or `.json` for CSL-JSON).
- `Y` copies the reference in the style set by `[references] style` in the config file
  (apa, chicago, mla, harvard, ieee; default apa).
"""
