"""Guard: a user-visible string in ui/ goes through translate(), never a bare English literal.

Walks the syntax of every ui module and flags a string literal (or f-string, or a sum of
strings) with letters in it that is passed to a Qt call that puts text on screen: a labelled
widget's constructor, setText, setToolTip, a message box, a file dialog's caption, table
headers... A call wrapped in translate() is a call, not a literal, so it passes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).parents[1] / "app" / "llamadesk" / "ui"

#: Constructors whose string arguments are shown.
CONSTRUCTORS = {
    "QLabel",
    "QPushButton",
    "QCheckBox",
    "QRadioButton",
    "QToolButton",
    "QGroupBox",
    "QAction",
    "QMessageBox",
    "QMenu",
    "QCommandLinkButton",
}
#: Methods whose string arguments are shown (for some, only the text argument is).
SETTERS = {
    "setText",
    "setToolTip",
    "setStatusTip",
    "setWhatsThis",
    "setWindowTitle",
    "setPlaceholderText",
    "setTitle",
    "setAccessibleName",
    "setAccessibleDescription",
    "setHorizontalHeaderLabels",
    "setVerticalHeaderLabels",
    "setHeaderLabels",
    "setInformativeText",
    "setDetailedText",
    "setSpecialValueText",
    "setSuffix",
    "setPrefix",
    "setLabelText",
    "setCancelButtonText",
    "setTabText",
    "setTabToolTip",
    "addAction",
    "addMenu",
    "addTab",
    "insertTab",
    "addRow",
    "addButton",
    "addItems",
    "information",
    "warning",
    "question",
    "critical",
    "about",
    "getText",
    "getInt",
    "getItem",
    "getOpenFileName",
    "getOpenFileNames",
    "getSaveFileName",
    "getExistingDirectory",
}
#: LlamaDesk's own helpers that put their text arguments on screen.
HELPERS = {
    "confirm",
    "_link_button",
    "_pill",
    "_titled",
    "_start",
    "_finish",
    "_show_error",
    "set_footer",
    "set_heading",
    "set_text",
}
TEXT_ONLY = {
    "with_keys": 0,
    "_show": 0,
    "addItem": 0,
    "insertItem": 1,
    "showMessage": 0,
    "show_message": 0,
}
#: Words that are the same in every language (names, symbols used as labels).
ALLOWED = {
    "A",
    "B",
    "LlamaDesk",
    "{}/llamadesk-ratings",  # a Hugging Face repository id
}
LETTERS = re.compile(r"[^\W\d_]")
MARKUP = re.compile(r"<[^>]*>|&\w+;")  # tags and entities are not words


def _words(text: str) -> bool:
    words = MARKUP.sub("", text)
    return bool(LETTERS.search(words)) and words.strip() not in ALLOWED


def _bare(node: ast.expr) -> bool:
    """Whether `node` is English text written in place rather than translated."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and _words(node.value)
    if isinstance(node, ast.JoinedStr):  # the text around the {values}
        return _words(
            "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
        )
    if isinstance(node, ast.BinOp):
        return _bare(node.left) or _bare(node.right)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_bare(element) for element in node.elts)
    return False


def _shown_arguments(call: ast.Call) -> list[ast.expr]:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    if name in TEXT_ONLY:
        index = TEXT_ONLY[name]
        return call.args[index : index + 1]
    if name in CONSTRUCTORS or name in SETTERS or name in HELPERS:
        return [*call.args, *(keyword.value for keyword in call.keywords)]
    return []


def bare_strings(path: Path) -> list[tuple[int, str]]:
    """(line, source) of each bare literal shown on screen in the module at `path`."""
    source = path.read_text(encoding="utf-8")
    return [
        (argument.lineno, ast.get_source_segment(source, argument) or "")
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        for argument in _shown_arguments(node)
        if _bare(argument)
    ]


def test_the_guard_catches_bare_text_and_passes_translated_text(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'QPushButton("Send")\n'
        'label.setToolTip(f"{n} tokens")\n'
        'box.setText("Stop" if running else "Start")\n'
        'table.setHorizontalHeaderLabels(["Model", size])\n'
        'combo.addItem("Dark", "dark")\n'
        'QMessageBox.question(self, "Delete chat", "Delete it?")\n'
        'QPushButton(translate("Composer", "Send"))\n'
        'label.setText(translate("X", "{n} tokens").format(n=n))\n'
        'combo.addItem(translate("X", "Dark"), "dark")\n'
        'QLabel("×")\n'
        'QLabel("A")\n'
        'QLabel(f"<b>{side}</b>")\n'
        'label.setObjectName("title")\n',
        encoding="utf-8",
    )
    assert [line for line, _ in bare_strings(sample)] == [1, 2, 3, 4, 5, 6, 6]


def test_no_bare_english_is_shown_by_the_ui() -> None:
    found = [
        f"{path.name}:{line}: {text}"
        for path in sorted(UI.glob("*.py"))
        for line, text in bare_strings(path)
    ]
    assert not found, "wrap these in translate():\n" + "\n".join(found)
