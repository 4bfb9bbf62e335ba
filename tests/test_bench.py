"""`llamadesk bench` and `llamadesk make-test-model --shape/--quant`.

The figures themselves belong in docs/benchmarks.md: here only that every one is reported.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from llamadesk.cli.diagnostics import TEST_MODEL_SHAPES
from llamadesk.core import bench
from llamadesk.core.bench import (
    BenchConfig,
    BenchError,
    BenchReport,
    LoadedPath,
    PathResult,
    Run,
    format_report,
    percentile,
    run_bench,
)
from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.testmodel import SHAPES
from test_cli import assert_user_error, run_cli


def test_bench_json_reports_every_figure_for_every_path(tiny_model: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run_cli(
        "bench",
        str(tiny_model),
        "--tokens",
        "16",
        "--runs",
        "1",
        "--threads",
        "1",
        "--json",
        env={"LLAMADESK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    for path in ("raw", "engine", "gui"):
        assert report[path]["tokens"] == 16, path
        assert report[path]["tokens_per_second"] > 0, path
        assert report[path]["ttft_ms"] > 0, path
        assert len(report[path]["runs"]) == 1
    assert report["gui"]["stall_p99_ms"] >= 0
    assert report["gui"]["stall_max_ms"] >= report["gui"]["stall_p99_ms"]
    assert report["ratios"]["engine"] > 0
    assert report["ratios"]["gui"] > 0
    assert set(report["ttft_delta_ms"]) == {"engine", "gui"}
    settings = report["settings"]
    assert (settings["max_tokens"], settings["n_threads"], settings["runs"]) == (16, 1, 1)
    assert settings["n_ctx"] == SHAPES["tiny"].n_ctx_train
    assert report["same_answer"] is True, "greedy decoding: every path writes the same text"
    # The GUI path runs on a scratch home: the user's holds only the log every command writes.
    written = [path.relative_to(home) for path in home.rglob("*") if path.is_file()]
    assert written == [Path("data", "logs", "llamadesk.log")]


def test_bench_of_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    assert_user_error(run_cli("bench", str(tmp_path / "gone.gguf"), "--json"), "gone.gguf")


def test_report_table_names_every_path_and_the_stalls() -> None:
    config = BenchConfig(Path("m.gguf"), max_tokens=8, n_threads=2, n_ctx=512, runs=1)
    stalls = {"stall_p99_ms": 3.0, "stall_max_ms": 9.0}
    results = {
        "raw": PathResult([Run("a", 8, 20.0, 40.0)], 0.5, 0.6),
        "engine": PathResult([Run("a", 8, 21.0, 40.0)], 0.6, 0.6),
        "gui": PathResult([Run("b", 8, 25.0, 39.0, stalls)], 0.6, 0.7),
    }

    table = format_report(BenchReport(config, results))

    lines = table.splitlines()
    assert lines[0] == "m.gguf: 8 tokens, 2 threads, n_ctx 512, median of 1 runs"
    assert lines[4].split() == ["gui", "39.0", "97.5%", "25.0", "+5.0", "3.0", "9.0"]
    assert "different answers" in lines[-1]


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(value) for value in range(1, 201)]

    assert percentile(values, 0.99) == 198.0
    assert percentile(values, 1.0) == 200.0
    assert percentile([], 0.99) == 0.0


def test_make_test_model_quantizes_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "tiny.gguf"

    result = run_cli("make-test-model", str(out), "--quant", "Q4_K_M")

    assert result.returncode == 0, result.stderr
    assert read_gguf_info(out).quantization == "Q4_K_M"
    assert "Quantizing the tiny test model: 100%" in result.stderr
    assert [entry.name for entry in tmp_path.iterdir()] == ["tiny.gguf"]


def test_make_test_model_refuses_f32_for_the_1b_shape_at_once(tmp_path: Path) -> None:
    out = tmp_path / "big.gguf"

    result = run_cli("make-test-model", str(out), "--shape", "1b", "--quant", "F32")

    assert_user_error(result, "F16")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("shape", ["huge", "7b"])
def test_make_test_model_refuses_unknown_shapes(tmp_path: Path, shape: str) -> None:
    assert_user_error(run_cli("make-test-model", str(tmp_path / "m.gguf"), "--shape", shape))


def test_cli_offers_every_shape() -> None:
    assert set(TEST_MODEL_SHAPES) == set(SHAPES)


def test_a_failing_path_stops_the_bench_with_its_error(tiny_model: Path) -> None:
    @contextmanager
    def broken_gui(_config: BenchConfig) -> Iterator[LoadedPath]:
        raise BenchError("the window would not open")
        yield  # a generator, as a context manager needs

    lines: list[str] = []
    config = BenchConfig(tiny_model, max_tokens=4, n_threads=1, runs=1)

    with pytest.raises(BenchError, match="would not open"):
        run_bench(config, broken_gui, lines.append)

    assert lines[0] == f"raw: loading {tiny_model.name}"
    assert lines[-1] == f"gui: loading {tiny_model.name}"


def test_an_error_on_the_bench_thread_reaches_the_caller(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    @contextmanager
    def broken_raw(_config: BenchConfig) -> Iterator[LoadedPath]:
        assert threading.current_thread() is not threading.main_thread()
        raise BenchError("llama.cpp would not load it")
        yield

    monkeypatch.setattr(bench, "raw_path", broken_raw)

    with pytest.raises(BenchError, match="would not load"):
        run_bench(BenchConfig(tiny_model, max_tokens=4, runs=1), gui_path_never_reached)


@contextmanager
def gui_path_never_reached(_config: BenchConfig) -> Iterator[LoadedPath]:
    raise AssertionError("the bench went on after a failed path")
    yield
