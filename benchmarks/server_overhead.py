"""What the API server costs: tokens/s through it against the in-app engine, and 8 clients.

    python benchmarks/server_overhead.py MODEL.gguf [--tokens 128] [--runs 4]

1. Overhead: the same greedy answer, alternately written by the engine as the app's model
   thread runs it (`Engine.stream`, its tokens/s as shown under an answer) and streamed
   through the API server by the official `openai` client (tokens/s the client sees, from
   its first content chunk to its last, and the server's own figure).
2. Eight clients at once, streamed: each one's wait for its first token (the queue time),
   its total time, and whether every answer arrived whole.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

import openai

from llamadesk.core.api_jobs import EngineBackend
from llamadesk.core.api_server import ApiServer
from llamadesk.core.engine import ChatMessage, Engine, LoadSettings, SamplingParams
from llamadesk.core.openai_api import Limits

PROMPT = "Write a long story about a dragon who learns to bake bread."


def in_app(engine: Engine, tokens: int) -> float:
    params = SamplingParams(temperature=0, max_tokens=tokens)
    stream = engine.stream([ChatMessage("user", PROMPT)], params)
    for _part in stream.parts():
        pass
    assert stream.stats is not None
    return stream.stats.tokens_per_second


def through_api(client: openai.OpenAI, model: str, tokens: int) -> tuple[float, int, float]:
    """Client-seen tokens/s, tokens received, and seconds to the first token."""
    started = time.perf_counter()
    first = last = 0.0
    chunks = 0
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": PROMPT}],
        temperature=0,
        max_tokens=tokens,
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            now = time.perf_counter()
            first = first or now
            last = now
            chunks += 1
    tps = (chunks - 1) / (last - first) if chunks > 1 and last > first else 0.0
    return tps, chunks, first - started


def concurrent(url: str, model: str, clients: int, tokens: int) -> list[tuple[float, float, int]]:
    results: list[tuple[float, float, int]] = []
    lock = threading.Lock()

    def one() -> None:
        with openai.OpenAI(base_url=url, api_key="x", max_retries=0, timeout=600) as client:
            started = time.perf_counter()
            _tps, chunks, ttft = through_api(client, model, tokens)
            with lock:
                results.append((ttft, time.perf_counter() - started, chunks))

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", type=Path)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    engine = Engine.load(args.model, LoadSettings(n_threads=1))
    backend = EngineBackend(engine, Limits(max_queue=16), SamplingParams())
    server = ApiServer(backend, limits=Limits(max_queue=16))
    url = server.start()
    model = args.model.stem
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    app_tps: list[float] = []
    api_tps: list[float] = []
    with openai.OpenAI(base_url=url, api_key="x", max_retries=0) as client:
        through_api(client, model, 8)  # warm-up: imports, first connection, prompt cache
        for _run in range(args.runs):  # alternated, so the machine's load hits both alike
            app_tps.append(in_app(engine, args.tokens))
            api_tps.append(through_api(client, model, args.tokens)[0])
    app, api = statistics.median(app_tps), statistics.median(api_tps)
    print(f"in-app engine: {app:.1f} tokens/s (runs: {', '.join(f'{t:.1f}' for t in app_tps)})")
    print(f"through the API: {api:.1f} tokens/s (runs: {', '.join(f'{t:.1f}' for t in api_tps)})")
    print(f"API / in-app: {api / app:.1%}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    started = time.perf_counter()
    results = concurrent(url, model, args.clients, 64)
    wall = time.perf_counter() - started
    waits = sorted(r[0] for r in results)
    print(
        f"{args.clients} clients: {len(results)} answered, tokens each: "
        f"{sorted({r[2] for r in results})}, first-token wait min/median/max "
        f"{waits[0]:.1f}/{statistics.median(waits):.1f}/{waits[-1]:.1f} s, all done in {wall:.1f} s"
    )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    server.stop()
    backend.close()
    engine.close()


if __name__ == "__main__":
    main()
