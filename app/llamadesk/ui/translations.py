"""The app in the user's language, through Qt's translation machinery.

User-visible strings are written as ``translate("Context", "Text")``; `pyside6-lupdate`
collects them into ``resources/translations/llamadesk_<code>.ts`` and `pyside6-lrelease`
compiles those to the ``.qm`` files loaded here (tools/translations.py runs both). The
language is the system's unless the caller names one (``llamadesk self-test --lang de``).

The language is chosen before the window is built; switching it means building the window
again (the window's strings are set once, not retranslated live).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

FOLDER = Path(str(resources.files("llamadesk") / "resources" / "translations"))
_installed: list[QTranslator] = []
_language = "en"


def translate(context: str, text: str) -> str:
    """`text` in the language in use (as itself where there is no translation)."""
    return QCoreApplication.translate(context, text)


def plural(count: int, one: str, other: str, **values: object) -> str:
    """`one` or `other` (both already translated, with a ``{n}`` placeholder) for `count`,
    formatted with ``n=count`` and `values`.

    Qt's own plurals (``%n`` with numerus forms) are found by pyside6-lupdate only in
    ``self.tr()``, not in ``QCoreApplication.translate()`` (checked with PySide6 6.x), so the
    two English forms are two messages; that fits English and German, not languages with
    more plural forms, which would need numerus messages."""
    return (one if count == 1 else other).format(n=count, **values)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark `text` for pyside6-lupdate (it looks for this name) and keep it as it is: it is
    translated where it is shown. Qt's own is typed as returning `object`."""
    return text


def install_language(app: QCoreApplication, code: str | None = None) -> bool:
    """Use language `code` ("de", "de_DE"; default: the system's) for strings translated
    from now on; English, the source language, where there is no translation. Returns
    whether a translation of the app was found."""
    global _language
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    locale = QLocale(code) if code else QLocale.system()
    found = False
    for name, folder in (
        ("llamadesk", str(FOLDER)),
        ("qtbase", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
    ):
        translator = QTranslator(app)
        if translator.load(locale, name, "_", folder):
            app.installTranslator(translator)
            _installed.append(translator)
            found = found or name == "llamadesk"
    _language = locale.name().split("_")[0] if found else "en"
    return found


def language_in_use() -> str:
    """The language code of the app's strings ("en" where none was installed)."""
    return _language
