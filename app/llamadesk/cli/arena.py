"""`llamadesk rescore`: where a smaller level's answer goes wrong, token by token.

The JSON (``--json``) is a contract scripts rely on: ``tokens`` (each ``text``, ``kl``,
``top1_agree``), ``mean_kl``, ``damaged_share`` (tokens whose KL is above
``damaged_kl_threshold``) and ``first_divergence`` (the first token where the greedy choices
differ, or null); besides them the models, their levels and their arena labels (which say
"requantized from …" for a level made from an already quantized file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import EXIT_INTERRUPTED, ProgressLine, fail, option_flag, read_utf8

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands

_WORST_SHOWN = 10


def add_parsers(commands: Commands) -> None:
    rescore = commands.add_parser(
        "rescore", help="score a text token by token under a model and a reference level"
    )
    rescore.set_defaults(run=run_rescore)
    rescore.add_argument("model", type=Path, metavar="MODEL.gguf")
    rescore.add_argument("--against", type=Path, required=True, metavar="REF.gguf")
    rescore.add_argument("--text", type=Path, required=True, metavar="FILE", help="UTF-8 text")
    option_flag(rescore, "--threads", "n_threads")
    rescore.add_argument("--alternatives", action="store_true", help="add the reference's top 5")
    rescore.add_argument("--json", action="store_true", help="print one JSON object")


def run_rescore(args: argparse.Namespace) -> int:
    from llamadesk.core.arena import arena_level
    from llamadesk.core.evaluate import EvaluationError
    from llamadesk.core.gguf_info import GGUFError, read_gguf_info
    from llamadesk.core.rescore import DAMAGED_KL, rescore

    try:
        text = read_utf8(args.text)
    except ValueError as exc:
        return fail(str(exc))
    line = ProgressLine(f"Scoring {args.text.name} under two levels")
    try:
        result = rescore(args.model, args.against, text, n_threads=args.threads, progress=line)
        labels = [arena_level(read_gguf_info(path)).label for path in (args.model, args.against)]
    except (EvaluationError, GGUFError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    finally:
        line.end()
    if args.json:
        found = result.as_json(alternatives=args.alternatives)
        print(json.dumps({**found, "label": labels[0], "reference_label": labels[1]}, indent=2))
        return 0
    print(f"{labels[0]} against {labels[1]}, {len(result.tokens)} tokens:")
    print(f"  mean KL {result.mean_kl:.4f} nats")
    print(f"  damaged (KL above {DAMAGED_KL}): {result.damaged_share:.1%} of the tokens")
    first = result.first_divergence
    where = "never" if first is None else f"at token {first} ({result.tokens[first].text!r})"
    print(f"  greedy choices first differ {where}")
    worst = sorted(enumerate(result.tokens), key=lambda item: -item[1].kl)[:_WORST_SHOWN]
    print("  largest KL:", ", ".join(f"{i} {t.text!r} {t.kl:.3f}" for i, t in worst))
    sys.stdout.flush()
    return 0
