"""Take the README's screenshots of the real app, mid-answer.

Run under a real X server (Xvfb) or offscreen:

    xvfb-run -s "-screen 0 1400x900x24" python tools/screenshot.py docs/screenshots

It uses a scratch LLAMADESK_HOME and the starter model (the `starter` extra), so it needs no
download.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import chat_with_starter, compare_voted, open_window, scratch_home, wait

from llamadesk.core.engine import SamplingParams

PROMPTS = ["What is 2+2?", "Write a short poem about llamas in the mountains."]


def wait_tokens(parts, count: int) -> None:
    """Run until the answer being written has ``count`` tokens."""
    wait(parts.host.progress, until=lambda tokens, _per_second: tokens >= count)


def main(out: Path) -> None:
    app, parts = open_window(scratch_home(), 1200, 760)
    window = parts.window
    out.mkdir(parents=True, exist_ok=True)
    app.processEvents()
    window.grab().save(str(out / "first-screen.png"))
    chat_with_starter(parts)
    parts.session.params = SamplingParams(max_tokens=60, seed=3, temperature=0.0)
    window.composer.send_requested.emit(PROMPTS[0])
    wait(parts.session.answer_saved)
    parts.session.params = SamplingParams(max_tokens=400, seed=4, temperature=0.7)
    window.composer.send_requested.emit(PROMPTS[1])
    wait_tokens(parts, 45)
    window.grab().save(str(out / "chat-streaming.png"))
    parts.session.stop()
    wait(parts.session.answer_saved)

    # Rate: regenerate once, mark the new answer the best, and give it a thumb.
    parts.session.params = SamplingParams(max_tokens=120, seed=5, temperature=0.7)
    window.chat_view.regenerate_requested.emit()
    wait(parts.session.answer_saved)
    rating = window.chat_view.bubbles[-1].rating
    assert rating is not None
    rating.best_button.click()
    window.chat_view.bubbles[-1].rating.good.click()  # type: ignore[union-attr]
    app.processEvents()
    window.grab().save(str(out / "chat-rated.png"))

    # The memory panel, mid-answer.
    window.memory_action.trigger()
    parts.session.params = SamplingParams(max_tokens=600, seed=6, temperature=0.7)
    window.composer.send_requested.emit("Tell me about the history of bread.")
    wait_tokens(parts, 40)
    window.monitor.sample_now()
    app.processEvents()
    window.grab().save(str(out / "memory-panel.png"))
    parts.session.stop()
    wait(parts.session.answer_saved)
    window.memory_action.trigger()

    compare_voted(parts, max_tokens=70)
    app.processEvents()
    window.grab().save(str(out / "compare.png"))
    parts.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
