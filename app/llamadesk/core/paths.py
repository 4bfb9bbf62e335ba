"""Where LlamaDesk keeps its files.

Every folder derives from one root. ``LLAMADESK_HOME`` moves all of them at once, which is
what tests and portable installs use; otherwise the platform's user folders apply.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "LlamaDesk"
HOME_ENV = "LLAMADESK_HOME"


@dataclass(frozen=True)
class AppPaths:
    """The folders and files the app uses."""

    data: Path
    config: Path
    cache: Path

    @property
    def models(self) -> Path:
        return self.data / "models"

    @property
    def database(self) -> Path:
        return self.data / "llamadesk.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    def ensure(self) -> AppPaths:
        """Create the folders that do not exist yet and return self."""
        for folder in (self.data, self.config, self.cache, self.models):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """The app's folders, honouring ``LLAMADESK_HOME``."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser()
        return AppPaths(data=root / "data", config=root / "config", cache=root / "cache")
    return AppPaths(
        data=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )
