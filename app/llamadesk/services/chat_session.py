"""The chat as the window sees it: conversations, the answer being written, and storage.

Everything the user says or the model answers is written to the store the moment it exists;
the window only displays what this service reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.engine import ChatMessage, EngineError, SamplingParams
from llamadesk.core.known_thread import KnownThread
from llamadesk.core.settings import sampling_for
from llamadesk.core.store import Conversation, Message, NotFound, Store, StoreError
from llamadesk.services.model_host import AnswerResult, ModelHost

NOT_SENT = "Your message was not sent; it is still in the box."
NOT_SAVED = (
    "The answer could not be saved; it stays on screen, where you can save it again or copy it."
)


@dataclass(frozen=True)
class PendingAnswer:
    """The answer being written: which request, conversation and prompt it belongs to."""

    request_id: int
    conversation_id: int
    prompt_id: int


@dataclass(frozen=True)
class UnsavedAnswer:
    """A finished answer the store refused (disk full, locked...): kept to save again."""

    conversation_id: int
    prompt_id: int
    result: AnswerResult


class ChatSession(QObject):
    """Conversations plus the model host, persisted in a `Store`.

    Signals:
        conversations_changed(): the list of conversations (titles, order) changed.
        thread_changed(int): the visible messages of that conversation changed.
        answer_started(int, int): conversation id and prompt id of a new streaming answer.
        answer_text(int, str): conversation id and new text of the streaming answer.
        answer_reasoning(int, str): conversation id and new reasoning of the streaming answer.
        answer_saved(object): the `Message` just stored for a finished or stopped answer.
        generating_changed(bool): an answer started or ended.
        error(str): something the user should read.

    An answer that cannot be stored stays as `unsaved` (shown, with "save again") until
    `save_again` stores it; nothing new is sent before it is.
    """

    conversations_changed = Signal()
    thread_changed = Signal(int)
    answer_started = Signal(int, int)
    answer_text = Signal(int, str)
    answer_reasoning = Signal(int, str)
    answer_saved = Signal(object)
    generating_changed = Signal(bool)
    error = Signal(str)

    def __init__(self, store: Store, host: ModelHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.host = host
        # The open conversation's thread: read once, then extended by what is sent and
        # answered here (read again if anything else changed the store).
        self._thread = KnownThread(store)
        # The loaded model's defaults; a conversation's own overrides apply on top.
        self.params = SamplingParams()
        self.default_system_prompt = ""
        # The loaded model's thinking setting, one of its thinking_choices ("": its default).
        self.thinking = ""
        self._pending: PendingAnswer | None = None
        self._partial: list[str] = []
        self._partial_reasoning: list[str] = []
        self._unsaved: UnsavedAnswer | None = None
        host.pieces.connect(self._on_pieces)
        host.reasoning.connect(self._on_reasoning)
        host.answered.connect(self._on_answered)

    @property
    def generating(self) -> bool:
        return self._pending is not None

    @property
    def pending(self) -> PendingAnswer | None:
        return self._pending

    @property
    def unsaved(self) -> UnsavedAnswer | None:
        return self._unsaved

    @property
    def partial_text(self) -> str:
        """What the answer being written says so far."""
        return "".join(self._partial)

    @property
    def partial_reasoning(self) -> str:
        """What the reasoning of the answer being written says so far."""
        return "".join(self._partial_reasoning)

    # Conversations -------------------------------------------------------------------

    def conversations(self, search: str = "") -> list[Conversation]:
        return self.store.list_conversations(search)

    def new_conversation(self) -> Conversation | None:
        """A new empty chat, or None (and an error) if the store refused it."""
        try:
            conversation = self.store.create_conversation()
        except StoreError as exc:
            self.error.emit(str(exc))
            return None
        self.conversations_changed.emit()
        return conversation

    def rename(self, conversation_id: int, title: str) -> None:
        try:
            self.store.rename_conversation(conversation_id, title)
        except (ValueError, StoreError) as exc:
            self.error.emit(str(exc))
            return
        self.conversations_changed.emit()

    def delete(self, conversation_id: int) -> None:
        if self._pending and self._pending.conversation_id == conversation_id:
            self.host.stop()
        try:
            self.store.delete_conversation(conversation_id)
        except StoreError as exc:
            self.error.emit(f"The chat was not deleted. {exc}")
            return
        if self._unsaved and self._unsaved.conversation_id == conversation_id:
            self._unsaved = None
        self.conversations_changed.emit()

    def messages_of(self, conversation_id: int) -> list[Message]:
        """The conversation's messages shown, in order (named so as not to hide QObject.thread)."""
        return self._thread.thread(conversation_id)

    def show_sibling(self, answer_id: int, step: int) -> None:
        """Show the answer `step` places before or after this one among its siblings."""
        answer = self.store.message(answer_id)
        assert answer.parent_id is not None
        siblings = [m.id for m in self.store.siblings(answer.parent_id)]
        position = siblings.index(answer_id) + step
        if 0 <= position < len(siblings):
            try:
                self.store.select_answer(siblings[position])
            except StoreError as exc:
                self.error.emit(str(exc))
                return
            self.thread_changed.emit(answer.conversation_id)

    # Answers -------------------------------------------------------------------------

    def send(self, conversation_id: int, text: str) -> Message | None:
        """Store the user's message and start the model's answer to it.

        Returns the stored message; None if nothing was stored, and then the text must stay
        where the user wrote it.
        """
        if not text.strip():
            return None
        params = self._params_for(conversation_id)
        if params is None:
            return None
        try:
            message = self._thread.store_message(
                lambda: self.store.add_user_message(conversation_id, text)
            )
        except StoreError as exc:
            self.error.emit(f"{NOT_SENT} {exc}")
            return None
        # The model starts first, so that the window's redraws for these signals overlap
        # its first token instead of delaying it.
        try:
            self._start_answer(conversation_id, message.id, params)
        except StoreError as exc:
            self.error.emit(str(exc))
        self.conversations_changed.emit()
        self.thread_changed.emit(conversation_id)
        return message

    def regenerate(self, conversation_id: int) -> None:
        """Write another answer to the last prompt; earlier answers stay as its siblings."""
        prompts = [m for m in self.messages_of(conversation_id) if m.role == "user"]
        params = self._params_for(conversation_id) if prompts else None
        if params is not None:
            self._start_answer(conversation_id, prompts[-1].id, params)

    def stop(self) -> None:
        self.host.stop()

    def save_again(self) -> None:
        """Try again to store the answer the store refused."""
        if self._unsaved is not None:
            conversation_id = self._unsaved.conversation_id
            self._save_answer(self._unsaved)
            self.thread_changed.emit(conversation_id)

    def can_answer(self) -> bool:
        """Whether an answer can start now; if not, `error` says why."""
        # An unsaved answer goes first: the next prompt's history needs it.
        if self._unsaved is not None:
            self._save_answer(self._unsaved)
            if self._unsaved is not None:
                return False
        if self.host.model is None:
            self.error.emit("Load a model first: pick one from the model menu.")
            return False
        if self.host.busy:
            self.error.emit("The model is busy (loading, or writing a comparison): wait a moment.")
            return False
        return True

    def _params_for(self, conversation_id: int) -> SamplingParams | None:
        """The sampling settings for an answer in that conversation, checked before anything
        is stored or sent to the model thread; None (with `error`) if none can be written."""
        if not self.can_answer():
            return None
        params = sampling_for(self.params, self.store.conversation(conversation_id).sampling)
        try:
            params.validate()
        except EngineError as exc:
            self.error.emit(f"{exc} Change it in Settings.")
            return None
        return params

    def _start_answer(self, conversation_id: int, prompt_id: int, params: SamplingParams) -> None:
        conversation = self.store.conversation(conversation_id)
        history = self._history(conversation, prompt_id)
        request_id = self.host.generate(history, params, self.thinking)
        self._pending = PendingAnswer(request_id, conversation_id, prompt_id)
        self._partial = []
        self._partial_reasoning = []
        self.generating_changed.emit(True)
        self.answer_started.emit(conversation_id, prompt_id)

    def _history(self, conversation: Conversation, prompt_id: int) -> list[ChatMessage]:
        history: list[ChatMessage] = []
        system = conversation.system_prompt.strip() or self.default_system_prompt.strip()
        if system:
            history.append(ChatMessage("system", system))
        for message in self.messages_of(conversation.id):
            if message.role == "assistant" and message.stop_reason == "error":
                continue
            # The final answer only: the reasoning stays out of later prompts.
            history.append(ChatMessage(message.role, message.content))
            if message.id == prompt_id:
                break
        return history

    @Slot(int, str)
    def _on_pieces(self, request_id: int, text: str) -> None:
        if self._pending and self._pending.request_id == request_id:
            self._partial.append(text)
            self.answer_text.emit(self._pending.conversation_id, text)

    @Slot(int, str)
    def _on_reasoning(self, request_id: int, text: str) -> None:
        if self._pending and self._pending.request_id == request_id:
            self._partial_reasoning.append(text)
            self.answer_reasoning.emit(self._pending.conversation_id, text)

    @Slot(object)
    def _on_answered(self, result: AnswerResult) -> None:
        pending = self._pending
        if pending is None or pending.request_id != result.request_id:
            return
        self._pending = None
        self._partial = []
        self._partial_reasoning = []
        try:
            if result.stats.error:
                self.error.emit(result.stats.error)
            if result.text or result.reasoning or not result.stats.error:
                self._save_answer(UnsavedAnswer(pending.conversation_id, pending.prompt_id, result))
        finally:
            # Whatever happened to the answer, the chat is free again.
            self.generating_changed.emit(False)
            self.thread_changed.emit(pending.conversation_id)
            self.conversations_changed.emit()

    def _save_answer(self, answer: UnsavedAnswer) -> None:
        try:
            saved = self._thread.store_message(
                lambda: store_answer(
                    self.store, answer.conversation_id, answer.prompt_id, answer.result
                )
            )
        except NotFound:  # the conversation was deleted while its answer streamed
            self._unsaved = None
            return
        except StoreError as exc:
            self._unsaved = answer
            self.error.emit(f"{NOT_SAVED} {exc}")
            return
        self._unsaved = None
        self.answer_saved.emit(saved)


def store_answer(
    store: Store, conversation_id: int, prompt_id: int, result: AnswerResult
) -> Message:
    """Store a finished (or stopped) answer to `prompt_id` with everything known about it."""
    stats = result.stats
    return store.add_answer(
        conversation_id,
        prompt_id,
        result.text,
        model=result.model_file,
        params=params_record(result),
        seed=stats.seed,
        stats=stats,
        stop_reason=stats.stop_reason,
        reasoning=result.reasoning,
    )


def params_record(result: AnswerResult) -> dict[str, object]:
    """The sampling settings stored with an answer, and the server of a remote model (so
    exports, which carry the settings, name it)."""
    params: dict[str, object] = result.params.as_dict()
    if result.stats.server:
        params["server"] = result.stats.server
    return params
