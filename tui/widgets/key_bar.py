"""The footer: every key the screen offers, on one line, drawn as one widget.

Textual's `Footer` mounts a widget a key (19 on the main screen) and mounts them again each
time the keys change (a work opened, the focus moved): ~30% of the browser's start-up went to
styling and laying out those widgets. This draws the same line (key, then what it does;
keys that cannot act now dimmed; the command palette's key on the right) as one Text, and
a click on a key presses it, as a click on Footer's does.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


# keys kept, with their words, however narrow the terminal: help (which lists the rest) and quit
PINNED = ("question_mark", "q")
# keys whose words go last where the line is short: what shows up for the moment (x with marks,
# delete on a link, enter on the page) and what a newcomer looks for first
KEEP_WORDS = ("x", "delete", "enter", "slash", "s", "space", "i")


class KeyBar(Widget, can_focus=False):
    """The screen's keys on one line at the bottom."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # (key, shown as, what it does, can act now)
        self.keys: list[tuple[str, str, str, bool]] = []
        self.palette: tuple[str, str, str, bool] | None = None
        self._spans: list[tuple[int, int, str, bool]] = []  # (first cell, end cell, key, can act)

    def on_mount(self) -> None:
        # the keys are read when the screen says they are ready (its widgets mounted)
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self._collect()
            self.refresh()  # one line of fixed size: no layout

    def _collect(self) -> None:
        """The keys as Footer shows them: those meant to be shown, one per action (the first)."""
        active = self.screen.active_bindings
        keys, actions = [], set()
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in actions:
                actions.add(binding.action)
                keys.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        self.keys = keys
        self.palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            self.palette = (binding.key, self.app.get_key_display(binding), binding.description, enabled)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        text = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str, bool]] = []
        position = 0

        def add(item: tuple[str, str, str, bool], gap: str) -> None:
            nonlocal position
            key, shown, description, enabled = item
            label = Text.assemble((shown, key_style), (" " + description if description else "", description_style))
            if not enabled:
                label.stylize("dim")
            text.append_text(label)
            width = cell_len(label.plain)
            spans.append((position, position + width, key, enabled))
            text.append(gap)
            position += width + cell_len(gap)

        # Where the whole line does not fit (80 columns hold about 12 of the main screen's 20
        # keys), it gives way in steps, so the keys a newcomer needs stay: the keys that cannot
        # act now go first, then the descriptions, from the last key back (the key alone; `?` lists them all). The
        # app's own keys (help, quit) keep their words and sit on the right, before the palette.
        pinned = [k for k in self.keys if k[0] in PINNED]
        rest = [k for k in self.keys if k[0] not in PINNED]
        right = sum(cell_len(f"{shown} {description} ") for _key, shown, description, _on in pinned)
        if self.palette is not None:  # docked right, as Footer's: the keys before it are cut short
            _key, shown, description, _enabled = self.palette
            right += cell_len(f"▏{shown} {description} ")
        full = sum(cell_len(f"{shown} {description} ") for _key, shown, description, _on in self.keys)
        if self.palette is not None:
            full += cell_len(f"▏{self.palette[1]} {self.palette[2]} ")
        if full <= self.size.width or not pinned:
            items, right = self.keys, right - sum(cell_len(f"{s} {d} ") for _k, s, d, _e in pinned)
        else:
            room = max(0, self.size.width - right)
            items = rest
            if sum(cell_len(f"{s} {d} ") for _k, s, d, _e in items) > room:
                items = [k for k in rest if k[3]]  # what can act now
            items = list(items)
            order = sorted(range(len(items)), key=lambda i: (items[i][0] in KEEP_WORDS, -i))
            for i in order:  # the words of the last keys first, those of KEEP_WORDS last
                if sum(cell_len(f"{s} {d} " if d else f"{s} ") for _k, s, d, _e in items) <= room:
                    break
                key, shown, _description, enabled = items[i]
                items[i] = (key, shown, "", enabled)
        room = max(0, self.size.width - right)
        for item in items:
            add(item, " ")
        if position > room:
            text.truncate(room)
            position = room
            spans = [(start, min(end, room), key, enabled) for start, end, key, enabled in spans if start < room]
        if items is not self.keys and pinned:
            text.append(" " * (room - position))
            position = room
            for item in pinned:
                add(item, " ")
            room = position
        if self.palette is not None:
            text.append(" " * (room - position))
            position = room
            text.append("▏")
            position += 1
            add(self.palette, " ")
        self._spans = spans
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._spans:
            if start <= event.x < end:
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
