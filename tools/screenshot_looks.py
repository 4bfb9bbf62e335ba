"""Screenshots of the look: a highlighted code block in light and dark (its long line
scrolling inside the block), the Settings dialog's theme choice, compare with its vote bar
under the answers, and the keyboard shortcuts window.

    QT_QPA_PLATFORM=offscreen python tools/screenshot_looks.py docs/screenshots

The chat with code shows a stored example answer (written into a scratch history for the
picture: the starter model seldom writes code); compare runs the real starter model.
"""

from __future__ import annotations

import sys
from pathlib import Path

from shots import chat_with_starter, compare_voted, scratch_home, settle

from llamadesk.core.settings import ModelDefaults
from llamadesk.ui.app import application, build
from llamadesk.ui.settings_dialog import SettingsDialog
from llamadesk.ui.shortcuts import ShortcutsWindow
from llamadesk.ui.theme import theme_of

QUESTION = "How do I read a JSON file in Python and handle a missing file?"
# The last line of the code is longer than the block is wide: it scrolls inside the block.
DAMAGED = (
    '        raise ValueError(f"{path} is damaged at line {error.lineno}: '
    'fix it by hand, or delete it to start again") from error'
)
ANSWER = f'''Use the standard `json` module, and catch the errors a missing or damaged file raises:

```python
import json
from pathlib import Path


def load_settings(path: Path) -> dict:
    """The settings in `path`, or none if the file is not there yet."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {{}}  # first start: nothing saved yet
    except json.JSONDecodeError as error:
{DAMAGED}
```

A missing file is normal on the first start; a damaged one is worth a clear message that
says where it broke.'''


def main(out: Path) -> None:
    app = application()
    parts = build(scratch_home())
    window, store = parts.window, parts.store
    window.resize(1200, 760)
    conversation = store.create_conversation("Reading JSON in Python")
    prompt = store.add_user_message(conversation.id, QUESTION)
    store.add_answer(
        conversation.id,
        prompt.id,
        ANSWER,
        model="example-answer.gguf",
        params={},
        seed=None,
        stats={},
        stop_reason="eos",
    )
    window.start()
    window.conversation_list.selected.emit(conversation.id)
    out.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        theme_of(app).set_choice(theme)
        window.chat_view.show_messages(store.thread(conversation.id), parts.ratings.shown)
        settle(300)
        window.grab().save(str(out / f"chat-code-{theme}.png"))
    theme_of(app).set_choice("light")

    # The Settings dialog's theme choice, Dark just picked: the app shows it at once.
    dialog = SettingsDialog("SmolLM2-135M-Instruct.Q4_1.gguf", ModelDefaults(), None, None, "")
    dialog.theme_chosen.connect(theme_of(app).set_choice)
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)  # Appearance
    dialog.resize(dialog.minimumWidth(), 360)
    dialog.show()
    dialog.theme_choice.choose("dark")
    settle(300)
    dialog.grab().save(str(out / "settings-theme.png"))
    dialog.close()
    theme_of(app).set_choice("light")

    shortcuts = ShortcutsWindow(window)
    shortcuts.show()
    settle(300)
    shortcuts.grab().save(str(out / "shortcuts.png"))
    shortcuts.close()

    chat_with_starter(parts)
    compare_voted(parts, max_tokens=60)
    settle(300)
    window.grab().save(str(out / "compare.png"))
    parts.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
