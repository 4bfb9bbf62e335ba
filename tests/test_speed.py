"""Predicted decoding speed: bandwidth, bytes per token, and corrections from real answers."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import answer
from llamadesk.core.gguf_info import read_gguf_info
from llamadesk.core.kv_layout import KVLayout
from llamadesk.core.speed import (
    BANDWIDTH_FILE,
    ModelTraffic,
    SpeedCalibration,
    SpeedSample,
    bandwidth,
    cached_bandwidth,
    calibration_from_answers,
    describe_speed,
    in_folders,
    machine_key,
    measure_bandwidth,
    predict_tokens_per_second,
)
from llamadesk.core.store import Message, Store
from test_cli import run_cli

GB = 1e9


def test_bandwidth_is_measured_quickly_and_plausibly() -> None:
    import numpy  # noqa: F401  (its import is the app's start-up cost, not the measurement's)

    # CPU time, not wall time: on a busy machine the wait for a core is not the work done.
    started = time.process_time()
    measured = measure_bandwidth(1)
    assert time.process_time() - started < 1.0
    # Any computer of the last twenty years moves between 1 and 1000 GB/s.
    assert 1 * GB < measured < 1000 * GB


def test_bandwidth_is_cached_per_thread_count(tmp_path: Path) -> None:
    assert cached_bandwidth(tmp_path, 1) is None
    first = bandwidth(tmp_path, 1)
    assert cached_bandwidth(tmp_path, 1) == first
    assert bandwidth(tmp_path, 1) == first  # not measured again
    assert cached_bandwidth(tmp_path, 2) is None
    bandwidth(tmp_path, 2)
    saved = json.loads((tmp_path / BANDWIDTH_FILE).read_text())
    assert set(saved["bytes_per_second"]) == {"1", "2"}


def test_remeasuring_keeps_the_better_figure(tmp_path: Path) -> None:
    document = {"machine": machine_key(), "bytes_per_second": {"1": 1e6}}  # a busy moment
    (tmp_path / BANDWIDTH_FILE).write_text(json.dumps(document))
    assert bandwidth(tmp_path, 1) == 1e6  # cached: not measured again
    better = bandwidth(tmp_path, 1, remeasure=True)
    assert better > 1e6
    assert cached_bandwidth(tmp_path, 1) == better
    document["bytes_per_second"]["1"] = 1e15  # better than any measurement
    (tmp_path / BANDWIDTH_FILE).write_text(json.dumps(document))
    assert bandwidth(tmp_path, 1, remeasure=True) == 1e15


def test_a_figure_from_another_computer_is_measured_again(tmp_path: Path) -> None:
    document = {"machine": "elsewhere", "bytes_per_second": {"1": 5e9}}
    (tmp_path / BANDWIDTH_FILE).write_text(json.dumps(document))
    assert cached_bandwidth(tmp_path, 1) is None


def test_a_damaged_cache_is_measured_again(tmp_path: Path) -> None:
    (tmp_path / BANDWIDTH_FILE).write_text("{not json")
    assert bandwidth(tmp_path, 1) > 0
    assert cached_bandwidth(tmp_path, 1) is not None


def test_prediction_is_bandwidth_over_bytes_read() -> None:
    # A 4 GB model on 40 GB/s memory: 10 tokens/s, less as the context fills.
    traffic = ModelTraffic(weight_bytes=4 * GB, kv_bytes_per_token=100_000)
    assert predict_tokens_per_second(traffic, 40 * GB, n_past=0) == pytest.approx(10)
    assert predict_tokens_per_second(traffic, 40 * GB, n_past=4000) == pytest.approx(40 / 4.4)


def test_sliding_window_layers_read_at_most_their_window() -> None:
    layout = KVLayout(kv_layers=6, sliding_window=512, sliding_layers=5)
    traffic = ModelTraffic(weight_bytes=0, kv_bytes_per_token=6000, layout=layout)
    # 1,000 bytes per layer and token: one full layer reads all 8,000 tokens, five read 512.
    assert traffic.kv_read(8000, swa_full=False) == 1000 * (8000 + 5 * 512)
    assert traffic.kv_read(100, swa_full=False) == 6000 * 100
    # llama-cpp-python's default full-size window cache is read whole.
    assert traffic.kv_read(8000) == 6000 * 8000


def test_a_mixture_of_experts_reads_only_its_active_share(tiny_model: Path) -> None:
    info = read_gguf_info(tiny_model)
    moe = replace(info, active_parameter_count=info.parameter_count // 4)
    dense_bytes = ModelTraffic.of_file(info).weight_bytes
    assert ModelTraffic.of_file(moe).weight_bytes == pytest.approx(dense_bytes / 4)


def sample(measured: float, predicted: float = 100.0, model: str = "a.gguf") -> SpeedSample:
    return SpeedSample("llama", "Q4_K_M", model, measured, predicted)


def test_calibration_takes_the_median_ratio_per_architecture_and_level() -> None:
    calibration = SpeedCalibration([sample(50), sample(60), sample(5)])  # one very slow answer
    assert calibration.ratio("llama", "q4_k_m") == pytest.approx(0.5)
    assert calibration.corrected(200, "llama", "Q4_K_M") == pytest.approx(100)
    assert calibration.measured("a.gguf") == 50
    assert calibration.measured("b.gguf") is None


def test_a_kind_that_has_not_run_takes_the_nearest_correction() -> None:
    calibration = SpeedCalibration()
    assert calibration.ratio("llama", "Q4_K_M") is None
    assert calibration.corrected(200, "llama", "Q4_K_M") == 200  # nothing learnt yet
    calibration.add(SpeedSample("llama", "Q4_K_M", "a.gguf", 50, 100))
    calibration.add(SpeedSample("qwen3", "Q8_0", "b.gguf", 90, 100))
    calibration.add(SpeedSample("qwen3", "Q8_0", "b.gguf", 80, 100))
    assert calibration.ratio("llama", "Q4_K_M") == pytest.approx(0.5)  # its own
    assert calibration.ratio("gemma3", "Q4_K_M") == pytest.approx(0.5)  # its level's
    assert calibration.ratio("gemma3", "Q6_K") == pytest.approx(0.8)  # all answers'


def test_calibration_follows_the_latest_answers() -> None:
    calibration = SpeedCalibration([sample(20)] * 30 + [sample(80)] * 20)
    assert calibration.ratio("llama", "Q4_K_M") == pytest.approx(0.8)


def answered_at(store: Store, model: str, speeds: tuple[float, ...]) -> Message:
    """A prompt with one answer by ``model`` at each of ``speeds`` (tokens/s); the prompt."""
    conversation = store.create_conversation("Speed")
    prompt = store.add_user_message(conversation.id, "Hi")
    for speed in speeds:
        store.add_answer(
            conversation.id,
            prompt.id,
            "Hello",
            model=model,
            params={},
            seed=1,
            stats={"tokens_per_second": speed},
            stop_reason="eos",
        )
    return prompt


def test_calibration_from_the_chat_history(tmp_path: Path, tiny_model: Path) -> None:
    with Store(tmp_path / "chat.sqlite3") as store:
        prompt = answered_at(store, tiny_model.name, (30.0, 0.0, 40.0))
        answer(store, prompt, model="gone.gguf")  # no stats, no file
        speeds = store.answer_speeds()
    assert speeds == [(tiny_model.name, 30.0), (tiny_model.name, 40.0)]
    locate = in_folders(tmp_path, tiny_model.parent)
    calibration = calibration_from_answers([*speeds, ("gone.gguf", 10.0)], 10 * GB, locate)
    info = read_gguf_info(tiny_model)
    predicted = predict_tokens_per_second(ModelTraffic.of_file(info), 10 * GB)
    assert calibration.measured(tiny_model.name) == 35.0
    assert calibration.measured("gone.gguf") is None
    assert calibration.corrected(predicted, info.architecture, info.quantization) == (
        pytest.approx(35.0)
    )


def test_describe_speed() -> None:
    assert describe_speed(23.6) == "about 24 tokens/s on this computer"
    assert describe_speed(4.26, 3.9) == "about 4.3 tokens/s on this computer (measured 3.9)"
    assert describe_speed(154) == "about 150 tokens/s on this computer"


def test_cli_predict_json(tiny_model: Path, tmp_path: Path) -> None:
    env = {"LLAMADESK_HOME": str(tmp_path / "home")}
    result = run_cli("models", "predict", str(tiny_model), "--threads", "1", "--json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["threads"] == 1
    assert data["bandwidth_gb_per_s"] > 0.5
    info = read_gguf_info(tiny_model)
    expected = data["bandwidth_gb_per_s"] * GB / ModelTraffic.of_file(info).bytes_per_token()
    assert data["predicted_tokens_per_second"] == pytest.approx(expected, rel=0.01)
    assert data["measured_tokens_per_second"] is None
    assert data["note"] == ""  # a CPU build: the prediction is the CPU's, as it runs
    # The measurement was cached in the data folder.
    assert (tmp_path / "home" / "data" / BANDWIDTH_FILE).exists()


def test_cli_predict_plain_and_errors(tiny_model: Path, tmp_path: Path) -> None:
    env = {"LLAMADESK_HOME": str(tmp_path / "home")}
    result = run_cli("models", "predict", str(tiny_model), env=env)
    assert result.returncode == 0, result.stderr
    assert "tokens/s on this computer" in result.stdout
    missing = run_cli("models", "predict", str(tmp_path / "nope.gguf"), env=env)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_cli_catalog_json() -> None:
    result = run_cli("models", "catalog", "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    assert len(entries) >= 20
    keys = {"id", "name", "repo", "architecture", "parameters", "active_parameters"}
    keys |= {"reasoning", "vision", "gated"}
    for entry in entries:
        assert keys <= set(entry), entry["id"]
        assert isinstance(entry["vision"], bool)
        assert isinstance(entry["gated"], bool)
        assert 0 < entry["active_parameters"] <= entry["parameters"]
    by_id = {entry["id"]: entry for entry in entries}
    assert by_id["gpt-oss-20b"]["reasoning"] == "harmony"
    assert by_id["gpt-oss-20b"]["active_parameters"] < by_id["gpt-oss-20b"]["parameters"]
    plain = run_cli("models", "catalog")
    assert plain.returncode == 0
    assert "qwen3-30b-a3b-instruct-2507" in plain.stdout


def test_cli_predict_learns_from_the_chat_history(tiny_model: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Store(home / "data" / "llamadesk.sqlite3") as store:
        answered_at(store, tiny_model.name, (11.0, 12.5, 14.0))
    env = {"LLAMADESK_HOME": str(home)}
    result = run_cli("models", "predict", str(tiny_model), "--threads", "1", "--json", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["measured_tokens_per_second"] == 12.5
    # Corrected by this very model's answers, the prediction is what they measured.
    assert data["corrected_tokens_per_second"] == pytest.approx(12.5, rel=0.01)
    assert data["predicted_tokens_per_second"] != data["corrected_tokens_per_second"]
