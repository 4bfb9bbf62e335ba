"""Arena-style comparisons: one prompt, two answers (two models, or one model with two
settings), then a vote.

On a CPU the two answers are written one after the other on the one model thread; a second
model is loaded in between when the contenders differ, through the same `ModelLoader` as the
chat's (its own settings, the memory check, the user's confirmation). Both answers are stored
the moment they finish, as siblings in a hidden "compare" conversation, and the vote the
moment it is given, so quitting mid-comparison loses nothing already done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from llamadesk.core.engine import ChatMessage, EngineError, SamplingParams
from llamadesk.core.ratings import Comparison, Strength, Winner
from llamadesk.core.store import Message, Store, StoreError
from llamadesk.services.chat_session import store_answer
from llamadesk.services.model_host import AnswerResult, LoadedModel, ModelHost
from llamadesk.services.model_loader import ModelLoader
from llamadesk.services.ratings import RatingsService

SIDES = ("A", "B")


@dataclass(frozen=True)
class Contender:
    """Who writes one side's answer: a model file and how it samples."""

    model: Path
    params: SamplingParams
    label: str  # the name the vote and the leaderboard use
    # A model on a server: its base URL and id (`model` is then `remote_info(id).path`).
    remote: tuple[str, str] | None = None


class CompareSession(QObject):
    """Runs one comparison at a time.

    Signals:
        status(str): what is happening, for the user.
        text(str, str): side ("A" or "B") and new text of its answer.
        reasoning(str, str): side and new reasoning of its answer (reasoning models).
        answer_saved(str, object): side and the stored `Message`.
        ready(): both answers are stored; a vote can be given.
        failed(str): the comparison stopped; the message says why.
        running_changed(bool): a comparison started or ended.
    """

    status = Signal(str)
    text = Signal(str, str)
    reasoning = Signal(str, str)
    answer_saved = Signal(str, object)
    ready = Signal()
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(
        self,
        store: Store,
        host: ModelHost,
        ratings: RatingsService,
        loader: ModelLoader,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.host = host
        self.ratings = ratings
        self.loader = loader
        self._contenders: dict[str, Contender] = {}
        self._answers: dict[str, Message] = {}
        self._queue: list[str] = []
        self._side: str | None = None
        self._request = 0
        self._prompt: Message | None = None
        self._history: list[ChatMessage] = []
        self.blind = False
        # The API key of a server the user added, by its URL (the window sets it).
        self.remote_key: Callable[[str], str] = lambda _url: ""
        loader.loaded.connect(self._on_loaded)
        loader.failed.connect(self._on_load_failed)
        host.pieces.connect(self._on_pieces)
        host.reasoning.connect(self._on_reasoning)
        host.answered.connect(self._on_answered)

    @property
    def running(self) -> bool:
        return self._side is not None

    @property
    def answers(self) -> dict[str, Message]:
        return dict(self._answers)

    def start(
        self, prompt: str, a: Contender, b: Contender, *, system: str = "", blind: bool = False
    ) -> bool:
        """Begin a comparison; False (with `failed`) when it cannot start now."""
        if not prompt.strip():
            self.failed.emit("Write a prompt for the two answers first.")
            return False
        if self.running or self.loader.busy:
            self.failed.emit("The model is busy: wait for the current answer, or stop it.")
            return False
        try:
            a.params.validate()
            b.params.validate()
        except EngineError as exc:
            self.failed.emit(str(exc))
            return False
        try:
            conversation = self.store.create_conversation(
                title=prompt, system_prompt=system, kind="compare"
            )
            self._prompt = self.store.add_user_message(conversation.id, prompt)
        except StoreError as exc:
            self.failed.emit(f"The comparison did not start. {exc}")
            return False
        self._history = [ChatMessage("system", system)] if system.strip() else []
        self._history.append(ChatMessage("user", prompt))
        self._contenders = {"A": a, "B": b}
        self._answers = {}
        self._queue = list(SIDES)
        self.blind = blind
        self.running_changed.emit(True)
        self._next()
        return True

    def stop(self) -> None:
        """Stop the answer being written; the comparison ends without a vote."""
        if self.running:
            self._queue = []
            self.host.stop()

    def vote(self, winner: Winner, strength: Strength = "") -> Comparison | None:
        """Record (or change) the vote on the finished comparison; None (and `failed`) if
        the store refused it."""
        a, b = self._answers["A"], self._answers["B"]
        try:
            return self.ratings.vote(
                a.id,
                b.id,
                winner,
                strength=strength,
                blind=self.blind,
                model_a=self._contenders["A"].label,
                model_b=self._contenders["B"].label,
            )
        except StoreError as exc:
            self.failed.emit(f"Your vote was not saved. {exc}")
            return None

    def label(self, side: str) -> str:
        return self._contenders[side].label

    def _next(self) -> None:
        if not self._queue:
            self._finish()
            if len(self._answers) == 2:
                self.ready.emit()
            return
        side = self._queue[0]
        self._side = side
        contender = self._contenders[side]
        loaded = self.host.model
        where = contender.remote[0] if contender.remote else ""
        if loaded is None or (loaded.info.path, loaded.server) != (contender.model, where):
            self.status.emit(f"Loading the model for answer {side}…")
            if contender.remote:  # a refusal comes back as `failed`
                url, model_id = contender.remote
                self.loader.connect_remote(url, self.remote_key(url), model_id, "compare")
            else:
                self.loader.load(contender.model, "compare")
        else:
            self._generate(side)

    def _generate(self, side: str) -> None:
        self.status.emit(f"Writing answer {side}…")
        self._request = self.host.generate(self._history, self._contenders[side].params)

    def _finish(self) -> None:
        self._side = None
        self.running_changed.emit(False)

    @Slot(object, str)
    def _on_loaded(self, model: LoadedModel, purpose: str) -> None:
        side = self._side
        if purpose == "compare" and side is not None:
            self._generate(side)

    @Slot(str, str)
    def _on_load_failed(self, message: str, purpose: str) -> None:
        if purpose == "compare" and self.running:
            self._queue = []
            self._finish()
            self.failed.emit(message)

    @Slot(int, str)
    def _on_pieces(self, request_id: int, text: str) -> None:
        if self._side is not None and request_id == self._request:
            self.text.emit(self._side, text)

    @Slot(int, str)
    def _on_reasoning(self, request_id: int, text: str) -> None:
        if self._side is not None and request_id == self._request:
            self.reasoning.emit(self._side, text)

    @Slot(object)
    def _on_answered(self, result: AnswerResult) -> None:
        side = self._side
        if side is None or result.request_id != self._request:
            return
        assert self._prompt is not None
        stats = result.stats
        if stats.error or stats.stop_reason == "stopped":
            self._queue = []
            self._finish()
            self.failed.emit(stats.error or "The comparison was stopped before both answers.")
            return
        try:
            answer = store_answer(self.store, self._prompt.conversation_id, self._prompt.id, result)
        except StoreError as exc:  # the answer stays on screen; the comparison ends
            self._queue = []
            self._finish()
            self.failed.emit(f"Answer {side} could not be saved, so there is no vote. {exc}")
            return
        self._answers[side] = answer
        self._queue.pop(0)
        self.answer_saved.emit(side, answer)
        self._next()
