"""`llamadesk eval`: what a quantization costs, a model against its reference on a text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import ProgressLine, fail, option_flag, positive_int, read_utf8

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands
    from llamadesk.core.evaluate import QualityReport


def add_parsers(commands: Commands) -> None:
    evaluation = commands.add_parser(
        "eval", help="measure what a quantization costs: a model against its reference on a text"
    )
    evaluation.set_defaults(run=run_eval)
    evaluation.add_argument("model", type=Path, metavar="MODEL.gguf")
    against = evaluation.add_mutually_exclusive_group(required=True)
    against.add_argument("--against", type=Path, metavar="REFERENCE.gguf")
    against.add_argument(
        "--against-server",
        metavar="URL",
        help="a reference on an OpenAI-compatible server that returns top_logprobs "
        "(KL is then a top-k estimate)",
    )
    evaluation.add_argument("--model-id", help="the --against-server's model")
    evaluation.add_argument("--api-key", default="", help="the --against-server's API key")
    evaluation.add_argument(
        "--top-k", type=positive_int, default=10, help="log probabilities asked of the server"
    )
    evaluation.add_argument("--text", type=Path, required=True, metavar="FILE", help="UTF-8 text")
    evaluation.add_argument("--ctx", type=positive_int, default=512, help="window in tokens")
    evaluation.add_argument(
        "--max-tokens",
        type=positive_int,
        help="measure at most this many (against a server: 256 unless given)",
    )
    option_flag(evaluation, "--threads", "n_threads")
    evaluation.add_argument("--json", action="store_true", help="print one JSON object")


def run_eval(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from llamadesk.core.evaluate import EvaluationError, save_report

    try:
        text = read_utf8(args.text)
    except ValueError as exc:
        return fail(str(exc))
    if args.against_server and not args.model_id:
        return fail("--against-server needs --model-id: the model on the server to compare with")
    try:
        report = _measure(args, text)
    except EvaluationError as exc:
        return fail(str(exc))
    try:
        save_report(report, f"file {args.text.name}")
    except OSError as exc:
        print(f"llamadesk: the result was not saved: {exc.strerror or exc}", file=sys.stderr)
    if args.json:
        print(json.dumps(asdict(report), indent=2))
        return 0
    _print_report(report)
    return 0


def _measure(args: argparse.Namespace, text: str) -> QualityReport:
    """The measurement against a local file or a model on a server, with a progress line."""
    from llamadesk.core.evaluate import evaluate
    from llamadesk.core.remote_evaluate import (
        DEFAULT_REMOTE_TOKENS,
        RemoteReference,
        evaluate_remote,
    )

    reference = (
        RemoteReference(args.against_server.rstrip("/"), args.api_key, args.model_id)
        if args.against_server
        else None
    )
    name = reference.name if reference is not None else args.against.name
    line = ProgressLine(f"Measuring {args.model.name} against {name}")
    try:
        if reference is not None:
            return evaluate_remote(
                args.model,
                reference,
                text,
                n_ctx=args.ctx,
                max_tokens=args.max_tokens or DEFAULT_REMOTE_TOKENS,
                top_k=args.top_k,
                n_threads=args.threads,
                progress=line,
            )
        return evaluate(
            args.model,
            args.against,
            text,
            n_ctx=args.ctx,
            max_tokens=args.max_tokens,
            n_threads=args.threads,
            progress=line,
        )
    finally:
        line.end()


def _print_report(report: QualityReport) -> None:
    remote = report.reference_level.startswith("remote")
    reference = report.reference if remote else Path(report.reference).name
    rows = [
        (Path(report.model).name, report.level, f"{report.perplexity:>10.4f}"),
        (
            f"{reference} (reference)",
            report.reference_level,
            f"{'unknown':>10}" if remote else f"{report.reference_perplexity:>10.4f}",
        ),
    ]
    width = max(len(name) for name, _, _ in rows)
    levels = max(7, *(len(level) for _, level, _ in rows))
    print(f"{'Model':<{width}}  {'Level':<{levels}}  Perplexity")
    for name, level, perplexity in rows:
        print(f"{name:<{width}}  {level:<{levels}}  {perplexity}")
    print(f"KL divergence: {report.kl_divergence:.6f} nats per token (0: the same predictions)")
    if remote:
        print(
            f"  a {report.reference_level.split(', ')[-1]} estimate: the server's top tokens "
            "plus one bucket for the rest, a lower bound of the true KL"
        )
    print(f"Top-1 agreement: {report.top1_agreement:.1%} of tokens")
    print(f"{report.tokens} tokens in windows of {report.n_ctx}, {report.seconds:.1f} s")
