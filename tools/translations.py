"""Update the translation sources and build them, with PySide6's own tools.

    python tools/translations.py

runs `pyside6-lupdate` over app/llamadesk/ui and core/options.py (whose option labels are
marked for translation; keeping the translations already made) into
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
OPTIONS = ROOT / "app" / "llamadesk" / "core" / "options.py"  # labels the ui translates
FOLDER = ROOT / "app" / "llamadesk" / "resources" / "translations"


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def main() -> None:
    sources = [*sorted(str(path) for path in SOURCES.glob("*.py")), str(OPTIONS)]
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
