"""Editors for the settings declared in core/options.py, made from their declaration.

The range, step, decimals and special values ("random", "auto") of every spin box come from
the option, so the settings dialog and the compare view cannot drift from the validation.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from llamadesk.core.options import Option
from llamadesk.ui.translations import translate

# QSpinBox holds a C int. Wider ranges (seeds, drawn from 32 bits) go in a QDoubleSpinBox
# with no decimals: a double holds every integer up to 2^53 exactly.
QT_INT_MAX = 2**31 - 1


def option_label(option: Option[Any]) -> str:
    """The option's label in the user's language."""
    return translate("Options", option.label)


def make_editor(option: Option[Any], value: Any) -> QCheckBox | QComboBox | QAbstractSpinBox:
    """A widget showing `value`, limited to what `option` accepts."""
    widget: QCheckBox | QComboBox | QAbstractSpinBox
    if option.kind is bool:
        widget = QCheckBox(option_label(option))
        widget.setChecked(bool(value))
    elif option.kind is str:
        widget = QComboBox()
        for choice in option.choices:
            widget.addItem(choice, choice)
        widget.setCurrentIndex(max(widget.findData(value), 0))
    else:
        widget = _spin_box(option)
        widget.setValue(value)
    widget.setToolTip(translate("Options", option.help))
    widget.setObjectName(option.name)
    return widget


def _spin_box(option: Option[Any]) -> QSpinBox | QDoubleSpinBox:
    assert option.minimum is not None
    assert option.maximum is not None
    low = min([option.minimum, *(special for special, _ in option.specials)])
    high = option.maximum
    box: QSpinBox | QDoubleSpinBox
    if option.kind is int and high <= QT_INT_MAX:
        box = QSpinBox()
        box.setRange(int(low), int(high))
    else:
        box = QDoubleSpinBox()
        box.setDecimals(option.decimals)
        box.setRange(low, high)
    box.setSingleStep(option.step)  # type: ignore[arg-type]
    # The lowest special value shows as its meaning ("random", "off"); a spin box can name
    # only that one. Values between it and the range (a context of 1 to 255) are refused
    # with the range's message when the dialog is saved.
    for special, meaning in option.specials:
        if special == low:
            box.setSpecialValueText(translate("Options", meaning))
    return box


def editor_value(option: Option[Any], widget: QCheckBox | QComboBox | QAbstractSpinBox) -> Any:
    """What `widget`, made by `make_editor(option, …)`, holds, as the option's type."""
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    assert isinstance(widget, (QSpinBox, QDoubleSpinBox))
    if option.kind is int:
        return round(widget.value())
    return round(widget.value(), option.decimals)
