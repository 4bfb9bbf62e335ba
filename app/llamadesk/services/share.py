"""Sharing the rated data set: prepare it (rows, card, scrub), save it as a folder, push it
to the Hugging Face Hub, and the Hugging Face login, all off the GUI thread.

Jobs run one at a time in the order asked for; each ends in its own signal or `failed`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal, SignalInstance, Slot

from llamadesk.core.dataset_card import PreparedDataset, prepare_dataset, write_dataset
from llamadesk.core.hub_push import (
    PushError,
    PushResult,
    check_repo_id,
    log_in,
    login_token,
    push_folder,
    who_am_i,
)
from llamadesk.core.model_files import library_lookup
from llamadesk.core.paths import AppPaths
from llamadesk.core.preferences import ExportFormat
from llamadesk.core.store import Store
from llamadesk.services.background import Job, SerialService
from llamadesk.services.chat_transfer import describe_failure


def _prepare(
    paths: AppPaths, kinds: Sequence[ExportFormat], scrub: bool, license: str, name: str
) -> PreparedDataset:
    with Store(paths.database) as store:
        return prepare_dataset(
            store,
            kinds,
            scrub=scrub,
            license=license,
            name=name,
            lookup=library_lookup(paths.models),
        )


def _push(prepared: PreparedDataset, repo_id: str, private: bool) -> PushResult:
    """Write the folder into a temporary place, push it, and remove it: a failed push leaves
    nothing behind on this computer."""
    check_repo_id(repo_id)  # before any writing
    with tempfile.TemporaryDirectory(prefix="llamadesk-push-") as temporary:
        write_dataset(prepared, Path(temporary))
        return push_folder(Path(temporary), repo_id, private=private)


def _who() -> str:
    token = login_token()
    if not token:
        raise PushError("login", "You are not logged in to Hugging Face.")
    return who_am_i(token)


class ShareService(SerialService):
    """Prepare, save and push the data set in the app's data folder.

    Signals:
        prepared(PreparedDataset): the rows, the card and the scrub's findings.
        saved(list): the paths written into a folder.
        pushed(PushResult): the data set is on the Hub.
        logged_in(str): the Hugging Face user the login belongs to.
        failed(str, str): what did not happen: a reason ("login", "denied", "not_found",
            "network", "invalid", "other") and a sentence for the user.
    """

    prepared = Signal(object)
    saved = Signal(object)
    pushed = Signal(object)
    logged_in = Signal(object)  # str; object, so the job's result connects to it as it is
    failed = Signal(str, str)

    def __init__(self, paths: AppPaths, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.paths = paths

    def prepare(
        self, kinds: Sequence[ExportFormat], *, scrub: bool, license: str, name: str = ""
    ) -> Job:
        job = self._runner.start(_prepare, self.paths, list(kinds), scrub, license, name)
        return self._wire(job, self.prepared, "Preparing the data set")

    def save(self, prepared: PreparedDataset, folder: Path) -> Job:
        job = self._runner.start(write_dataset, prepared, Path(folder))
        return self._wire(job, self.saved, "Saving the data set")

    def push(self, prepared: PreparedDataset, repo_id: str, *, private: bool) -> Job:
        job = self._runner.start(_push, prepared, repo_id, private)
        return self._wire(job, self.pushed, "Sharing on Hugging Face")

    def check_login(self) -> Job:
        """Who the standard login is; `failed` with reason "login" when there is none."""
        return self._wire(self._runner.start(_who), self.logged_in, "Checking the login")

    def log_in(self, token: str) -> Job:
        """Check ``token`` with the Hub and keep it as the standard login."""
        return self._wire(self._runner.start(log_in, token), self.logged_in, "Logging in")

    def _wire(self, job: Job, done: SignalInstance, doing: str) -> Job:
        # Signal to signal and a plain slot: no closure holds the service from its own jobs.
        job.finished.connect(done)
        job.failed.connect(self._on_failed)
        job.setObjectName(doing)  # what the failure message says was going on
        return job

    @Slot(object)
    def _on_failed(self, error: object) -> None:
        doing = self.sender().objectName()
        reason = error.reason if isinstance(error, PushError) else "other"
        self.failed.emit(reason, describe_failure(error, doing, (PushError,)))
