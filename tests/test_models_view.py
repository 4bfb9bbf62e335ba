"""The Models page against a loopback hub: catalog, variants, download, library, chat."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from huggingface_hub import constants as hf_constants
from PySide6.QtCore import Qt

from hub_server import FakeHub
from llamadesk.core import catalog as catalog_module
from llamadesk.core.catalog import load_catalog
from llamadesk.core.hub_listing import cache_file
from llamadesk.core.memory import SystemMemory
from llamadesk.core.quants import estimated_file_size, quant_level
from llamadesk.ui import models_view
from llamadesk.ui.app import AppParts
from llamadesk.ui.models_view import MEASURING, RECOMMENDED, VARIANT_COLUMNS

REPO = "tester/Tiny-Chat-GGUF"
NAME = "Tiny-Chat-F32.gguf"
GB = 10**9


@pytest.fixture(autouse=True)
def isolated_hf_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No token from the environment or the user's huggingface_hub folder leaks in."""
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(hf_constants, "HF_TOKEN_PATH", str(tmp_path / "hf" / "token"))
    monkeypatch.setattr(hf_constants, "HF_STORED_TOKENS_PATH", str(tmp_path / "hf" / "stored"))


VANISHED = "tester/Vanished-GGUF"  # in the catalog, no longer on the hub


@pytest.fixture
def test_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled catalog's first entry, pointed at the fake hub's repository, and one
    whose repository the hub does not have (any more)."""
    document = json.loads(catalog_module.default_catalog_path().read_text(encoding="utf-8"))
    entry = document["models"][0] | {"id": "tiny-chat", "name": "Tiny Chat", "repo": REPO}
    gone = document["models"][0] | {"id": "gone", "name": "Gone Model", "repo": VANISHED}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"models": [entry, gone]}), encoding="utf-8")
    monkeypatch.setattr("llamadesk.core.catalog.load_catalog", lambda: load_catalog(path))
    return path


@pytest.fixture
def hub(tiny_model: Path) -> Iterator[FakeHub]:
    with FakeHub() as server:
        server.add_file(REPO, NAME, tiny_model)
        yield server


@pytest.fixture
def models_page(qtbot, make_parts, hub: FakeHub, test_catalog: Path, tmp_path: Path) -> AppParts:
    parts = make_parts()
    parts.downloads.endpoint = hub.url
    parts.models.hf_cache_dir = tmp_path / "no-hf-cache"
    parts.models.system_memory = lambda: SystemMemory(total_ram=16 * GB, available_ram=8 * GB)
    parts.window.show_mode(parts.models_page)
    return parts


def open_tiny_chat(qtbot, parts: AppParts) -> None:
    view = parts.models
    view.catalog.select("tiny-chat")
    qtbot.waitUntil(lambda: view.variants.rowCount() == 1, timeout=10_000)


def test_three_clicks_from_the_catalog_to_a_chat(qtbot, models_page: AppParts):
    parts, view = models_page, models_page.models
    open_tiny_chat(qtbot, parts)  # click 1: the catalog entry
    assert view.variants.item(0, 0).text() == "F32"
    assert view.variants.item(0, 4).text() == "Fits comfortably"
    assert view.variants.item(0, 6).text() == RECOMMENDED
    assert view.variants.selected_row() == 0  # the recommended one, ready to download
    assert "Needs about" in view.variants.item(0, 4).toolTip()

    with qtbot.waitSignal(parts.downloads.finished, timeout=20_000) as finished:
        qtbot.mouseClick(view.download_button, Qt.MouseButton.LeftButton)  # click 2
    key, path = finished.args
    assert path == parts.window.paths.models / NAME
    qtbot.waitUntil(lambda: [m.name for m in view.library.table.models] == [NAME])
    assert view.library.table.item(0, 1).text() == "llama"

    row = view.downloads_panel.rows[key]
    assert row.chat_button.isVisible()
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        qtbot.mouseClick(row.chat_button, Qt.MouseButton.LeftButton)  # click 3
    assert parts.window.modes.currentIndex() == 0

    with qtbot.waitSignal(parts.session.answer_saved, timeout=60_000) as saved:
        qtbot.keyClicks(parts.window.composer.editor, "Hello")
        qtbot.keyClick(parts.window.composer.editor, Qt.Key.Key_Return)
    assert saved.args[0].model == NAME
    assert parts.session.store.message(saved.args[0].id).content == saved.args[0].content

    # Once the model has run, its measured speed shows beside the prediction.
    assert saved.args[0].stats["tokens_per_second"] > 0
    entry = view.entry
    assert entry is not None
    view.open_entry(entry)
    speed = VARIANT_COLUMNS.index("Speed")

    def measured_shown() -> bool:
        cell = view.variants.item(0, speed)
        return cell is not None and "(measured " in cell.text()

    qtbot.waitUntil(measured_shown, timeout=10_000)


def test_a_corrupt_download_is_not_listed_and_says_why(qtbot, models_page: AppParts, hub):
    view = models_page.models
    open_tiny_chat(qtbot, models_page)
    hub.faults.corrupt = True
    with qtbot.waitSignal(models_page.downloads.failed, timeout=20_000) as failed:
        view.download_selected()
    key, message = failed.args
    assert "checksum mismatch" in message
    assert view.banner.label.text() == message
    assert view.downloads_panel.rows[key].line.text() == message
    assert view.downloads_panel.rows[key].resume_button.text() == "Try again"
    view.runner.wait_for_all()
    assert view.library.table.models == []


def test_the_variants_show_offline_from_the_cache(qtbot, models_page: AppParts, hub):
    view = models_page.models
    open_tiny_chat(qtbot, models_page)
    assert cache_file(models_page.window.paths.cache, REPO).is_file()
    hub.faults.status = 503  # the hub is down now
    view.open_repo("tester/Other-GGUF")  # move away, then back
    qtbot.waitUntil(lambda: "Hugging Face" in view.status.text(), timeout=10_000)
    view.catalog.list.setCurrentRow(-1)
    open_tiny_chat(qtbot, models_page)
    assert "offline — last known list from" in view.status.text()


def test_a_repository_that_does_not_exist_says_so(qtbot, models_page: AppParts):
    view = models_page.models
    qtbot.keyClicks(view.catalog.repo, "nobody/nothing-GGUF")
    qtbot.keyClick(view.catalog.repo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "nothing-GGUF" in view.status.text() and "…" not in view.status.text())
    assert view.variants.rowCount() == 0
    assert "nobody/nothing-GGUF was not found on Hugging Face" in view.status.text()


def test_a_catalog_entry_whose_repository_vanished_says_so_and_the_rest_works(
    qtbot, models_page: AppParts, hub: FakeHub
):
    view = models_page.models
    view.catalog.select("gone")
    qtbot.waitUntil(lambda: "Gone Model" in view.status.text(), timeout=10_000)
    assert hub.log[-1].status == 404
    assert "Gone Model is no longer on Hugging Face: its repository " in view.status.text()
    assert f"{VANISHED} was removed or renamed. Pick another model" in view.status.text()
    assert view.variants.rowCount() == 0
    assert not view.download_button.isEnabled()

    open_tiny_chat(qtbot, models_page)  # the rest of the catalog still lists and downloads
    with qtbot.waitSignal(models_page.downloads.finished, timeout=20_000):
        view.download_selected()


def test_a_bug_while_listing_a_repository_is_shown_not_stuck(
    qtbot, models_page: AppParts, monkeypatch: pytest.MonkeyPatch, caplog
):
    def broken(*_args, **_kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(models_view, "fetch_listing", broken)
    view = models_page.models
    view.open_repo("tester/Any-GGUF")
    qtbot.waitUntil(lambda: "…" not in view.status.text(), timeout=10_000)
    assert view.status.text().endswith(
        "Listing tester/Any-GGUF failed unexpectedly (RuntimeError: injected fault); "
        "the details are in the log.</span>"
    )
    assert any(r.exc_info for r in caplog.records)


def test_a_bug_while_reading_the_library_is_shown(
    qtbot, models_page: AppParts, monkeypatch: pytest.MonkeyPatch, caplog
):
    def broken(*_args, **_kwargs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(models_view, "scan_library", broken)
    view = models_page.models
    view.refresh_library()
    qtbot.waitUntil(lambda: "injected fault" in view.library.status.text(), timeout=10_000)
    assert "Listing the models on disk failed unexpectedly" in view.library.status.text()
    assert any(r.exc_info for r in caplog.records)


def test_import_refuses_a_file_that_is_not_a_gguf(qtbot, models_page: AppParts, tmp_path):
    view = models_page.models
    fake = tmp_path / "notes.gguf"
    fake.write_text("just some text", encoding="utf-8")
    view.import_file(fake)
    qtbot.waitUntil(view.banner.isVisible)
    assert view.banner.label.text() == "'notes.gguf' is not a GGUF model file."
    assert not (models_page.window.paths.models / "notes.gguf").exists()


def test_import_copies_a_model_and_offers_it(qtbot, models_page: AppParts, tiny_model: Path):
    view = models_page.models
    with qtbot.waitSignal(view.models_changed, timeout=10_000):
        view.import_file(tiny_model)
    qtbot.waitUntil(lambda: [m.name for m in view.library.table.models] == [tiny_model.name])
    assert models_page.window.model_picker.count() >= 1


SPEED = VARIANT_COLUMNS.index("Speed")


def test_each_variant_shows_its_predicted_speed(qtbot, models_page: AppParts):
    view = models_page.models
    open_tiny_chat(qtbot, models_page)
    # The bandwidth is measured in the background; the row says so meanwhile.
    qtbot.waitUntil(lambda: view.variants.item(0, SPEED).text() != MEASURING, timeout=10_000)
    text = view.variants.item(0, SPEED).text()
    assert text.startswith("about ")
    assert text.endswith(" tokens/s on this computer")
    assert view.speed is not None
    assert (models_page.window.paths.data / "bandwidth.json").is_file()


def test_offline_the_catalog_shows_estimates(qtbot, models_page: AppParts, hub):
    view = models_page.models
    hub.faults.status = 503  # the hub is down, and nothing was ever cached
    view.catalog.select("tiny-chat")
    qtbot.waitUntil(lambda: view.variants.rowCount() > 0, timeout=10_000)
    assert "Estimates" in view.status.text()
    assert "parameters × bits per weight ÷ 8" in view.status.text()
    entry = view.entry
    assert entry is not None
    rows = {view.variants.item(row, 0).text(): row for row in range(view.variants.rowCount())}
    assert {"Q4_K_M", "Q8_0"} <= set(rows)
    q8 = view.variants.variants[rows["Q8_0"]]
    assert q8.estimated
    assert q8.size == estimated_file_size(entry.parameters, quant_level("Q8_0"))
    assert view.variants.item(rows["Q8_0"], 2).text().endswith("(estimate)")
    assert view.variants.item(rows["Q8_0"], 4).text() == "Fits comfortably"
    view.variants.selectRow(rows["Q8_0"])
    assert not view.download_button.isEnabled()  # an estimate is no file to download


def test_the_catalog_list_shows_active_parameters_of_a_mixture_of_experts(qtbot):
    from llamadesk.ui.models_view import CatalogPane

    pane = CatalogPane(load_catalog().entries)
    qtbot.addWidget(pane)
    texts = {
        pane.list.item(row).data(Qt.ItemDataRole.UserRole).id: pane.list.item(row).text()
        for row in range(pane.list.count())
    }
    assert texts["qwen3-30b-a3b-instruct-2507"].endswith("30.5B (3.3B active)")
    assert texts["llama-3.1-8b-instruct"].endswith("8.0B")


def test_a_hub_level_without_published_bits_shows_the_files_own(qtbot):
    from llamadesk.core.catalog import RepoFile, group_variants
    from llamadesk.core.memory import ModelSpec, estimate_memory, judge_fit
    from llamadesk.ui.models_view import VariantsTable

    files = [RepoFile("Qwen3-8B-UD-Q4_K_XL.gguf", 5 * GB), RepoFile("Qwen3-8B-Q8_0.gguf", 8 * GB)]
    variants = group_variants("someone/Qwen3-8B-GGUF", files)
    system = SystemMemory(total_ram=32 * GB, available_ram=24 * GB)
    spec = ModelSpec(GB, 0, "", 0, 0, 0, 0, 0, 0, 0)
    verdicts = [judge_fit(estimate_memory(spec, 4096), system)] * 2
    table = VariantsTable()
    qtbot.addWidget(table)
    table.set_variants(variants, verdicts, None)
    assert [table.item(row, 1).text() for row in range(2)] == ["unknown", "8.52"]
    table.set_variants(variants, verdicts, None, parameters=8 * GB)
    assert [table.item(row, 1).text() for row in range(2)] == ["5.00", "8.52"]
