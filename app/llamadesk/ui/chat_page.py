"""The chat page: the conversation list beside the chat (or the welcome page), the banner
above it, and the wiring between them and the chat session.

It owns which conversation is open; the main window asks it to open, start or show one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from llamadesk.core.db import StoreError
from llamadesk.services.arena import AnswerRef
from llamadesk.services.chat_session import ChatSession
from llamadesk.services.ratings import RatingsService
from llamadesk.ui.chat_view import ChatView
from llamadesk.ui.composer import Composer
from llamadesk.ui.conversation_list import ConversationList
from llamadesk.ui.rating_dialogs import FeedbackDialog, RankDialog
from llamadesk.ui.translations import translate
from llamadesk.ui.welcome import WelcomeScreen
from llamadesk.ui.widgets import Banner

WELCOME_PAGE, CHAT_PAGE = 0, 1
# How long the window's work for a new answer waits for its first text (see _on_answer_started).
FIRST_TEXT_WAIT_MS = 100


class ChatPage(QSplitter):
    """Conversations on the left; the banner and the chat, or the welcome page, on the right.

    Signals:
        rescore_requested(AnswerRef): re-score this answer in the quant arena.
    """

    rescore_requested = Signal(object)

    def __init__(
        self, session: ChatSession, ratings: RatingsService, starter_available: bool
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.session = session
        self.ratings = ratings
        self.current_conversation: int | None = None
        # The welcome page stands in for the chat while no model is loaded, until the user
        # opens a conversation of their own or a model is on its way.
        self.welcome_wanted = True
        # An answer started and the window has not shown it yet (see _on_answer_started).
        self._behind = False
        self._catch_up_timer = QTimer(self)
        self._catch_up_timer.setSingleShot(True)
        self._catch_up_timer.setInterval(FIRST_TEXT_WAIT_MS)
        self._catch_up_timer.timeout.connect(self._catch_up)
        self._build(starter_available)
        self._connect()

    def _build(self, starter_available: bool) -> None:
        self.conversation_list = ConversationList()
        self.chat_view = ChatView()
        self.composer = Composer()
        self.banner = Banner()
        self.welcome = WelcomeScreen()
        self.welcome.set_starter_available(starter_available)
        chat_page = QWidget()
        chat_layout = QVBoxLayout(chat_page)
        chat_layout.setContentsMargins(0, 0, 0, 0)
        chat_layout.setSpacing(0)
        chat_layout.addWidget(self.chat_view, 1)
        chat_layout.addWidget(self.composer)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(chat_page)
        main = QWidget()
        main.setObjectName("mainArea")
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(0)
        main_layout.addWidget(self.banner)
        main_layout.addWidget(self.pages, 1)
        self.addWidget(self.conversation_list)
        self.addWidget(main)
        self.setStretchFactor(1, 1)
        self.setSizes([260, 920])
        self.setChildrenCollapsible(False)
        self.setObjectName("chatSplitter")  # the window remembers it by name

    def _connect(self) -> None:
        session = self.session
        self.composer.send_requested.connect(self._send)
        self.composer.stop_requested.connect(session.stop)
        self.chat_view.regenerate_requested.connect(self._regenerate)
        self.chat_view.save_again_requested.connect(session.save_again)
        self.chat_view.thumbs_requested.connect(self._give_thumbs)
        self.chat_view.feedback_requested.connect(self._ask_feedback)
        self.chat_view.sibling_requested.connect(session.show_sibling)
        self.chat_view.best_requested.connect(self.ratings.toggle_best)
        self.chat_view.rank_requested.connect(self._ask_ranking)
        self.chat_view.rescore_requested.connect(self._ask_rescore)
        self.ratings.changed.connect(self.show_thread)
        session.thread_changed.connect(self._on_thread_changed)
        self.conversation_list.selected.connect(self._choose_conversation)
        self.conversation_list.new_requested.connect(self._choose_new_conversation)
        self.conversation_list.rename_requested.connect(session.rename)
        self.conversation_list.delete_requested.connect(self._delete_conversation)
        self.conversation_list.search_changed.connect(lambda _text: self.refresh_conversations())
        session.conversations_changed.connect(self._on_conversations_changed)
        session.answer_started.connect(self._on_answer_started)
        session.answer_text.connect(self._on_answer_text)
        session.answer_reasoning.connect(self._on_answer_reasoning)
        session.generating_changed.connect(self._on_generating_changed)
        session.error.connect(self.banner.show_message)
        self.ratings.error.connect(self.banner.show_message)

    # Conversations -------------------------------------------------------------------

    def refresh_conversations(self, select_first: bool = False) -> None:
        conversations = self.session.conversations(self.conversation_list.search.text())
        if select_first and conversations and self.current_conversation is None:
            self._open_conversation(conversations[0].id)
        self.conversation_list.set_conversations(conversations, self.current_conversation)

    def _open_conversation(self, conversation_id: int) -> None:
        self.current_conversation = conversation_id
        self.show_thread(same_conversation=False)
        self.update_page()

    def _choose_conversation(self, conversation_id: int) -> None:
        self.welcome_wanted = False  # the user's own pick: show it, even with no model
        self._open_conversation(conversation_id)

    def _choose_new_conversation(self) -> None:
        self.welcome_wanted = False
        self.new_conversation()

    def new_conversation(self) -> None:
        conversation = self.session.new_conversation()
        if conversation is None:  # the banner says why
            return
        self._open_conversation(conversation.id)
        self.refresh_conversations()
        self.composer.editor.setFocus()

    def _delete_conversation(self, conversation_id: int) -> None:
        self.session.delete(conversation_id)
        if conversation_id == self.current_conversation:
            self.current_conversation = None
            self.chat_view.show_messages([])
            self.refresh_conversations(select_first=True)
        self.update_page()

    def show_thread(self, same_conversation: bool = True, ratings_changed: bool = True) -> None:
        """Show the open conversation; without `ratings_changed`, only the ratings of new
        answers are read (a message sent or answered changes no other)."""
        conversation = self.current_conversation
        messages = self.session.messages_of(conversation) if conversation is not None else []
        self.chat_view.show_messages(
            messages,
            self.ratings.shown,
            same_conversation=same_conversation,
            ratings_changed=ratings_changed,
        )
        pending = self.session.pending
        if pending is not None and pending.conversation_id == conversation:
            self.chat_view.begin_answer(self._model_label())
            if self.session.partial_reasoning:
                self.chat_view.append_reasoning(self.session.partial_reasoning)
            if self.session.partial_text:
                self.chat_view.append_answer(self.session.partial_text)
        unsaved = self.session.unsaved
        if unsaved is not None and unsaved.conversation_id == conversation:
            result = unsaved.result
            self.chat_view.show_unsaved(Path(result.model_file).stem, result.text)

    def _on_thread_changed(self, conversation_id: int) -> None:
        if conversation_id == self.current_conversation and not self.session.generating:
            self.show_thread(ratings_changed=False)

    def update_page(self) -> None:
        welcome = self.welcome_wanted and self.session.host.model is None
        self.pages.setCurrentIndex(WELCOME_PAGE if welcome else CHAT_PAGE)

    # Ratings -------------------------------------------------------------------------

    def _give_thumbs(self, answer_id: int, value: int) -> None:
        if self.ratings.toggle_thumbs(answer_id, value) is not None and value < 0:
            self._ask_feedback(answer_id, value)

    def _ask_feedback(self, answer_id: int, value: int) -> None:
        answer = self.session.store.message(answer_id)
        thumbs = self.ratings.ratings.thumbs(answer_id)
        dialog = FeedbackDialog(answer, value, thumbs, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            comment = dialog.comment.text().strip()
            self.ratings.give_feedback(
                answer_id, value, dialog.tags(), comment, dialog.better_answer()
            )

    def _ask_ranking(self, prompt_id: int) -> None:
        dialog = RankDialog(self.session.store.siblings(prompt_id), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.ratings.rank(dialog.order())

    def _ask_rescore(self, answer_id: int) -> None:
        store = self.session.store
        try:
            answer = store.message(answer_id)
            prompt = store.message(answer.parent_id).content if answer.parent_id else ""
        except StoreError as error:
            sentence = translate("ChatPage", "The answer could not be read for re-scoring: {error}")
            self.banner.show_message(sentence.format(error=error))
            return
        self.rescore_requested.emit(AnswerRef(answer.id, answer.model, prompt, answer.content))

    # Answers -------------------------------------------------------------------------

    def _send(self, text: str) -> None:
        if self.session.generating:  # the composer's Stop may not show yet (_catch_up)
            return
        if self.current_conversation is None:
            if not self.session.can_answer():  # no empty chat left behind; the banner says why
                return
            conversation = self.session.new_conversation()
            if conversation is None:  # the banner says why; the text stays in the box
                return
            self.current_conversation = conversation.id
        if self.session.send(self.current_conversation, text) is not None:
            self.composer.sent()

    def _regenerate(self) -> None:
        if self.current_conversation is not None:
            self.session.regenerate(self.current_conversation)

    def _model_label(self) -> str:
        model = self.session.host.model
        return model.info.path.stem if model else translate("ChatPage", "Assistant")

    def _on_generating_changed(self, generating: bool) -> None:
        if not generating:  # the answer's end shows it all (thread_changed, conversations_changed)
            self._behind = False
            self._catch_up_timer.stop()
            self.composer.set_generating(False)

    def _on_answer_started(self, _conversation_id: int, _prompt_id: int) -> None:
        """Leave the window as it is while the model computes the answer's first token.

        With as many llama.cpp threads as cores, the window's work for a new answer (its
        two bubbles, the conversation list, the Stop button, and their painting: ~8 ms)
        took a core from that first step and delayed the very text it prepared for. It is
        done with the first text instead, or after FIRST_TEXT_WAIT_MS when a long prompt
        or a big model keeps that waiting. The message is stored before this, and the box
        already cleared.
        """
        self._behind = True
        self._catch_up_timer.start()

    def shutdown(self) -> None:
        """The window closes: no catch-up after it (the store closes soon after)."""
        self._catch_up_timer.stop()
        self._behind = False

    def _catch_up(self) -> None:
        """Show the answer being written, and what its start changed."""
        if not self._behind:
            return
        self._behind = False
        self._catch_up_timer.stop()
        self.composer.set_generating(self.session.generating)
        pending = self.session.pending
        if pending is not None and pending.conversation_id == self.current_conversation:
            self.show_thread(ratings_changed=False)  # with the text written so far
        self.refresh_conversations()

    def _on_conversations_changed(self) -> None:
        if not self._behind:  # else the catch-up refreshes the list
            self.refresh_conversations()

    def _on_answer_text(self, conversation_id: int, text: str) -> None:
        if self._behind:
            self._catch_up()  # shows the text so far, this one included
        elif conversation_id == self.current_conversation:
            self.chat_view.append_answer(text)

    def _on_answer_reasoning(self, conversation_id: int, text: str) -> None:
        if self._behind:
            self._catch_up()
        elif conversation_id == self.current_conversation:
            self.chat_view.append_reasoning(text)
