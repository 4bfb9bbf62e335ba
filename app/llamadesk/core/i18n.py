"""Marking core's user-visible words for translation without Qt.

pyside6-lupdate collects the texts passed to a function of this name (tools/translations.py
lists the core modules that use it); the ui translates them where it shows them, with
``translate(context, text)``. Sentences core builds (errors, explanations) stay English.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """`text` as it is, marked for pyside6-lupdate under `context`."""
    return text
