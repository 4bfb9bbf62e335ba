"""The user's settings as one shared object: read once at start, changed in one place, saved
at once. The window, the chat's settings and the model loader read `current` from it, and
hear of changes through `changed`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from llamadesk.core.settings import Settings, load_settings, save_settings


class SettingsService(QObject):
    """Holds `current`; `update` replaces and saves it.

    `current.notes` says what was wrong in the file read at start; they stay until the user
    has seen them in the settings dialog (which then updates with no notes).

    Signals:
        changed(object): the new `Settings`, once current (saved or not).
    """

    changed = Signal(object)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.current = load_settings(path)

    def update(self, settings: Settings) -> str:
        """Make `settings` current and save them; the reason if saving failed, else ""."""
        self.current = settings
        self.changed.emit(settings)
        try:
            save_settings(self.path, settings)
        except OSError as exc:
            return f"Could not save settings: {exc.strerror or exc}"
        return ""
