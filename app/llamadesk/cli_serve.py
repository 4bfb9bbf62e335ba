"""`llamadesk serve` (the model over OpenAI's API) and `llamadesk chat --server` (a model
on someone else's OpenAI-compatible server)."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

DEFAULT_PORT = 8080  # llama-server's


def add_serve_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from llamadesk.cli import _option_flag, _positive_int

    serve = commands.add_parser(
        "serve", help="serve a model over OpenAI's API, for editors, scripts and agents"
    )
    serve.add_argument("model", type=Path, metavar="MODEL.gguf")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: this computer only)"
    )
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0: any free"
    )
    serve.add_argument(
        "--api-key", default="", help="clients must send it (needed for any address but loopback)"
    )
    serve.add_argument(
        "--max-tokens",
        type=_positive_int,
        default=4096,
        help="the most tokens one request may ask for (default 4096)",
    )
    _option_flag(serve, "--threads", "n_threads")
    _option_flag(serve, "--ctx", "n_ctx")


def _port(text: str) -> int:
    from llamadesk.cli import _int

    value = _int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535, not {value}")
    return value


def run_serve(args: argparse.Namespace) -> int:
    from llamadesk.cli import _fail
    from llamadesk.core.api_jobs import EngineBackend
    from llamadesk.core.api_server import ApiServer, is_loopback
    from llamadesk.core.engine import Engine, EngineError, LoadSettings, SamplingParams
    from llamadesk.core.gguf_info import GGUFError
    from llamadesk.core.load_check import check_load, memory_refusal
    from llamadesk.core.openai_api import Limits

    if not is_loopback(args.host) and not args.api_key:
        return _fail(
            f"serving on {args.host} lets other computers use the model: give --api-key KEY."
        )
    settings = LoadSettings(n_ctx=args.ctx, n_threads=args.threads)
    try:
        refusal = memory_refusal(check_load(args.model, settings))
        if refusal:
            return _fail(refusal)
        engine = Engine.load(args.model, settings)
    except (EngineError, GGUFError) as exc:
        return _fail(str(exc))
    limits = Limits(max_tokens=args.max_tokens)
    backend = EngineBackend(engine, limits, SamplingParams())
    server = ApiServer(backend, args.host, args.port, args.api_key, limits)
    try:
        url = server.start()
    except OSError as exc:
        backend.close()
        engine.close()
        return _fail(str(exc))
    print(f"Serving {backend.model_id()} at {url} (Ctrl+C stops)", flush=True)
    try:
        threading.Event().wait()  # until Ctrl+C
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        backend.close()
        engine.close()
    return 0


def run_remote_chat(args: argparse.Namespace) -> int:
    """`llamadesk chat --server URL MODEL_ID PROMPT`: the same output as a local chat."""
    from llamadesk.cli import EXIT_INTERRUPTED, _fail, _print_answer, _report
    from llamadesk.core.engine import ChatMessage, SamplingParams
    from llamadesk.core.remote import RemoteError, RemoteServer

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
        return _fail(str(exc))
    except KeyboardInterrupt:
        stream.cancel()
        sys.stdout.write("\n")
        return EXIT_INTERRUPTED
    finally:
        server.close()
    return _report(args, stream)
