"""The quant arena from the rest of the window: "Where would a smaller level go wrong?" on
any answer in a chat, and the Models page showing the recommendation of your own duels."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from conftest import answer
from hub_server import FakeHub
from llamadesk.core.memory import SystemMemory
from llamadesk.core.ratings import Ratings
from llamadesk.ui.models_view import RECOMMENDED, VARIANT_COLUMNS
from test_models_view import REPO, isolated_hf_token, test_catalog  # noqa: F401  # fixtures

RESCORE = "Where would a smaller level go wrong?…"


def open_chat_with_answer(parts, model: str, text: str = "Blue.") -> int:
    """A stored chat with one answer written by ``model``, open on the chat page; the
    answer's id."""
    store = parts.store
    conversation = store.create_conversation()
    prompt = store.add_user_message(conversation.id, "Name a colour.")
    answer = store.add_answer(
        conversation.id,
        prompt.id,
        text,
        model=model,
        params={},
        seed=1,
        stats={},
        stop_reason="eos",
    )
    parts.window.chat.refresh_conversations(select_first=True)
    assert parts.window.chat.current_conversation == conversation.id
    return answer.id


def rescore_button(parts) -> QPushButton:
    (button,) = [b for b in parts.window.chat_view.findChildren(QPushButton) if b.text() == RESCORE]
    return button


def test_an_answer_whose_model_has_no_other_level_says_so_on_the_arena_page(qtbot, parts):
    open_chat_with_answer(parts, "lonely-Q4_K_M.gguf")
    window, view = parts.window, parts.window.arena_view
    qtbot.mouseClick(rescore_button(parts), Qt.MouseButton.LeftButton)
    assert window.modes.currentIndex() == window.arena_page
    assert view.isVisible()
    assert view.tabs.currentWidget() is view.rescore
    qtbot.waitUntil(lambda: "no other level" in view.rescore.summary.text(), timeout=30_000)
    assert "lonely-Q4_K_M.gguf" in view.rescore.summary.text()
    assert not view.rescore.job.running


LEVEL_FILES = {"F32": "Tiny-Chat-F32.gguf", "Q8_0": "Tiny-Chat-Q8_0.gguf"}
MARK = VARIANT_COLUMNS.index("")


@pytest.fixture
def two_level_hub(tiny_model: Path, quantized) -> Iterator[FakeHub]:
    """The catalog's "Tiny Chat" repository with an F32 and a Q8_0 file."""
    files = {"F32": tiny_model, "Q8_0": quantized["Q8_0"].result.path}
    with FakeHub() as server:
        for level, name in LEVEL_FILES.items():
            server.add_file(REPO, name, files[level])
        yield server


def store_ties(store, count: int) -> None:
    """``count`` duels between Tiny-Chat's F32 and Q8_0, each a tie."""
    for _ in range(count):
        conversation = store.create_conversation(kind="compare")
        prompt = store.add_user_message(conversation.id, "p")
        a, b = answer(store, prompt, "x"), answer(store, prompt, "y")
        Ratings(store).vote(
            a.id, b.id, "tie", model_a="Tiny-Chat · F32", model_b="Tiny-Chat · Q8_0"
        )


def marks(view) -> dict[str, str]:
    table = view.variants
    return {table.item(row, 0).text(): table.item(row, MARK).text() for row in range(2)}


def test_your_duels_replace_the_catalogs_recommendation_for_that_model(
    qtbot,
    make_parts,
    two_level_hub,
    test_catalog,  # noqa: F811
    tmp_path,
    tiny_model,
    quantized,
):
    parts = make_parts()
    for level, name in LEVEL_FILES.items():
        source = tiny_model if level == "F32" else quantized[level].result.path
        shutil.copyfile(source, parts.paths.models / name)
    parts.downloads.endpoint = two_level_hub.url
    view = parts.models
    view.hf_cache_dir = tmp_path / "no-hf-cache"
    view.system_memory = lambda: SystemMemory(total_ram=16 * 10**9, available_ram=8 * 10**9)
    parts.window.show_mode(parts.models_page)
    view.catalog.select("tiny-chat")
    qtbot.waitUntil(lambda: view.variants.rowCount() == 2, timeout=10_000)
    assert RECOMMENDED in marks(view).values(), "no duels yet: the catalog's pick"

    store_ties(parts.store, 19)
    arena = parts.window.arena_view
    with qtbot.waitSignal(arena.reader.read, timeout=30_000):
        arena.refresh()
    assert RECOMMENDED in marks(view).values(), "19 duels decide nothing"

    store_ties(parts.store, 1)
    with qtbot.waitSignal(arena.reader.read, timeout=30_000):
        arena.refresh()
    assert marks(view) == {
        "F32": "",
        "Q8_0": "From your duels: Q8_0 — you could not tell it apart from F32 in 20 duels",
    }
    assert view.variants.item(view.variants.selected_row(), 0).text() == "Q8_0"


def test_the_curve_draws_no_line_through_the_reference_to_a_larger_requantized_level(qtbot):
    from llamadesk.core.arena import ArenaLevel, CurvePoint, Preference
    from llamadesk.ui.arena_view import CurvePanel

    def point(name: str, bits: float, duels: int, source: str = "Q4_1") -> CurvePoint:
        made = ArenaLevel(Path(f"/m/M-{name}.gguf"), "M", name, int(bits * 1e7), bits, source)
        return CurvePoint(made, Preference(duels, 0.6, 0.4, 0.8) if duels else None, None)

    panel = CurvePanel()
    qtbot.addWidget(panel)
    points = [point("Q2_K", 3.0, 5), point("Q3_K_M", 4.0, 5)]
    points += [point("Q4_1", 5.0, 0, source=""), point("Q8_0", 8.5, 5)]
    panel.show_curve(points, "")
    (curve,) = panel.preference_plot.listDataItems()
    assert list(curve.getData()[0]) == [3.0, 4.0, 8.5]
    assert list(curve.opts["connect"][:2]) == [True, False], "Q3_K_M and Q8_0 stay apart"
