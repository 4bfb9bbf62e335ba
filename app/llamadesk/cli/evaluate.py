"""`llamadesk eval`: what a quantization costs, a model against its reference on a text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import ProgressLine, fail, option_flag, positive_int

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands


def add_parsers(commands: Commands) -> None:
    evaluation = commands.add_parser(
        "eval", help="measure what a quantization costs: a model against its reference on a text"
    )
    evaluation.set_defaults(run=run_eval)
    evaluation.add_argument("model", type=Path, metavar="MODEL.gguf")
    evaluation.add_argument("--against", type=Path, required=True, metavar="REFERENCE.gguf")
    evaluation.add_argument("--text", type=Path, required=True, metavar="FILE", help="UTF-8 text")
    evaluation.add_argument("--ctx", type=positive_int, default=512, help="window in tokens")
    evaluation.add_argument("--max-tokens", type=positive_int, help="measure at most this many")
    option_flag(evaluation, "--threads", "n_threads")
    evaluation.add_argument("--json", action="store_true", help="print one JSON object")


def run_eval(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from llamadesk.core.evaluate import EvaluationError, evaluate, save_report

    try:
        text = args.text.read_text(encoding="utf-8")
    except OSError as exc:
        return fail(f"cannot read {args.text}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return fail(f"{args.text} is not UTF-8 text")
    line = ProgressLine(f"Measuring {args.model.name} against {args.against.name}")
    try:
        report = evaluate(
            args.model,
            args.against,
            text,
            n_ctx=args.ctx,
            max_tokens=args.max_tokens,
            n_threads=args.threads,
            progress=line,
        )
    except EvaluationError as exc:
        return fail(str(exc))
    finally:
        line.end()
    try:
        save_report(report, f"file {args.text.name}")
    except OSError as exc:
        print(f"llamadesk: the result was not saved: {exc.strerror or exc}", file=sys.stderr)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
        return 0
    rows = [
        (Path(report.model).name, report.level, report.perplexity),
        (
            f"{Path(report.reference).name} (reference)",
            report.reference_level,
            report.reference_perplexity,
        ),
    ]
    width = max(len(name) for name, _, _ in rows)
    print(f"{'Model':<{width}}  {'Level':<7}  Perplexity")
    for name, level, perplexity in rows:
        print(f"{name:<{width}}  {level:<7}  {perplexity:>10.4f}")
    print(f"KL divergence: {report.kl_divergence:.6f} nats per token (0: the same predictions)")
    print(f"Top-1 agreement: {report.top1_agreement:.1%} of tokens")
    print(f"{report.tokens} tokens in windows of {report.n_ctx}, {report.seconds:.1f} s")
    return 0
