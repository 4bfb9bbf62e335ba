"""One app per data folder: the second start finds the first and asks it to come forward."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer
from pytestqt.qtbot import QtBot

from llamadesk.services.single_instance import SingleInstance, instance_key


@pytest.fixture
def key(tmp_path: Path) -> str:
    # A fresh data folder per test, so tests never meet each other's (or a real app's) socket.
    return instance_key(tmp_path / "data")


@pytest.fixture
def instances() -> Iterator[list[SingleInstance]]:
    made: list[SingleInstance] = []
    yield made
    for instance in made:
        instance.release()


def test_the_second_start_asks_the_first_to_come_forward(
    qtbot: QtBot, key: str, instances: list[SingleInstance]
) -> None:
    first = SingleInstance(key)
    second = SingleInstance(key)
    instances += [first, second]
    assert first.claim()
    with qtbot.waitSignal(first.raise_requested, timeout=5000):
        assert not second.claim()


def test_a_start_after_the_first_quit_is_a_first_one(
    key: str, instances: list[SingleInstance]
) -> None:
    first = SingleInstance(key)
    instances.append(first)
    assert first.claim()
    first.release()
    again = SingleInstance(key)
    instances.append(again)
    assert again.claim()


def test_different_data_folders_do_not_interfere(
    qtbot: QtBot, tmp_path: Path, instances: list[SingleInstance]
) -> None:
    one = SingleInstance(instance_key(tmp_path / "one"))
    other = SingleInstance(instance_key(tmp_path / "other"))
    instances += [one, other]
    with qtbot.assertNotEmitted(one.raise_requested, wait=200):
        assert one.claim()
        assert other.claim()


def test_a_crashed_instances_socket_does_not_block(
    key: str, instances: list[SingleInstance]
) -> None:
    # A server that stops without removing its socket file, as a killed process leaves it.
    crashed = QLocalServer()
    crashed.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    assert crashed.listen(key)
    socket_file = Path(crashed.fullServerName())
    crashed.close()
    if not socket_file.exists():  # Qt removed it on close: leave one behind by hand
        socket_file.touch()
    fresh = SingleInstance(key)
    instances.append(fresh)
    assert fresh.claim()


def test_the_key_follows_the_folder_not_its_spelling(tmp_path: Path) -> None:
    assert instance_key(tmp_path / "data") == instance_key(tmp_path / "x" / ".." / "data")
    assert instance_key(tmp_path / "data") != instance_key(tmp_path / "data2")
