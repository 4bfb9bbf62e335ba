"""Quantize and measure from the Models page's library, through the dialogs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from llamadesk.core.evaluate import load_reports
from llamadesk.core.memory import SystemMemory, format_size
from llamadesk.core.quantize import plan_quantize, read_lineage
from llamadesk.core.testmodel import ModelShape, write_test_model
from llamadesk.services.background import JobRunner
from llamadesk.services.quantize_job import QuantizeJob
from llamadesk.ui.app import AppParts
from llamadesk.ui.quality_dialog import QualityDialog
from llamadesk.ui.quantize_dialog import QuantizeDialog

GB = 10**9
SOURCE = "tiny-F32.gguf"
# Big enough that Q4_K_M takes about two seconds after its first progress report, so a
# cancel sent on that report always lands mid-run.
SLOW_SHAPE = ModelShape(
    n_vocab_words=2048, n_embd=512, n_layer=4, n_head=8, n_head_kv=4, n_ff=1536, n_ctx_train=512
)
PASTED = (
    "The quick brown fox jumps over the lazy dog. A journey of a thousand miles begins "
    "with a single step. " * 4
)


def open_library(qtbot, make_parts, tmp_path: Path, *models: Path) -> AppParts:
    """A main window on the Models page, whose library holds copies of ``models``."""
    parts = make_parts()
    for model in models:
        shutil.copyfile(model, parts.paths.models / model.name)
    view = parts.models
    view.runner.wait_for_all()  # the first scan, of the real Hugging Face cache
    view.hf_cache_dir = tmp_path / "no-hf-cache"
    view.system_memory = lambda: SystemMemory(total_ram=16 * GB, available_ram=8 * GB)
    parts.window.show_mode(parts.models_page)
    view.refresh_library()
    qtbot.waitUntil(lambda: view.library.table.rowCount() == len(models), timeout=10_000)
    return parts


def click(qtbot, button) -> None:
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_dialog(qtbot, parts: AppParts, name: str, button: str, kind: type):
    """Select the library model ``name`` and press its ``button``; returns the dialog."""
    library = parts.models.library
    library.table.select_path(parts.paths.models / name)
    click(qtbot, getattr(library, button))
    dialog = parts.models.findChild(kind)
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


@pytest.fixture
def tiny_source(tmp_path: Path, tiny_model: Path) -> Path:
    source = tmp_path / "sources" / SOURCE
    source.parent.mkdir()
    return Path(shutil.copyfile(tiny_model, source))


def test_quantize_shows_the_cost_first_then_adds_the_result_with_its_lineage(
    qtbot, make_parts, tmp_path, tiny_source
):
    parts = open_library(qtbot, make_parts, tmp_path, tiny_source)
    dialog = open_dialog(qtbot, parts, SOURCE, "quantize_button", QuantizeDialog)
    offered = [dialog.levels.item(row, 0).text() for row in range(dialog.levels.rowCount())]
    assert offered[:3] == ["F16", "BF16", "Q8_0"]  # best quality first; F32 is not smaller
    assert dialog.levels.item(dialog.levels.currentRow(), 0).text() == "Q4_K_M"
    dialog.select_level("Q8_0")
    plan = plan_quantize(parts.paths.models / SOURCE, "Q8_0")
    details = dialog.details.text()
    for shown in (
        f"about {format_size(plan.expected_size)}",
        f"{plan.level.bits_per_weight:.2f}",  # bits per weight
        "near lossless (+0.00 ppl)",
        "Fits comfortably",
        "Free disk",
        "tiny-Q8_0.gguf",
    ):
        assert shown in details
    assert not dialog.consent.isVisibleTo(dialog)

    with qtbot.waitSignal(dialog.job.finished, timeout=30_000) as finished:
        click(qtbot, dialog.start_button)
    result = finished.args[0]
    assert result.path == parts.paths.models / "tiny-Q8_0.gguf"
    assert "It is in the library" in dialog.status.text()
    library = parts.models.library
    qtbot.waitUntil(lambda: library.table.rowCount() == 2, timeout=10_000)
    assert library.table.selected_model().path == result.path
    assert library.table.item(1, 6).text() == f"quantized here from {SOURCE} (F32)"
    assert read_lineage(result.path).level == "Q8_0"


def test_cancel_mid_run_leaves_no_file(qtbot, make_parts, tmp_path):
    slow = write_test_model(tmp_path / "slow-F32.gguf", SLOW_SHAPE)
    parts = open_library(qtbot, make_parts, tmp_path, slow)
    dialog = open_dialog(qtbot, parts, slow.name, "quantize_button", QuantizeDialog)
    dialog.select_level("Q4_K_M")
    dialog.job.progress.connect(lambda _fraction: dialog.cancel_button.click())
    with qtbot.waitSignal(dialog.job.cancelled, timeout=30_000):
        click(qtbot, dialog.start_button)
    assert dialog.status.text() == "Cancelled; nothing was written."
    assert dialog.start_button.isVisible()
    assert not dialog.cancel_button.isVisible()
    assert sorted(path.name for path in parts.paths.models.iterdir()) == [slow.name]


def test_an_already_quantized_source_needs_the_box_ticked(qtbot, make_parts, tmp_path, quantized):
    parts = open_library(qtbot, make_parts, tmp_path, quantized["Q4_K_M"].result.path)
    dialog = open_dialog(qtbot, parts, "tiny-Q4_K_M.gguf", "quantize_button", QuantizeDialog)
    assert "compounds the quality losses" in dialog.warning.text()
    assert dialog.consent.isVisibleTo(dialog)
    assert not dialog.consent.isChecked()
    assert not dialog.start_button.isEnabled()
    dialog.consent.click()
    assert dialog.start_button.isEnabled()
    dialog.close()


def test_a_model_measured_against_itself_is_identical_and_the_result_is_kept(
    qtbot, make_parts, tmp_path, tiny_source
):
    parts = open_library(qtbot, make_parts, tmp_path, tiny_source)
    dialog = open_dialog(qtbot, parts, SOURCE, "measure_button", QualityDialog)
    assert dialog.reference.itemText(dialog.reference.count() - 1).endswith("(itself: a check)")
    dialog.reference.setCurrentIndex(dialog.reference.count() - 1)
    dialog.pasted.click()
    assert not dialog.run_button.isEnabled()  # nothing pasted yet
    dialog.paste.setPlainText(PASTED)
    with qtbot.waitSignal(dialog.job.finished, timeout=60_000):
        click(qtbot, dialog.run_button)
    values = {
        dialog.results.item(row, 0).text(): dialog.results.item(row, 1).text()
        for row in range(dialog.results.rowCount())
    }
    assert values["Mean KL divergence"] == "0.0000"
    assert values["Top-1 agreement"] == "100.0%"
    assert "hard to tell apart" in dialog.meaning.text()
    (saved,) = load_reports()
    assert saved.text_source == "pasted text"
    assert saved.report.top1_agreement == 1.0
    assert dialog.history.rowCount() == 1
    assert dialog.history.item(0, 2).text() == "pasted text"


def test_progress_is_coalesced_to_a_few_signals(qtbot):
    job = QuantizeJob(JobRunner())
    seen: list[float] = []
    job.progress.connect(seen.append)
    for step in range(1000):
        job._report(step / 1000)
    job._report(1.0)
    assert seen == [0.0, 1.0]  # the first report and the last; the rest within 0.1 s


def test_a_larger_level_than_a_quantized_source_is_offered_labelled_and_needs_the_box(
    qtbot, make_parts, tmp_path, quantized
):
    parts = open_library(qtbot, make_parts, tmp_path, quantized["Q4_K_M"].result.path)
    dialog = open_dialog(qtbot, parts, "tiny-Q4_K_M.gguf", "quantize_button", QuantizeDialog)
    offered = [dialog.levels.item(row, 0).text() for row in range(dialog.levels.rowCount())]
    assert offered.index("Q4_0") < offered.index("Q8_0"), "smaller levels first"
    assert "F16" not in offered, "larger levels are quantized ones only"
    row = offered.index("Q8_0")
    label = "requantized from Q4_K_M: it cannot be better than its source"
    assert dialog.levels.item(row, 2).text() == label
    dialog.select_level("Q8_0")
    assert dialog.plan is not None
    assert dialog.plan.larger
    assert label in dialog.details.text()
    assert "Q8_0 is larger than tiny-Q4_K_M.gguf's own Q4_K_M" in dialog.warning.text()
    assert not dialog.start_button.isEnabled()
    dialog.consent.click()
    with qtbot.waitSignal(dialog.job.finished, timeout=30_000) as finished:
        click(qtbot, dialog.start_button)
    made = finished.args[0].path
    assert made == parts.paths.models / "tiny-Q8_0.gguf"
    assert read_lineage(made).source_quantization == "Q4_K_M"
    library = parts.models.library
    qtbot.waitUntil(lambda: library.table.rowCount() == 2, timeout=10_000)
    origins = {library.table.item(row, 6).text() for row in range(2)}
    assert "requantized here from tiny-Q4_K_M.gguf (Q4_K_M)" in origins
