"""The OS-level lock that keeps two LlamaDesks from writing one download."""

from __future__ import annotations

from pathlib import Path

import pytest

from llamadesk.core.oslock import LockHeld, exclusive_lock


def test_a_second_holder_is_refused_and_the_lock_is_free_again_after(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with exclusive_lock(path):
        with pytest.raises(LockHeld), exclusive_lock(path):  # another open, as another process
            pass
        assert path.exists()  # the refused one left the holder's file alone
    assert not path.exists()
    with exclusive_lock(path):
        pass


def test_an_error_in_the_block_releases_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with pytest.raises(ValueError, match="inside"), exclusive_lock(path):
        raise ValueError("inside")
    with exclusive_lock(path):  # free again
        assert path.exists()
