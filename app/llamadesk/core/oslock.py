"""An exclusive lock on a file that other processes honour: two LlamaDesks (two app instances,
or the CLI beside the app) must never write the same download at once.

``fcntl.flock`` on POSIX and ``msvcrt.locking`` on Windows. Both are owned by one open of the
file, so a second open in the same process is refused too. Both go away with the process, so
a crash leaves no stale lock behind. The lock is taken without waiting: the caller says "busy".
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path

# What a refused lock raises: "would block" on POSIX, EACCES or EDEADLOCK from msvcrt.
_HELD = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK})
# A file system without locks (some network shares): go on unlocked; callers verify anyway.
_UNSUPPORTED = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS})


class LockHeld(Exception):
    """Another process (or another open of the file in this one) holds the lock."""


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file at ``path`` (made if missing) for the block.

    The file is deleted when the block ends. Whoever opened it just before then locks a file
    that no longer has a name, so callers must check under the lock whether the work they came
    for is still to be done (and verify what they wrote) rather than trust the lock alone.

    Raises:
        LockHeld: someone else holds it now.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        locked = _lock(fd, path)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield
    finally:
        if os.name == "posix":  # deleted while still held, so never a lock someone else won
            with contextlib.suppress(OSError):
                path.unlink()
        if locked:
            _unlock(fd)
        os.close(fd)
        if os.name != "posix":  # Windows deletes no open file: only once it is closed
            with contextlib.suppress(OSError):
                path.unlink()


def _lock(fd: int, path: Path) -> bool:
    """Lock `fd` without waiting; False where the file system has no locks.

    Raises:
        LockHeld: someone else holds it.
    """
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # the first byte, which need not exist
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in _HELD:
            raise LockHeld(str(path)) from None
        if error.errno in _UNSUPPORTED:
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)
