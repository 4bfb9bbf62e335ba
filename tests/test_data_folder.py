"""Where the app cannot keep its files, it says so in one clear sentence, and opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from llamadesk.core.data_folder import DataFolderError, prepare_folders
from llamadesk.core.paths import HOME_ENV, app_paths
from llamadesk.services.single_instance import SingleInstance, instance_key


def test_missing_folders_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "new"))
    paths = prepare_folders(app_paths())
    assert paths.models.is_dir()
    assert paths.config.is_dir()
    assert list(paths.data.iterdir()) == [paths.models]  # the write probe left nothing


def test_a_file_in_the_way_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "home").write_text("not a folder")
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    with pytest.raises(DataFolderError, match=r"a file is in the way.*LLAMADESK_HOME="):
        prepare_folders(app_paths())


def test_a_folder_that_cannot_be_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV, "/proc/llamadesk-forbidden")
    with pytest.raises(DataFolderError, match="cannot keep its files in /proc/llamadesk-forbidden"):
        prepare_folders(app_paths())


def test_no_write_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = prepare_folders(app_paths_in(tmp_path, monkeypatch))
    paths.data.chmod(0o500)
    try:
        if _can_write(paths.data):
            pytest.skip("this user writes anywhere (root)")
        with pytest.raises(DataFolderError, match="you may not write there"):
            prepare_folders(paths)
    finally:
        paths.data.chmod(0o700)


def test_the_gui_explains_and_opens_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llamadesk.ui import app

    (tmp_path / "home").write_text("not a folder")
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    shown: list[str] = []
    monkeypatch.setattr(
        app.QMessageBox, "critical", lambda _parent, _title, text: shown.append(text)
    )
    assert app.run_gui() == 1
    assert len(shown) == 1
    assert "a file is in the way" in shown[0]


def test_a_second_start_brings_the_first_forward_and_opens_nothing(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from llamadesk.ui import app

    paths = app_paths_in(tmp_path, monkeypatch)
    first = SingleInstance(instance_key(paths.data))
    assert first.claim()
    try:
        with qtbot.waitSignal(first.raise_requested, timeout=5000):
            assert app.run_gui() == 0
    finally:
        first.release()
    assert "already running" in capsys.readouterr().err
    assert not paths.database.exists()


def app_paths_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    return app_paths()


def _can_write(folder: Path) -> bool:
    try:
        (folder / "probe").touch()
    except PermissionError:
        return False
    (folder / "probe").unlink()
    return True
