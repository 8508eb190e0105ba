"""The catalogue: all SQL lives in this package. No Textual.

One SQLite file in WAL mode. Each thread gets its own connection (reads run in parallel
with a write); writes are serialised by a lock and each user action is one
`BEGIN IMMEDIATE` transaction, committed before the caller hears it succeeded.

Durability: `synchronous = NORMAL`. A commit is in the WAL file when the caller hears of it
(a crash or `kill -9` of ibid loses nothing; the file is never corrupted), and the WAL is
fsynced right after, off the caller's thread (`sync._Syncer`), so a power cut can lose only
the last few milliseconds; `close()` waits for that fsync. The same thread copies the WAL
into the database (a checkpoint) when it has grown, rather than inside a commit.

`Store` is composed of one part per concern, each a module:

    connection  connections, transactions (`_write`), reads (`_read`), errors, closing
    schema      tables, indexes, triggers, the full-text index: migrations m001...
    sync        durability: the WAL fsynced and checkpointed off the committing thread
    works       a work's row, its authors and keywords: add, update, read
    importing   parsed files in, one transaction a file or in bulk (indexes made after)
    index       the full-text index of edited works; merging its segments in the background
    undo        changes remembered and put back (`u`, `ibid undo`)
    graph       citations, references, similar-work primitives, authors' pages
    identifiers works by DOI, arXiv id, ISBN; reference lists linked as their works arrive
    duplicates  works (and authors' names) that may be one: found by indexed keys, never merged on a guess
    usage       views, copies, exports, rank; archived copies (files)
    merges      one work merged into another (`merge`), undone exactly; aliases: merged keys
    rekeying    new keys by the `[keys] pattern` for existing works (`rekey`), old keys kept as aliases
    exports     kept exports: files rewritten as the catalogue changes (tui/keep.py writes them)
    browse      the whole catalogue in a sort order, a page at a time
    search      a query's matches: ranked, counted, newest first
    orders      a search sorted by year, title or citations, walked on the sort's index
    words       the word being typed: a prefix spelled out as the index's words
    reading     reading states (to read, reading, read) and notes, undoable; in and out of files
    reading_search  `state:` and `note:` in a search, and notes found by its plain words
"""

from __future__ import annotations

from .browse import Browse
from .clock import now, today
from .connection import Connection
from .duplicates import Duplicates
from .errors import Cancelled, Gone, StoreError
from .exports import Exports, KeptExport
from .graph import Graph
from .identifiers import Identifiers
from .importing import ImportSummary, Importing
from .index import Index
from .merges import MergeResult, Merges
from .orders import Orders
from .reading import Reading
from .reading_search import ReadingSearch
from .rekeying import RekeyResult, Rekeying
from .search import RANK_CANDIDATES, Search
from .undo import Undo
from .usage import Usage, files_dir
from .words import Words
from .works import Works

__all__ = ["Cancelled", "Gone", "ImportSummary", "KeptExport", "MergeResult", "RekeyResult", "RANK_CANDIDATES", "Store", "StoreError", "files_dir", "now", "today"]


class Store(ReadingSearch, Reading, Search, Orders, Words, Browse, Graph, Duplicates, Merges, Rekeying, Identifiers, Exports, Usage, Importing, Undo, Index, Works, Connection):
    """A catalogue file. Safe to share between threads: each gets its own connection."""
