"""Compare two answers side by side and vote, as in Chatbot Arena."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from llamadesk.core.engine import SamplingParams
from llamadesk.core.options import SEED, TEMPERATURE
from llamadesk.core.ratings import Strength, Winner
from llamadesk.core.remote import remote_info
from llamadesk.core.store import Message
from llamadesk.services.compare import SIDES, CompareSession, Contender
from llamadesk.ui.chat_view import MessageBubble, describe_stats
from llamadesk.ui.model_picker import REMOTE, RemoteModel, display_name
from llamadesk.ui.option_widgets import editor_value, make_editor
from llamadesk.ui.translations import QT_TRANSLATE_NOOP, translate

VOTES: tuple[tuple[str, Winner], ...] = (
    (QT_TRANSLATE_NOOP("VoteBar", "A is better"), "model_a"),
    (QT_TRANSLATE_NOOP("VoteBar", "B is better"), "model_b"),
    (QT_TRANSLATE_NOOP("VoteBar", "Tie"), "tie"),
    (QT_TRANSLATE_NOOP("VoteBar", "Both are bad"), "tie (bothbad)"),
)
STRENGTHS: tuple[tuple[str, Strength], ...] = (
    (QT_TRANSLATE_NOOP("VoteBar", "(how much?)"), ""),
    (QT_TRANSLATE_NOOP("VoteBar", "slightly better"), "slightly"),
    (QT_TRANSLATE_NOOP("VoteBar", "much better"), "much"),
)


class VoteBar(QWidget):
    """The vote under two answers: A, B, tie or both bad, and how much better.

    Signals:
        voted(str, str): the winner and its strength ("" for a tie, both bad, or unsaid).
    """

    voted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[Winner, QPushButton] = {}
        self.strength = QComboBox()
        for label, value in STRENGTHS:
            self.strength.addItem(translate("VoteBar", label), value)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        for label, winner in VOTES:
            button = QPushButton(translate("VoteBar", label))
            button.setObjectName("pill")
            button.setCheckable(True)
            button.clicked.connect(lambda _checked, w=winner: self._vote(w))
            self.buttons[winner] = button
            row.addWidget(button)
        row.addWidget(self.strength)
        row.addStretch(1)

    def _vote(self, winner: Winner) -> None:
        strength: Strength = self.strength.currentData() if winner in ("model_a", "model_b") else ""
        self.voted.emit(winner, strength)

    def show_vote(self, winner: Winner) -> None:
        """Mark `winner` as the stored vote."""
        for name, button in self.buttons.items():
            button.setChecked(name == winner)

    def set_voting(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)
        self.strength.setEnabled(enabled)


def answer_panes(author: str) -> dict[str, MessageBubble]:
    """One answer pane a side, titled ``author`` (a translated "Answer {side}")."""
    return {side: MessageBubble("assistant", author.format(side=side)) for side in SIDES}


def clear_answers(panes: dict[str, MessageBubble], vote_bar: VoteBar, author: str) -> None:
    """Empty both answer panes, each titled ``author`` (a translated "Answer {side}"), and
    take back the vote shown: a new pair of answers is on its way."""
    for side in SIDES:
        pane = panes[side]
        pane.author.setText(author.format(side=side))
        pane.set_footer("")
        pane.set_text("")
        pane.clear_reasoning()
    for button in vote_bar.buttons.values():
        button.setChecked(False)


class ContenderForm(QWidget):
    """Model, temperature and seed for one side."""

    def __init__(self, side: str, seed: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = QComboBox()
        # Narrow at least, wide when there is room: two sides of 220 px each kept the whole
        # window from being narrower than 1079 px (more than a 1366 px screen with a dock).
        self.model.setMinimumWidth(150)
        self.temperature = make_editor(TEMPERATURE, TEMPERATURE.default)
        self.seed = make_editor(SEED, seed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(f"<b>{side}</b>")
        layout.addWidget(title)
        layout.addWidget(self.model, 1)  # a model's long name gets the room there is
        for widget in (
            QLabel(translate("ContenderForm", "temp")),
            self.temperature,
            QLabel(translate("ContenderForm", "seed")),
            self.seed,
        ):
            layout.addWidget(widget)

    def set_models(
        self, paths: Sequence[Path], current: Path | None, remote: Sequence[RemoteModel] = ()
    ) -> None:
        # Item data are strings: QVariants holding Python objects do not compare equal.
        chosen = self.model.currentData() or str(current)
        self.model.clear()
        for path in paths:
            self.model.addItem(display_name(path), str(path))
        for url, model in remote:
            remote_name = translate("ContenderForm", "{model}  (remote)").format(model=model)
            self.model.addItem(remote_name, f"{REMOTE}{url}\n{model}")
        self.model.setCurrentIndex(max(self.model.findData(chosen), 0))

    def select(self, path: Path) -> None:
        self.model.setCurrentIndex(self.model.findData(str(path)))

    def contender(self, max_tokens: int) -> Contender | None:
        data = self.model.currentData()
        if not data:
            return None
        temperature = editor_value(TEMPERATURE, self.temperature)
        params = SamplingParams(
            temperature=temperature, seed=editor_value(SEED, self.seed), max_tokens=max_tokens
        )
        if data.startswith(REMOTE):
            url, model = data.removeprefix(REMOTE).split("\n", 1)
            label = f"{model} (remote at {url}) @ temp {temperature}"  # exports name the server
            return Contender(remote_info(model).path, params, label, remote=(url, model))
        path = Path(data)
        return Contender(path, params, f"{path.stem} @ temp {temperature}")


class CompareView(QWidget):
    """Prompt, two contenders, two answer panes and the vote buttons."""

    def __init__(self, session: CompareSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.session = session
        self.max_tokens = 512
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText(
            translate("CompareView", "One prompt; two answers; you pick the better one.")
        )
        self.prompt.setFixedHeight(70)
        self.forms = {"A": ContenderForm("A", 1), "B": ContenderForm("B", 2)}
        self.blind = QCheckBox(
            translate("CompareView", "Blind: hide which model wrote which until I vote")
        )
        self.blind.setChecked(True)
        self.run_button = QPushButton(translate("CompareView", "Write both answers"))
        self.run_button.setObjectName("primaryButton")
        self.run_button.clicked.connect(self._run)
        self.status = QLabel("")
        self.status.setObjectName("bubbleFooter")
        self.panes = answer_panes(translate("CompareView", "Answer {side}"))
        self.vote_bar = VoteBar()
        self.vote_bar.voted.connect(self._vote)
        self.vote_buttons = self.vote_bar.buttons
        self.strength = self.vote_bar.strength
        self._layout_parts()
        session.text.connect(lambda side, text: self.panes[side].append(text))
        session.reasoning.connect(lambda side, text: self.panes[side].append_reasoning(text))
        session.answer_saved.connect(self._on_answer_saved)
        session.status.connect(self.status.setText)
        session.failed.connect(self._on_failed)
        session.ready.connect(self._on_ready)
        session.running_changed.connect(self._on_running_changed)
        self._set_voting(False)

    def _layout_parts(self) -> None:
        setup = QGridLayout()
        setup.addWidget(self.prompt, 0, 0, 1, 2)
        setup.addWidget(self.forms["A"], 1, 0)
        setup.addWidget(self.forms["B"], 1, 1)
        actions = QHBoxLayout()
        actions.addWidget(self.blind)
        actions.addStretch(1)
        actions.addWidget(self.status)
        actions.addWidget(self.run_button)
        panes = QHBoxLayout()
        panes.setSpacing(12)
        for side in SIDES:
            panes.addWidget(self.panes[side], 1, Qt.AlignmentFlag.AlignTop)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addLayout(setup)
        layout.addLayout(actions)
        layout.addWidget(rule)
        layout.addLayout(panes)
        layout.addWidget(self.vote_bar)  # right under the answers it judges
        layout.addStretch(1)

    def set_models(
        self, paths: Sequence[Path], current: Path | None, remote: Sequence[RemoteModel] = ()
    ) -> None:
        for form in self.forms.values():
            form.set_models(paths, current, remote)

    def _run(self) -> None:
        a = self.forms["A"].contender(self.max_tokens)
        b = self.forms["B"].contender(self.max_tokens)
        if a is None or b is None:
            self.status.setText(
                translate("CompareView", "Put a model in the models folder or open one first.")
            )
            return
        clear_answers(self.panes, self.vote_bar, translate("CompareView", "Answer {side}"))
        self.session.start(self.prompt.toPlainText(), a, b, blind=self.blind.isChecked())

    def _on_answer_saved(self, side: str, message: Message) -> None:
        pane = self.panes[side]
        pane.set_footer(describe_stats(message.answer_stats, message.stop_reason))
        pane.show_stored_reasoning(message)
        # Rendered whole: its last paragraph streamed in as plain text (and reasoning may
        # have turned out to be the answer).
        pane.set_text(message.content)
        if not self.session.blind:
            self._reveal(side)

    def _on_ready(self) -> None:
        self.status.setText(translate("CompareView", "Both answers are in: which is better?"))
        self._set_voting(True)

    def _on_failed(self, message: str) -> None:
        self.status.setText(message)

    def _on_running_changed(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        if running:
            self._set_voting(False)

    def _vote(self, winner: Winner, strength: Strength) -> None:
        if self.session.vote(winner, strength) is None:
            return  # `failed` said why
        self.vote_bar.show_vote(winner)
        for side in SIDES:
            self._reveal(side)
        self.status.setText(
            translate("CompareView", "Vote saved. Change it, or write a new prompt.")
        )

    def _reveal(self, side: str) -> None:
        name = translate("CompareView", "Answer {side}: {model}")
        self.panes[side].author.setText(name.format(side=side, model=self.session.label(side)))

    def _set_voting(self, enabled: bool) -> None:
        self.vote_bar.set_voting(enabled)
