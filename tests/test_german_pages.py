"""In German, no page or dialog shows a text still in English where it has a German
translation: each visible widget's text, title, tooltip, placeholder, items and headers are
checked against the English sources of the German file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from llamadesk.core.engine import SamplingParams
from llamadesk.core.settings import ModelDefaults
from llamadesk.services.background import JobRunner
from llamadesk.ui.translations import FOLDER, install_language

GERMAN = FOLDER / "llamadesk_de.ts"


def translated_sources() -> list[re.Pattern[str]]:
    """Each English source whose German differs, as a pattern of the whole shown text (a
    {placeholder} stands for any text)."""
    patterns = []
    for message in ET.parse(GERMAN).iter("message"):
        source = message.findtext("source") or ""
        if message.findtext("translation") in (None, "", source):
            continue
        parts = re.split(r"\{[^}]*\}", source)
        patterns.append(re.compile(".+?".join(re.escape(part) for part in parts), re.S))
    return patterns


def shown_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for the texts of `root` and its visible widgets."""
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        where = f"{type(widget).__name__} {widget.objectName()!r}"
        texts = [widget.toolTip(), widget.accessibleName()]
        if widget.isWindow():
            texts.append(widget.windowTitle())
        if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
            texts.append(widget.text())
        if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
            texts.append(widget.placeholderText())
        if isinstance(widget, QGroupBox):
            texts.append(widget.title())
        if isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            texts += [
                str(model.headerData(i, Qt.Orientation.Horizontal) or "")
                for i in range(widget.horizontalHeader().count())
            ]
        for action in widget.actions():
            texts += [action.text(), action.toolTip()]
        yield from ((where, text) for text in texts if text)


def english_left(root: QWidget, patterns: list[re.Pattern[str]]) -> set[str]:
    return {
        f"{where}: {text!r}"
        for where, text in shown_texts(root)
        if any(pattern.fullmatch(text) for pattern in patterns)
    }


@pytest.fixture
def german(qapp) -> Iterator[list[re.Pattern[str]]]:
    assert install_language(qapp, "de")
    yield translated_sources()
    install_language(qapp, "en")


def test_the_german_file_has_no_unfinished_message() -> None:
    messages = list(ET.parse(GERMAN).iter("message"))
    assert len(messages) > 500
    unfinished = [
        message.findtext("source")
        for message in messages
        if message.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
        or not message.findtext("translation")
    ]
    assert unfinished == []


def test_the_check_finds_english(qapp, german) -> None:
    label = QLabel("Answer B: tiny")  # an English source with a placeholder
    box = QComboBox()
    box.addItem("Tie")
    for widget in (label, box):
        widget.show()
    assert english_left(label, german)
    assert english_left(box, german)
    label.setText("Chat")  # the same in German: not flagged
    assert not english_left(label, german)


def test_every_page_shows_german(qtbot, german, make_parts, tiny_model: Path) -> None:
    parts = make_parts()
    window = parts.window
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        window.load_model(tiny_model)
    parts.session.params = SamplingParams(max_tokens=8, seed=1)
    with qtbot.waitSignal(parts.session.answer_saved, timeout=30_000):
        window.composer.send_requested.emit("Hallo")
    window.memory_dock.show()
    window.network.parentWidget().show()
    left: set[str] = set()
    for page in range(window.modes.count()):
        window.show_mode(page)
        qtbot.waitUntil(window.modes.currentWidget().isVisible)
        left |= english_left(window, german)
        for tabs in window.modes.currentWidget().findChildren(QTabWidget):
            for tab in range(tabs.count()):
                tabs.setCurrentIndex(tab)
                left |= english_left(window, german)
    assert not left, "\n".join(sorted(left))


def test_the_dialogs_show_german(qtbot, german, home, tiny_model: Path) -> None:
    from llamadesk.core.gguf_info import read_gguf_info
    from llamadesk.core.memory import SystemMemory
    from llamadesk.ui.quality_dialog import QualityDialog
    from llamadesk.ui.quantize_dialog import QuantizeDialog
    from llamadesk.ui.settings_dialog import SettingsDialog
    from llamadesk.ui.train_view import TrainDialog

    runner = JobRunner()
    info = read_gguf_info(tiny_model)
    dialogs = [
        SettingsDialog("tiny", ModelDefaults(), ("", {}), info, "CPU only"),
        QuantizeDialog(tiny_model, runner, SystemMemory.probe, 4096),
        QualityDialog(tiny_model, [], home.database, runner),
        TrainDialog(tiny_model, runner, home.database),
    ]
    left: set[str] = set()
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        left |= english_left(dialog, german)
    runner.wait_for_all()
    assert not left, "\n".join(sorted(left))
