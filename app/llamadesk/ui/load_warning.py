"""The question asked before loading a model that may not fit in memory."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from llamadesk.core.load_check import LoadCheck
from llamadesk.core.memory import FitLevel
from llamadesk.services.model_loader import MemoryChoice
from llamadesk.ui.translations import translate


def ask_about_memory(parent: QWidget, check: LoadCheck) -> MemoryChoice:
    """Show the figures; offer the longest context that fits, loading anyway, or cancelling."""
    too_big = check.verdict.level is FitLevel.TOO_BIG
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(translate("LoadWarning", "This model may not fit in memory"))
    box.setText(
        (
            translate("LoadWarning", "<b>{name}</b> needs more memory than this computer has.")
            if too_big
            else translate("LoadWarning", "<b>{name}</b> may not fit in the memory free now.")
        ).format(name=check.info.path.name)
    )
    box.setInformativeText(check.verdict.explain())
    shorter = None
    if check.fitting_context:
        shorter = box.addButton(
            translate("LoadWarning", "Load with a {n:,}-token context").format(
                n=check.fitting_context
            ),
            QMessageBox.ButtonRole.AcceptRole,
        )
    anyway = box.addButton(
        translate("LoadWarning", "Load anyway"), QMessageBox.ButtonRole.DestructiveRole
    )
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(shorter or cancel)
    box.exec()
    clicked = box.clickedButton()
    if shorter is not None and clicked is shorter:
        return "shorter"
    return "anyway" if clicked is anyway else "cancel"
