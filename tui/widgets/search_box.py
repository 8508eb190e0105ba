"""The search box: Textual's Input, without a layout of the screen for every letter typed."""

from __future__ import annotations

from .safe_input import SafeInput


class SearchBox(SafeInput):
    """An Input whose value changes redraw the box only.

    Input sets its virtual size (the text's width) on every change, and virtual_size is a
    layout reactive: each letter laid out and so redrew the whole screen before the list
    could follow. The box's size never depends on its text (its height is fixed, its width
    1fr), so while the value changes a layout asked for is only the box's own scroll update
    and redraw."""

    _value_changing = False

    def _watch_value(self, value: str) -> None:
        self._value_changing = True
        try:
            super()._watch_value(value)
        finally:
            self._value_changing = False

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        if layout and self._value_changing and not self.styles.auto_dimensions and self.is_mounted:
            layout = False
            self._scroll_update(self.virtual_size)  # what the layout would have done for it
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
