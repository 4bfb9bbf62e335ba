"""`llamadesk chat`: one prompt answered by a GGUF model, or with `--server` by a model on an
OpenAI-compatible server, streamed to stdout."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import EXIT_INTERRUPTED, fail, option_flag

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands
    from llamadesk.core.engine import AnswerStream
    from llamadesk.core.remote import RemoteStream


def add_parsers(commands: Commands) -> None:
    chat = commands.add_parser("chat", help="answer one prompt with a GGUF model, streamed")
    chat.set_defaults(run=run_chat)
    chat.add_argument(
        "model", metavar="MODEL.gguf", help="a GGUF file, or with --server a model id"
    )
    chat.add_argument("prompt", metavar="PROMPT")
    chat.add_argument("--server", metavar="URL", help="an OpenAI-compatible server's base URL")
    chat.add_argument("--api-key", default="", help="the --server's API key")
    chat.add_argument("--system", default="", help="system prompt")
    option_flag(chat, "--max-tokens", "max_tokens", default=512)
    option_flag(chat, "--temperature", "temperature")
    option_flag(chat, "--seed", "seed")
    option_flag(chat, "--threads", "n_threads")
    option_flag(chat, "--ctx", "n_ctx")
    chat.add_argument("--lora", type=Path, metavar="ADAPTER.gguf", help="apply a LoRA adapter")
    chat.add_argument("--stats", action="store_true", help="print speed figures to stderr")
    chat.add_argument(
        "--no-memory-check",
        action="store_true",
        help="load even a model that needs more memory than this computer has",
    )
    chat.add_argument(
        "--json", action="store_true", help="print one JSON object: answer, reasoning, stats"
    )
    chat.add_argument(
        "--show-reasoning", action="store_true", help="print a reasoning model's reasoning first"
    )
    chat.add_argument(
        "--thinking",
        choices=("on", "off", "low", "medium", "high"),
        default="",
        help="a reasoning model's thinking: on/off, or gpt-oss's effort low/medium/high",
    )
    # None when not given, so that --server can say which local-only flags it ignores;
    # run_chat falls back on LoadSettings' defaults, which the help above names.
    chat.set_defaults(threads=None, ctx=None)


# Flags that only a local model uses (the server decides these), by attribute.
LOCAL_ONLY = {
    "threads": "--threads",
    "ctx": "--ctx",
    "thinking": "--thinking",
    "no_memory_check": "--no-memory-check",
}


def ignored_flags(args: argparse.Namespace) -> list[str]:
    """The local-only flags given to a chat with --server."""
    return [flag for name, flag in LOCAL_ONLY.items() if getattr(args, name)]


def run_chat(args: argparse.Namespace) -> int:
    if args.server:
        return run_remote_chat(args)
    from llamadesk.core.engine import ChatMessage, Engine, EngineError, LoadSettings, SamplingParams
    from llamadesk.core.gguf_info import GGUFError
    from llamadesk.core.load_check import check_load, memory_refusal

    model = Path(args.model)
    try:
        params = SamplingParams(
            temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed
        )
        params.validate()
        given = {"n_ctx": args.ctx, "n_threads": args.threads}
        settings = LoadSettings(**{key: value for key, value in given.items() if value is not None})
        # Checked first, as the GUI does: a model far too big would page for a minute, then fail.
        refusal = "" if args.no_memory_check else memory_refusal(check_load(model, settings))
        if refusal:
            return fail(refusal)
        engine = Engine.load(model, settings, lora=args.lora)
    except (EngineError, GGUFError) as exc:
        return fail(str(exc))
    if args.thinking and args.thinking not in engine.thinking_choices:
        engine.close()
        return fail(_no_such_thinking(model.name, engine.thinking_choices))
    messages = [ChatMessage("user", args.prompt)]
    if args.system:
        messages.insert(0, ChatMessage("system", args.system))
    stream = engine.stream(messages, params, thinking=args.thinking)
    try:
        if args.json:
            for _part in stream.parts():
                pass
        else:
            _print_answer(stream, args.show_reasoning)
    except KeyboardInterrupt:
        stream.cancel()
        sys.stdout.write("\n")
        return EXIT_INTERRUPTED
    finally:
        engine.close()
    return _report(args, stream)


def run_remote_chat(args: argparse.Namespace) -> int:
    """`llamadesk chat --server URL MODEL_ID PROMPT`: the same output as a local chat."""
    from llamadesk.core.engine import ChatMessage, SamplingParams
    from llamadesk.core.remote import RemoteError, RemoteServer

    ignored = ignored_flags(args)
    if ignored:
        print(
            f"llamadesk: {', '.join(ignored)} only apply to a local model; "
            "the server decides these, so they are ignored.",
            file=sys.stderr,
        )
    params = SamplingParams(
        temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed
    )
    messages = [ChatMessage("user", args.prompt)]
    if args.system:
        messages.insert(0, ChatMessage("system", args.system))
    server = RemoteServer(args.server, args.api_key)
    model = str(args.model)
    try:
        stream = server.stream(model, messages, params)
        if args.json:
            for _part in stream.parts():
                pass
        else:
            _print_answer(stream, args.show_reasoning)
    except RemoteError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        stream.cancel()
        sys.stdout.write("\n")
        return EXIT_INTERRUPTED
    finally:
        server.close()
    return _report(args, stream)


def _report(args: argparse.Namespace, stream: AnswerStream | RemoteStream) -> int:
    """After the answer: the --json object, the --stats line, and the exit code."""
    stats = stream.stats
    assert stats is not None
    if args.json:
        import json

        report = {"answer": stream.text, "reasoning": stream.reasoning, "stats": stats.as_dict()}
        print(json.dumps(report, indent=2))
    if args.stats:
        print(
            f"{stats.completion_tokens} tokens, {stats.tokens_per_second:.1f} tokens/s, "
            f"{stats.ttft_ms:.0f} ms to first token, stop: {stats.stop_reason}",
            file=sys.stderr,
        )
    if stats.error:
        return fail(stats.error)
    return 0


def _no_such_thinking(model: str, choices: Sequence[str]) -> str:
    if not choices:
        return f"{model} has no thinking switch in its chat template; leave out --thinking."
    return f"{model} takes --thinking {', '.join(choices[:-1])} or {choices[-1]}."


def _print_answer(stream: AnswerStream | RemoteStream, show_reasoning: bool) -> None:
    """Stream the answer to stdout, a reasoning model's reasoning first if asked."""
    reasoning_shown = answer_shown = False
    for reasoning, answer in stream.parts():
        if reasoning and show_reasoning:
            sys.stdout.write(reasoning if reasoning_shown else f"Reasoning:\n{reasoning}")
            reasoning_shown = True
        if answer:
            sys.stdout.write(_answer_start(reasoning_shown, answer_shown) + answer)
            answer_shown = True
        sys.stdout.flush()
    if not answer_shown and stream.text:  # a reasoning that turned out to be the answer
        sys.stdout.write(_answer_start(reasoning_shown, False) + stream.text)
    sys.stdout.write("\n")


def _answer_start(reasoning_shown: bool, answer_shown: bool) -> str:
    return "\n\nAnswer:\n" if reasoning_shown and not answer_shown else ""
