"""Loading a model, the one way: its own settings, a memory check, the user's say, then load.

The chat and the compare view both load through `ModelLoader`, so a model loaded for a
comparison gets its per-model settings and the memory check too. Each request carries its
purpose, and the answer comes back with it: the window treats only the user's own loads
("chat") as the model to reload next time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.engine import EngineError, LoadSettings
from llamadesk.core.load_check import LoadCheck, check_load
from llamadesk.services.background import JobRunner
from llamadesk.services.model_host import LoadedModel, ModelHost
from llamadesk.services.settings_service import SettingsService

# What the user chose when a model may not fit: the longest context that fits, the settings
# asked for anyway, or no load.
MemoryChoice = Literal["shorter", "anyway", "cancel"]
Purpose = Literal["chat", "compare"]
BUSY = "The model is busy: stop the current answer, or wait for the load to finish."


@dataclass(frozen=True)
class _Request:
    path: Path
    purpose: Purpose
    make_demo: bool


class ModelLoader(QObject):
    """Loads models into a `ModelHost`, one request at a time.

    `confirm` is asked (on the GUI thread) when a model may not fit; the window sets it to
    its dialog. Every request that was accepted ends in exactly one `loaded` or `failed`.

    Signals:
        checking(str): a file's memory check began (its name).
        loaded(object, str): the `LoadedModel` and the purpose it was loaded for.
        failed(str, str): why a load did not happen, in a sentence, and its purpose.
    """

    checking = Signal(str)
    loaded = Signal(object, str)
    failed = Signal(str, str)

    def __init__(
        self, host: ModelHost, settings: SettingsService, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.settings = settings
        self.confirm: Callable[[LoadCheck], MemoryChoice] = lambda _check: "anyway"
        self.jobs = JobRunner(parent=self)
        self._request: _Request | None = None
        host.loaded.connect(self._on_loaded)
        host.load_failed.connect(self._on_load_failed)

    @property
    def busy(self) -> bool:
        """A load is being checked or done, or the model is answering."""
        return self._request is not None or self.host.busy

    def load(self, path: Path, purpose: Purpose = "chat", *, make_demo: bool = False) -> bool:
        """Start loading `path` with its own settings; False (and `failed`) if it cannot
        start now. With `make_demo`, a missing file is first written as the demo model."""
        path = Path(path)
        if self.busy:
            self.failed.emit(BUSY, purpose)
            return False
        settings = self.settings.current.for_model(path.name).load
        try:
            settings.validate()
        except EngineError as exc:
            self.failed.emit(f"Did not load {path.name}: {exc} Change it in Settings.", purpose)
            return False
        self._request = _Request(path, purpose, make_demo)
        if make_demo and not path.is_file():
            self._start(settings)  # the demo model is tiny: nothing to check
            return True
        self.checking.emit(path.name)
        job = self.jobs.start(check_load, path, settings)
        job.finished.connect(lambda check: self._checked(settings, check))
        # A file that cannot even be checked: the load itself says why, clearly.
        job.failed.connect(lambda _error: self._start(settings))
        return True

    def connect_remote(self, url: str, key: str, model_id: str, purpose: Purpose = "chat") -> bool:
        """Use `model_id` on the server at `url` (nothing to check: it runs there); False
        (and `failed`) if the model thread is busy."""
        if self.busy:
            self.failed.emit(BUSY, purpose)
            return False
        self._request = _Request(Path(model_id), purpose, False)
        self.host.connect_remote(url, key, model_id)
        return True

    def wait_for_all(self) -> None:
        """Wait for a running memory check (at shutdown)."""
        self.jobs.wait_for_all()

    def _checked(self, settings: LoadSettings, check: LoadCheck) -> None:
        request = self._request
        assert request is not None
        if not check.fits:
            choice = self.confirm(check)
            if choice == "cancel":
                self._end_failed(f"Did not load {request.path.name}: not enough memory.")
                return
            if choice == "shorter":
                settings = replace(settings, n_ctx=check.fitting_context)
        self._start(settings)

    def _start(self, settings: LoadSettings) -> None:
        request = self._request
        assert request is not None
        if self.host.busy:  # an answer began while the file was being checked
            self._end_failed(BUSY)
            return
        self.host.load(request.path, settings, make_demo=request.make_demo)

    def _end_failed(self, message: str) -> None:
        request, self._request = self._request, None
        self.failed.emit(message, request.purpose if request else "chat")

    @Slot(object)
    def _on_loaded(self, model: LoadedModel) -> None:
        request, self._request = self._request, None
        self.loaded.emit(model, request.purpose if request else "chat")

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        self._end_failed(message)
