"""Time `llamadesk rescore`'s core: one answer scored under a level and its reference.

    python benchmarks/rescore_bench.py MODEL.gguf REFERENCE.gguf TEXT_FILE [--tokens 200] [--runs 3]

The text is cut to its first ``--tokens`` tokens (the reference's tokenizer) so the figure is
for an answer of that length. Each run loads both models (one after the other, as the app
does), scores, and reports the wall time; the median is printed last.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from llama_cpp import Llama

from llamadesk.core.rescore import rescore


def cut(text: str, reference: Path, tokens: int) -> str:
    vocab = Llama(model_path=str(reference), n_ctx=64, verbose=False)
    try:
        ids = vocab.tokenize(text.encode("utf-8"), add_bos=False)
        if len(ids) < tokens:
            raise SystemExit(f"the text has only {len(ids)} tokens")
        return vocab.detokenize(ids[:tokens]).decode("utf-8", errors="ignore")
    finally:
        vocab.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", type=Path)
    parser.add_argument("reference", type=Path)
    parser.add_argument("text", type=Path)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = cut(args.text.read_text(encoding="utf-8"), args.reference, args.tokens)
    seconds = []
    for run in range(args.runs):
        result = rescore(args.model, args.reference, text)
        seconds.append(result.seconds)
        print(
            f"run {run + 1}: {len(result.tokens)} tokens scored in {result.seconds:.2f} s "
            f"(mean KL {result.mean_kl:.3f})"
        )
    print(f"median {statistics.median(seconds):.2f} s")


if __name__ == "__main__":
    main()
