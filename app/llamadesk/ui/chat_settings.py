"""The settings the chat answers with: the loaded model's sampling, system prompt and thinking
switch, and the settings dialog that changes them.

The chat session answers with what it was last given; this keeps that in step with the
settings service: on a load, and whenever the loaded model's settings change.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from llamadesk.core.backend import backend_info
from llamadesk.core.engine import SamplingParams
from llamadesk.core.settings import ModelDefaults, Settings
from llamadesk.core.store import StoreError
from llamadesk.services.chat_session import ChatSession
from llamadesk.services.model_host import LoadedModel
from llamadesk.services.settings_service import SettingsService
from llamadesk.ui.composer import Composer
from llamadesk.ui.settings_dialog import SettingsDialog
from llamadesk.ui.theme import theme_of
from llamadesk.ui.translations import translate
from llamadesk.ui.widgets import Banner


def _backend_text() -> str:
    # Asking llama.cpp means importing it: only once a model has done so (off this thread).
    if "llama_cpp" not in sys.modules:
        return translate("ChatSettings", "Load a model to see what this llama.cpp build can use.")
    return backend_info().describe()


class ChatSettings:
    """Applies the settings service's values to the chat session and the composer.

    Args:
        load_model: called to load the model again when its load settings changed.
    """

    def __init__(
        self,
        service: SettingsService,
        session: ChatSession,
        composer: Composer,
        banner: Banner,
        load_model: Callable[[Path], None],
    ) -> None:
        self.service = service
        self.session = session
        self.composer = composer
        self.banner = banner
        self.load_model = load_model
        # What was last given to the session, so a change elsewhere in the settings (the last
        # model, another model's) leaves values set on the session alone.
        self._applied: tuple[SamplingParams, str] | None = None
        composer.thinking_changed.connect(self._set_thinking)
        service.changed.connect(self._on_changed)

    @property
    def current(self) -> Settings:
        return self.service.current

    def save(self, settings: Settings) -> None:
        """Make `settings` current; the banner says so if they could not be saved."""
        problem = self.service.update(settings)
        if problem:
            self.banner.show_message(problem, "warning")

    def apply_model(self, model: LoadedModel) -> None:
        """The chat answers with `model` now: its own sampling settings apply."""
        defaults = self.current.for_model(model.info.path.name)
        self._give_session(defaults)
        self._show_thinking(model, defaults.thinking)

    def _on_changed(self, settings: Settings) -> None:
        model = self.session.host.model
        if model is None:
            return
        defaults = settings.for_model(model.info.path.name)
        if (defaults.sampling, defaults.system_prompt) != self._applied:
            self._give_session(defaults)

    def _give_session(self, defaults: ModelDefaults) -> None:
        self.session.params = defaults.sampling
        self.session.default_system_prompt = defaults.system_prompt
        self._applied = (defaults.sampling, defaults.system_prompt)

    def _show_thinking(self, model: LoadedModel, thinking: str) -> None:
        """Offer the model's thinking switch, set as last chosen for this model."""
        choice = thinking if thinking in model.thinking_choices else ""
        self.session.thinking = choice
        self.composer.set_thinking_choices(model.thinking_choices, choice)

    def _set_thinking(self, choice: str) -> None:
        """Remember the thinking choice for the loaded model; the next answer uses it."""
        model = self.session.host.model
        if model is None:
            return
        self.session.thinking = choice
        name = model.info.path.name
        chosen = replace(self.current.for_model(name), thinking=choice)
        self.save(self.current.with_model_defaults(name, chosen))

    def open_dialog(self, conversation_id: int | None, parent: QWidget) -> None:
        """The model's inference settings and the current chat's own, in one dialog."""
        model = self.session.host.model
        name = model.info.path.name if model else translate("ChatSettings", "all models")
        defaults = self.current.for_model(name) if model else self.current.defaults
        conversation = None
        if conversation_id is not None:
            chat = self.session.store.conversation(conversation_id)
            conversation = (chat.system_prompt, dict(chat.sampling))
        dialog = SettingsDialog(
            name,
            defaults,
            conversation,
            model.info if model else None,
            _backend_text(),
            parent,
            notes=self.current.notes,
            theme=self.current.theme,
        )
        app = QApplication.instance()
        assert isinstance(app, QApplication)  # a dialog needs one
        theme = theme_of(app)
        dialog.theme_chosen.connect(theme.set_choice)  # shown now, kept if saved
        if dialog.exec() != QDialog.DialogCode.Accepted:
            theme.set_choice(self.current.theme)
            return
        chosen = replace(dialog.model_defaults, thinking=defaults.thinking)  # not in the dialog
        # Saved from the dialog, the file holds only valid values: the notes are done.
        settings = self.current.with_changes(notes=(), theme=dialog.theme)
        if model:
            self.save(settings.with_model_defaults(name, chosen))
        else:
            self.save(settings.with_changes(defaults=chosen))
        if dialog.conversation is not None and conversation_id is not None:
            system, overrides = dialog.conversation
            try:
                self.session.store.set_system_prompt(conversation_id, system)
                self.session.store.set_conversation_sampling(conversation_id, overrides)
            except StoreError as exc:
                sentence = translate("ChatSettings", "This chat's settings were not saved. {error}")
                self.banner.show_message(sentence.format(error=exc))
        if model and chosen.load != defaults.load:
            self.banner.show_message(
                translate("ChatSettings", "Loading the model again with the new settings…"), "info"
            )
            self.load_model(model.info.path)
