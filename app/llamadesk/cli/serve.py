"""`llamadesk serve`: a model over OpenAI's API, for editors, scripts and agents.

(`llamadesk chat --server`, the other way round, is in cli/chat.py.)
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from llamadesk.cli.common import fail, option_flag, positive_int, whole_number

if TYPE_CHECKING:
    from llamadesk.cli.common import Commands

DEFAULT_PORT = 8080  # llama-server's


def add_parsers(commands: Commands) -> None:
    serve = commands.add_parser(
        "serve", help="serve a model over OpenAI's API, for editors, scripts and agents"
    )
    serve.set_defaults(run=run_serve)
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
        type=positive_int,
        default=4096,
        help="the most tokens one request may ask for (default 4096)",
    )
    option_flag(serve, "--threads", "n_threads")
    option_flag(serve, "--ctx", "n_ctx")


def _port(text: str) -> int:
    value = whole_number(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535, not {value}")
    return value


def run_serve(args: argparse.Namespace) -> int:
    from llamadesk.core.api_jobs import EngineBackend
    from llamadesk.core.api_server import ApiServer, is_loopback
    from llamadesk.core.engine import Engine, EngineError, LoadSettings, SamplingParams
    from llamadesk.core.gguf_info import GGUFError
    from llamadesk.core.load_check import check_load, memory_refusal
    from llamadesk.core.openai_api import Limits

    if not is_loopback(args.host) and not args.api_key:
        return fail(
            f"serving on {args.host} lets other computers use the model: give --api-key KEY."
        )
    settings = LoadSettings(n_ctx=args.ctx, n_threads=args.threads)
    try:
        refusal = memory_refusal(check_load(args.model, settings))
        if refusal:
            return fail(refusal)
        engine = Engine.load(args.model, settings)
    except (EngineError, GGUFError) as exc:
        return fail(str(exc))
    limits = Limits(max_tokens=args.max_tokens)
    backend = EngineBackend(engine, limits, SamplingParams())
    server = ApiServer(backend, args.host, args.port, args.api_key, limits)
    try:
        url = server.start()
    except OSError as exc:
        backend.close()
        engine.close()
        return fail(str(exc))
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
