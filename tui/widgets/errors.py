"""Worker errors become a notification; the app keeps running."""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from ..safe import printable


class ReportsWorkerErrors:
    """Mixin for any widget or screen that runs workers (their state messages do not bubble)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.app.notify(printable(str(error) or type(error).__name__, newlines=False),  # type: ignore[attr-defined]
                            title="Something went wrong", severity="error", markup=False)
