"""The user's settings as a service: read once, changed in one place, saved at once.

Signals:
    changed(object): the new `Settings`, after each change (saved or not).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from llamadesk.core.settings import Settings, load_settings, save_settings


class SettingsService(QObject):
    """Holds `current`; `update` replaces and saves it. `current.notes` says what was wrong
    in the file read at start; they stay until the user has seen them in the settings
    dialog (which updates with no notes)."""

    changed = Signal(object)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.current = load_settings(path)

    def update(self, settings: Settings) -> str:
        """Make `settings` current and save them; the reason if saving failed, else ""."""
        self.current = settings
        self.changed.emit(self.current)
        try:
            save_settings(self.path, self.current)
        except OSError as exc:
            return f"Could not save settings: {exc.strerror or exc}"
        return ""
