"""`llamadesk bench` and `llamadesk make-test-model --shape/--quant`.

The figures themselves belong in docs/benchmarks.md: here only that every one is reported.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
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
        assert report[path]["cpu_ms_per_token"] > 0, path
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


FAKE_LLAMA_BENCH = """#!{python}
import json, sys
args = sys.argv[1:]
assert args[args.index("-p") + 1] == "0", args
json.dump([{{"n_gen": int(args[args.index("-n") + 1]), "samples_ts": {samples}}}], sys.stdout)
"""


def _fake_llama_bench(folder: Path, samples: str) -> Path:
    import sys

    binary = folder / "llama-bench"
    binary.write_text(FAKE_LLAMA_BENCH.format(python=sys.executable, samples=samples))
    binary.chmod(0o755)
    return binary


def test_cpp_row_is_llama_bench_median_and_gives_the_overhead_per_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bench.LLAMA_BENCH_ENV, str(_fake_llama_bench(tmp_path, "[125, 80, 100]")))
    config = BenchConfig(Path("m.gguf"), max_tokens=8, n_threads=2, n_ctx=512, runs=3)
    said: list[str] = []

    cpp = bench.cpp_bench(config, said.append)

    assert cpp is not None
    assert cpp.tokens_per_second == 100.0
    results = {
        "raw": PathResult([Run("a", 8, 20.0, 80.0)], 0.5, 0.6),
        "engine": PathResult([Run("a", 8, 21.0, 80.0)], 0.6, 0.6),
        "gui": PathResult([Run("a", 8, 25.0, 50.0)], 0.6, 0.7),
    }
    report = BenchReport(config, results, cpp)
    figures = report.as_dict()
    assert figures["cpp"]["samples"] == [125.0, 80.0, 100.0]
    # 12.5 ms per token against llama.cpp's 10 ms; 20 ms through the GUI.
    assert figures["overhead_ms_per_token"]["engine"] == pytest.approx(2.5)
    assert figures["overhead_ms_per_token"]["gui"] == pytest.approx(10.0)
    assert "Overhead per token against llama.cpp's C++, ms: raw +2.50" in format_report(report)


def test_cpp_row_is_null_until_llama_bench_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(bench.LLAMA_BENCH_ENV, raising=False)
    monkeypatch.setenv("LLAMADESK_HOME", str(tmp_path))
    config = BenchConfig(Path("m.gguf"))
    said: list[str] = []

    assert bench.cpp_bench(config, said.append) is None
    assert "benchmarks/cpp_bench.py" in said[0]


def test_a_failing_llama_bench_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bench.LLAMA_BENCH_ENV, str(_fake_llama_bench(tmp_path, "'not a list'")))

    with pytest.raises(BenchError, match=r"llama-bench .* failed"):
        bench.cpp_bench(BenchConfig(Path("m.gguf")), lambda _line: None)


def test_paths_take_turns_and_answer_on_the_gui_paths_thread(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(bench.LLAMA_BENCH_ENV, raising=False)
    monkeypatch.setenv("LLAMADESK_HOME", str(tmp_path))  # no llama-bench built there
    answered: list[tuple[str, str]] = []
    model_thread = bench._BenchThread()

    def fake(name: str, compute_on: bench.OnThread | None = None) -> bench.BenchPath:
        def answer() -> Run:
            answered.append((name, threading.current_thread().name))
            return Run("same", 8, 10.0, 50.0 + len(answered))

        @contextmanager
        def path(config: BenchConfig) -> Iterator[LoadedPath]:
            settings = config.load_settings()
            yield LoadedPath(replace(settings, n_ctx=512, n_threads=1), answer, compute_on)

        return path

    monkeypatch.setattr(bench, "raw_path", fake("raw"))
    monkeypatch.setattr(bench, "engine_path", fake("engine"))
    with model_thread:
        gui = fake("gui", model_thread.run)
        report = run_bench(BenchConfig(tiny_model, max_tokens=8, runs=2), gui)

    # A warm-up answer each, then two rounds, each path once per round, in the same order.
    assert [name for name, _thread in answered] == ["raw", "engine", "gui"] * 3
    threads = {name: thread for name, thread in answered}
    assert threads["raw"] == threads["engine"] == "llamadesk-bench"  # the "GUI's" thread
    assert threads["gui"] == threading.main_thread().name
    assert [len(report.results[name].runs) for name in ("raw", "engine", "gui")] == [2, 2, 2]
    assert report.cpp is None


def test_each_ratio_is_taken_round_by_round_with_its_spread() -> None:
    rounds = 10
    raw = [Run("a", 64, 20.0, speed) for speed in (100.0, 80.0) * (rounds // 2)]
    engine = [replace(run, tokens_per_second=run.tokens_per_second * 0.995) for run in raw]
    gui = [replace(run, tokens_per_second=run.tokens_per_second * 0.9) for run in raw]
    results = {
        "raw": PathResult(raw, 1.0, 1.0),
        "engine": PathResult(engine, 1.0, 1.0),
        "gui": PathResult([replace(run, ttft_ms=24.0) for run in gui], 1.0, 1.0),
    }
    report = BenchReport(BenchConfig(Path("m.gguf"), runs=rounds), results)

    figures = report.as_dict()

    # The machine's drift (100 then 80 tokens/s) cancels within each round.
    assert figures["paired_ratios"]["engine"]["median"] == pytest.approx(0.995)
    assert figures["paired_ratios"]["engine"]["ci95"] == pytest.approx([0.995, 0.995])
    assert figures["paired_ttft_delta_ms"]["gui"]["median"] == pytest.approx(4.0)
    assert figures["verdicts"] == {
        "engine_ratio": "met",
        "gui_ratio": "missed",
        "gui_ttft_delta": "met",
        "gui_stall_p99": "met",
    }
    assert figures["settings"]["order"] == "alternating"
    assert "gui tokens/s" in format_report(report)


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ([0.985, 0.99, 0.995, 1.0, 1.005, 0.99, 0.995, 1.0], "met"),  # every resample >= 98%
        ([0.95, 0.96, 0.97, 0.96, 0.95, 0.97, 0.96, 0.95], "missed"),
        ([0.95, 1.0, 0.96, 1.01, 0.97, 1.02, 0.98, 0.99], "unresolved"),  # straddles 98%
        ([0.99, 0.99, 0.99, 0.99], "unresolved"),  # too few rounds to tell
    ],
)
def test_a_verdict_needs_the_whole_interval_on_one_side(values: list[float], verdict: str) -> None:
    spread = bench.Spread.of(values)

    assert spread.q1 <= spread.median <= spread.q3
    assert spread.low <= spread.median <= spread.high
    assert spread.verdict(0.98) == verdict
