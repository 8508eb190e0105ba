"""Where the user has been: the works and authors opened, and back / forward through them.

Held by the app, so the main screen and the author screen move through one history
(neither needs the other). No Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Target = tuple[str, int]  # ("work", id) or ("author", id): what a record page shows


@dataclass
class Visit:
    """A place in the history: what was shown, and where the cursor was on it."""

    target: Target
    cursor: Target | None = None
    section: str = ""  # the page section the cursor was in (a work can be both similar and citing)
    opened: bool = False  # opened on purpose (not just passed over in the list): counts as a view
    shown: int = 0  # citations and references listed (0: all the page lists); `enter` on "… more" adds some


class History:
    """The visit shown now, and the stacks behind and ahead of it.

    `remember(visit)` is called on the visit being left, so it keeps where the cursor was."""

    def __init__(self) -> None:
        self.current: Visit | None = None
        self.back_stack: list[Visit] = []
        self.forward_stack: list[Visit] = []

    def open(self, target: Target, origin: Visit | None, remember: Callable[[Visit], None]) -> Visit | None:
        """Open `target`, remembering where we were (or `origin`, where a search began); the
        visit to show, or None when it is already shown."""
        came_from = origin or self.current
        if self.current is not None and self.current.target[0] == "work" and self.current is came_from:
            remember(self.current)
        if came_from is not None and came_from.target != target:
            self.back_stack.append(came_from)
            self.forward_stack.clear()
        if self.current is None or self.current.target != target:
            return Visit(target, opened=True)
        return None

    def back(self, remember: Callable[[Visit], None]) -> Visit | None:
        """The visit before this one (None: nothing to go back to)."""
        return self._step(self.back_stack, self.forward_stack, remember)

    def forward(self, remember: Callable[[Visit], None]) -> Visit | None:
        """The visit after this one (None: nothing to go forward to)."""
        return self._step(self.forward_stack, self.back_stack, remember)

    def _step(self, take: list[Visit], put: list[Visit], remember: Callable[[Visit], None]) -> Visit | None:
        if not take:
            return None
        if self.current is not None:
            remember(self.current)
            put.append(self.current)
        return take.pop()
