"""The cost of a long chat: showing a 200-message conversation with code blocks, and adding
one more message to it (what the window does on every send and every finished answer).

    python benchmarks/long_chat.py [--messages 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

ANSWER = (
    "Here is how you would do it:\n\n```python\ndef size_gb(params, bits):\n"
    "    return params * bits / 8 / 1e9\n\nprint(size_gb(70e9, 16))\n```\n\n"
    "That prints **140.0**: a 70B model in F16 takes 140 GB. " * 2
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["LLAMADESK_HOME"] = tempfile.mkdtemp(prefix="llamadesk-longchat-")
    from llamadesk.core.paths import app_paths
    from llamadesk.ui.app import application, build

    app = application()
    parts = build(app_paths().ensure())
    store, window = parts.store, parts.window
    conversations = [store.create_conversation() for _ in range(2)]
    for chat in conversations:
        for number in range(args.messages // 2):
            prompt = store.add_user_message(chat.id, f"Question {number}: how big is it?")
            store.add_answer(
                chat.id,
                prompt.id,
                ANSWER,
                model="m.gguf",
                params={},
                seed=1,
                stats={},
                stop_reason="eos",
            )
    conversation = conversations[0]
    window.show()
    app.processEvents()

    def timed(action) -> float:
        started = time.perf_counter()
        action()
        app.processEvents()
        return (time.perf_counter() - started) * 1000

    # Alternate between two long chats, so every open builds its bubbles anew.
    opened = [
        timed(lambda number=number: window.chat._open_conversation(conversations[number % 2].id))
        for number in range(args.runs + 1)
    ]
    window.chat._open_conversation(conversation.id)
    appended = []
    for number in range(args.runs):
        store.add_user_message(conversation.id, f"One more, {number}")
        appended.append(timed(window.chat.show_thread))
    print(
        json.dumps(
            {
                "messages": args.messages,
                "open_ms_median": round(statistics.median(opened), 1),
                "append_ms_median": round(statistics.median(appended), 1),
            }
        )
    )
    parts.close()


if __name__ == "__main__":
    main()
