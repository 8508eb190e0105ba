"""A file's Batches as they are consumed, the next one parsed in a thread (ReadAhead)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .batch import Batch


@dataclass
class Stream:
    """A file opened for import: its Batches, read as they are consumed."""

    batches: Iterator[Batch]
    lines: int | None = None  # the file's lines, when it is read a chunk at a time
    works: int | None = None  # the works, when it was read whole

    @property
    def overlap(self) -> Callable[[], None] | None:
        """For Store.import_batches: when the next Batch may be parsed (see ReadAhead)."""
        return self.batches.go if isinstance(self.batches, ReadAhead) else None


class ReadAhead:
    """The same Batches, the next one parsed in a thread while the caller imports this one.

    Parsing is Python and holds the GIL; importing is mostly SQLite, which lets go of it
    only while a statement runs. A parse that overlapped the import's many small statements
    (`executemany`: the GIL taken back for every row) slowed both, so the next Batch is parsed
    when the caller says it is about to run a long statement (`go()`, e.g. before building the
    full-text index), or when it asks for a Batch that is not there yet. An error in the
    reader is raised to the caller, in order."""

    def __init__(self, batches: Iterator[Batch]):
        import queue
        import threading

        self._batches = iter(batches)
        self._done = object()
        self._waiting: queue.Queue = queue.Queue(maxsize=1)
        self._go = threading.Event()
        self._go.set()  # the first Batch at once
        self._parsing = False
        self._finished = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="ibid-read-ahead", daemon=True)
        self._thread.start()

    def go(self) -> None:
        """The caller is about to spend a while in SQLite: parse the next Batch now."""
        self._go.set()

    def _produce(self) -> None:
        import queue

        try:
            while True:
                while not self._go.wait(0.1):
                    if self._stop.is_set():
                        return
                self._parsing = True
                self._go.clear()
                batch = next(self._batches, self._done)  # parsed here
                while not self._stop.is_set():
                    try:
                        self._waiting.put((batch, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                self._parsing = False
                if batch is self._done or self._stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            self._waiting.put((self._done, exc))

    def __iter__(self) -> ReadAhead:
        return self

    def __next__(self) -> Batch:
        if self._finished:
            raise StopIteration
        if self._waiting.empty() and not self._parsing:
            self.go()  # nobody said when: parse now
        batch, error = self._waiting.get()
        if batch is self._done:
            self._finished = True
            self.close()
            if error is not None:
                raise error
            raise StopIteration
        return batch

    def close(self) -> None:
        self._stop.set()

    __del__ = close
