"""Guards against Qt bindings that would crash the app."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal(int, str)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True is immortal from Python 3.12")
def test_emitting_signals_keeps_references_to_true_intact():
    # PySide6 6.12.0 released one reference to True per emit; a long chat then aborted
    # the interpreter with "bool_dealloc". pyproject.toml excludes that release.
    emitter = _Emitter()
    received: list[int] = []
    emitter.ping.connect(lambda number, _text: received.append(number))
    before = sys.getrefcount(True)
    for number in range(1000):
        emitter.ping.emit(number, "x")
    assert len(received) == 1000
    assert sys.getrefcount(True) >= before - 10
