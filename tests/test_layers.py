"""The layer rule that import-linter cannot express: services use QtCore only."""

from __future__ import annotations

import ast
from pathlib import Path

import llamadesk.services

WIDGET_MODULES = ("PySide6.QtWidgets", "PySide6.QtGui")


def imported_modules(source: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_services_import_no_widgets():
    folder = Path(llamadesk.services.__file__).parent
    offenders = {
        path.name: sorted(imported_modules(path).intersection(WIDGET_MODULES))
        for path in folder.glob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}
