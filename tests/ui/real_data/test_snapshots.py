"""Snapshots of record pages built from ../shared/data, in a folder of their own.

On a clone without ../shared/data these tests skip, and a whole-suite run must still exit 0.
syrupy 4.8.0 (pinned by pytest-textual-snapshot 1.1.0) reads every file under the
`__snapshots__` folder beside any test that takes a snapshot, and reports a file whose own test
skipped as unused, so pytest exits 1 though every test passed (fixed upstream after 4.8.0:
syrupy-project/syrupy#1161). Beside tests/ui/test_main.py, whose seed snapshot always runs, the
Turing page's file was found that way. Here every test skips before it takes a snapshot (the
session-scoped `turing_master` skips first), so without the data syrupy never reads this
folder's `__snapshots__`. A snapshot test that runs without the data belongs in tests/ui/.
"""

from __future__ import annotations

from ..conftest import make_app, settle


def test_snapshot_turing_record(turing_db, snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"Computing Machinery Intelligence", "enter")
        await settle(pilot)

    assert snap_compare(make_app(turing_db), terminal_size=(160, 45), run_before=run_before)
