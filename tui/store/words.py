"""Words being typed: a prefix spelled out as the index's words, read ahead."""

from __future__ import annotations

from ..query import Query, parse

PREFIX_WORDS_MAX = 64  # a prefix of 4+ letters is spelled out as its words up to this many (see _spelled_out)
PREFETCH_WORDS_MAX = 5000  # the words of a 3-letter prefix read ahead, up to this many (see prefetch_words)


class Words:
    """Words being typed: a prefix spelled out as the index's words, read ahead (a part of Store)."""

    def _spelled_out(self, q: Query) -> Query:
        """`q` with the word being typed, a prefix of 4+ letters, spelled out as the words of the
        index it begins (`"mode"*` -> `("model" OR "modern")`): the same works. The index keeps
        prefixes of 2 and 3 letters only; for a longer one FTS5 first merges the works of every
        word it begins into one list, however few are wanted, where an OR of words is read
        lazily, newest first, and stops after a page. The words come from the index's
        vocabulary (`_words_beginning`). Not for ranking (bm25 weighs each word of an OR
        apart), nor for a word that is not ASCII (FTS5 folds it its own way)."""
        if q.typed is None or len(q.typed[1]) < 4 or not q.typed[1].isascii():
            return q
        found = self._words_beginning(q.typed[1], PREFIX_WORDS_MAX)
        if not found:
            return q  # (too many; or none, which FTS5 finds at once)
        return q.typed_as(found)

    @staticmethod
    def _word_ahead(text: str | Query) -> str | None:
        """The word being typed, when it is one whose words `prefetch_words` reads (3 ASCII letters)."""
        q = parse(text) if isinstance(text, str) else text
        return q.typed[1] if q.typed is not None and len(q.typed[1]) == 3 and q.typed[1].isascii() else None

    def reads_ahead(self, text: str | Query) -> bool:
        """Whether `prefetch_words` has anything to read for this search."""
        return self._word_ahead(text) is not None

    def prefetch_words(self, text: str | Query) -> None:
        """While the user looks at the hits of a 3-letter word, read the index's words it
        begins, so that the 4th letter's first page needs no read of the vocabulary (the most
        of that keystroke's time) but a filter of them."""
        word = self._word_ahead(text)
        if word is not None:
            self._words_beginning(word, PREFETCH_WORDS_MAX)

    def _words_beginning(self, word: str, most: int) -> list[str] | None:
        """The words of the full-text index that begin with `word` (its vocabulary, `works_vocab`:
        not a cheap read, as fts5vocab counts the works of each word),
        or None when there are more than `most`. Remembered, for every thread, until the index
        changes: its structure record (FTS5's, rewritten whenever a segment is added or merged,
        i.e. on every change of the index, by this process or another) is the stamp. So `model`
        after `mode`, or `mode` after a prefetched `mod`, only filters a list already read."""
        rows = self._read("SELECT block FROM works_fts_data WHERE id = 10")
        stamp = rows[0][0] if rows else b""
        with self._words_lock:
            if self._words[0] != stamp:
                self._words = (stamp, {})
            known = self._words[1]
        for k in range(len(word), 2, -1):
            complete = known.get(word[:k])
            if complete is not None:
                found = [w for w in complete if w.startswith(word)]
                return found if len(found) <= most else None
        rows = self._read("SELECT term FROM works_vocab WHERE term >= ? AND term < ? LIMIT ?",
                          (word, word[:-1] + chr(ord(word[-1]) + 1), most + 1))
        found = [r[0] for r in rows] if len(rows) <= most else None
        if found is not None or word not in known:
            known[word] = found  # None: more than `most` (a list is every such word)
        return found
