"""Share the data set: choose the exports, scrub private details (with a preview), read the
card, then save it as a folder or upload it to the Hugging Face Hub (private by default)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.dataset_card import PreparedDataset
from llamadesk.core.hub_push import PushResult
from llamadesk.core.preferences import ExportFormat
from llamadesk.services.share import ShareService
from llamadesk.ui import widgets
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

KINDS: dict[ExportFormat, str] = {
    "trl": QT_TRANSLATE_NOOP("ShareDialog", "Preference pairs (trl: DPO, reward models)"),
    "kto": QT_TRANSLATE_NOOP("ShareDialog", "Rated answers (kto)"),
    "arena": QT_TRANSLATE_NOOP("ShareDialog", "Arena battles (arena)"),
}
# Licences the Hub knows by these ids; "other" says: see the card.
LICENSES = ("other", "cc-by-4.0", "cc-by-sa-4.0", "cc0-1.0", "odc-by", "mit", "apache-2.0")
TOKEN_PAGE = "https://huggingface.co/settings/tokens"


class ShareDialog(QDialog):
    """The share dialog over a ``ShareService``; it prepares a preview as soon as it opens."""

    def __init__(self, service: ShareService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("ShareDialog", "Share your data set"))
        self.setObjectName("shareDialog")
        self.resize(900, 640)
        self.service = service
        self.prepared: PreparedDataset | None = None
        self._folder = Path.home()
        self._pending = 0  # jobs asked for and not yet answered
        self._build()
        service.prepared.connect(self._on_prepared)
        service.saved.connect(self._on_saved)
        service.pushed.connect(self._on_pushed)
        service.logged_in.connect(self._on_logged_in)
        service.failed.connect(self._on_failed)
        self._start(translate("ShareDialog", "Checking your Hugging Face login…"))
        self._checking = True  # a missing login is no error until the user shares
        service.check_login()
        self.refresh()

    # Assembly ------------------------------------------------------------------------

    def _build(self) -> None:
        self.kinds = {
            kind: QCheckBox(translate("ShareDialog", text)) for kind, text in KINDS.items()
        }
        for box in self.kinds.values():
            box.setChecked(True)
            box.toggled.connect(self.refresh)
        self.scrub = QCheckBox(
            translate(
                "ShareDialog",
                "Replace emails, phone numbers, paths with user names and API keys (preview below)",
            )
        )
        self.scrub.setChecked(True)
        self.scrub.toggled.connect(self.refresh)
        self.license = QComboBox()
        self.license.addItems(LICENSES)
        self.license.currentTextChanged.connect(self.refresh)
        self.card = QPlainTextEdit()
        self.card.setObjectName("cardPreview")
        self.card.setReadOnly(True)
        self.card.setPlaceholderText(
            translate("ShareDialog", "Choose at least one file to see its card.")
        )
        self.findings = QListWidget()
        self.findings.setObjectName("scrubPreview")
        self.repo = QLineEdit()
        self.repo.setPlaceholderText(translate("ShareDialog", "yourname/my-ratings"))
        self.private = QCheckBox(translate("ShareDialog", "Private (only you can see it)"))
        self.private.setChecked(True)
        self.login_label = QLabel("")
        self.login_button = QPushButton(translate("ShareDialog", "Log in…"))
        self.login_button.clicked.connect(self.ask_login)
        self.banner = widgets.Banner()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the upload gives no byte counts for small files
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(6)
        self.status = QLabel("")
        self.status.setObjectName("pageText")
        self.save_button = QPushButton(translate("ShareDialog", "Save folder…"))
        self.save_button.clicked.connect(self.ask_save)
        self.share_button = QPushButton(translate("ShareDialog", "Share on Hugging Face"))
        self.share_button.setDefault(True)
        self.share_button.clicked.connect(self.share)
        close = QPushButton(translate("ShareDialog", "Close"))
        close.clicked.connect(self.reject)

        options = QFormLayout()
        exports = QVBoxLayout()
        for box in self.kinds.values():
            exports.addWidget(box)
        options.addRow(translate("ShareDialog", "Files:"), exports)
        options.addRow(translate("ShareDialog", "Privacy:"), self.scrub)
        options.addRow(translate("ShareDialog", "Licence:"), self.license)
        login = QHBoxLayout()
        login.addWidget(self.login_label, 1)
        login.addWidget(self.login_button)
        options.addRow(translate("ShareDialog", "Repository:"), self.repo)
        options.addRow("", self.private)
        options.addRow(translate("ShareDialog", "Account:"), login)

        previews = QSplitter(Qt.Orientation.Horizontal)
        previews.addWidget(
            _titled(translate("ShareDialog", "Data set card (README.md)"), self.card)
        )
        previews.addWidget(
            _titled(translate("ShareDialog", "What the scrub replaces"), self.findings)
        )
        previews.setStretchFactor(0, 3)
        previews.setStretchFactor(1, 2)

        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.share_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(options)
        layout.addWidget(self.banner)
        layout.addWidget(previews, 1)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

    # Preparing -----------------------------------------------------------------------

    def chosen_kinds(self) -> list[ExportFormat]:
        return [kind for kind, box in self.kinds.items() if box.isChecked()]

    @Slot()
    def refresh(self) -> None:
        """Prepare the rows and the card again for the options as they are now."""
        self.prepared = None
        kinds = self.chosen_kinds()
        if not kinds:
            self.card.setPlainText("")
            self._update_buttons()
            return
        self._start(translate("ShareDialog", "Preparing the data set…"))
        scrub, license = self.scrub.isChecked(), self.license.currentText()
        self.service.prepare(kinds, scrub=scrub, license=license)

    @Slot(object)
    def _on_prepared(self, prepared: PreparedDataset) -> None:
        self._finish("")
        if list(prepared.requested) != self.chosen_kinds():
            return  # options changed since: a newer preparation is on its way
        self.prepared = prepared
        self.card.setPlainText(prepared.card)
        self.findings.clear()
        if prepared.scrub is None:
            self.findings.addItem(
                translate("ShareDialog", "The scrub is off: the text is exported as written.")
            )
        elif not prepared.scrub.findings:
            self.findings.addItem(translate("ShareDialog", "Nothing found to replace."))
        for finding, times in prepared.scrub.distinct() if prepared.scrub else ():
            repeated = f" (×{times})" if times > 1 else ""
            self.findings.addItem(
                f"{finding.kind}: {finding.found} → {finding.replacement}{repeated}"
            )
        counts = ", ".join(f"{count} {kind}" for kind, count in prepared.counts.items())
        left_out = [kind for kind in prepared.requested if kind not in prepared.rows]
        if left_out:
            left = translate("ShareDialog", "{kinds}: no rows, left out")
            counts += f" ({left.format(kinds=', '.join(left_out))})"
        if any(prepared.rows.values()):
            self.status.setText(translate("ShareDialog", "Rows: {counts}.").format(counts=counts))
        else:
            self.status.setText(
                translate(
                    "ShareDialog",
                    "Nothing to share yet: rate some answers first (Good or Bad, a best "
                    "answer, or a vote in Compare).",
                )
            )
        self._update_buttons()

    # Saving and sharing ----------------------------------------------------------------

    @Slot()
    def ask_save(self) -> None:
        if self.prepared is None:
            return
        name = QFileDialog.getExistingDirectory(
            self, translate("ShareDialog", "Save the data set in"), str(self._folder)
        )
        if not name:
            return
        self._folder = Path(name)
        self._start(translate("ShareDialog", "Saving to {folder}…").format(folder=name))
        self.service.save(self.prepared, Path(name))

    @Slot(object)
    def _on_saved(self, paths: list[Path]) -> None:
        names = ", ".join(path.name for path in paths)
        self._finish("")
        saved = translate("ShareDialog", "Saved {names} in {folder}.")
        self.banner.show_message(saved.format(names=names, folder=paths[0].parent), "success")

    @Slot()
    def share(self) -> None:
        if self.prepared is None:
            return
        repo = self.repo.text().strip()
        if not repo:
            self.banner.show_message(
                translate("ShareDialog", "Name the repository: yourname/my-ratings."), "warning"
            )
            self.repo.setFocus()
            return
        self._start(translate("ShareDialog", "Uploading to {repo}…").format(repo=repo))
        self.service.push(self.prepared, repo, private=self.private.isChecked())

    @Slot(object)
    def _on_pushed(self, result: PushResult) -> None:
        self._finish("")
        shared = (
            translate("ShareDialog", "Shared as {repo} (private): {url}")
            if result.private
            else translate("ShareDialog", "Shared as {repo} (public): {url}")
        )
        self.banner.show_message(shared.format(repo=result.repo_id, url=result.url), "success")

    # Login ---------------------------------------------------------------------------

    @Slot()
    def ask_login(self) -> None:
        token, ok = QInputDialog.getText(
            self,
            translate("ShareDialog", "Log in to Hugging Face"),
            translate(
                "ShareDialog", "Paste an access token with write access (from {page}):"
            ).format(page=TOKEN_PAGE),
            QLineEdit.EchoMode.Password,
        )
        if ok and token.strip():
            self._start(translate("ShareDialog", "Logging in…"))
            self.service.log_in(token)

    @Slot(object)
    def _on_logged_in(self, name: str) -> None:
        self.login_label.setText(
            translate("ShareDialog", "Logged in to Hugging Face as {name}").format(name=name)
        )
        self.login_button.setText(translate("ShareDialog", "Log in as someone else…"))
        if not self.repo.text():
            self.repo.setText(f"{name}/llamadesk-ratings")
        self._checking = False
        self._finish("")

    @Slot(str, str)
    def _on_failed(self, reason: str, message: str) -> None:
        self._finish("")
        checking, self._checking = self._checking, False
        if checking and reason != "login":  # offline, most likely: saving still works
            self.login_label.setText(
                translate("ShareDialog", "Could not check the Hugging Face login. {error}").format(
                    error=message
                )
            )
            return
        if reason == "login":
            # Not logged in (or the token was refused): offer the login right here.
            self.login_label.setText(translate("ShareDialog", "Not logged in to Hugging Face"))
            self.login_button.setText(translate("ShareDialog", "Log in…"))
            self.login_button.setFocus()
            if not checking:
                hint = translate("ShareDialog", "{error} Use “Log in…” to share.")
                self.banner.show_message(hint.format(error=message), "warning")
            return
        self.banner.show_message(message, "error")

    def _start(self, text: str) -> None:
        self._pending += 1
        self.progress.setVisible(True)
        self.status.setText(text)
        self._update_buttons()

    def _finish(self, text: str) -> None:
        self._pending -= 1
        self.progress.setVisible(self._pending > 0)
        self.status.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        prepared = self.prepared
        ready = prepared is not None and self._pending == 0 and any(prepared.rows.values())
        self.save_button.setEnabled(ready)
        self.share_button.setEnabled(ready)


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(title)
    label.setObjectName("sectionTitle")
    layout.addWidget(label)
    layout.addWidget(widget, 1)
    return box
