"""Update the translation sources and build them, with PySide6's own tools.

    python tools/translations.py

runs `pyside6-lupdate` over app/llamadesk/ui and the core modules that mark words for it
(option labels, fit verdicts; keeping the translations already made) into
app/llamadesk/resources/translations/llamadesk_<code>.ts for each language there, then
`pyside6-lrelease` to compile each into the .qm file the app loads. Translate the .ts files
with Qt Linguist (`pyside6-linguist`) or any text editor, then run this again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "app" / "llamadesk" / "ui"
CORE = ROOT / "app" / "llamadesk" / "core"
FOLDER = ROOT / "app" / "llamadesk" / "resources" / "translations"


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def source_files() -> list[Path]:
    """The ui modules, and the core modules that mark words with core/i18n.py's marker."""
    marked = [path for path in CORE.glob("*.py") if "QT_TRANSLATE_NOOP(" in path.read_text()]
    return sorted(SOURCES.glob("*.py")) + sorted(marked)


def main() -> None:
    sources = [str(path) for path in source_files()]
    for ts in sorted(FOLDER.glob("llamadesk_*.ts")):
        subprocess.run(
            [
                tool("pyside6-lupdate"),
                *sources,
                "-no-obsolete",
                "-locations",
                "none",
                "-ts",
                str(ts),
            ],
            check=True,
        )
        subprocess.run(
            [tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True
        )


if __name__ == "__main__":
    main()
