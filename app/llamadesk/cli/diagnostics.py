"""`llamadesk make-test-model`, `bench` and `self-test`: trying things and measuring them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import (
    EXIT_INTERRUPTED,
    ProgressLine,
    fail,
    option_flag,
    positive_int,
    whole_number,
)

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands

# core.testmodel.SHAPES's names; importing it would load gguf for every command.
TEST_MODEL_SHAPES = ("tiny", "1b", "gemma3", "lfm2", "moe")


def add_parsers(commands: Commands) -> None:
    test_model = commands.add_parser(
        "make-test-model", help="write a GGUF model with random weights (for trying things)"
    )
    test_model.set_defaults(run=make_test_model)
    test_model.add_argument("out", type=Path, metavar="OUT.gguf")
    test_model.add_argument("--seed", type=whole_number, default=0)
    test_model.add_argument(
        "--shape",
        choices=TEST_MODEL_SHAPES,
        default="tiny",
        help="tiny: a few MB; 1b: TinyLlama-1.1B's layout, to measure speed at a real size; "
        "gemma3, lfm2: small sliding-window and hybrid layouts; moe: a 0.7B mixture of experts",
    )
    test_model.add_argument(
        "--quant",
        metavar="LEVEL",
        help="F16, F32 (tiny only) or a quantized level; default F32 for tiny, Q4_K_M for 1b",
    )
    _add_bench_parser(commands)

    self_test = commands.add_parser(
        "self-test", help="open the window, chat with a tiny model, check it was stored"
    )
    self_test.set_defaults(run=self_test_command)
    self_test.add_argument("--out", type=Path, help="folder for the screenshot and report")
    self_test.add_argument("--theme", choices=("light", "dark"), help="run in this theme")
    self_test.add_argument("--lang", metavar="CODE", help="run in this language (de, en, …)")


def _add_bench_parser(commands: Commands) -> None:
    bench = commands.add_parser(
        "bench",
        help="tokens/s and time to first token: plain llama-cpp-python, the app's engine, the GUI",
    )
    bench.set_defaults(run=bench_command)
    bench.add_argument("model", type=Path, metavar="MODEL.gguf")
    bench.add_argument("--tokens", type=positive_int, default=128, help="tokens per answer")
    option_flag(bench, "--threads", "n_threads")
    option_flag(bench, "--gpu-layers", "n_gpu_layers")
    bench.add_argument(
        "--runs",
        type=positive_int,
        default=3,
        help="rounds after the warm-up, each path answering once per round, in turn "
        "(10 or more to tell a 1%% difference from noise)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object")


def self_test_command(args: argparse.Namespace) -> int:
    from llamadesk.ui.selftest import run_self_test

    return run_self_test(args.out, theme=args.theme, lang=args.lang)


def make_test_model(args: argparse.Namespace) -> int:
    from llamadesk.core.quantize import QuantizeError
    from llamadesk.core.testmodel import write_test_model_as

    stage = _StageLines(args.shape)
    try:
        path = write_test_model_as(args.out, args.shape, args.quant, seed=args.seed, progress=stage)
    except QuantizeError as exc:
        stage.end()
        return fail(str(exc))
    except OSError as exc:
        stage.end()
        return fail(f"cannot write {args.out}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        stage.end()
        print("Cancelled; no file was written.", file=sys.stderr)
        return EXIT_INTERRUPTED
    stage.end()
    size_mb = path.stat().st_size / 1e6
    print(f"Wrote {path} ({size_mb:.1f} MB, random weights: it babbles).")
    return 0


class _StageLines:
    """Progress of `write_test_model_as` on stderr: a line per stage, a percentage in it."""

    def __init__(self, shape: str) -> None:
        self._shape = shape
        self._stage = ""
        self._line = ProgressLine("")

    def __call__(self, stage: str, fraction: float) -> None:
        if stage != self._stage:
            self._line.end()
            self._stage = stage
            self._line = ProgressLine(f"{stage.capitalize()} the {self._shape} test model")
        self._line(fraction)

    def end(self) -> None:
        self._line.end()


def bench_command(args: argparse.Namespace) -> int:
    import json

    from llamadesk.core.bench import BenchConfig, BenchError, format_report, run_bench
    from llamadesk.core.engine import EngineError
    from llamadesk.core.gguf_info import GGUFError
    from llamadesk.ui.bench import gui_path

    config = BenchConfig(
        args.model,
        args.tokens,
        n_threads=args.threads,
        runs=args.runs,
        n_gpu_layers=args.gpu_layers,
    )
    try:
        report = run_bench(config, gui_path, lambda line: print(line, file=sys.stderr))
    except (BenchError, EngineError, GGUFError) as exc:
        return fail(str(exc))
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
    return 0
