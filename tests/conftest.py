"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

# Before anything loads Qt: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Programs the tests start never reach the machine's keyring: keyring's "fail" backend
# makes them keep a server's key in the (scratch) config folder's private file.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

import gguf
import keyring
import numpy as np
import pytest
from keyring.backend import KeyringBackend

from llamadesk.core.engine import LoadSettings
from llamadesk.core.evaluate import QualityReport
from llamadesk.core.paths import HOME_ENV, AppPaths, app_paths
from llamadesk.core.settings import ModelDefaults, Settings, save_settings
from llamadesk.core.testmodel import write_test_model

if TYPE_CHECKING:
    from llamadesk.core.quantize import QuantizeResult


TEMPLATES = Path(__file__).parent / "data" / "templates"
_CHATML = ("<|im_start|>", "<|im_end|>", "<|endoftext|>")
_THINK = ("<think>", "</think>")
_HARMONY = (
    "<|start|>",
    "<|end|>",
    "<|message|>",
    "<|channel|>",
    "<|constrain|>",
    "<|return|>",
    "<|call|>",
    "<|endoftext|>",
)
# Each test model: a real chat template and the special tokens its real vocabulary has.
REASONING_MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "qwen3": ("Qwen-Qwen3-0.6B.jinja", _CHATML + _THINK),
    "qwen35": ("Qwen3.5-4B.jinja", _CHATML + _THINK),
    "smollm3": ("HuggingFaceTB-SmolLM3-3B.jinja", _CHATML + _THINK),
    "gpt-oss": ("openai-gpt-oss-120b.jinja", _HARMONY),
    "gemma4": (
        "google-gemma-4-31B-it.jinja",
        ("<|turn>", "<turn|>", "<|channel>", "<channel|>", "<|think|>"),
    ),
    # Qwen3's template with <think> and </think> as plain text: markers come in pieces.
    "qwen3-plain-think": ("Qwen-Qwen3-0.6B.jinja", _CHATML),
}


@pytest.fixture(scope="session")
def reasoning_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny random-weight models carrying reasoning models' real templates and special
    tokens, by name (see REASONING_MODELS). Do not modify."""
    folder = tmp_path_factory.mktemp("reasoning-models")
    return {
        name: write_test_model(
            folder / f"{name}.gguf",
            chat_template=(TEMPLATES / template).read_text(encoding="utf-8"),
            control_tokens=tokens,
        )
        for name, (template, tokens) in REASONING_MODELS.items()
    }


ScriptAnswers = Callable[..., list[str]]


@pytest.fixture
def script_answers(monkeypatch: pytest.MonkeyPatch) -> ScriptAnswers:
    """Make models write the given texts instead of sampling: one per answer in turn, the
    last one again for any further answer. Each text becomes token ids through the model's
    own vocabulary (markers as its special tokens) and goes through the engine's real
    decoding. Returns the list each answer's prompt (as text) is appended to."""
    from llamadesk.core.engine import Engine, SamplingParams

    def script(*texts: str) -> list[str]:
        prompts: list[str] = []
        queue = list(texts)

        def generate(engine: Engine, prompt: list[int], _params: SamplingParams) -> Iterator[int]:
            prompts.append(engine.llama.detokenize(prompt, special=True).decode("utf-8"))
            text = queue.pop(0) if len(queue) > 1 else queue[0]
            return iter(engine.llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

        monkeypatch.setattr(Engine, "_generate", generate)
        return prompts

    return script


@pytest.fixture(scope="session", autouse=True)
def scratch_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A LLAMADESK_HOME for the whole session, so that no test writes in the user's own
    folders: every `llamadesk` command a test starts writes its log (tests that need an
    empty home of their own use `home`)."""
    root = tmp_path_factory.mktemp("scratch-home")
    before = os.environ.get(HOME_ENV)
    os.environ[HOME_ENV] = str(root)
    yield root
    if before is None:
        del os.environ[HOME_ENV]
    else:
        os.environ[HOME_ENV] = before


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The "tiny" random-weight model (F32, seed 0), written once per session. Do not modify."""
    return write_test_model(tmp_path_factory.mktemp("models") / "tiny-f32.gguf")


@pytest.fixture(scope="session")
def real_model() -> Path:
    """The starter model (SmolLM2-135M-Instruct Q4_1, a real assistant), from the `starter`
    extra; the test is skipped, saying why, where it is not installed. Do not modify."""
    from llamadesk.core.starter import starter_model_path

    path = starter_model_path()
    if path is None:
        pytest.skip('the starter model is not installed (pip install -e ".[starter]")')
    return path


class Quantized(NamedTuple):
    result: QuantizeResult
    progress: list[float]  # every fraction the run reported


@pytest.fixture(scope="session")
def quantized(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> dict[str, Quantized]:
    """The tiny model quantized by LlamaDesk to Q8_0 and Q4_K_M, beside a copy of it in a
    folder of their own. Do not modify."""
    from llamadesk.core.quantize import quantize

    source = tmp_path_factory.mktemp("quantized") / tiny_model.name
    shutil.copyfile(tiny_model, source)
    made: dict[str, Quantized] = {}
    for level in ("Q8_0", "Q4_K_M"):
        seen: list[float] = []
        made[level] = Quantized(quantize(source, level, progress=seen.append), seen)
    return made


def answer(store, prompt, content: str = "An answer", model: str = "a.gguf"):
    """Store `content` as an answer to `prompt` (for tests that build rated data sets)."""
    return store.add_answer(
        prompt.conversation_id,
        prompt.id,
        content,
        model=model,
        params={"temperature": 0.7},
        seed=1,
        stats={},
        stop_reason="eos",
    )


CLOCK_START = 1_700_000_000.0  # 2023-11-14T22:13:20Z


class TickingClock:
    """A clock that moves one second per reading, so every timestamp differs."""

    def __init__(self) -> None:
        self.now = CLOCK_START

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def quality_report(**changes: object) -> QualityReport:
    """A measured level's report: a Q4_K_M against its F32, but for ``changes``."""
    values: dict[str, object] = {
        "model": "/m/tiny-Q4_K_M.gguf",
        "reference": "/m/tiny-f32.gguf",
        "level": "Q4_K_M",
        "reference_level": "F32",
        "perplexity": 12.5,
        "reference_perplexity": 12.0,
        "kl_divergence": 0.01,
        "top1_agreement": 0.9,
        "tokens": 1000,
        "n_ctx": 512,
        "seconds": 3.5,
    }
    return QualityReport(**{**values, **changes})  # type: ignore[arg-type]


def write_minimal_gguf(path: Path, architecture: str) -> Path:
    """A GGUF holding one F16 tensor and no metadata besides the architecture."""
    writer = gguf.GGUFWriter(path, architecture)
    writer.add_tensor("weight", np.zeros((4, 8), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def unknown_arch_model(tmp_path: Path) -> Path:
    return write_minimal_gguf(tmp_path / "frobnicator-7b.gguf", "frobnicator")


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict, as the OS's would keep them."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.passwords[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """No test touches the machine's keyring: each gets an empty one of its own."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail a test that leaves a Python thread running."""
    before = set(threading.enumerate())
    yield
    leaked = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not isinstance(t, threading._DummyThread)
    ]
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    """An empty LLAMADESK_HOME, with llama.cpp set to one thread.

    One thread is the fastest for the tiny models, and it keeps a busy second core (the
    GUI thread, another process) from stalling llama.cpp's thread pool.
    """
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "home"))
    paths = app_paths().ensure()
    one_thread = ModelDefaults(load=LoadSettings(n_threads=1))
    save_settings(paths.settings_file, Settings(defaults=one_thread))
    return paths


@pytest.fixture
def make_parts(qtbot, home: AppPaths) -> Iterator[Callable[[], object]]:
    """Build main windows over `home`; each is closed, and its thread checked, at the end."""
    from llamadesk.ui.app import AppParts, build

    made: list[AppParts] = []

    def make() -> AppParts:
        parts = build(home)
        made.append(parts)
        parts.window.show()
        qtbot.waitExposed(parts.window)
        return parts

    yield make
    for parts in reversed(made):
        parts.close()
        assert not parts.host.thread_running(), "the model thread was not joined"


@pytest.fixture
def parts(make_parts):
    """A main window on an empty home, no model loaded."""
    return make_parts()


@pytest.fixture
def loaded(qtbot, parts, tiny_model: Path):
    """A main window with the tiny model loaded."""
    with qtbot.waitSignal(parts.host.loaded, timeout=60_000):
        parts.window.load_model(tiny_model)
    return parts
