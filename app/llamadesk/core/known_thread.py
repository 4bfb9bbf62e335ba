"""The thread of the conversation in use, kept in memory between reads.

Reading a thread back decodes every message (8-9 ms for 1,000 of them), and the chat read
it twice for every message sent or answer stored. `KnownThread` reads it once and then
takes in the messages its owner stores itself; the store stays the truth: whenever
anything else changed the file (another part of the app, another window), the next
`thread` reads it again.
"""

from __future__ import annotations

from collections.abc import Callable

from llamadesk.core.store import Message, Store


class KnownThread:
    """The shown thread (`Store.thread`) of the conversation last asked for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conversation: int | None = None
        self._messages: list[Message] = []
        self._version: tuple[int, int] | None = None  # the store's, when _messages held

    def thread(self, conversation_id: int) -> list[Message]:
        """The conversation's thread, read from the store only if it may have changed."""
        version = self.store.version()
        if conversation_id != self._conversation or version != self._version:
            self._messages = self.store.thread(conversation_id)
            self._conversation, self._version = conversation_id, version
        return list(self._messages)

    def store_message(self, write: Callable[[], Message]) -> Message:
        """Store a message with `write` (a user message, or an answer made the one shown)
        and take it into the thread held, if that was up to date until then."""
        held = self._version is not None and self._version == self.store.version()
        message = write()
        if held and message.conversation_id == self._conversation:
            thread = with_message(self._messages, message)
            # None: its prompt is not in the thread held; read it all again next time.
            self._messages = thread or []
            self._version = self.store.version() if thread is not None else None
        return message


def with_message(thread: list[Message], message: Message) -> list[Message] | None:
    """The thread once `message` is stored: a user message comes last; an answer follows
    its prompt, in place of the answer shown before (as `Store.thread` orders them).
    None for an answer whose prompt is not in `thread`."""
    if message.parent_id is None:
        return [*thread, message]
    kept = [m for m in thread if m.parent_id != message.parent_id]
    prompt = next((i for i, m in enumerate(kept) if m.id == message.parent_id), None)
    if prompt is None:
        return None
    return [*kept[: prompt + 1], message, *kept[prompt + 1 :]]
