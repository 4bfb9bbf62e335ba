"""The user's settings as one shared object: read once at start, changed in one place, saved
at once. The window and the model loader both read `current` from it."""

from __future__ import annotations

from pathlib import Path

from llamadesk.core.settings import Settings, load_settings, save_settings


class SettingsService:
    """Holds `current`; `update` replaces and saves it.

    `current.notes` says what was wrong in the file read at start; they stay until the user
    has seen them in the settings dialog (which then updates with no notes).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.current = load_settings(path)

    def update(self, settings: Settings) -> str:
        """Make `settings` current and save them; the reason if saving failed, else ""."""
        self.current = settings
        try:
            save_settings(self.path, settings)
        except OSError as exc:
            return f"Could not save settings: {exc.strerror or exc}"
        return ""
